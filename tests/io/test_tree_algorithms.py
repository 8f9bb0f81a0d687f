# SPDX-License-Identifier: BSD-3-Clause
"""The vectorised tree algorithms agree with a plain loop on random forests."""

import numpy as np
import pytest

from ngep.io import _tree


def _random_sorted_forest(rng, n):
    parent = np.arange(-1, n - 1)
    jump = rng.random(n) < rng.random()
    jump[0] = False
    parent[jump] = (rng.random(jump.sum()) * np.flatnonzero(jump)).astype(np.int64)
    parent[rng.random(n) < 0.02] = -1
    return parent


def _loop_path_sum(parent, values):
    out = np.array(values, dtype=float)
    for i in range(parent.size):  # parents come first
        if parent[i] >= 0:
            out[i] += out[parent[i]]
    return out


@pytest.mark.parametrize("seed", range(20))
def test_path_sum_matches_loop(seed):
    rng = np.random.default_rng(seed)
    parent = _random_sorted_forest(rng, int(rng.integers(1, 500)))
    values = rng.normal(size=parent.size)
    expected = _loop_path_sum(parent, values)
    np.testing.assert_allclose(_tree.path_sum(parent, values), expected, atol=1e-9)
    np.testing.assert_allclose(_tree._path_sum_runs(parent, values), expected,
                               atol=1e-9)
    np.testing.assert_allclose(_tree._path_sum_doubling(parent, values), expected,
                               atol=1e-9)
    np.testing.assert_allclose(_tree.path_sum(parent, values, inclusive=False),
                               expected - values, atol=1e-9)
    # any order: shuffle the nodes, the sums follow them
    perm = rng.permutation(parent.size)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    shuffled = np.where(parent[perm] >= 0, inv[np.maximum(parent[perm], 0)], -1)
    np.testing.assert_allclose(_tree.path_sum(shuffled, values[perm]), expected[perm],
                               atol=1e-9)
    roots = _tree.find_roots(shuffled)
    assert np.all(shuffled[roots] == -1)
    order = _tree.topological_order(shuffled)
    pos = np.empty_like(order)
    pos[order] = np.arange(order.size)
    has_parent = shuffled >= 0
    assert np.all(pos[shuffled[has_parent]] < pos[has_parent])


@pytest.mark.parametrize("few_runs", [0, 10**9])  # run tree by doubling / by loop
@pytest.mark.parametrize("seed", range(10))
def test_path_sum_runs_both_ways_of_summing_the_run_tree(monkeypatch, seed, few_runs):
    monkeypatch.setattr(_tree, "_FEW_RUNS", few_runs)
    rng = np.random.default_rng(100 + seed)
    parent = _random_sorted_forest(rng, int(rng.integers(65, 3000)))
    values = rng.normal(size=parent.size)
    expected = _loop_path_sum(parent, values)
    np.testing.assert_allclose(
        _tree.path_sum(parent, values, topological=True), expected, atol=1e-9
    )
    np.testing.assert_allclose(_tree._path_sum_sorted(parent, values), expected,
                               atol=1e-9)


needs_ctree = pytest.mark.skipif(_tree._ctree is None,
                                 reason="the C extension ngep.io._cswc is not built")


@needs_ctree
@pytest.mark.parametrize("few_runs", [0, 128, 10**9])
@pytest.mark.parametrize("seed", range(12))
def test_c_path_sums_are_numpys_bit_for_bit(monkeypatch, seed, few_runs):
    # _ctree replays the numpy algorithm's additions in its order: the same
    # bits, whichever way the run tree is summed (path_distance and every
    # feature on it must not move by an ulp with or without the extension)
    monkeypatch.setattr(_tree, "_FEW_RUNS", few_runs)
    rng = np.random.default_rng(200 + seed)
    n = int(rng.choice([1, 2, 65, 700, 5000]))
    parent = _random_sorted_forest(rng, n)
    values = [rng.normal(size=n), rng.exponential(size=n) * 1e3,
              np.where(rng.random(n) < 0.3, -0.0, rng.random(n))][seed % 3]
    with_c = _tree._path_sum_runs(parent, values)
    monkeypatch.setattr(_tree, "_ctree", None)
    numpy_only = _tree._path_sum_runs(parent, values)
    np.testing.assert_array_equal(with_c.view(np.int64), numpy_only.view(np.int64))


@needs_ctree
def test_c_path_sums_check_their_input():
    with pytest.raises(ValueError, match="parent"):
        _tree._ctree.path_sum_runs(np.array([-1, 1]), np.ones(2), np.empty(2), 128)
    with pytest.raises(ValueError, match="n > 0"):
        _tree._ctree.path_sum_runs(np.array([-1, 0]), np.ones(3), np.empty(2), 128)


@pytest.mark.parametrize("seed", range(10))
def test_roots_of_sorted_forests_every_way(monkeypatch, seed):
    # C (one pass), path sums by runs and pointer doubling: the same roots
    rng = np.random.default_rng(300 + seed)
    parent = _random_sorted_forest(rng, int(rng.integers(1, 3000)))
    doubling = _tree.find_roots(parent, topological=False)
    assert np.all(parent[doubling] == -1)
    np.testing.assert_array_equal(_tree.find_roots(parent), doubling)
    monkeypatch.setattr(_tree, "_ctree", None)
    np.testing.assert_array_equal(_tree.find_roots(parent, topological=True),
                                  doubling)
