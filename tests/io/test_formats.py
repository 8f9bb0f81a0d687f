# SPDX-License-Identifier: BSD-3-Clause
"""read_morphology: Neurolucida and HDF5 files through MorphIO, SWC unchanged.

Expected outcomes for NeuroM's test files (``../shared/data/swc-edge-cases/
neurom-formats``) live in ``tests/data/formats/neurom_formats.csv``, which the
user guide ("File formats") includes as its table.
"""

import csv
import pickle
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ngep.exceptions import (
    FragmentWarning,
    MissingDependencyError,
    MorphologyFormatError,
    MorphologyWarning,
    NgepError,
    SWCFormatError,
)
from ngep.io import (
    MORPHOLOGY_SUFFIXES,
    Morphology,
    find_morphologies,
    is_morphology_file,
    morphology_format,
    morphology_stem,
    read_morphology,
    read_swc,
    write_swc,
)
from ngep.morphometrics import FEATURES, compute_features, feature_names

morphio = pytest.importorskip("morphio")

TABLE = Path(__file__).resolve().parents[1] / "data" / "formats" / "neurom_formats.csv"
with TABLE.open(newline="", encoding="utf-8") as fh:
    EXPECTED = {
        row["file"].strip("`"): {k: v.strip("`") for k, v in row.items()}
        for row in csv.DictReader(fh)
    }
ALL = sorted(FEATURES)
COMPARTMENTS = ["all", "dendrite", "basal", "apical", "axon"]
COLUMNS = feature_names(ALL, COMPARTMENTS)


@pytest.fixture
def formats_dir(edge_case_dir):
    return edge_case_dir / "neurom-formats"


def _features(m):
    return compute_features(m, ALL, COMPARTMENTS)


def _assert_same_features(a, b, rtol=1e-5, atol=1e-6):
    fa, fb = _features(a), _features(b)
    bad = [
        (c, x, y) for c, x, y in zip(COLUMNS, fa, fb)
        if not np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True)
    ]
    assert not bad, f"{len(bad)} of {len(COLUMNS)} features differ: {bad[:5]}"


def _asc(tmp_path, text, name="cell.asc"):
    path = tmp_path / name
    path.write_text(text)
    return path


SOMA = """("CellBody"
  (CellBody)
  (1 1 0 1)
  (-1 1 0 1)
  (-1 -1 0 1)
  (1 -1 0 1)
)
"""


# ---------------------------------------------------------------------------
# file names
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, fmt, stem", [
    ("a.swc", "swc", "a"), ("a.SWC", "swc", "a"), ("a.swc.gz", "swc", "a"),
    ("cell.v2.swc", "swc", "cell.v2"), ("x.CNG.swc", "swc", "x.CNG"),
    ("b.asc", "asc", "b"), ("B.ASC", "asc", "B"), ("c.h5", "h5", "c"),
    ("d.H5", "h5", "d"), ("notes.txt", None, "notes.txt"), (".swc", None, ".swc"),
    ("a.gz", None, "a.gz"), ("a.asc.gz", None, "a.asc.gz"),
])
def test_suffix_table(name, fmt, stem):
    assert morphology_format(Path("dir", name)) == fmt
    assert is_morphology_file(name) is (fmt is not None)
    assert morphology_stem(Path("dir", name)) == stem


