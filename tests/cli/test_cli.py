# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end tests of the ``ngep`` command line through ``main([...])``."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ngep.cli import main
from ngep.datasets import make_neurons
from ngep.io import write_swc


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """60 synthetic neurons as SWC files and a table of targets."""
    root = tmp_path_factory.mktemp("labelled")
    data = make_neurons(60, random_state=0)
    swc = root / "swc"
    swc.mkdir()
    for m in data.morphologies:
        write_swc(m, swc / f"{m.name}.swc")
    table = data.metadata[["name", "class"]].assign(**data.targets)
    table["pv_positive"] = (table["class"] == "Pvalb").astype(int)
    table.to_csv(root / "cells.csv", index=False)
    return root


def _fit_args(root, *extra):
    return [
        "fit", "--swc-dir", str(root / "swc"), "--table", str(root / "cells.csv"),
        "--id-column", "name", "--max-iter", "5", "--no-progress", *extra,
    ]  # fmt: skip


def test_help_is_fast_and_imports_no_torch():
    code = (
        "import sys\nfrom ngep.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'sklearn' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "features" in out.stdout and "demo" in out.stdout


def test_features_writes_csv_and_failure_report(labelled, tmp_path):
    bad = tmp_path / "bad.swc"
    bad.write_text("1 1 0 0 0 1 -1\n2 3 0 1 0 1 7\n")
    out = tmp_path / "features.csv"
    args = ["features", str(labelled / "swc"), str(bad), "-o", str(out)]
    assert main([*args, "--no-progress"]) == 0
    table = pd.read_csv(out, index_col=0)
    assert len(table) == 61
    assert table.loc["bad.swc"].drop("path").isna().all()
    assert np.isfinite(table.drop(index="bad.swc").drop(columns="path")).all().all()
    report = pd.read_csv(tmp_path / "features.failures.csv")
    assert report["path"].tolist() == [str(bad)]
    assert "parent 7" in report["reason"].iloc[0]
    # --strict: same files written, exit code 1
    assert main([*args, "--no-progress", "--strict"]) == 1


def test_fit_predict_roundtrip_regression(labelled, tmp_path):
    model = tmp_path / "pvalb.ngep"
    assert main([*_fit_args(labelled, "--target", "Pvalb"), "-o", str(model)]) == 0
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(labelled / "swc"), "-o", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    pred = pd.read_csv(out)
    assert len(pred) == 60 and (pred["status"] == "ok").all()
    assert np.isfinite(pred["predicted_Pvalb"]).all()


def test_fit_portable_classifier_and_importance(labelled, tmp_path):
    model = tmp_path / "pv.ngep-portable"
    args = _fit_args(labelled, "--target", "pv_positive", "--portable")
    assert main([*args, "-o", str(model)]) == 0
    out = tmp_path / "importance.csv"
    imp = [
        "importance", str(model), "--swc-dir", str(labelled / "swc"),
        "--table", str(labelled / "cells.csv"), "--id-column", "name",
        "--target", "pv_positive", "--n-repeats", "2", "-o", str(out),
        "--no-progress",
    ]  # fmt: skip
    assert main(imp) == 0
    table = pd.read_csv(out)
    assert set(table["level"]) == {"base measurement", "engineered feature"}
    assert len(table[table["level"] == "base measurement"]) == 5


def test_cv_report_folder(labelled, tmp_path):
    out = tmp_path / "report"
    args = [
        "cv", "--swc-dir", str(labelled / "swc"), "--table",
        str(labelled / "cells.csv"), "--id-column", "name", "--target", "Pvalb",
        "--n-splits", "3", "--max-iter", "5", "-o", str(out), "--no-progress",
    ]  # fmt: skip
    assert main(args) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"]["n_splits"] == 3
    assert {"r2", "pearson_r", "rmse", "mae"} <= set(metrics["model"]["metrics"])
    assert metrics["model"]["baseline"]["estimator"].startswith("HistGradient")
    pred = pd.read_csv(out / "predictions.csv")
    assert len(pred) == 60 and set(pred["fold"]) == {0, 1, 2}


def test_demo_quick(tmp_path):
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--n-neurons", "150", "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_neurons"] == 150
    assert 0 < metrics["ceiling_r2"] < 1
    for name in ("model.ngep", "predictions.csv", "neurons.csv", "summary.txt",
                 "neurons.png"):
        assert (out / name).exists(), name
    assert len(list((out / "swc").glob("*.swc"))) == 100


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing_path", "no such file or folder"),
        ("missing_column", "not in"),
        ("unmatched_ids", "have no morphology file"),
        ("malformed_table", "table not found"),
        ("unwritable", "not writable|cannot create"),
    ],
)
def test_user_errors_are_one_line_exit_2(labelled, tmp_path, capsys, case, message):
    target = ["--target", "Pvalb", "-o", str(tmp_path / "m.ngep")]
    if case == "missing_path":
        argv = ["features", str(tmp_path / "nope.swc"), "-o", str(tmp_path / "f.csv")]
    elif case == "missing_column":
        argv = [*_fit_args(labelled, "--target", "Snap25"), "-o", str(tmp_path / "m")]
    elif case == "unmatched_ids":
        table = pd.read_csv(labelled / "cells.csv")
        table.loc[0, "name"] = "not_a_file"
        table.to_csv(tmp_path / "cells.csv", index=False)
        argv = [
            "fit", "--swc-dir", str(labelled / "swc"), "--table",
            str(tmp_path / "cells.csv"), "--id-column", "name", *target,
        ]  # fmt: skip
    elif case == "malformed_table":
        argv = [
            "fit", "--swc-dir", str(labelled / "swc"), "--table",
            str(tmp_path / "none.csv"), *target,
        ]  # fmt: skip
    else:
        locked = tmp_path / "locked"
        locked.write_text("a file, not a folder")
        argv = ["features", str(labelled / "swc"), "-o", str(locked / "f.csv")]
    assert main([*argv, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert pytest.importorskip("re").search(message, err[0]), err[0]


def test_debug_shows_traceback(tmp_path):
    with pytest.raises(Exception, match="no such file"):
        main(["features", str(tmp_path / "x.swc"), "-o", str(tmp_path / "f.csv"),
              "--debug"])  # fmt: skip


def test_fit_predict_report_on_real_allen_neurons(tmp_path, allen_dir):
    allen = allen_dir
    model = tmp_path / "allen.ngep"
    common = [
        "--swc-dir", str(allen / "swc"), "--table", str(allen / "cells.csv"),
        "--id-column", "specimen__id", "--target", "pvalb_label_clean",
        "--no-progress",
    ]  # fmt: skip
    assert main(["fit", *common, "--max-iter", "30", "-o", str(model)]) == 0
    files = sorted((allen / "swc").glob("*.swc"))[:20]
    out = tmp_path / "pred.csv"
    argv = ["predict", str(model), *map(str, files), "-o", str(out), "--no-progress"]
    assert main(argv) == 0
    pred = pd.read_csv(out)
    assert len(pred) == 20 and pred["proba_1"].between(0, 1).all()
    report = tmp_path / "cv"
    argv = ["cv", *common, "--groups-column", "donor__id", "--n-splits", "3",
            "--max-iter", "30", "-o", str(report)]  # fmt: skip
    assert main(argv) == 0
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["task"] == "classification" and metrics["cv"] == "grouped stratified"
    assert 0.5 < metrics["model"]["metrics"]["roc_auc"]["mean"] <= 1


def test_fit_interval_and_domain_predict(labelled, tmp_path, capsys):
    from ngep.io import read_swc
    from ngep.persistence import load
    from ngep.uncertainty import ConformalRegressor

    model = tmp_path / "pvalb.ngep"
    args = _fit_args(labelled, "--target", "Pvalb", "--interval", "0.8", "--domain")
    assert main([*args, "-o", str(model)]) == 0
    pipe = load(model)
    assert [name for name, _ in pipe.steps] == ["extract", "domain", "model"]
    assert isinstance(pipe[-1], ConformalRegressor) and pipe[-1].coverage == 0.8
    # the largest training neuron, twice as large: nothing like it was seen
    swc = sorted((labelled / "swc").glob("*.swc"))
    largest = max(map(read_swc, swc), key=lambda m: m.segment_length.sum())
    big = tmp_path / "big"
    big.mkdir()
    write_swc(largest.transformed(scale=2.0), big / "twice.swc")
    out = tmp_path / "pred.csv"
    argv = ["predict", str(model), str(labelled / "swc"), str(big / "twice.swc")]
    assert main([*argv, "-o", str(out), "--no-progress"]) == 0
    pred = pd.read_csv(out)
    assert len(pred) == 61 and (pred["status"] == "ok").all()
    assert (pred["lower"] <= pred["predicted_Pvalb"]).all()
    assert (pred["predicted_Pvalb"] <= pred["upper"]).all()
    assert (pred["upper"] - pred["lower"] > 0).all()
    assert pred["out_of_domain"].iloc[-1]
    assert pred["out_of_domain"].iloc[:60].mean() < 0.1
    assert "outside the training domain" in capsys.readouterr().err


def test_fit_interval_only_and_classifier_domain(labelled, tmp_path):
    model = tmp_path / "i.ngep"
    args = _fit_args(labelled, "--target", "Pvalb", "--interval", "0.9")
    assert main([*args, "-o", str(model)]) == 0
    out = tmp_path / "pred.csv"
    argv = ["predict", str(model), str(labelled / "swc"), "-o", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    pred = pd.read_csv(out)
    assert {"lower", "upper"} <= set(pred) and "out_of_domain" not in pred
    # a classifier with a domain: probabilities and flags, no interval columns
    model = tmp_path / "c.ngep"
    args = _fit_args(labelled, "--target", "pv_positive", "--domain")
    assert main([*args, "-o", str(model)]) == 0
    argv = ["predict", str(model), str(labelled / "swc"), "-o", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    pred = pd.read_csv(out)
    assert "out_of_domain" in pred and "lower" not in pred
    assert pred["proba_1"].between(0, 1).all()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--target", "pv_positive", "--interval", "0.9"], "for regression"),
        (["--target", "Pvalb", "--target", "Sst", "--interval", "0.9"], "one --target"),
        (["--target", "Pvalb", "--interval", "0.9", "--portable"], "--portable"),
    ],
)
def test_interval_domain_user_errors(labelled, tmp_path, capsys, extra, message):
    argv = [*_fit_args(labelled, *extra), "-o", str(tmp_path / "m.ngep")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_interval_coverage_is_validated(labelled, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*_fit_args(labelled, "--target", "Pvalb", "--interval", "90"), "-o",
              str(tmp_path / "m")])  # fmt: skip
    assert exc.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*_fit_args(labelled, "--target", "Pvalb", "--domain", "1.5"), "-o",
              str(tmp_path / "m")])  # fmt: skip


