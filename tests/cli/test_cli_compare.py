# SPDX-License-Identifier: BSD-3-Clause
"""``ngep compare`` end to end through ``main([...])``."""

import numpy as np
import pandas as pd
import pytest

from ngep.cli import main
from ngep.datasets import make_neurons


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Two folders of SWC files: small Pvalb-like and large L5 pyramidal cells."""
    root = tmp_path_factory.mktemp("groups")
    for name, cls, seed in (("pvalb", "Pvalb", 0), ("l5", "L5_ET", 1)):
        make_neurons(6, class_weights={cls: 1}, out_dir=root / name,
                     random_state=seed)
    (root / "l5" / "broken.swc").write_text("1 1 0 0 0 1 -1\n2 3 0 0 0 1 7\n")
    return root


def test_compare_folders_writes_table_plots_summary_and_failures(folders, tmp_path,
                                                                  capsys):
    out = tmp_path / "out"
    code = main(["compare", str(folders / "pvalb"), f"big={folders / 'l5'}",
                 "--features", "base", "-o", str(out), "--n-bootstrap", "200",
                 "--no-progress"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 SWC file(s) could not be featurised" in err and "broken.swc" in err
    failures = pd.read_csv(out / "failures.csv")
    assert failures.path.str.endswith("broken.swc").all() and len(failures) == 1
    result = pd.read_csv(out / "comparison.csv")
    assert {"feature", "effect_size", "p_value", "q_value", "ci_low",
            "ci_high"} <= set(result.columns)
    assert set(result.group_a) == {"pvalb"} and set(result.group_b) == {"big"}
    assert set(result.n_b) == {6}  # the broken file is not counted
    assert result.q_value.is_monotonic_increasing  # ranked
    top = result.iloc[0]
    assert top.q_value < 0.05 and top.effect_size > 0  # L5 cells are larger
    for name in ("volcano.png", "top_features.png", "summary.txt", "features.csv"):
        assert (out / name).stat().st_size > 0
    summary = (out / "summary.txt").read_text()
    assert "pvalb (n=6), big (n=6)" in summary and "--donor-column" in summary
    assert main(["compare", str(folders / "pvalb"), str(folders / "l5"),
                 "--features", "base", "-o", str(out), "--n-bootstrap", "0",
                 "--no-progress", "--strict"]) == 1


def test_compare_one_table_with_group_and_donor_columns(tmp_path, capsys):
    rng = np.random.default_rng(0)
    n = 40
    table = pd.DataFrame({
        "specimen_id": np.arange(n),
        "line": np.repeat(["Sst", "Pvalb"], n // 2),
        "donor": np.repeat(np.arange(8), 5),
        "length": np.r_[rng.normal(1, 0.2, n // 2), rng.normal(2, 0.2, n // 2)],
        "stems": rng.poisson(5, n),
    })
    table.to_csv(tmp_path / "t.csv", index=False)
    out = tmp_path / "out"
    assert main(["compare", "--table", str(tmp_path / "t.csv"), "--group-column",
                 "line", "--donor-column", "donor", "-o", str(out),
                 "--n-bootstrap", "100"]) == 0
    captured = capsys.readouterr()
    assert "not comparing id-like column(s) ['specimen_id']" in captured.err
    assert "only 70 ways to relabel 4 and 4 donors" in captured.err
    result = pd.read_csv(out / "comparison.csv")
    assert list(result.feature) == ["length", "stems"]
    assert set(result.test) == {"donor permutation"}
    assert result.p_value[0] == pytest.approx(2 / 70)  # the most extreme of 70


def test_compare_feature_tables_per_group(tmp_path):
    rng = np.random.default_rng(1)
    for name, loc in (("ctrl", 0.0), ("drug", 1.5)):
        pd.DataFrame({"length": rng.normal(loc, 1, 12)}).to_csv(
            tmp_path / f"{name}.csv", index=False)
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "ctrl.csv"), str(tmp_path / "drug.csv"),
                 "-o", str(out), "--n-bootstrap", "0"]) == 0
    result = pd.read_csv(out / "comparison.csv")
    assert (result.group_a[0], result.group_b[0]) == ("ctrl", "drug")


@pytest.mark.parametrize("argv, message", [
    (["a_missing_folder", "b"], "no such file or folder"),
    (["ONE"], "at least two groups"),
    (["--table", "T"], "--table needs --group-column"),
    (["--table", "T", "--group-column", "nope"], "column(s) 'nope' not in"),
    (["SMALL", "SMALL2"], "at least 3 neurons"),
])
def test_compare_user_errors_are_one_line_exit_2(tmp_path, capsys, argv, message):
    pd.DataFrame({"g": ["a", "b"] * 5, "x": range(10)}).to_csv(tmp_path / "T",
                                                             index=False)
    pd.DataFrame({"x": [1.0, 2.0]}).to_csv(tmp_path / "SMALL.csv", index=False)
    pd.DataFrame({"x": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "SMALL2.csv", index=False)
    (tmp_path / "ONE").mkdir()
    (tmp_path / "ONE" / "a.swc").write_text("1 1 0 0 0 1 -1\n")
    subs = {"T": tmp_path / "T", "ONE": tmp_path / "ONE",
            "SMALL": tmp_path / "SMALL.csv", "SMALL2": tmp_path / "SMALL2.csv"}
    argv = [str(subs.get(a, a)) for a in argv]
    assert main(["compare", *argv, "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1] and err[-1].startswith("ngep compare: error:")


def test_compare_table_naming_swc_files_with_donors(folders, tmp_path):
    stems = sorted(p.name[:-4] for p in (folders / "pvalb").glob("*.swc"))
    rows = [{"cell": s, "line": "PV", "mouse": i // 2} for i, s in enumerate(stems)]
    table = pd.DataFrame(rows)
    swc = tmp_path / "swc"
    swc.mkdir()
    for s in stems:
        (swc / f"{s}.swc").write_bytes((folders / "pvalb" / f"{s}.swc").read_bytes())
    # the same neurons enlarged 1.5x as a second line from other mice
    from ngep.io import read_swc, write_swc

    for i, s in enumerate(stems):
        write_swc(read_swc(swc / f"{s}.swc").transformed(scale=1.5),
                  swc / f"big_{s}.swc")
        rows.append({"cell": f"big_{s}", "line": "big", "mouse": 10 + i // 2})
    pd.DataFrame(rows).to_csv(tmp_path / "cells.csv", index=False)
    out = tmp_path / "out"
    assert main(["compare", "--table", str(tmp_path / "cells.csv"), "--swc-dir",
                 str(swc), "--id-column", "cell", "--group-column", "line",
                 "--donor-column", "mouse", "--features", "base", "-o", str(out),
                 "--n-bootstrap", "100", "--no-progress"]) == 0
    result = pd.read_csv(out / "comparison.csv").set_index("feature")
    assert set(result.n_donors_a) == {3} and set(result.n_donors_b) == {3}
    length = result.loc["dendrite__total_length"]
    assert length.effect_size > 0 and length.test == "donor permutation"
    assert len(table) == 6
