# SPDX-License-Identifier: BSD-3-Clause
"""The reader on tiny hand-written files (tests/data/swc), no ../shared needed.

``tests/data/swc/fixtures.csv`` lists each file's expected outcome; the user
guide includes the same table.
"""

import csv
import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from ngep.exceptions import FragmentWarning, SWCFormatError
from ngep.io import read_swc, write_swc
from ngep.io._swc import _parse_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "swc"
with (DATA / "fixtures.csv").open(newline="", encoding="utf-8") as fh:
    # cells are written as ``literal`` for the docs' csv-table; strip the quotes
    EXPECTED = {
        row["file"].strip("`"): {k: v.strip("`") for k, v in row.items()}
        for row in csv.DictReader(fh)
    }


def _read_quiet(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FragmentWarning)
        return read_swc(path, **kwargs)


def test_every_fixture_has_an_expected_outcome():
    on_disk = {p.name for p in DATA.iterdir() if p.suffix in (".swc", ".gz")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_outcome(name):
    row = EXPECTED[name]
    path = DATA / name
    if row["outcome"] == "error":
        with pytest.raises(SWCFormatError, match=row["error"]) as info:
            read_swc(path)
        assert info.value.path == str(path)
        return
    m = _read_quiet(path)
    assert m.n_nodes == int(row["n_nodes"])
    assert int(m.is_soma.sum()) == int(row["n_soma"])
    assert m.dropped_ids.size == int(row["n_dropped"])
    assert np.all(m.parent < np.arange(m.n_nodes)) and m.parent[0] == -1


@pytest.mark.parametrize("name", ["simple.swc.gz", "messy_whitespace.swc"])
def test_variants_read_to_the_same_tree_as_simple(name):
    ref = read_swc(DATA / "simple.swc")
    m = read_swc(DATA / name)
    for attr in ("xyz", "radius", "types", "parent", "ids"):
        np.testing.assert_array_equal(getattr(m, attr), getattr(ref, attr))


def test_unordered_ids_are_reordered_and_kept():
    ref = read_swc(DATA / "simple.swc")
    m = read_swc(DATA / "unordered_ids.swc")
    order = np.argsort(m.ids)
    np.testing.assert_array_equal(m.ids[order], ref.ids * 10)
    np.testing.assert_array_equal(m.xyz[order], ref.xyz)
    np.testing.assert_array_equal(m.types[order], ref.types)
    np.testing.assert_allclose(np.sort(m.path_distance), np.sort(ref.path_distance))


def test_simple_topology_values():
    m = read_swc(DATA / "simple.swc")
    assert m.name == "simple"
    assert m.n_children.tolist() == [2, 1, 2, 0, 0, 1, 2, 0, 0]
    np.testing.assert_allclose(m.path_distance, [0, 0, 5, 10, 11, 0, 4, 10, 9])
    assert m.branch_order.tolist() == [0, 0, 0, 1, 1, 0, 0, 1, 1]
    assert m.is_stem.sum() == 2


def test_soma_shapes():
    three = read_swc(DATA / "three_point_soma.swc")
    assert three.is_soma.tolist() == [True] * 3 + [False] * 3
    assert three.is_stem.sum() == 1
    contour = read_swc(DATA / "contour_soma.swc")
    assert contour.is_soma.sum() == 6 and contour.is_stem.sum() == 1
    np.testing.assert_allclose(contour.path_distance[contour.types == 3], [0, 2])


def test_no_soma_and_custom_types():
    m = read_swc(DATA / "no_soma.swc")
    assert not m.has_soma and m.is_stem.sum() == 0
    np.testing.assert_allclose(m.path_distance, [0, 1, 2, 1 + np.sqrt(2)])
    c = read_swc(DATA / "custom_types.swc")
    assert sorted(set(c.types.tolist())) == [0, 1, 3, 5, 7]
    assert c.compartment_mask("all").sum() == 5
    assert c.compartment_mask("dendrite").sum() == 2


def test_fragment_policies():
    path = DATA / "fragments.swc"
    match = r"dropped 2 node\(s\) in 1 fragment"
    with pytest.warns(FragmentWarning, match=match) as rec:
        m = read_swc(path)
    assert rec[0].filename == __file__, "the warning points at the caller"
    assert m.dropped_ids.tolist() == [10, 11]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_swc(path, on_fragments="ignore").n_nodes == 9
    with pytest.raises(SWCFormatError, match="on_fragments='warn'") as info:
        read_swc(path, on_fragments="raise")
    assert info.value.line == 14
    with pytest.raises(ValueError, match="on_fragments"):
        read_swc(path, on_fragments="drop")


@pytest.mark.parametrize(
    ("name", "line"),
    [("missing_parent.swc", 5), ("duplicate_id.swc", 4), ("nan_value.swc", 3),
     ("too_few_columns.swc", 3), ("negative_radius.swc", 3), ("self_parent.swc", 3),
     ("decimal_commas.swc", 3), ("soma_with_neurite_parent.swc", 5)],
)
def test_errors_name_the_line(name, line):
    with pytest.raises(SWCFormatError) as info:
        read_swc(DATA / name)
    assert info.value.line == line
    assert f"{name}, line {line}: " in str(info.value)


def test_parse_bytes_matches_read_swc():
    data = (DATA / "simple.swc").read_bytes()
    m = _parse_bytes(data)
    assert m.name is None and m.n_nodes == 9
    with pytest.raises(SWCFormatError, match=r"^<swc>, line 3: "):
        _parse_bytes(b"1 1 0 0 0 1 -1\n\n2 3 0 0 0 1 5\n")


def test_bad_path_type():
    with pytest.raises(TypeError, match="path"):
        read_swc(b"1 1 0 0 0 1 -1")


def test_write_then_read_roundtrip_gzip(tmp_path):
    m = read_swc(DATA / "unordered_ids.swc")
    out = tmp_path / "copy.swc.gz"
    write_swc(m, out, header="copy")
    assert gzip.decompress(out.read_bytes()).startswith(b"# copy\n")
    back = read_swc(out)
    for attr in ("xyz", "radius", "types", "parent", "ids"):
        np.testing.assert_array_equal(getattr(back, attr), getattr(m, attr))


def test_suffix_does_not_decide_compression(tmp_path):
    plain = tmp_path / "actually_plain.swc.gz"
    shutil.copy(DATA / "simple.swc", plain)
    assert read_swc(plain).n_nodes == 9
    packed = tmp_path / "packed.swc"
    shutil.copy(DATA / "simple.swc.gz", packed)
    assert read_swc(packed).n_nodes == 9