def test_find_morphologies_scans_one_folder(tmp_path):
    for name in ("b.h5", "a.swc", "c.ASC", "d.swc.gz", "e.txt", ".hidden.swc"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub.swc").mkdir()
    (tmp_path / "sub.swc" / "f.swc").write_bytes(b"")
    assert [p.name for p in find_morphologies(tmp_path)] == [
        "a.swc", "b.h5", "c.ASC", "d.swc.gz"]
    assert MORPHOLOGY_SUFFIXES == (".swc.gz", ".swc", ".asc", ".h5")


# ---------------------------------------------------------------------------
# SWC goes through the SWC reader, unchanged
# ---------------------------------------------------------------------------
def test_swc_is_read_by_read_swc(tmp_path):
    m = Morphology([[0, 0, 0], [0, 5, 0], [1, 9, 0]], [3, 1, 1], [1, 3, 3],
                   [-1, 0, 1])
    for name in ("cell.v2.swc", "cell.swc.gz", "cell.txt"):
        path = tmp_path / name
        write_swc(m, path)
        a, b = read_morphology(path), read_swc(path)
        for attr in ("xyz", "radius", "types", "parent", "ids"):
            assert_array_equal(getattr(a, attr), getattr(b, attr))
        assert a.name == morphology_stem(path)
    with pytest.raises(SWCFormatError):
        read_morphology(_asc(tmp_path, "1 1 0 0\n", "bad.swc"))


def test_arguments_are_checked(tmp_path):
    with pytest.raises(TypeError, match="path"):
        read_morphology(3)
    with pytest.raises(ValueError, match="on_fragments"):
        read_morphology(tmp_path / "a.h5", on_fragments="drop")
    with pytest.raises(FileNotFoundError):
        read_morphology(tmp_path / "missing.h5")


# ---------------------------------------------------------------------------
# NeuroM's files
# ---------------------------------------------------------------------------
def test_table_covers_every_file(formats_dir):
    on_disk = {p.relative_to(formats_dir).as_posix()
               for p in formats_dir.rglob("*") if is_morphology_file(p)}
    assert on_disk == set(EXPECTED)
    for row in EXPECTED.values():
        assert row["why"] and row["outcome"] in ("ok", "error")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_reads_or_raises_ours(formats_dir, name, capfd):
    row = EXPECTED[name]
    path = formats_dir / name
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these files deserves a warning
        if row["outcome"] == "error":
            with pytest.raises(MorphologyFormatError) as info:
                read_morphology(path)
            assert re.search(row["error"], str(info.value), re.I), str(info.value)
            assert str(path) in str(info.value)
            assert not isinstance(info.value, SWCFormatError)
        else:
            m = read_morphology(path)
            assert m.n_nodes == int(row["n_nodes"])
            assert int(m.is_soma.sum()) == int(row["n_soma"])
            assert m.name == morphology_stem(path) and m.source == str(path)
    assert capfd.readouterr().err == ""  # nothing leaks to stderr (HighFive notes)


def test_asc_syntax_error_names_the_line(formats_dir):
    with pytest.raises(MorphologyFormatError) as info:
        read_morphology(formats_dir / "neurolucida" / "broken-spine.asc")
    assert info.value.line == 17
    assert ", line 17: " in str(info.value)
    assert "\x1b" not in str(info.value)  # MorphIO's colour codes are removed


def test_same_neuron_as_swc_and_h5(edge_case_dir, formats_dir):
    swc = read_morphology(edge_case_dir / "neurom" / "Neuron.swc")
    h5 = read_morphology(formats_dir / "h5" / "v1" / "Neuron.h5")
    assert swc.n_nodes == h5.n_nodes
    _assert_same_features(swc, h5)  # MorphIO keeps float32 points: rtol 1e-5


@pytest.mark.parametrize("stem", ["bio_neuron-000", "bio_neuron-001"])
def test_asc_and_h5_twins_agree(formats_dir, stem):
    asc = read_morphology(formats_dir / "neurolucida" / f"{stem}.asc")
    h5 = read_morphology(formats_dir / "h5" / "v1" / f"{stem}.h5")
    # same shape; bio_neuron-001.h5 was moved (its soma is not where the .asc has it)
    assert_allclose(asc.xyz - asc.xyz[0], h5.xyz - h5.xyz[0], atol=1e-3)
    assert_array_equal(asc.parent, h5.parent)
    assert_array_equal(asc.types, h5.types)
    _assert_same_features(asc, h5)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dendrite_length_agrees_with_neurom(formats_dir, name):
    nm = pytest.importorskip("neurom")
    path = formats_dir / name
    try:
        neuron = nm.load_morphology(path)
    except Exception:  # noqa: BLE001 - NeuroM's failures are MorphIO's
        with pytest.raises(MorphologyFormatError):
            read_morphology(path)
        return
    theirs = sum(
        nm.get("total_length", neuron, neurite_type=t)
        for t in (nm.BASAL_DENDRITE, nm.APICAL_DENDRITE)
    )
    ours = compute_features(read_morphology(path), ["total_length"], "dendrite")[0]
    assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("name", ["h5/v1/Neuron.h5", "h5/v1/ordering/sample.h5",
                                  "neurolucida/multifurcation.asc"])
def test_matches_morphios_own_swc_writer(formats_dir, tmp_path, name):
    """MorphIO writing the file as SWC, read by read_swc, gives the same tree."""
    path = formats_dir / name
    swc = tmp_path / "twin.swc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        morphio.mut.Morphology(str(path)).write(str(swc))
    a, b = read_morphology(path), read_swc(swc)
    assert_array_equal(a.ids, b.ids)
    assert_array_equal(a.parent, b.parent)
    assert_array_equal(a.types, b.types)
    assert_allclose(a.xyz, b.xyz, atol=1e-6, rtol=1e-7)
    assert_allclose(a.radius, b.radius, atol=1e-6, rtol=1e-7)


# ---------------------------------------------------------------------------
# conversion rules, on small files
# ---------------------------------------------------------------------------
def test_soma_contour_becomes_a_chain_and_neurites_hang_from_its_first_point(
    tmp_path,
):
    path = _asc(tmp_path, SOMA + """
((Dendrite)
 (0 5 0 2)
 (0 9 0 2)
 (
   (3 12 0 1)
 |
   (-3 12 0 1)
 )
)
((Apical)
 (0 -5 0 2)
 (0 -9 0 2)
)
""")
    m = read_morphology(path)
    assert m.types.tolist() == [1, 1, 1, 1, 3, 3, 3, 3, 4, 4]
    assert m.parent.tolist() == [-1, 0, 1, 2, 0, 4, 5, 5, 0, 8]
    assert_allclose(m.radius[:4], 0.5)
    # the duplicated branch-start points are gone: 2 + 1 + 1 dendrite nodes
    assert_allclose(m.xyz[6], [3, 12, 0]) and m.segment_length[6] == pytest.approx(
        np.hypot(3, 3))
    assert int(m.is_stem.sum()) == 2


def test_spines_and_markers_are_dropped(tmp_path):
    path = _asc(tmp_path, SOMA + """
((Dendrite)
 (0 5 0 2)
 <(1 6 0 0.5)>
 (0 9 0 2)
 (Dot
   (4 4 0 1)
 )
)
""")
    m = read_morphology(path)
    assert m.n_nodes == 6 and m.types[4:].tolist() == [3, 3]


def test_custom_types_and_single_point_sections(tmp_path):
    mm = morphio.mut.Morphology()
    mm.soma.points = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    mm.soma.diameters = [1, 1, 1]
    mm.soma.type = morphio.SomaType.SOMA_SIMPLE_CONTOUR
    root = mm.append_root_section(
        morphio.PointLevel([[0, 0, 1], [0, 0, 5]], [1, 1]), morphio.SectionType(7))
    only = root.append_section(morphio.PointLevel([[0, 0, 5]], [1]),
                               morphio.SectionType(3))  # just the repeated point
    only.append_section(morphio.PointLevel([[0, 0, 5], [1, 1, 9]], [1, 1]))
    only.append_section(morphio.PointLevel([[0, 0, 5], [1, -1, 9]], [1, 1]))
    path = tmp_path / "custom.h5"
    mm.write(str(path))
    m = read_morphology(path)
    assert m.types.tolist() == [1, 1, 1, 7, 7, 3, 3]
    assert m.parent.tolist() == [-1, 0, 1, 0, 3, 4, 4]  # both hang from (0, 0, 5)
    assert compute_features(m, ["total_length"], "all")[0] == pytest.approx(
        4 + 2 * np.sqrt(18))


def test_a_section_away_from_its_parent_keeps_the_gap_and_warns(tmp_path):
    mm = morphio.mut.Morphology()
    mm.soma.points = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    mm.soma.diameters = [1, 1, 1]
    mm.soma.type = morphio.SomaType.SOMA_SIMPLE_CONTOUR
    root = mm.append_root_section(
        morphio.PointLevel([[0, 0, 1], [0, 0, 5]], [1, 1]),
        morphio.SectionType.basal_dendrite)
    root.append_section(morphio.PointLevel([[0, 3, 5], [0, 3, 9]], [1, 1]))
    path = tmp_path / "gap.h5"
    mm.write(str(path))
    with pytest.warns(MorphologyWarning, match="1 section.*gap"):
        m = read_morphology(path)
    assert compute_features(m, ["total_length"], "dendrite")[0] == pytest.approx(11)


def test_no_soma_keeps_the_largest_tree_as_swc_does(tmp_path):
    text = """((Dendrite)
 (0 5 0 2)
 (0 9 0 2)
 (0 12 0 2)
)
((Axon)
 (0 -5 0 2)
 (0 -9 0 2)
)
"""
    path = _asc(tmp_path, text)
    with pytest.warns(FragmentWarning, match="dropped 2 point"):
        m = read_morphology(path)
    assert not m.has_soma and m.n_nodes == 3 and m.dropped_ids.tolist() == [4, 5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_morphology(path, on_fragments="ignore").n_nodes == 3
    with pytest.raises(MorphologyFormatError, match="on_fragments"):
        read_morphology(path, on_fragments="raise")
    # the largest tree is an axon: dropping the dendrite would lose most of it
    bigger = _asc(tmp_path, """((Dendrite)
 (0 5 0 2)
 (0 9 0 2)
)
((Axon)
 (0 -5 0 2)
 (0 -9 0 2)
 (0 -12 0 2)
)
""", "bigger.asc")
    with pytest.raises(MorphologyFormatError, match="no soma and 2 separate trees"):
        read_morphology(bigger, on_fragments="ignore")


@pytest.mark.parametrize("text, match", [
    ("", "empty or cut short"),
    ("; a comment\n", "empty or cut short"),
    ('("CellBody"\n (CellBody)\n)\n', "no soma and no neurite points"),
    ("((Dendrite)\n)\n", "no soma and no neurite points"),
    ("((Dendrite)\n (0 5 0 2\n", "Neurolucida syntax|unexpected"),
    (SOMA + SOMA, "one CellBody"),
    ("\x00\x01binary junk", None),
])
def test_malformed_asc_raises_ours(tmp_path, text, match):
    path = _asc(tmp_path, text)
    with pytest.raises(MorphologyFormatError, match=match) as info:
        read_morphology(path)
    assert str(path) in str(info.value)


def test_not_hdf5_raises_ours(tmp_path):
    path = tmp_path / "cell.h5"
    path.write_text("version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(MorphologyFormatError, match="not HDF5"):
        read_morphology(path)


def test_errors_are_ngep_errors_and_pickle():
    err = MorphologyFormatError("bad", path="a.asc", line=3)
    assert isinstance(err, NgepError) and isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.line, str(again)) == ("a.asc", 3, "a.asc, line 3: bad")
    assert issubclass(SWCFormatError, MorphologyFormatError)
    assert str(MorphologyFormatError("bad")) == "<morphology>: bad"


def test_without_morphio_the_error_names_the_extra(tmp_path, monkeypatch):
    path = _asc(tmp_path, SOMA)
    monkeypatch.setitem(sys.modules, "morphio", None)
    with pytest.raises(MissingDependencyError, match=r'ngep\[formats\]') as info:
        read_morphology(path)
    assert isinstance(info.value, ImportError)


# ---------------------------------------------------------------------------
# MorphIO's warnings and stderr: routed through Python warnings
# ---------------------------------------------------------------------------
class _FakeMorphIO:
    """Stands in for the morphio module: warns through the handler and on fd 2."""

    class Warning:  # noqa: A001 - mirrors morphio.Warning
        no_soma_found = "no_soma_found"

    class WarningHandlerCollector:
        def set_ignored_warning(self, kind, ignore):
            self.ignored = kind

        def get_all(self):
            class Message:
                def msg(self):
                    return ("\n\x1b[1;33mcell.h5:0:warning\x1b[0m\n"
                            "Warning: zero diameter in section 3")

            class Item:
                was_marked_ignore = False
                warning = Message()

            class Ignored(Item):
                was_marked_ignore = True

            return [Item(), Ignored()]

    @staticmethod
    def Morphology(path, warning_handler=None):  # noqa: N802 - mirrors morphio
        import os

        os.write(2, b"HighFive [WARN] higher floating point precision than data\n")
        os.write(2, b"something else from C++\n")
        return "raw"


def test_morphio_warnings_and_stderr_become_python_warnings(capfd):
    from ngep.io._morphio import _load

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _load(_FakeMorphIO, "cell.h5", "h5") == "raw"
    messages = sorted(str(w.message) for w in caught)
    assert all(issubclass(w.category, MorphologyWarning) for w in caught)
    assert messages == ["cell.h5: something else from C++",
                        "cell.h5: zero diameter in section 3"]
    assert capfd.readouterr().err == ""


def test_sections_in_any_order_are_walked_parents_first():
    from ngep.io._morphio import _parents_first

    assert list(_parents_first(np.array([-1, 0, 0, 1]))) == [0, 1, 2, 3]
    parent = np.array([2, -1, 3, 1, -1, 4])  # 1 -> 3 -> 2 -> 0 and 4 -> 5
    order = list(_parents_first(parent))
    assert sorted(order) == list(range(6))
    position = {s: k for k, s in enumerate(order)}
    assert all(position[p] < position[s] for s, p in enumerate(parent) if p >= 0)
