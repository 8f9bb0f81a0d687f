# SPDX-License-Identifier: BSD-3-Clause
"""The build command on a small generated dataset (no ../shared needed)."""

import json
from types import MappingProxyType

import numpy as np
import pytest

from ngep.datasets import make_neurons
from ngep.pretrained import (
    _build,
    _registry,
    list_pretrained,
    load_pretrained,
    model_card,
    pretrained_info,
)
from ngep.pretrained._recipes import LabelSource, Recipe, Step


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A folder ``toy/`` with SWC files and a cells.csv, like ../shared/data."""
    root = tmp_path_factory.mktemp("data")
    data = make_neurons(48, out_dir=root / "toy" / "swc", random_state=0)
    cells = data.metadata[["class"]].copy()
    cells["swc_file"] = ["swc/" + p.rsplit("/", 1)[1] for p in data.paths]
    cells["donor"] = np.arange(len(cells)) % 8
    cells["pv"] = (cells["class"] == "Pvalb").astype(int)
    cells.to_csv(root / "toy" / "cells.csv", index=False)
    return root


def _recipe():
    m = MappingProxyType
    return Recipe(
        name="pv-toy-test",
        marker="Pvalb",
        target="Pvalb class vs other generated neurons",
        contrast="generated Pvalb basket cells vs the other four classes",
        train=LabelSource(
            dataset="toy", positive=m({"pv": (1,)}), negative=m({"pv": (0,)}),
            groups="donor", description="the class of each generated neuron",
        ),
        features=("total_length", "n_tips", "n_branch_points", "max_path_distance"),
        steps=(
            Step("scale", "sklearn.preprocessing.StandardScaler"),
            Step("model", "sklearn.linear_model.LogisticRegression",
                 m({"max_iter": 500})),
        ),
        subsets=m({"small": m({"class": ("Pvalb", "Sst", "Vip")})}),
        not_for=("Real neurons: these are generated.",),
    )


def test_build_writes_files_manifest_and_cards_that_load(dataset, tmp_path,
                                                         monkeypatch):
    recipe = _recipe()
    monkeypatch.setattr(_build, "_recipes", lambda: {recipe.name: recipe})
    out, docs = tmp_path / "models", tmp_path / "cards"
    logged = []
    manifest = _build.build(dataset, out, docs, n_splits=3, shifts=False,
                            log=logged.append)
    assert list(manifest["models"]) == ["pv-toy-test"]
    assert any("grouped-CV AUC" in line for line in logged)
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    monkeypatch.setattr(_registry, "_models_dir", lambda: out)
    assert list_pretrained() == ["pv-toy-test"]
    info = pretrained_info("pv-toy-test")
    assert info["label_source"]["n_cells"] == 48
    assert info["label_source"]["n_groups"] == 8
    rows = info["metrics"]["grouped_cv"]["rows"]
    assert rows[0]["auc_all"] > 0.8  # generated Pvalb cells are easy to rank
    assert set(rows[0]) == {"model", "auc_all", "auc_small"}
    assert (docs / "pv-toy-test.md").read_text() == model_card("pv-toy-test")
    model = load_pretrained("pv-toy-test")
    paths = sorted(str(p) for p in (dataset / "toy" / "swc").glob("*.swc"))[:5]
    assert model.predict_proba(paths).shape == (5, 2)
    assert [n for n, _ in model.steps] == ["extract", "domain", "scale", "model"]


def test_build_refuses_unknown_recipe_names(dataset, tmp_path):
    with pytest.raises(ValueError, match="no recipe named"):
        _build.build(dataset, tmp_path, names=["nope"], shifts=False)


def test_missing_dataset_folder_is_a_clear_error(tmp_path, monkeypatch):
    recipe = _recipe()
    monkeypatch.setattr(_build, "_recipes", lambda: {recipe.name: recipe})
    with pytest.raises(FileNotFoundError, match="--data must be the folder"):
        _build.build(tmp_path, tmp_path / "m", shifts=False, log=lambda m: None)
