# SPDX-License-Identifier: BSD-3-Clause
"""Every file of ../shared/data/swc-edge-cases has one documented outcome.

The expectations live in ``tests/data/swc/edge_cases.csv``, which the user guide
("Reading SWC files") includes as its table: the documentation and this test
cannot drift apart.
"""

import csv
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from ngep.exceptions import FragmentWarning, SWCFormatError
from ngep.io import read_swc

TABLE = Path(__file__).resolve().parents[1] / "data" / "swc" / "edge_cases.csv"
with TABLE.open(newline="", encoding="utf-8") as fh:
    # cells are written as ``literal`` for the docs' csv-table; strip the quotes
    EXPECTED = {
        row["file"].strip("`"): {k: v.strip("`") for k, v in row.items()}
        for row in csv.DictReader(fh)
    }


def test_table_is_well_formed():
    for name, row in EXPECTED.items():
        assert row["outcome"] in ("ok", "error"), name
        assert row["why"].strip(), name
        if row["outcome"] == "error":
            assert row["error"] and not row["n_nodes"], name
            re.compile(row["error"])
        else:
            assert not row["error"], name
            int(row["n_nodes"]), int(row["n_soma"]), int(row["n_dropped"])


def test_every_file_is_in_the_table(edge_case_dir):
    on_disk = {p.relative_to(edge_case_dir).as_posix()
               for p in edge_case_dir.rglob("*.swc")}
    assert on_disk, "no SWC files found"
    assert sorted(on_disk - set(EXPECTED)) == [], "files without an expected outcome"
    assert sorted(set(EXPECTED) - on_disk) == [], "expected outcomes for absent files"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_edge_case_outcome(edge_case_dir, name):
    row = EXPECTED[name]
    path = edge_case_dir / name
    if not path.exists():
        pytest.skip(f"{name} not in this copy of the edge cases")
    if row["outcome"] == "error":
        with pytest.raises(SWCFormatError, match=row["error"]) as info:
            read_swc(path)
        assert info.value.path == str(path)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = read_swc(path)
    fragment_warnings = [w for w in caught if issubclass(w.category, FragmentWarning)]
    assert len(fragment_warnings) == (int(row["n_dropped"]) > 0)
    assert m.n_nodes == int(row["n_nodes"])
    assert int(m.is_soma.sum()) == int(row["n_soma"])
    assert m.dropped_ids.size == int(row["n_dropped"])
    # invariants of every Morphology the reader returns
    n = m.n_nodes
    assert m.parent[0] == -1 and np.all(m.parent[1:] >= 0)
    assert np.all(m.parent < np.arange(n))
    assert np.unique(m.ids).size == n
    assert np.all(np.isfinite(m.xyz)) and np.all(m.radius >= 0)
    assert np.all(np.isfinite(m.path_distance)) and np.all(m.path_distance >= 0)
    if m.has_soma:
        assert m.is_soma[0], "the root of a neuron with a soma is a soma node"
