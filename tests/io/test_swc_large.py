# SPDX-License-Identifier: BSD-3-Clause
"""Huge neurons: no recursion and exact results (time and memory: benchmarks/)."""

import numpy as np
import pytest

from ngep.io import read_swc


def _chain_swc(path, n, *, reverse):
    """A soma and an unbranched dendrite of n - 1 unit steps along x."""
    ids = np.arange(1, n + 1)
    parent = ids - 1
    parent[0] = -1
    types = np.full(n, 3)
    types[0] = 1
    x = np.arange(n, dtype=np.float64)
    zeros = np.zeros(n)
    table = np.column_stack([ids, types, x, zeros, zeros, np.ones(n), parent])
    if reverse:  # children before parents: forces the topological reordering
        table = table[::-1]
    np.savetxt(path, table, fmt="%d %d %.1f %.1f %.1f %.1f %d", header="chain")


def _check_chain(m, n):
    assert m.n_nodes == n
    assert m.parent.tolist()[:3] == [-1, 0, 1]
    assert np.all(m.parent[1:] == np.arange(n - 1))
    # the soma -> first point segment is not neurite length
    np.testing.assert_array_equal(m.path_distance[1:], np.arange(n - 1))
    assert m.n_ancestors[-1] == n - 1
    assert not m.branch_order.any()
    assert m.n_children.sum() == n - 1 and m.is_tip.sum() == 1


def test_200k_node_chain_children_first(tmp_path):
    n = 200_000
    path = tmp_path / "chain.swc"
    _chain_swc(path, n, reverse=True)
    _check_chain(read_swc(path), n)


def test_200k_node_random_tree_matches_a_loop(tmp_path):
    rng = np.random.default_rng(0)
    n = 200_000
    # mostly extend the previous node (deep, like real neurites), sometimes branch
    parent = np.arange(-1, n - 1)
    jump = rng.random(n) < 0.02
    jump[0] = False
    parent[jump] = (rng.random(jump.sum()) * np.flatnonzero(jump)).astype(np.int64)
    xyz = np.cumsum(rng.normal(size=(n, 3)), axis=0)
    types = np.full(n, 3)
    types[0] = 1
    table = np.column_stack([np.arange(1, n + 1), types, xyz, np.ones(n),
                             np.where(parent >= 0, parent + 1, -1)])
    path = tmp_path / "tree.swc"
    np.savetxt(path, table, fmt="%d %d %.6f %.6f %.6f %.1f %d")
    m = read_swc(path)
    assert m.n_nodes == n
    # reference values with a plain loop (parents come first)
    p = m.parent
    seg = np.zeros(n)
    seg[1:] = np.linalg.norm(m.xyz[1:] - m.xyz[p[1:]], axis=1)
    seg[p == 0] = 0.0  # soma -> stem segments are not neurite length
    nchild = np.bincount(p[1:], minlength=n)
    dist = np.zeros(n)
    order = np.zeros(n, dtype=np.int64)
    for i in range(1, n):
        dist[i] = dist[p[i]] + seg[i]
        order[i] = order[p[i]] + (p[i] > 0 and nchild[p[i]] >= 2)
    np.testing.assert_allclose(m.path_distance, dist, rtol=1e-9)
    np.testing.assert_array_equal(m.branch_order, order)
    np.testing.assert_array_equal(m.n_children, nchild)


@pytest.mark.slow
def test_one_million_node_chain(tmp_path):
    n = 1_000_000
    path = tmp_path / "chain.swc"
    _chain_swc(path, n, reverse=True)
    _check_chain(read_swc(path), n)
