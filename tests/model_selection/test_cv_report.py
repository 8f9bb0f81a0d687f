# SPDX-License-Identifier: BSD-3-Clause
"""regression_report, classification scores, cross_validate_report and CVReport."""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import pearsonr
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import mean_absolute_error, r2_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from ngep.model_selection import (
    BinnedStratifiedKFold,
    classification_report_scores,
    cross_validate_report,
    regression_report,
)
from ngep.transformers import FeatureExpander


def _regression(n=80, seed=0):
    return make_regression(n_samples=n, n_features=5, noise=15.0, random_state=seed)


def test_regression_report_matches_reference_implementations():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    p = y + rng.normal(scale=0.5, size=50)
    got = regression_report(y, p)
    assert_allclose(got["r2"], r2_score(y, p))
    assert_allclose(got["pearson_r"], pearsonr(y, p)[0])
    assert_allclose(got["rmse"], np.sqrt(np.mean((y - p) ** 2)))
    assert_allclose(got["mae"], mean_absolute_error(y, p))
    Y, P = np.c_[y, 2 * y], np.c_[p, 2 * p]  # several outputs: mean over outputs
    assert_allclose(regression_report(Y, P)["rmse"], 1.5 * got["rmse"])
    assert np.isnan(regression_report(y, np.full(50, 3.0))["pearson_r"])
    with pytest.raises(ValueError, match="same shape"):
        regression_report(Y, p)


def test_classification_scores():
    rng = np.random.default_rng(1)
    y = rng.choice(["Pvalb", "Sst"], size=60)
    p1 = np.clip((y == "Sst") * 0.5 + rng.uniform(0, 0.5, 60), 0, 1)
    got = classification_report_scores(y, np.c_[1 - p1, p1], ["Pvalb", "Sst"])
    assert_allclose(got["roc_auc"], roc_auc_score(y == "Sst", p1))
    assert_allclose(got["brier"], np.mean((p1 - (y == "Sst")) ** 2))
    y3 = np.array([0, 1, 2] * 10)
    proba = np.eye(3)[y3] * 0.7 + 0.1
    got = classification_report_scores(y3, proba, [0, 1, 2])
    assert got["roc_auc"] == 1.0 and got["balanced_accuracy"] == 1.0
    assert np.isnan(got["brier"])  # Brier reported for binary tasks only
    with pytest.raises(ValueError, match="one column per class"):
        classification_report_scores(y3, proba[:, :2], [0, 1, 2])


def test_report_on_regression_with_baseline_same_folds():
    X, y = _regression()
    report = cross_validate_report(Ridge(), X, y, cv=5, baseline=DummyRegressor())
    assert list(report.scores.columns) == [
        "n_train",
        "n_test",
        "r2",
        "pearson_r",
        "rmse",
        "mae",
    ]
    assert report.scores["n_test"].sum() == 80
    # out-of-fold predictions agree with the per-fold scores
    for fold, (_, test) in enumerate(report.splits):
        assert_allclose(
            report.scores.loc[fold, "r2"], r2_score(y[test], report.predictions[test])
        )
    assert report.lowest_fold == report.scores["r2"].min()
    assert report.baseline.splits is report.splits
    cmp = report.compare(report.baseline)
    assert cmp.loc["r2", "folds_better"] == 5
    assert cmp.loc["r2", "mean_diff"] > 0.5
    text = str(report)
    assert "Ridge: 5-fold CV on 80 samples" in text
    assert (
        f"R² {report.scores['r2'].mean():.3f} ± {report.scores['r2'].std():.3f}" in text
    )
    assert f"(lowest fold {report.lowest_fold:.2f})" in text
    assert "baseline DummyRegressor (same folds)" in text
    d = json.loads(json.dumps(report.to_dict()))
    assert d["metrics"]["r2"]["folds"] == pytest.approx(report.scores["r2"].tolist())
    assert (
        d["baseline"]["metrics"]["pearson_r"]["mean"] is None
    )  # constant: NaN -> null


def test_default_cv_is_binned_stratified_and_reusable_splits():
    X, y = _regression(100)
    report = cross_validate_report(Ridge(), X, y)
    expected = BinnedStratifiedKFold(10, shuffle=True, random_state=0).split(X, y)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(report.splits, expected))
    other = cross_validate_report(
        HistGradientBoostingRegressor(max_iter=20), X, y, cv=report.splits
    )
    assert report.compare(other).shape == (4, 6)
    shifted = cross_validate_report(Ridge(), X, y, cv=KFold(10))
    with pytest.raises(ValueError, match="same folds"):
        report.compare(shifted)


def test_groups_never_cross_folds_and_dataframe_input():
    X, y = _regression(90)
    donors = np.repeat([f"donor{i}" for i in range(6)], 15)
    df = pd.DataFrame(X, columns=list("abcde"))
    report = cross_validate_report(Ridge(), df, y, groups=donors)
    assert len(report.splits) == 6  # capped at the number of donors
    for train, test in report.splits:
        assert not set(donors[train]) & set(donors[test])
    Xc, yc = make_classification(n_samples=90, random_state=0)
    report = cross_validate_report(LogisticRegression(), Xc, yc, groups=donors)
    assert len(report.splits) == 6
    for train, test in report.splits:
        assert not set(donors[train]) & set(donors[test])


def test_classification_report_and_baseline():
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, random_state=0
    )
    report = cross_validate_report(
        LogisticRegression(max_iter=500), X, y, cv=4, baseline=DummyClassifier()
    )
    assert report.metrics == ["roc_auc", "balanced_accuracy", "brier"]
    assert report.predictions.shape == (120, 3)
    assert_allclose(report.predictions.sum(axis=1), 1.0)
    assert report.compare(report.baseline).loc["roc_auc", "folds_better"] == 4
    assert "ROC AUC" in report.summary()
    with pytest.raises(TypeError, match="predict_proba"):
        cross_validate_report(LinearSVC(), X, y, cv=3)
    with pytest.raises(ValueError, match="baseline is a regression model"):
        cross_validate_report(
            LogisticRegression(), X, y, cv=3, baseline=DummyRegressor()
        )


def test_overlapping_test_sets_give_no_oof_predictions():
    X, y = _regression(40)
    report = cross_validate_report(Ridge(), X, y, cv=ShuffleSplit(5, random_state=0))
    assert report.predictions is None
    assert report.scores.shape[0] == 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_pipeline_with_binned_folds_in_parallel():
    # worker processes (n_jobs=2) must receive the expander and the splitter intact
    rng = np.random.default_rng(0)
    n = 120
    X = np.column_stack(
        [
            rng.uniform(300, 6000, n),
            rng.integers(0, 60, n),
            rng.integers(1, 10, n),
            rng.uniform(50, 600, n),
            rng.uniform(2, 12, n),
        ]
    )
    y = np.log(X[:, 0] / X[:, 2]) + rng.normal(scale=0.1, size=n)
    pipe = make_pipeline(
        FeatureExpander(),
        StandardScaler(),
        MLPRegressor(solver="lbfgs", max_iter=100, random_state=0),
    )
    grid = {
        "mlpregressor__hidden_layer_sizes": [(4,), (8,)],
        "mlpregressor__alpha": [1e-2],
    }
    cv = BinnedStratifiedKFold(3, n_bins=4, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=2).fit(X, y)
    assert search.n_splits_ == 3
    assert len(search.cv_results_["params"]) == 2
    assert search.best_score_ > 0.5  # log(length per stem) is one engineered feature
