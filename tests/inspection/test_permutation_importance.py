# SPDX-License-Identifier: BSD-3-Clause
"""Permutation importance: per column, per base measurement, per gene."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from ngep.inspection import group_by_base, permutation_importance_table, plot_importance
from ngep.multigene import GenePanelClassifier, GenePanelRegressor


class LogExpander(TransformerMixin, BaseEstimator):
    """Stand-in for FeatureExpander: each column, its log1p and its square."""

    def fit(self, X, y=None):
        self.names_ = list(X.columns)
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        return np.hstack([X, np.log1p(np.abs(X)), X**2])

    def get_feature_names_out(self, input_features=None):
        return np.asarray(
            self.names_
            + [f"log1p({n})" for n in self.names_]
            + [f"{n}^2" for n in self.names_],
            dtype=object,
        )


@pytest.fixture
def morpho():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        rng.normal(size=(300, 3)),
        columns=["dendrite__total_length", "dendrite__n_tips", "axon__noise"],
    )
    y = pd.DataFrame(
        {
            "Pvalb": 2 * X["dendrite__total_length"] + rng.normal(0, 0.1, 300),
            "Sst": X["dendrite__n_tips"] + rng.normal(0, 0.1, 300),
        }
    )
    return X, y


def _pipe():
    return Pipeline([("expand", LogExpander()), ("model", Ridge(alpha=0.1))])


def test_matches_sklearn_per_column(morpho):
    X, y = morpho
    model = LinearRegression().fit(X[:200], y["Pvalb"][:200])
    table = permutation_importance_table(
        model, X[200:], y["Pvalb"][200:], n_repeats=5, random_state=0
    )
    ref = permutation_importance(
        model, X[200:], y["Pvalb"][200:], n_repeats=5, random_state=0
    )
    ordered = table.set_index("feature").loc[list(X.columns)]
    assert_allclose(ordered["importance_mean"], ref.importances_mean)
    assert table["feature"].iloc[0] == "dendrite__total_length"
    assert (table["gene"] == "Pvalb").all()  # the Series name


def test_grouped_by_base_at_step(morpho):
    X, y = morpho
    pipe = _pipe().fit(X[:200], y["Pvalb"][:200])
    names = pipe[:1].get_feature_names_out()
    groups = group_by_base(names)
    assert set(groups) == {"total_length", "n_tips", "noise"}
    assert groups["total_length"] == [
        "dendrite__total_length",
        "log1p(dendrite__total_length)",
        "dendrite__total_length^2",
    ]
    table = permutation_importance_table(
        pipe,
        X[200:],
        y["Pvalb"][200:],
        groups=groups,
        at_step="model",
        n_repeats=5,
        random_state=0,
    )
    top = table.iloc[0]
    assert top["feature"] == "total_length" and top["n_columns"] == 3
    assert top["importance_mean"] > 1.0
    assert table.set_index("feature").loc["noise", "importance_mean"] < 0.05
    # Permuting the raw input column shuffles all its engineered columns at once:
    # same importance as the group permuted at the model's input, same seeds.
    raw = permutation_importance_table(
        pipe,
        X[200:],
        y["Pvalb"][200:],
        groups={"total_length": [0]},
        n_repeats=5,
        random_state=0,
    )
    assert raw["importance_mean"].iloc[0] == pytest.approx(top["importance_mean"])


def test_joint_permutation_reveals_duplicated_feature():
    # Two copies of one measurement: permuting either alone costs little, as the
    # model can lean on the other; permuting them jointly shows the real weight.
    rng = np.random.default_rng(1)
    a = rng.normal(size=400)
    X = pd.DataFrame(
        {
            "len_a": a,
            "len_b": a + rng.normal(0, 0.01, 400),
            "other": rng.normal(size=400),
        }
    )
    y = a + 0.1 * X["other"]
    model = Ridge(alpha=1.0).fit(X[:200], y[:200])
    single = permutation_importance_table(model, X[200:], y[200:], random_state=0)
    joint = permutation_importance_table(
        model, X[200:], y[200:], groups={"len": ["len_a", "len_b"]}, random_state=0
    )
    assert joint["importance_mean"].iloc[0] > 1.5 * single["importance_mean"].max()


def test_per_gene_for_panels(morpho):
    X, y = morpho
    y = y.copy()
    y.loc[:50, "Sst"] = np.nan
    panel = GenePanelRegressor([("Pvalb", _pipe()), ("Sst", _pipe())]).fit(X, y)
    table = permutation_importance_table(
        panel,
        X,
        y,
        groups=group_by_base(list(X.columns)),
        n_repeats=3,
        random_state=0,
    )
    assert set(table["gene"]) == {"Pvalb", "Sst"}
    top = table.groupby("gene").first()["feature"].to_dict()
    assert top == {"Pvalb": "total_length", "Sst": "n_tips"}

    labels = (y.fillna(0) > 0).astype(int)
    clf = GenePanelClassifier([(g, LogisticRegression()) for g in labels.columns]).fit(
        X, labels
    )
    table = permutation_importance_table(clf, X, labels, n_repeats=3, random_state=0)
    assert table.groupby("gene").first()["feature"].to_dict() == {
        "Pvalb": "dendrite__total_length",
        "Sst": "dendrite__n_tips",
    }


def test_errors(morpho):
    X, y = morpho
    model = Ridge().fit(X, y["Pvalb"])
    with pytest.raises(TypeError, match="needs a Pipeline"):
        permutation_importance_table(model, X, y["Pvalb"], at_step=1)
    pipe = _pipe().fit(X, y["Pvalb"])
    with pytest.raises(ValueError, match="no step 'extract'"):
        permutation_importance_table(pipe, X, y["Pvalb"], at_step="extract")
    with pytest.raises(ValueError, match="names column 'soma__area'"):
        permutation_importance_table(pipe, X, y["Pvalb"], groups={"s": ["soma__area"]})
    with pytest.raises(Exception, match="not fitted"):
        permutation_importance_table(Ridge(), X, y["Pvalb"])


def test_group_by_base_word_boundaries():
    names = ["total_length", "dendrite__total_length__log", "n_tips", "max_length"]
    assert group_by_base(names, ["length"]) == {}
    assert group_by_base(names, ["total_length", "soma_radius"]) == {
        "total_length": ["total_length", "dendrite__total_length__log"]
    }


def test_plot_importance(morpho):
    plt = pytest.importorskip("matplotlib.pyplot")
    X, y = morpho
    panel = GenePanelRegressor([("Pvalb", Ridge()), ("Sst", Ridge())]).fit(X, y)
    table = permutation_importance_table(panel, X, y, n_repeats=2, random_state=0)
    fig, ax = plt.subplots()
    try:
        assert plot_importance(table, ax=ax, top=2) is ax
        assert len(ax.get_yticklabels()) == 2
        assert len(ax.patches) == 4  # 2 features x 2 genes
        assert ax.get_legend() is not None
    finally:
        plt.close(fig)
