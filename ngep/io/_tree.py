# SPDX-License-Identifier: BSD-3-Clause
"""Vectorised tree algorithms on parent-index arrays (no per-node Python loop).

A tree of ``n`` nodes is a parent array ``parent`` with ``parent[i] = -1`` for a
root and the parent's index otherwise. The functions use pointer doubling
(Wyllie's list ranking): ``O(n log d)`` work for depth ``d``, all in numpy.
"""

import numpy as np

try:  # the tree passes of ngep/io/_ctree.c, in the C extension of ngep.io
    from ngep.io import _cswc as _ctree
except ImportError:  # built without a C compiler: numpy alone
    _ctree = None


def find_roots(parent, *, topological=None):
    """Return the root index of every node, or -1 for nodes on or below a cycle.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        Parent indices, -1 for roots.
    topological : bool, default=None
        Whether ``parent[i] < i`` for every node (a forest with parents first,
        hence no cycle); checked when None. Such a forest is solved in O(n):
        in one pass in C where ``ngep.io._cswc`` is built, else by the
        unbranched runs of :func:`path_sum`, rather than by pointer doubling.

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
    if topological is None:
        topological = bool(np.all(parent < idx))
    if topological and _ctree is not None:
        roots = np.empty(n, dtype=np.int64)
        _ctree.roots(np.ascontiguousarray(parent), roots)  # one pass in C
        return roots
    if topological and n > 64:
        # the sum along the path of (own index at a root, 0 elsewhere) is the
        # root's index: one term, exact in float64 below 2**53
        own = np.where(parent < 0, idx, 0).astype(np.float64)
        return _path_sum_runs(parent, own).astype(np.int64)
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


def path_sum(parent, values, *, inclusive=True, topological=None):
    """Sum ``values`` along the path from each node up to its root.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        Parent indices of an acyclic tree (or forest), -1 for roots.
    values : array-like of float, shape (n,)
        Per-node values.
    inclusive : bool, default=True
        Include the node's own value; otherwise sum over strict ancestors.
    topological : bool, default=None
        Whether ``parent[i] < i`` for every node (parents first, as in a
        :class:`~ngep.io.Morphology`); checked when None. A sorted tree is
        summed in O(n) by unbranched runs.

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
    values = np.asarray(values, dtype=np.float64)
    n = parent.size
    if topological is None:
        topological = bool(np.all(parent < np.arange(n)))
    if n > 64 and topological:
        acc = _path_sum_runs(parent, values)
    else:
        acc = _path_sum_doubling(parent, values)
    if not inclusive:
        acc -= values
    return acc


_FEW_RUNS = 128  # below this many runs a loop over runs beats pointer doubling


def _path_sum_runs(parent, values):
    """Inclusive path sums of a topologically sorted forest, by runs.

    A run is a maximal stretch of consecutive indices in which each node's
    parent is the previous index (an unbranched stretch as SWC files list
    them). Inside a run the path sum is a cumulative sum; the runs themselves
    form a much smaller tree, solved by pointer doubling. O(n) numpy work plus
    O(r log r) for r runs, instead of O(n log depth). ``_ctree.c`` (in the C
    extension ``ngep.io._cswc``, where built) does the same additions in the
    same order, in one pass and without temporaries: the same bits, ~10x sooner.
    """
    n = parent.size
    if _ctree is not None:
        out = np.empty(n)
        _ctree.path_sum_runs(np.ascontiguousarray(parent, dtype=np.int64),
                             np.ascontiguousarray(values, dtype=np.float64), out,
                             _FEW_RUNS)
        return out
    is_start = parent != np.arange(-1, n - 1)
    is_start[0] = True  # parent[0] == -1 == 0 - 1, but index 0 starts a run
    starts = np.flatnonzero(is_start)
    cs = np.cumsum(values)
    p = parent[starts]
    has_parent = p >= 0
    pp = np.where(has_parent, p, 0)
    parent_run = np.searchsorted(starts, pp, side="right") - 1
    # value of a run: its first node's value plus the path sum from the start
    # of the parent's run down to the parent (the parent run's own start is
    # accounted for by the recursion on runs)
    run_value = values[starts] + np.where(
        has_parent, cs[pp] - cs[starts[parent_run]], 0.0
    )
    run_parent = np.where(has_parent, parent_run, -1)
    if starts.size <= _FEW_RUNS:
        run_sum = _path_sum_sorted(run_parent, run_value)
    else:
        run_sum = _path_sum_doubling(run_parent, run_value)
    # inside run r the path sum is run_sum[r] plus the cumsum since its start
    offset = run_sum - cs[starts]
    lengths = np.empty_like(starts)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = n - starts[-1]
    return cs + np.repeat(offset, lengths)


def _path_sum_sorted(parent, values):
    """Inclusive path sums of a short sorted forest (``parent[i] < i``).

    A plain loop over a few dozen runs costs less than the numpy calls of
    pointer doubling; it never sees individual nodes.
    """
    acc = values.tolist()
    for i, p in enumerate(parent.tolist()):
        if p >= 0:
            acc[i] += acc[p]
    return np.array(acc)


def _path_sum_doubling(parent, values):
    """Inclusive path sums by pointer doubling (any order, forests allowed)."""
    acc = np.array(values, dtype=np.float64, copy=True)
    anc = parent.copy()
    active = np.flatnonzero(anc >= 0)
    while active.size:
        up = anc[active]
        acc[active] += acc[up]  # gathers old values before scattering
        anc[active] = anc[up]
        active = active[anc[active] >= 0]
    return acc


def n_ancestors(parent):
    """Number of ancestors of each node (0 for a root).

    Examples
    --------
    >>> n_ancestors(np.array([-1, 0, 1, 0]))
    array([0, 1, 2, 1])
    """
    parent = np.asarray(parent, dtype=np.int64)
    return path_sum(parent, np.ones(parent.size), inclusive=False).astype(np.int64)


def topological_order(parent):
    """A permutation that puts every parent before its children.

    Nodes are ordered by their number of ancestors; ties keep their input order
    (stable).

    Examples
    --------
    >>> topological_order(np.array([2, -1, 1]))
    array([1, 2, 0])
    """
    return np.argsort(n_ancestors(parent), kind="stable")
