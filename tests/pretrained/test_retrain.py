# SPDX-License-Identifier: BSD-3-Clause
"""A retrain from the recipe, on the real data, scores like the shipped model."""

import numpy as np
import pandas as pd
import pytest

from ngep.persistence import load
from ngep.pretrained import load_pretrained, pretrained_info
from ngep.pretrained._build import build_recipe
from ngep.pretrained._recipes import RECIPES


@pytest.mark.shared
@pytest.mark.slow  # ~15 s of CPU (grouped CV of three models + a fit)
@pytest.mark.parametrize("name", ["pvalb-mouse-cortex"])
def test_retrain_from_the_recipe_scores_alike(name, shared, tmp_path):
    recipe = RECIPES[name]
    entry = build_recipe(recipe, shared, tmp_path, log=lambda m: None)
    shipped = pretrained_info(name)
    assert entry["info"]["features"] == shipped["features"]
    assert entry["info"]["steps"] == shipped["steps"]
    assert entry["info"]["label_source"] == shipped["label_source"]
    new_rows = entry["info"]["metrics"]["grouped_cv"]["rows"]
    old_rows = shipped["metrics"]["grouped_cv"]["rows"]
    for new, old in zip(new_rows, old_rows):
        assert new["model"] == old["model"]
        assert new["auc_all"] == pytest.approx(old["auc_all"], abs=0.03), new
    # the two fitted models agree on real neurons
    cells = pd.read_csv(shared / recipe.train.dataset / "cells.csv")
    y = recipe.train.labels(cells)
    rows = cells[y.notna()].iloc[::10]
    paths = [str(shared / recipe.train.dataset / f) for f in rows["swc_file"]]
    retrained = load(tmp_path / entry["file"]).set_output(transform="pandas")
    p_new = retrained.predict_proba(paths)[:, 1]
    p_old = load_pretrained(name).predict_proba(paths)[:, 1]
    assert np.abs(p_new - p_old).mean() < 0.05