def test_cache_dir_is_shared_by_the_featurising_commands(labelled, tmp_path,
                                                         monkeypatch):
    """``--cache-dir`` of one command serves the next; saved models keep none."""
    from ngep.persistence import load
    from ngep.transformers import _batch

    reads = []
    real_read = _batch.read_morphology

    def counting_read(path, **kwargs):
        reads.append(path)
        return real_read(path, **kwargs)

    monkeypatch.setattr(_batch, "read_morphology", counting_read)
    cache = tmp_path / "cache"
    model = tmp_path / "pvalb.ngep"
    fit = [*_fit_args(labelled, "--target", "Pvalb"), "-o", str(model)]
    assert main([*fit, "--cache-dir", str(cache)]) == 0
    assert len(reads) == 60 and any(cache.iterdir())
    reads.clear()
    cv = [
        "cv", "--swc-dir", str(labelled / "swc"), "--table",
        str(labelled / "cells.csv"), "--id-column", "name", "--target", "Pvalb",
        "--n-splits", "3", "--max-iter", "5", "--no-baseline", "-o",
        str(tmp_path / "cv"), "--no-progress", "--cache-dir", str(cache),
    ]  # fmt: skip
    assert main(cv) == 0
    assert reads == []  # the same features of the same files: all from the cache
    assert load(model).named_steps["extract"].cache_dir is None
    out = [tmp_path / "cached.csv", tmp_path / "fresh.csv"]
    predict = ["predict", str(model), str(labelled / "swc"), "--no-progress", "-o"]
    assert main([*predict, str(out[0]), "--cache-dir", str(cache)]) == 0
    assert reads == []
    assert main([*predict, str(out[1])]) == 0
    assert len(reads) == 60
    pd.testing.assert_frame_equal(pd.read_csv(out[0]), pd.read_csv(out[1]))
