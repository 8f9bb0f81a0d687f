# SPDX-License-Identifier: BSD-3-Clause
"""The command line on Neurolucida and HDF5 files, and ``ngep plot``."""

import numpy as np
import pandas as pd
import pytest

from ngep.cli import main
from ngep.cli._data import collect_morphologies, match_dataset
from ngep.cli._errors import CLIError
from ngep.datasets import make_neurons
from ngep.io import read_morphology, write_swc
from ngep.morphometrics import BASE_FEATURES, compute_features

morphio = pytest.importorskip("morphio")

ASC = """("CellBody"
  (CellBody)
  (1 1 0 1)
  (-1 1 0 1)
  (-1 -1 0 1)
  (1 -1 0 1)
)
((Dendrite)
  (0 5 0 2)
  (0 25 0 2)
  (
    (10 40 0 1)
  |
    (-10 40 0 1)
  )
)
"""


def _write_h5(m, path):
    """A neuron whose neurites are unbranched chains, written by MorphIO."""
    mut = morphio.mut.Morphology()
    soma = np.flatnonzero(m.is_soma)
    mut.soma.points = m.xyz[soma]
    mut.soma.diameters = 2 * m.radius[soma]
    mut.soma.type = morphio.SomaType.SOMA_SIMPLE_CONTOUR
    for stem in np.flatnonzero(m.is_stem):
        chain = [stem]
        while True:
            kids = np.flatnonzero(m.parent == chain[-1])
            if kids.size != 1:
                break
            chain.append(int(kids[0]))
        mut.append_root_section(
            morphio.PointLevel(m.xyz[chain].tolist(), (2 * m.radius[chain]).tolist()),
            morphio.SectionType(int(m.types[stem])))
    mut.write(str(path))


@pytest.fixture
def mixed(tmp_path):
    """A folder with one neuron in each format, a broken file and a stray file."""
    folder = tmp_path / "cells"
    folder.mkdir()
    (folder / "a.asc").write_text(ASC)
    from ngep.io import Morphology

    m = Morphology([[0, 0, 0], [2, 0, 0], [0, 2, 0], [0, 5, 0], [0, 30, 0],
                    [0, -5, 0], [0, -20, 0]],
                   [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 3, 3, 4, 4],
                   [-1, 0, 1, 0, 3, 0, 5])
    _write_h5(m, folder / "b.h5")
    write_swc(make_neurons(1, random_state=0).morphologies[0], folder / "c.swc.gz")
    (folder / "notes.txt").write_text("not a neuron")
    return folder


def test_folders_are_scanned_for_every_format(mixed):
    assert [p.name for p in collect_morphologies([mixed])] == [
        "a.asc", "b.h5", "c.swc.gz"]
    empty = mixed / "empty"
    empty.mkdir()
    with pytest.raises(CLIError, match=r"\.swc\.gz, \.swc, \.asc, \.h5"):
        collect_morphologies([empty])


def test_features_reads_every_format(mixed, tmp_path):
    broken = tmp_path / "broken.asc"
    broken.write_text("((Dendrite)\n (0 5 0 2\n")
    out = tmp_path / "features.csv"
    assert main(["features", str(mixed), str(broken), "-o", str(out),
                 "--no-progress"]) == 0
    table = pd.read_csv(out, index_col=0)
    assert table.index.tolist() == ["a.asc", "b.h5", "c.swc.gz", "broken.asc"]
    for name in ("a.asc", "b.h5"):
        expected = compute_features(read_morphology(mixed / name), BASE_FEATURES)
        np.testing.assert_allclose(table.loc[name].drop("path").to_numpy(float),
                                   expected)
    assert table.loc["broken.asc"].drop("path").isna().all()
    report = pd.read_csv(tmp_path / "features.failures.csv")
    assert "broken.asc, line" in report.to_string()


def test_table_ids_match_any_format(mixed, tmp_path):
    table = tmp_path / "cells.csv"
    pd.DataFrame({"id": ["c", "a", "b"], "y": [1.0, 2.0, 3.0]}).to_csv(table,
                                                                    index=False)
    paths, frame = match_dataset(mixed, table, "id", ["y"])
    assert [p.name for p in paths] == ["c.swc.gz", "a.asc", "b.h5"]
    (mixed / "a.swc").write_text("1 1 0 0 0 1 -1\n")
    with pytest.raises(CLIError, match="two files for neuron 'a'"):
        match_dataset(mixed, table, "id", ["y"])


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_one_and_many(mixed, tmp_path, suffix, capsys):
    one = tmp_path / f"one{suffix}"
    assert main(["plot", str(mixed / "a.asc"), "-o", str(one)]) == 0
    many = tmp_path / f"many{suffix}"
    assert main(["plot", str(mixed), "-o", str(many), "--ncols", "3",
                 "--projection", "xz", "--title", "three"]) == 0
    for image in (one, many):
        content = image.read_bytes()
        if suffix == ".png":
            assert content.startswith(b"\x89PNG")
        else:
            assert b"<svg" in content[:2000]
    assert "drew 3 neuron(s)" in capsys.readouterr().out


def test_plot_skips_unreadable_files(mixed, tmp_path, capsys):
    broken = mixed / "z.asc"
    broken.write_text("((Dendrite)\n (0 5 0 2\n")
    out = tmp_path / "cells.png"
    assert main(["plot", str(mixed), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "z.asc, line" in err
    assert main(["plot", str(mixed), "-o", str(out), "--strict"]) == 1
    assert main(["plot", str(broken), "-o", str(out)]) == 2  # nothing to draw


@pytest.mark.parametrize("args, match", [
    (["-o", "x.jpg"], "must end in"),
    (["-o", "x.png", "--ncols", "0"], "--ncols"),
])
def test_plot_bad_options(mixed, tmp_path, args, match, capsys):
    args = [a if a not in ("x.jpg", "x.png") else str(tmp_path / a) for a in args]
    assert main(["plot", str(mixed), *args]) == 2
    assert match in capsys.readouterr().err


def test_demo_gallery_shows_the_most_and_least_target_like(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from ngep.cli import _report

    cells = make_neurons(6, random_state=1).morphologies
    pred = pd.DataFrame({"predicted": [0.5, 3.0, 1.0, 2.0, -1.0, 0.0],
                         "observed": [0.4, 2.5, 1.1, 1.0, 0.0, 0.2]})
    labels = [f"cell{i}" for i in range(6)]
    drawn = {}
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig: drawn.setdefault("fig", fig))
    path = _report.save_neuron_gallery(cells, pred, labels, tmp_path / "n.png",
                                       "Pvalb", k=2)
    assert path.read_bytes().startswith(b"\x89PNG")
    fig = drawn["fig"]
    titles = [ax.get_title().split("\n")[0] for ax in fig.axes]
    assert titles == ["cell1", "cell3", "cell4", "cell5"]  # top 2, then bottom 2
    assert "predicted 3.00, observed 2.50" in fig.axes[0].get_title()
    assert "Pvalb-like" in fig._suptitle.get_text()
    real_close(fig)


def test_help_imports_neither_matplotlib_nor_morphio():
    import subprocess
    import sys

    code = (
        "import sys\nfrom ngep.cli import main\n"
        "for argv in (['--help'], ['plot', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib'\n"
        "assert 'morphio' not in sys.modules, 'morphio'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "plot" in out.stdout
