# SPDX-License-Identifier: BSD-3-Clause
"""The recipes of the shipped models are complete, buildable and portable.

Fitted here on generated neurons (fast, no ``../shared``): every recipe's
extractor and steps build, fit on its own kind of labels, give one probability
per class of a binary answer, and survive the pickle-free format. The label
rules are checked on the real ``cells.csv`` tables when ``../shared`` exists.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.pipeline import Pipeline

from ngep.datasets import make_neurons
from ngep.morphometrics import FEATURES
from ngep.persistence import load, save
from ngep.pretrained._recipes import (
    RECIPES,
    LabelSource,
    Step,
    allen_gabaergic,
    allen_subclass,
)
from ngep.transformers import MorphologyExtractor

# generated classes -> the recipes' subclasses
_SUBCLASS = {"Pvalb": "Pvalb", "Sst": "Sst", "Vip": "Htr3a", "Lamp5": "Htr3a"}


def _classes(steps):
    out = []
    for st in steps:
        out.append(st.cls)
        for v in st.params.values():
            if isinstance(v, Step):
                out += _classes((v,))
            elif isinstance(v, (list, tuple)) and v and isinstance(v[0], Step):
                out += _classes(v)
    return out


@pytest.fixture(scope="module")
def neurons():
    return make_neurons(60, random_state=0)


def _pipeline(recipe):
    ext = MorphologyExtractor(list(recipe.features), compartment=recipe.compartment,
                              frame=recipe.frame)
    steps = [(s.name, s.build()) for s in recipe.steps]
    return Pipeline([("extract", ext), *steps]).set_output(transform="pandas")


def test_at_least_the_four_markers():
    assert {"pvalb-mouse-cortex", "sst-mouse-cortex", "htr3a-mouse-cortex",
            "gad1-mouse-cortex"} <= set(RECIPES)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_is_complete(name):
    r = RECIPES[name]
    assert r.name == name and r.marker and r.target and r.contrast and r.why
    assert set(r.features) <= set(FEATURES)
    assert all(FEATURES[k].radius_free and FEATURES[k].invariant for k in r.features)
    assert [s.name for s in r.steps][-1] == "model"
    assert "ngep.transformers.RangeClipper" in _classes(r.steps)
    if "ngep.models.AxonSwitchClassifier" in _classes(r.steps):
        # it reads the axon length in µm: nothing may scale before it
        assert r.steps[0].cls == "ngep.models.AxonSwitchClassifier"
        assert "axon" in r.compartment
    for src in (r.train, *r.extra_train, *r.transfer.values()):
        assert isinstance(src, LabelSource) and src.description
    assert r.train.groups == "donor__id"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_fits_predicts_and_is_portable(name, neurons, tmp_path):
    r = RECIPES[name]
    classes = neurons.metadata["class"].to_numpy()
    if r.train.classes:
        y = np.array([_SUBCLASS.get(c, "excitatory") for c in classes], dtype=object)
    else:
        y = np.isin(classes, list(_SUBCLASS)).astype(int)
    model = _pipeline(r).fit(neurons.morphologies, y)
    proba = model.predict_proba(neurons.morphologies)
    assert proba.shape == (len(y), 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model[-1].classes_) == [0, 1]
    save(model, tmp_path / f"{name}.ngep", format="portable")
    back = load(tmp_path / f"{name}.ngep")
    assert_allclose(back.predict_proba(neurons.morphologies[:5]), proba[:5])


def test_pvalb_recipe_uses_the_axon_where_traced(neurons):
    r = RECIPES["pvalb-mouse-cortex"]
    model = _pipeline(r)
    classes = neurons.metadata["class"].to_numpy()
    y = np.array([_SUBCLASS.get(c, "excitatory") for c in classes], dtype=object)
    X = model[:1].fit_transform(neurons.morphologies)
    # give a third of the neurons a long traced axon that marks the Pvalb cells
    long = np.arange(len(y)) % 3 == 0
    X.loc[long, "axon__total_length"] = 5000.0
    X.loc[~long, "axon__total_length"] = 100.0  # a stub
    X.loc[long, "axon__n_tips"] = np.where(y[long] == "Pvalb", 200.0, 20.0)
    switch = model[-1].fit(X, y)
    assert switch.axon_estimator_ is not None
    assert (switch.uses_axon(X) == long).all()


def test_nested_steps_build():
    step = Step("model", "ngep.models.AxonSwitchClassifier", {
        "estimator": Step("", "ngep.models.ContrastClassifier", {"positive": "A"})})
    est = step.build()
    assert est.estimator.positive == "A"


def test_label_rules_with_alternatives_and_classes():
    cells = pd.DataFrame({"a": [1, 0, 0, np.nan], "b": [0, 0, 1, 0]})
    src = LabelSource("d", positive={"a": (1,)},
                      negative=({"a": (0,), "b": (1,)}, {"b": (0,), "a": (0,)}),
                      groups=None, description="x",
                      classes={"P": {"a": (1,)}, "N": {"a": (0,)}})
    assert src.labels(cells).tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(src.labels(cells).iloc[3])
    assert src.fit_labels(cells).tolist() == ["P", "N", "N", None]
    both = LabelSource("d", positive={"b": (0,)}, negative={"a": (0,)},
                       groups=None, description="x")
    with pytest.raises(ValueError, match="both positive and negative"):
        both.labels(cells)


def test_allen_labels(allen_dir):
    cells = pd.read_csv(allen_dir / "cells.csv")
    counts = allen_subclass(cells).value_counts()
    assert counts["Pvalb"] == 30 and counts["Sst"] == 27 and counts["Htr3a"] == 22
    assert counts["excitatory"] == 134 and counts[""] == 9
    gaba = allen_gabaergic(cells)
    assert int(gaba.sum()) == 81 and int((gaba == 0).sum()) == 114
    for r in RECIPES.values():
        y, fit = r.train.labels(cells), r.train.fit_labels(cells)
        assert y.notna().sum() == fit.notna().sum()


def test_rat_labels(shared):
    cells = pd.read_csv(shared / "bbp-rat-somatosensory" / "cells.csv")
    src = RECIPES["pvalb-mouse-cortex"].extra_train[0]
    fit = src.fit_labels(cells).value_counts()
    assert (fit["Pvalb"], fit["interneuron"], fit["excitatory"]) == (309, 338, 503)
