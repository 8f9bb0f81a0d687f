# SPDX-License-Identifier: BSD-3-Clause
"""One stem rule (ngep.io.morphology_stem): readers, per-file frames, the CLI."""

from pathlib import Path

import pytest

from ngep.io import is_morphology_file, morphology_stem, read_swc, write_swc
from ngep.transformers import MorphologyExtractor

CASES = {
    "cell.swc": "cell",
    "cell.v2.swc": "cell.v2",
    "dir.d/cell.CNG.swc": "cell.CNG",
    "cell.SWC": "cell",
    "cell.swc.gz": "cell",
    "cell.Swc.GZ": "cell",
    "cell.txt": "cell.txt",
    ".swc": ".swc",
    "cell.v2.ASC": "cell.v2",
}


@pytest.mark.parametrize("name, stem", CASES.items())
def test_morphology_stem(name, stem):
    assert morphology_stem(name) == stem
    assert morphology_stem(Path(name)) == stem


def test_is_morphology_file():
    names = ("a.swc", "a.SWC", "a.swc.gz", "a.gz", "a.txt")
    assert [is_morphology_file(n) for n in names] == [True, True, True, False, False]


@pytest.mark.parametrize("name", ["cell.v2.swc", "cell.v2.swc.gz", "cell.CNG.SWC"])
def test_every_user_of_the_stem_agrees(name, tmp_path):
    from ngep.datasets import make_neurons

    path = tmp_path / name
    write_swc(make_neurons(1, random_state=0).morphologies[0], path)
    stem = morphology_stem(name)
    assert read_swc(path).name == stem  # read_swc names the neuron
    # the extractor's per-file frames are keyed by the same stem
    by_stem = MorphologyExtractor(["height"], frame={stem: "native"})
    native = MorphologyExtractor(["height"], frame="native")
    assert by_stem.fit_transform([str(path)]) == native.fit_transform([str(path)])
    # the command line matches table ids to files with it
    import pandas as pd

    from ngep.cli._data import match_dataset

    table = tmp_path / "t.csv"
    pd.DataFrame({"id": [stem], "y": [1.0]}).to_csv(table, index=False)
    paths, _ = match_dataset(tmp_path, table, "id", ["y"])
    assert [Path(p).name for p in paths] == [name]
