# SPDX-License-Identifier: BSD-3-Clause
"""The per-feature ("range") applicability domain and DomainCheck.explain."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.utils.estimator_checks import parametrize_with_checks

from ngep.persistence import load, save
from ngep.uncertainty import ApplicabilityDomain, DomainCheck


# quantile=0.9, not the default 0.99: the checks' 300 samples x 2 features
# cannot drop fewer than the 4 extreme samples from a box, so at 0.99 the box
# holds them all and check_outliers_fit_predict sees no outlier to flag.
@parametrize_with_checks([ApplicabilityDomain("range", quantile=0.9)])
def test_sklearn_api_range(estimator, check):
    check(estimator)


def _train(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "length": rng.lognormal(8, 0.3, n),
            "n_tips": rng.integers(10, 60, n).astype(float),
            "angle": rng.uniform(0.5, 1.5, n),
        }
    )


@pytest.mark.parametrize("quantile", [0.9, 0.99, 1.0])
def test_range_quantile_is_the_fraction_of_training_neurons_inside(quantile):
    X = _train(400)
    domain = ApplicabilityDomain("range", quantile=quantile).fit(X)
    inside = domain.in_domain(X).mean()
    assert inside >= quantile - 1 / len(X)
    assert inside <= quantile + 0.02 or quantile == 1.0
    # the domain is the box [lower_, upper_]
    box = ((X >= domain.lower_) & (X <= domain.upper_)).all(axis=1).to_numpy()
    assert_allclose(box, domain.in_domain(X))
    assert_allclose(domain.data_min_, X.min())
    assert_allclose(domain.data_max_, X.max())


def test_quantile_one_holds_every_training_neuron_and_flags_far_ones():
    X = _train()
    domain = ApplicabilityDomain("range", quantile=1.0).fit(X)
    assert domain.in_domain(X).all()
    far = X.iloc[:3].copy()
    far.iloc[0, 0] *= 50  # one measurement far out
    far.iloc[1, 2] = -20.0
    assert domain.in_domain(far).tolist() == [False, False, True]


def test_explain_names_the_measurements_out_of_range_furthest_first():
    X = _train()
    check = DomainCheck(ApplicabilityDomain("range", quantile=1.0)).fit(X)
    new = X.iloc[:3].copy()
    new.iloc[0, 0] = X["length"].max() * 30
    new.iloc[0, 1] = X["n_tips"].max() * 3
    new.iloc[1, 2] = X["angle"].min() / 100
    reasons = check.explain(new)
    assert reasons[2] == ""
    first, second = reasons[0].split("; ")
    assert first.startswith("length ") and "above the training range" in first
    assert second.startswith("n_tips ") and "above" in second
    assert reasons[1].startswith("angle ") and "below the training range" in reasons[1]
    lo, hi = X["length"].min(), X["length"].max()
    assert f"({lo:.3g} to {hi:.3g})" in first
    assert np.array_equal(check.in_domain(new), [False, False, True])


def test_explain_without_per_feature_bounds_says_unusual_combination():
    X = _train()
    check = DomainCheck().fit(X)  # Mahalanobis
    new = X.iloc[:1].copy() * 40
    (reason,) = check.explain(new)
    assert reason.startswith("unusual combination of measurements")


def test_explain_without_names_uses_column_numbers():
    X = _train().to_numpy()
    check = DomainCheck(ApplicabilityDomain("range", quantile=1.0)).fit(X)
    (reason,) = check.explain(X[:1] * [100, 1, 1])
    assert reason.startswith("x0 ")


@pytest.mark.parametrize(
    "domain", [ApplicabilityDomain("range"), ApplicabilityDomain(robust=False),
               ApplicabilityDomain(robust=True, random_state=0)]
)
def test_domain_check_round_trips_the_pickle_free_format(domain, tmp_path):
    X = _train()
    check = DomainCheck(domain).fit(X)
    save(check, tmp_path / "d.ngep-portable")
    back = load(tmp_path / "d.ngep-portable")
    new = X * np.linspace(0.2, 5, len(X))[:, None]
    assert_allclose(back.decision_function(new), check.decision_function(new))
    assert back.explain(new) == check.explain(new)


def test_margin_widens_the_bounds_by_a_fraction_of_the_training_span():
    X = _train()
    tight = ApplicabilityDomain("range", quantile=1.0).fit(X)
    wide = ApplicabilityDomain("range", quantile=1.0, margin=0.1).fit(X)
    span = (X.max() - X.min()).to_numpy()
    assert_allclose(wide.lower_, tight.lower_ - 0.1 * span)
    assert_allclose(wide.upper_, tight.upper_ + 0.1 * span)
    just_above = X.iloc[:1].copy()
    just_above.iloc[0, 2] = X["angle"].max() + 0.05 * span[2]
    assert tight.in_domain(just_above).tolist() == [False]
    assert wide.in_domain(just_above).tolist() == [True]
