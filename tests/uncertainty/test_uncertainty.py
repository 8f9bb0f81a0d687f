# SPDX-License-Identifier: BSD-3-Clause
"""Conformal intervals, reliability tables and the applicability domain."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.naive_bayes import GaussianNB

from ngep.multigene import GenePanelRegressor
from ngep.uncertainty import (
    ApplicabilityDomain,
    ConformalRegressor,
    conformal_quantile,
    plot_reliability,
    predict_with_domain,
    reliability_table,
)

# scikit-learn's common checks: tests/test_common.py


def _hetero(rng, n):
    X = rng.uniform(-2, 2, size=(n, 3))
    noise_sd = 0.2 + 0.8 * (X[:, 0] > 0)  # noisier for half of the neurons
    return X, X @ [1.0, -0.5, 0.0] + rng.normal(size=n) * noise_sd, noise_sd


@pytest.mark.parametrize("method", ["cv", "cv_plus"])
@pytest.mark.parametrize("coverage", [0.5, 0.9])
def test_empirical_coverage(method, coverage):
    rng = np.random.default_rng(7)
    X, y, _ = _hetero(rng, 1200)
    X_test, y_test, _ = _hetero(rng, 5000)
    model = ConformalRegressor(LinearRegression(), coverage=coverage, method=method)
    pred, lower, upper = model.fit(X, y).predict(X_test, return_interval=True)
    covered = np.mean((lower <= y_test) & (y_test <= upper))
    # Binomial sd of the test estimate ~0.007 and of the calibration ~0.014:
    # the tolerance is ~2.5 sd, and a wrong quantile (e.g. coverage 0.5 vs 0.9)
    # is off by 0.4.
    assert abs(covered - coverage) < 0.035
    assert_allclose(pred, model.estimator_.predict(X_test))
    assert np.all(lower <= pred) and np.all(pred <= upper)


def test_difficulty_gives_adaptive_intervals():
    rng = np.random.default_rng(3)
    X, y, _ = _hetero(rng, 1500)
    X_test, y_test, sd = _hetero(rng, 5000)
    model = ConformalRegressor(
        LinearRegression(),
        difficulty=HistGradientBoostingRegressor(max_iter=30, random_state=0),
    ).fit(X, y)
    _, lower, upper = model.predict(X_test, return_interval=True)
    width = upper - lower
    assert width[sd > 0.5].mean() > 2.5 * width[sd < 0.5].mean()
    covered = (lower <= y_test) & (y_test <= upper)
    assert abs(covered.mean() - 0.9) < 0.035
    # Equal widths over-cover the easy half and under-cover the hard half;
    # normalised scores bring both closer to the target.
    plain = ConformalRegressor(LinearRegression()).fit(X, y)
    _, lo, up = plain.predict(X_test, return_interval=True)
    plain_cov = (lo <= y_test) & (y_test <= up)
    assert plain_cov[sd < 0.5].mean() > 0.98 and plain_cov[sd > 0.5].mean() < 0.83
    assert covered[sd < 0.5].mean() < 0.97 and covered[sd > 0.5].mean() > 0.86


def test_conformal_quantile_and_errors():
    assert conformal_quantile(np.arange(1, 10), 0.8) == 8.0
    assert conformal_quantile([3.0], 0.5) == 3.0
    assert conformal_quantile([3.0], 0.6) == np.inf
    X, y = np.zeros((20, 2)), np.zeros((20, 2))
    with pytest.raises(ValueError, match="one target"):
        ConformalRegressor(Ridge()).fit(X, y)
    with pytest.raises(ValueError, match="only supported with method='cv'"):
        ConformalRegressor(Ridge(), method="cv_plus", difficulty=Ridge()).fit(
            X, y[:, 0]
        )


def test_conformal_inside_gene_panel():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = pd.DataFrame({"Pvalb": X[:, 0], "Sst": X[:, 1]}) + rng.normal(0, 0.1, (200, 2))
    panel = GenePanelRegressor(
        [(g, ConformalRegressor(Ridge(), coverage=0.8)) for g in y]
    ).fit(X, y)
    _, lower, upper = panel.named_estimators_["Sst"].predict(X, return_interval=True)
    assert np.mean((lower <= y["Sst"]) & (y["Sst"] <= upper)) > 0.7


def test_reliability_table_detects_miscalibration():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 2))
    y = (X[:, 0] + rng.normal(size=4000) > 0).astype(int)
    over = 1 / (1 + np.exp(-6 * X[:, 0]))  # overconfident: true slope is ~1.7
    bad = reliability_table(y, over, n_bins=10)
    assert bad.attrs["ece"] > 0.1
    assert bad["gap"].iloc[-1] < -0.1  # top bin: predicted > observed
    # Calibrating a poorly calibrated model on held-out folds fixes it.
    nb = GaussianNB()
    X_fit, y_fit, X_test, y_test = X[:3000], y[:3000], X[3000:], y[3000:]
    Xd = np.column_stack([X_fit[:, 0]] * 5)  # duplicated feature: NB overcounts
    Xd_test = np.column_stack([X_test[:, 0]] * 5)
    raw = reliability_table(y_test, nb.fit(Xd, y_fit).predict_proba(Xd_test))
    calibrated = CalibratedClassifierCV(GaussianNB(), cv=5).fit(Xd, y_fit)
    fixed = reliability_table(y_test, calibrated.predict_proba(Xd_test))
    assert fixed.attrs["ece"] < raw.attrs["ece"] / 2
    assert fixed["n_samples"].sum() == 1000
    quantile = reliability_table(
        y_test,
        fixed_p := calibrated.predict_proba(Xd_test),
        n_bins=4,
        strategy="quantile",
    )
    assert len(quantile) == 4 and quantile["n_samples"].min() >= 240
    assert fixed_p.shape == (1000, 2)


def test_reliability_table_labels_and_errors():
    t = reliability_table(
        ["on", "off", "on", "off"], [0.9, 0.1, 0.8, 0.3], n_bins=2, pos_label="on"
    )
    assert t["observed_frequency"].tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="3 classes"):
        reliability_table([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reliability_table([0, 1], [0.1, 1.2])
    with pytest.raises(ValueError, match="3 columns"):
        reliability_table([0, 1], np.full((2, 3), 1 / 3))


def test_plot_reliability():
    plt = pytest.importorskip("matplotlib.pyplot")
    table = reliability_table([0, 1, 1, 0], [0.2, 0.7, 0.9, 0.4], n_bins=2)
    fig, ax = plt.subplots()
    try:
        assert plot_reliability(table, ax=ax, label="MLP") is ax
        assert "MLP (ECE" in ax.get_legend().get_texts()[1].get_text()
    finally:
        plt.close(fig)


def _morphometrics(rng, n):
    """Log-normal, correlated size features of mouse-like neurons."""
    size = rng.normal(0, 0.15, n)
    logs = np.column_stack(
        [
            5.5 + size + rng.normal(0, 0.1, n),
            7.5 + size + rng.normal(0, 0.1, n),
            2.5 + size + rng.normal(0, 0.1, n),
            rng.normal(3, 0.2, n),
        ]
    )
    return np.exp(logs)  # max_path_distance, total_length, n_tips, n_stems


def test_domain_flags_scaled_and_damaged_neurons():
    rng = np.random.default_rng(0)
    train = _morphometrics(rng, 500)
    fresh = _morphometrics(rng, 500)
    human = fresh.copy()
    human[:, :2] *= 2.0  # lengths of a 2x larger neuron, same number of tips
    damaged = fresh.copy()
    damaged[:, 1] = 0.0  # lost its neurites: total length zero
    domain = ApplicabilityDomain(quantile=0.99, random_state=0).fit(np.log1p(train))
    assert domain.in_domain(np.log1p(fresh)).mean() > 0.95
    assert domain.in_domain(np.log1p(human)).mean() < 0.05
    assert domain.in_domain(np.log1p(damaged)).mean() < 0.05
    assert_allclose(np.mean(domain.predict(np.log1p(train)) == 1), 0.99, atol=0.011)
    assert_allclose(
        domain.decision_function(np.log1p(train[:5])),
        domain.score_samples(np.log1p(train[:5])) - domain.offset_,
    )


def test_isolation_forest_flags_gaps_between_types():
    # Two cell types far apart; a neuron half-way is unlike both. The
    # Mahalanobis domain (one ellipse) sees it at the centre and accepts it.
    rng = np.random.default_rng(0)
    train = np.vstack([rng.normal(-3, 0.5, (300, 2)), rng.normal(3, 0.5, (300, 2))])
    fresh = np.vstack([rng.normal(-3, 0.5, (100, 2)), rng.normal(3, 0.5, (100, 2))])
    between = rng.normal(0, 0.3, (100, 2))
    forest = ApplicabilityDomain("isolation_forest", random_state=0).fit(train)
    ellipse = ApplicabilityDomain(random_state=0).fit(train)
    assert forest.in_domain(fresh).mean() > 0.95
    assert forest.in_domain(between).mean() < 0.05
    assert ellipse.in_domain(between).mean() > 0.95


def test_predict_with_domain_for_panel():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        np.log1p(_morphometrics(rng, 300)), columns=["mpd", "length", "tips", "stems"]
    )
    y = pd.DataFrame({"Pvalb": X["length"], "Sst": X["tips"]})
    panel = GenePanelRegressor([("Pvalb", Ridge()), ("Sst", Ridge())]).fit(X, y)
    domain = ApplicabilityDomain(random_state=0).fit(X)
    new = X.iloc[:3].copy()
    new.index = ["a", "b", "c"]
    new.loc["c", ["mpd", "length"]] += np.log(2.0)
    out = predict_with_domain(panel, domain, new)
    assert list(out.columns) == ["Pvalb", "Sst", "domain_score", "out_of_domain"]
    assert out["out_of_domain"].to_dict() == {"a": False, "b": False, "c": True}
    single = predict_with_domain(Ridge().fit(X, y["Sst"]), domain, new)
    assert list(single.columns) == ["prediction", "domain_score", "out_of_domain"]
