# SPDX-License-Identifier: BSD-3-Clause
"""Vectorised tree algorithms on parent-index arrays (no per-node Python loop).

A tree of ``n`` nodes is a parent array ``parent`` with ``parent[i] = -1`` for a
root and the parent's index otherwise. The functions use pointer doubling
(Wyllie's list ranking): ``O(n log d)`` work for depth ``d``, all in numpy.
"""

import numpy as np


def find_roots(parent):
    """Return the root index of every node, or -1 for nodes on or below a cycle.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        Parent indices, -1 for roots.

    Returns
    -------
    ndarray of int, shape (n,)
        ``root[i]`` is the root above ``i``; -1 where following parents never
        reaches a root (a cycle).

    Examples
    --------
    >>> find_roots(np.array([-1, 0, 1, -1, 3]))
    array([0, 0, 0, 3, 3])
    >>> find_roots(np.array([-1, 2, 1]))
    array([ 0, -1, -1])
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = parent.size
    idx = np.arange(n, dtype=np.int64)
    jump = np.where(parent < 0, idx, parent)
    # After k rounds jump[i] is the 2**k-th ancestor (clamped at the root), so
    # ceil(log2(n)) + 1 rounds reach the root of every acyclic path.
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2))))) + 1):
        nxt = jump[jump]
        if np.array_equal(nxt, jump):
            break
        jump = nxt
    ok = parent[jump] < 0
    return np.where(ok, jump, -1)


def path_sum(parent, values, *, inclusive=True):
    """Sum ``values`` along the path from each node up to its root.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        Parent indices of an acyclic tree (or forest), -1 for roots.
    values : array-like of float, shape (n,)
        Per-node values.
    inclusive : bool, default=True
        Include the node's own value; otherwise sum over strict ancestors.

    Returns
    -------
    ndarray of float64, shape (n,)

    Examples
    --------
    >>> path_sum(np.array([-1, 0, 1, 1]), np.array([1.0, 2.0, 3.0, 4.0]))
    array([1., 3., 6., 7.])
    >>> path_sum(np.array([-1, 0, 1, 1]), np.ones(4), inclusive=False)
    array([0., 1., 2., 2.])
    """
    parent = np.asarray(parent, dtype=np.int64)
    acc = np.array(values, dtype=np.float64, copy=True)
    anc = parent.copy()
    active = np.flatnonzero(anc >= 0)
    while active.size:
        up = anc[active]
        acc[active] += acc[up]  # gathers old values before scattering
        anc[active] = anc[up]
        active = active[anc[active] >= 0]
    if not inclusive:
        values = np.asarray(values, dtype=np.float64)
        acc -= values
    return acc


def depth(parent):
    """Number of ancestors of each node (0 for a root).

    Examples
    --------
    >>> depth(np.array([-1, 0, 1, 0]))
    array([0, 1, 2, 1])
    """
    parent = np.asarray(parent, dtype=np.int64)
    return path_sum(parent, np.ones(parent.size), inclusive=False).astype(np.int64)


def topological_order(parent):
    """A permutation that puts every parent before its children.

    Nodes are ordered by depth; ties keep their input order (stable).

    Examples
    --------
    >>> topological_order(np.array([2, -1, 1]))
    array([1, 2, 0])
    """
    return np.argsort(depth(parent), kind="stable")
