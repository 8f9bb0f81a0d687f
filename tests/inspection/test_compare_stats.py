# SPDX-License-Identifier: BSD-3-Clause
"""The statistics of compare_groups on small cases, against scipy and brute force."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ngep.exceptions import NgepWarning
from ngep.inspection import _stats, compare_groups


def brute_delta(a, b):
    return np.mean([np.sign(y - x) for x in a for y in b])


def brute_holm(p):
    p = np.asarray(p, float)
    m = p.size
    order = np.argsort(p)
    out = np.empty(m)
    running = 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[k]))
        out[k] = running
    return out


@pytest.mark.parametrize("seed", range(5))
def test_cliffs_delta_equals_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, size=7).astype(float)  # many ties
    b = rng.integers(0, 6, size=9).astype(float)
    assert _stats.cliffs_delta(a, b) == pytest.approx(brute_delta(a, b), abs=1e-12)
    assert _stats.mann_whitney(a, b)[0] == pytest.approx(brute_delta(a, b), abs=1e-12)


def test_weighted_delta_equals_delta_of_repeated_values():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=6).round(1), rng.normal(size=5).round(1)
    wa, wb = rng.integers(0, 4, size=(3, 6)), rng.integers(1, 4, size=(3, 5))
    wa[:, 0] = 1  # no empty replicate
    order = np.argsort(a)
    got = _stats._weighted_delta(a[order], wa[:, order].astype(float), b,
                                 wb.astype(float))
    want = [brute_delta(np.repeat(a, wa[r]), np.repeat(b, wb[r])) for r in range(3)]
    np.testing.assert_allclose(got, want, atol=1e-12)


def table(groups, seed=0, shift=0.0):
    """One normal feature and one integer feature with ties, per group."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, (name, n) in enumerate(groups.items()):
        rows.append(pd.DataFrame({
            "group": name,
            "length": rng.normal(k * shift, 1.0, n),
            "stems": rng.poisson(4, n).astype(float),
        }))
    return pd.concat(rows, ignore_index=True)


def test_p_values_are_scipy_mannwhitneyu_and_effects_brute_force():
    data = table({"a": 6, "b": 8, "c": 5}, shift=0.5)
    result = compare_groups(data, "group", n_bootstrap=0)
    assert len(result) == 2 * 3
    for _, row in result.iterrows():
        x = data.loc[data.group == row.group_a, row.feature].to_numpy()
        y = data.loc[data.group == row.group_b, row.feature].to_numpy()
        want = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
        assert row.p_value == pytest.approx(want.pvalue, rel=1e-12)
        assert row.effect_size == pytest.approx(brute_delta(x, y), abs=1e-12)
        assert (row.n_a, row.n_b) == (x.size, y.size)
        assert row.median_a == np.median(x) and row.median_b == np.median(y)


def test_q_values_are_scipy_bh_over_all_features_and_pairs():
    data = table({"a": 10, "b": 12, "c": 9}, shift=0.8)
    result = compare_groups(data, "group", n_bootstrap=0)
    np.testing.assert_allclose(
        result.q_value, stats.false_discovery_control(result.p_value, method="bh"))
    np.testing.assert_allclose(result.p_holm, brute_holm(result.p_value))


def test_holm_and_bh_leave_nan_out_of_the_family():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    np.testing.assert_allclose(_stats.holm(p)[[0, 2, 3]], brute_holm(p[[0, 2, 3]]))
    assert np.isnan(_stats.holm(p)[1]) and np.isnan(_stats.benjamini_hochberg(p)[1])


def test_exact_neuron_permutation_equals_scipy_permutation_test():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=5), rng.normal(0.8, 1, size=4)
    data = pd.DataFrame({"group": ["a"] * 5 + ["b"] * 4, "x": np.r_[a, b]})
    got = compare_groups(data, "group", test="permutation", n_bootstrap=0)
    want = stats.permutation_test(
        (a, b), lambda x, y: brute_delta(x, y), permutation_type="independent",
        alternative="two-sided", n_resamples=np.inf)
    assert got.p_value[0] == pytest.approx(want.pvalue, rel=1e-9)
    assert got.test[0] == "permutation"


def test_donor_permutation_p_value_by_enumeration():
    rng = np.random.default_rng(4)
    donors = np.repeat(np.arange(7), [3, 4, 2, 5, 3, 3, 4])
    in_b = donors >= 3  # donors 0-2 in a, 3-6 in b
    x = rng.normal(size=donors.size) + 0.7 * in_b + rng.normal(size=7)[donors]
    data = pd.DataFrame({"g": np.where(in_b, "b", "a"), "donor": donors, "x": x})
    with pytest.warns(NgepWarning, match="no p-value can be below 0.0286"):
        got = compare_groups(data, "g", donor_column="donor", n_bootstrap=0)
    observed = abs(brute_delta(x[~in_b], x[in_b]))
    extreme = []
    for chosen in combinations(range(7), 4):
        lab = np.isin(donors, chosen)
        extreme.append(abs(brute_delta(x[~lab], x[lab])) >= observed - 1e-12)
    assert got.p_value[0] == pytest.approx(np.mean(extreme), rel=1e-12)
    assert got.test[0] == "donor permutation"
    assert (got.n_donors_a[0], got.n_donors_b[0]) == (3, 4)


def test_monte_carlo_permutation_p_value_is_close_to_mannwhitneyu():
    data = table({"a": 40, "b": 40}, seed=5, shift=0.4)
    perm = compare_groups(data, "group", features=["length"], test="permutation",
                          n_bootstrap=0, random_state=0)
    mwu = compare_groups(data, "group", features=["length"], n_bootstrap=0)
    assert perm.p_value[0] == pytest.approx(mwu.p_value[0], abs=0.02)
    assert perm.p_value[0] >= 1 / 10000  # (1 + count) / (1 + B): never 0


def test_bootstrap_interval_covers_the_true_delta_about_95_percent():
    # Normal groups shifted by d (unit sd): true delta = 2 Phi(d / sqrt 2) - 1.
    d, n, reps = 0.5, 30, 200
    true = 2 * stats.norm.cdf(d / np.sqrt(2)) - 1
    rng = np.random.default_rng(6)
    hits = 0
    for _ in range(reps):
        a, b = rng.normal(size=n), rng.normal(d, 1, size=n)
        boot = _stats.bootstrap_delta(a, b, np.arange(n), np.arange(n), 400, rng)
        low, high = _stats.percentile_interval(boot, 0.95)
        hits += low <= true <= high
    assert 0.88 <= hits / reps <= 0.99  # binomial sd at 0.95 is 0.015


def test_seeded_results_repeat_and_seeds_differ():
    data = table({"a": 12, "b": 15}, shift=0.5)
    first = compare_groups(data, "group", n_bootstrap=300, random_state=1)
    again = compare_groups(data, "group", n_bootstrap=300, random_state=1)
    other = compare_groups(data, "group", n_bootstrap=300, random_state=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first.ci_low, other.ci_low)
    np.testing.assert_array_equal(first.p_value, other.p_value)  # MWU is exact
