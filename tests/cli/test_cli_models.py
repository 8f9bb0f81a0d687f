# SPDX-License-Identifier: BSD-3-Clause
"""``ngep models``, ``ngep predict NAME`` and ``ngep fit`` with several markers."""

import numpy as np
import pandas as pd
import pytest

from ngep.cli import main
from ngep.datasets import make_neurons
from ngep.io import read_swc, write_swc
from ngep.pretrained import list_pretrained, model_card, pretrained_info


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """40 synthetic neurons as SWC files and a table of two binary markers."""
    root = tmp_path_factory.mktemp("markers")
    data = make_neurons(40, random_state=1)
    swc = root / "swc"
    swc.mkdir()
    for m in data.morphologies:
        write_swc(m, swc / f"{m.name}.swc")
    table = data.metadata[["name", "class"]].copy()
    table["pv"] = (table["class"] == "Pvalb").astype(int)
    table["sst"] = np.where(table["class"] == "Sst", "Sst+", "Sst-")
    table.to_csv(root / "cells.csv", index=False)
    return root


def test_models_lists_one_line_per_model_name_first(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(list_pretrained()) >= 4
    for line, name in zip(lines, list_pretrained()):
        info = pretrained_info(name)
        assert line.split()[0] == name
        assert info["target"] in line
        assert f"{info['n_training_cells']} training cells" in line
        auc = info["metrics"]["grouped_cv"]["rows"][0]["auc_all"]
        assert line.endswith(f"grouped-CV AUC {auc:.2f}")


def test_models_name_prints_the_card(capsys):
    assert main(["models", "gad1-mouse-cortex"]) == 0
    assert capsys.readouterr().out == model_card("gad1-mouse-cortex")


def test_models_unknown_name_is_one_line_with_a_suggestion(capsys):
    assert main(["models", "pvalb"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Did you mean 'pvalb-mouse-cortex'" in err[0]


def test_predict_with_a_shipped_name(labelled, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    files = sorted((labelled / "swc").glob("*.swc"))[:4]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    cell = read_swc(files[0])
    huge = type(cell)(cell.xyz * 40, cell.radius, cell.types, cell.parent)
    write_swc(huge, folder / "zz_huge.swc")
    out = tmp_path / "out.csv"
    argv = ["predict", "pvalb-mouse-cortex", str(folder), "-o", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    pred = pd.read_csv(out, keep_default_na=False)
    assert list(pred.columns) == [
        "file", "path", "status", "predicted_Pvalb", "proba_0", "proba_1",
        "used_axon", "out_of_domain", "out_of_domain_reason"]  # fmt: skip
    assert len(pred) == 5 and (pred["status"] == "ok").all()
    np.testing.assert_allclose(pred["proba_0"] + pred["proba_1"], 1, rtol=1e-5)
    flagged = pred["out_of_domain"].astype(str) == "True"
    assert flagged.tolist()[-1]
    assert "above the training range" in pred["out_of_domain_reason"].iloc[-1]
    err = capsys.readouterr().err
    assert f"{int(flagged.sum())} of 5 neuron(s) lie outside the training domain" in err
    used = int((pred["used_axon"].astype(str) == "True").sum())
    assert f"{used} of 5 neuron(s) scored with their traced axon" in err


def test_predict_unknown_name_or_missing_file(labelled, tmp_path, capsys):
    argv = ["predict", "pvalb-mouse", str(labelled / "swc"), "-o",
            str(tmp_path / "o.csv"), "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "neither an existing model file nor" in err
    assert "Did you mean 'pvalb-mouse-cortex'" in err


def _fit(root, out, *extra):
    return main([
        "fit", "--swc-dir", str(root / "swc"), "--table", str(root / "cells.csv"),
        "--id-column", "name", "--target", "pv", "--target", "sst",
        "--max-iter", "5", "--no-progress", "-o", str(out), *extra,
    ])  # fmt: skip


def test_fit_several_markers_is_one_gene_panel(labelled, tmp_path, capsys):
    from ngep.multigene import GenePanelClassifier
    from ngep.persistence import load

    model = tmp_path / "panel.ngep"
    assert _fit(labelled, model, "--domain") == 0
    assert "panel (pv: 40, sst: 40 labelled neurons)" in capsys.readouterr().out
    pipe = load(model)
    assert [n for n, _ in pipe.steps] == ["extract", "domain", "model"]
    panel = pipe.named_steps["model"]
    assert isinstance(panel, GenePanelClassifier)
    assert list(panel.genes_) == ["pv", "sst"]
    out = tmp_path / "pred.csv"
    argv = ["predict", str(model), str(labelled / "swc"), "-o", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    pred = pd.read_csv(out)
    assert {"predicted_pv", "predicted_sst", "proba_pv_0", "proba_pv_1",
            "proba_sst_Sst+", "proba_sst_Sst-", "out_of_domain",
            "out_of_domain_reason"} <= set(pred.columns)  # fmt: skip
    assert set(pred["predicted_sst"]) <= {"Sst+", "Sst-"}
    np.testing.assert_allclose(pred["proba_pv_0"] + pred["proba_pv_1"], 1, rtol=1e-5)
    paths = sorted(map(str, (labelled / "swc").glob("*.swc")))
    np.testing.assert_allclose(
        pred.sort_values("path")["proba_sst_Sst+"],
        pipe.predict_proba(paths)[1][:, 0],
        rtol=1e-5,
    )


def test_fit_several_markers_portable_with_domain(labelled, tmp_path):
    from ngep.persistence import read_metadata

    model = tmp_path / "p.ngep"
    assert _fit(labelled, model, "--portable", "--domain") == 0
    assert read_metadata(model)["format_kind"] == "portable"
    out = tmp_path / "pred.csv"
    argv = ["predict", str(model), str(labelled / "swc"), "-o", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    pred = pd.read_csv(out)
    assert {"proba_pv_1", "proba_sst_Sst+", "out_of_domain"} <= set(pred.columns)


def test_cv_still_takes_one_classification_target(labelled, tmp_path, capsys):
    argv = ["cv", "--swc-dir", str(labelled / "swc"), "--table",
            str(labelled / "cells.csv"), "--id-column", "name", "--target", "pv",
            "--target", "sst", "--no-progress", "-o", str(tmp_path / "cv")]  # fmt: skip
    assert main(argv) == 2
    assert "takes one classification --target" in capsys.readouterr().err
