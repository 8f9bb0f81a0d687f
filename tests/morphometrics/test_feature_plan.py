# SPDX-License-Identifier: BSD-3-Clause
"""A FeaturePlan is resolved once and computes what compute_features computes.

The empty-compartment values declared in the catalogue (``Feature.empty``) are
what each function returns on a compartment without nodes, so the plan may
skip the call.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ngep.io import Morphology
from ngep.morphometrics import (
    COMPARTMENT_NAMES,
    EXTENDED_FEATURES,
    FEATURES,
    FeaturePlan,
    _kernel,
    compute_features,
    feature_names,
    feature_plan,
    to_frame,
)


def _basal_only():
    """Soma, one forked basal dendrite: apical and axon are empty."""
    return Morphology(
        [[0, 0, 0], [0, 5, 0], [0, 15, 0], [5, 25, 0], [-5, 25, 0], [0, 35, 1]],
        [3, 1, 1, 0.5, 0.5, 0.4], [1, 3, 3, 3, 3, 3], [-1, 0, 1, 2, 2, 4],
    )


def _soma_only():
    return Morphology([[0, 0, 0], [0, 2, 0]], [2, 2], [1, 1], [-1, 0])


@pytest.mark.parametrize("make", [_basal_only, _soma_only])
@pytest.mark.parametrize("name", EXTENDED_FEATURES)
def test_declared_empty_value_is_what_the_function_returns(make, name):
    feature = FEATURES[name]
    if feature.is_soma:
        assert feature.empty is None  # soma features have no compartment
        return
    m = make()
    for comp in ("apical", "axon") if make is _basal_only else COMPARTMENT_NAMES:
        value = feature.func(m, comp)
        if feature.empty is not None:
            assert_array_equal(value, feature.empty, err_msg=f"{comp}__{name}")


def _same(actual, desired):
    """Exact from the catalogue functions; to 1e-12 relative from the C groups
    of ngep.morphometrics._kernel (sums added in node order, the C library's
    acos where numpy may use its own: the last bits may differ)."""
    if _kernel.ENABLED:
        assert_allclose(actual, desired, rtol=1e-12, atol=0)
    else:
        assert_array_equal(actual, desired)


@pytest.mark.parametrize("kernel", [True, False])
def test_plan_computes_what_compute_features_computes(kernel, monkeypatch):
    monkeypatch.setattr(_kernel, "ENABLED", kernel and _kernel.ENABLED)
    m = _basal_only()
    comps = ["all", "basal", "apical", "axon"]
    plan = feature_plan(EXTENDED_FEATURES, comps)
    assert isinstance(plan, FeaturePlan)
    assert list(plan.names) == feature_names(EXTENDED_FEATURES, comps)
    by_call = np.array([f.func(m, c) for f, c in plan.columns])
    _same(plan.compute(m), by_call)
    _same(compute_features(m, plan), by_call)
    # frame-dependent columns come from the framed copy, the others do not
    framed = to_frame(m, "pia:x", "basal")
    mixed = plan.compute(m, framed)
    for i, (f, c) in enumerate(plan.columns):
        _same(mixed[i], f.func(m if f.invariant else framed, c))
    assert plan.invariant.tolist() == [f.invariant for f, _ in plan.columns]


def test_plan_validates_once():
    with pytest.raises(ValueError, match="Unknown feature"):
        feature_plan(["total_lenght"])
    with pytest.raises(ValueError, match="Unknown compartment"):
        feature_plan(["total_length"], "dendrites")


@pytest.mark.parametrize("n", [1, 2, 3, 7, 40, 41, 1000])
def test_percentiles_are_numpys(n):
    from ngep.morphometrics._geometry import _percentiles

    rows = np.random.default_rng(n).normal(size=(3, n)) * 100
    rows[:, ::3] = np.round(rows[:, ::3])  # ties
    for percents in [(2.5, 97.5), (0, 100), (50,), (25, 75)]:
        assert_array_equal(_percentiles(rows, percents),
                           np.percentile(rows, percents, axis=1))


def test_features_and_plans_compare_equal_after_pickling():
    """A NaN empty value must not make a feature unequal to its copy."""
    import pickle

    plan = feature_plan(EXTENDED_FEATURES, ["all", "axon"])
    copy = pickle.loads(pickle.dumps(plan))
    assert copy == plan and hash(copy.columns) == hash(plan.columns)
    assert FEATURES["mean_diameter"] != FEATURES["total_length"]
