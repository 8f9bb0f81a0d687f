# SPDX-License-Identifier: BSD-3-Clause
"""Group-specific models, cross-group reports and size normalisation."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ngep.multigroup import (
    GroupwiseClassifier,
    GroupwiseRegressor,
    SizeNormalizer,
    leave_one_group_out_report,
    regression_metrics,
    transfer_report,
)

# scikit-learn's common checks: tests/test_common.py


@pytest.fixture
def regions():
    rng = np.random.default_rng(0)
    groups = np.array(["VISp"] * 60 + ["ALM"] * 60 + ["SSp"] * 10)
    X = rng.normal(size=(len(groups), 2))
    slope = np.select([groups == "VISp", groups == "ALM"], [3.0, -3.0], 0.5)
    y = slope * X[:, 0] + rng.normal(scale=0.05, size=len(groups))
    return X, y, groups


def test_group_models_and_fallback(regions):
    X, y, groups = regions
    model = GroupwiseRegressor(LinearRegression(), min_samples=30).fit(X, y, groups)
    assert set(model.estimators_) == {"VISp", "ALM"}  # SSp has only 10 rows
    assert model.group_counts_.to_dict() == {"ALM": 60, "SSp": 10, "VISp": 60}
    assert model.estimators_["VISp"].coef_[0] == pytest.approx(3.0, abs=0.05)
    assert model.estimators_["ALM"].coef_[0] == pytest.approx(-3.0, abs=0.05)
    new_groups = np.array(["VISp", "ALM", "SSp", "MOp"])
    X_new = np.array([[1.0, 0.0]] * 4)
    pred, source = model.predict_with_source(X_new, new_groups)
    assert_array_equal(source, ["VISp", "ALM", "global", "global"])
    assert_allclose(pred[:2], [3.0, -3.0], atol=0.1)
    assert_allclose(pred[2:], model.global_estimator_.predict(X_new[2:]))
    assert_allclose(model.predict(X_new, new_groups), pred)
    # One model per group beats one model for all on these data.
    assert model.score(X, y, groups=groups) > 0.95
    assert LinearRegression().fit(X, y).score(X, y) < 0.2


def test_group_column(regions):
    X, y, groups = regions
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(region=groups)
    model = GroupwiseRegressor(LinearRegression(), group_column="region").fit(frame, y)
    explicit = GroupwiseRegressor(LinearRegression()).fit(frame[["a", "b"]], y, groups)
    assert_allclose(model.predict(frame), explicit.predict(frame[["a", "b"]], groups))
    assert_array_equal(model.feature_names_in_, ["a", "b"])
    with pytest.raises(ValueError, match="no column 'species'"):
        GroupwiseRegressor(Ridge(), group_column="species").fit(frame, y)
    with pytest.raises(TypeError, match="needs X as a pandas DataFrame"):
        GroupwiseRegressor(Ridge(), group_column="region").fit(X, y)
    with pytest.raises(ValueError, match="not both"):
        model.predict(frame, groups)


def test_global_estimator_and_no_groups(regions):
    X, y, groups = regions
    model = GroupwiseRegressor(
        LinearRegression(), global_estimator=HistGradientBoostingRegressor(max_iter=5)
    ).fit(X, y, groups)
    assert isinstance(model.global_estimator_, HistGradientBoostingRegressor)
    plain = GroupwiseRegressor(LinearRegression()).fit(X, y)
    assert plain.estimators_ == {}
    _, source = plain.predict_with_source(X)
    assert set(source) == {"global"}
    with pytest.raises(ValueError, match="one entry per sample"):
        model.predict(X, groups[:5])


def test_classifier_aligns_probabilities():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 1))
    groups = np.repeat(["a", "b"], 75)
    # Group a only has classes 0/1; group b has 1/2: probabilities must be laid
    # out on the global classes [0, 1, 2].
    y = np.where(groups == "a", (X[:, 0] > 0).astype(int), 1 + (X[:, 0] > 0))
    clf = GroupwiseClassifier(LogisticRegression(), min_samples=20).fit(X, y, groups)
    assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(np.array([[3.0], [3.0]]), ["a", "b"])
    assert proba.shape == (2, 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 2] == 0.0 and proba[1, 0] == 0.0
    assert_array_equal(clf.predict([[3.0], [3.0]], ["a", "b"]), [1, 2])
    # A group with a single class gets no model of its own.
    one = GroupwiseClassifier(LogisticRegression(), min_samples=5).fit(
        X, np.where(groups == "a", 0, y), groups
    )
    assert "a" not in one.estimators_


def test_leave_one_group_out_report(regions):
    X, y, groups = regions
    report = leave_one_group_out_report(LinearRegression(), X, y, groups)
    assert report["group"].tolist() == ["ALM", "SSp", "VISp"]
    assert report["n_train"].tolist() == [70, 120, 70]
    # Opposite slopes: what ALM teaches fails on VISp and vice versa.
    assert (report.set_index("group").loc[["ALM", "VISp"], "r2"] < 0).all()
    with pytest.raises(ValueError, match="at least 2 groups"):
        leave_one_group_out_report(Ridge(), X, y, np.zeros(len(y)))


def test_report_multi_target():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = pd.DataFrame({"Pvalb": X[:, 0], "Sst": X[:, 1]})
    report = transfer_report(LinearRegression(), X[:40], y[:40], X[40:], y[40:])
    assert report["target"].tolist() == ["Pvalb", "Sst", "Pvalb", "Sst"]
    assert report["test"].tolist() == ["A", "A", "B", "B"]
    assert_allclose(report["r2"], 1.0)
    assert_allclose(report["pearson_r"], 1.0)


def test_regression_metrics_edge_cases():
    m = regression_metrics([1.0, np.nan, 3.0], [2.0, 100.0, 2.0])
    assert m["n_samples"] == 2 and m["mae"] == 1.0 and m["rmse"] == 1.0
    assert np.isnan(regression_metrics([1.0, 2.0], [3.0, 3.0])["pearson_r"])
    assert np.isnan(regression_metrics([1.0, 1.0], [1.0, 2.0])["r2"])


def _neurons(rng, n, size_factor):
    """Synthetic morphometrics: type sets the shape, size only scales lengths."""
    cell_type = rng.integers(0, 2, size=n)
    size = rng.lognormal(mean=np.log(300), sigma=0.25, size=n) * size_factor
    X = pd.DataFrame(
        {
            "max_path_distance": size * rng.normal(1, 0.03, n),
            "total_length": size * (8 + 6 * cell_type) * rng.normal(1, 0.05, n),
            "mean_radius": size * 0.01 * rng.normal(1, 0.05, n),
            "surface_area": size**2 * (0.5 + 0.3 * cell_type) * rng.normal(1, 0.05, n),
            "n_tips": 20 + rng.poisson(5, n).astype(float),  # size- and type-free
        }
    )
    y = 5.0 * cell_type + rng.normal(0, 0.3, n)  # e.g. log expression of a marker
    return X, y


def test_size_normalizer_helps_transfer():
    rng = np.random.default_rng(42)
    X_mouse, y_mouse = _neurons(rng, 400, 1.0)
    X_human, y_human = _neurons(rng, 300, 2.0)  # every length doubled
    raw = make_pipeline(StandardScaler(), Ridge())
    norm = make_pipeline(SizeNormalizer(drop_scale=True), StandardScaler(), Ridge())
    r_raw = transfer_report(raw, X_mouse, y_mouse, X_human, y_human)
    r_norm = transfer_report(norm, X_mouse, y_mouse, X_human, y_human)
    r2_raw, r2_norm = r_raw["r2"].iloc[1], r_norm["r2"].iloc[1]
    # Within mouse both work; on human only the size-free model does.
    assert r_raw["r2"].iloc[0] > 0.8 and r_norm["r2"].iloc[0] > 0.9
    assert r2_norm > 0.9
    assert r2_raw < 0.3  # the doubled lengths read as the other type


def test_size_normalizer_dimensions_and_names():
    X = pd.DataFrame(
        {
            "total_length": [100.0, 400.0],
            "max_path_distance": [10.0, 20.0],
            "surface_area": [200.0, 800.0],
            "soma__volume": [1000.0, 8000.0],
            "n_tips": [5.0, 7.0],
        }
    )
    norm = SizeNormalizer().fit(X)
    assert_array_equal(norm.dimensions_, [1, 0, 2, 3, 0])
    assert_allclose(
        norm.transform(X), [[10.0, 10.0, 2.0, 1.0, 5.0], [20.0, 20.0, 2.0, 1.0, 7.0]]
    )
    dropped = SizeNormalizer(
        scale="total_length", scale_power=0.5, drop_scale=True
    ).set_output(transform="pandas")
    out = dropped.fit_transform(X)
    assert list(out.columns) == [
        "max_path_distance",
        "surface_area",
        "soma__volume",
        "n_tips",
    ]
    assert_allclose(out["surface_area"], [2.0, 2.0])
    zero = X.assign(max_path_distance=[0.0, 20.0])
    assert np.isnan(SizeNormalizer().fit_transform(zero)[0, 0])
    with pytest.raises(ValueError, match="no feature 'soma_size'"):
        SizeNormalizer(scale="soma_size").fit(X)
    with pytest.raises(ValueError, match="X has none"):
        SizeNormalizer(scale=0).fit(X.to_numpy())


def test_groups_routed_through_cross_validation(regions):
    import sklearn
    from sklearn.model_selection import KFold, cross_validate

    X, y, groups = regions
    with sklearn.config_context(enable_metadata_routing=True):
        model = (
            GroupwiseRegressor(LinearRegression(), min_samples=20)
            .set_fit_request(groups=True)
            .set_score_request(groups=True)
        )
        cv = KFold(5, shuffle=True, random_state=0)
        routed = cross_validate(model, X, y, params={"groups": groups}, cv=cv)
    plain = cross_validate(LinearRegression(), X, y, cv=cv)
    assert routed["test_score"].mean() > 0.9 > plain["test_score"].mean()
