# SPDX-License-Identifier: BSD-3-Clause
"""Vectorised branching process: section trees and their coordinates.

A *group* is one compartment of one neuron (its basal dendrites, its apical
dendrite or its axon): ``n_stems`` trees rooted at the soma that share a budget
of ``n_branch`` bifurcations. Everything is computed for many groups at once
with numpy; Python loops run over branching levels (a few dozen), never over
nodes or sections.
"""

import numpy as np

from ngep.io import _tree

__all__ = ["grow_sections", "lay_out_nodes"]


def _group_rank(group, mask):
    """0-based rank of each True entry of ``mask`` among the True entries of its group.

    ``group`` must be sorted (entries of one group contiguous).
    """
    csum = np.cumsum(mask)
    first = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    starts = np.repeat(first, np.diff(np.r_[first, group.size]))
    before = np.where(starts > 0, csum[np.maximum(starts - 1, 0)], 0)
    return csum - before - 1


def grow_sections(n_stems, n_branch, split_fraction, rng, *, max_levels=200):
    """Grow binary section trees level by level under a bifurcation budget.

    At each level, every open section of a group bifurcates with probability
    ``split_fraction`` of its group; the number of bifurcations is capped by the
    group's remaining budget and, while budget remains, at least one section
    bifurcates. So each group ends with exactly ``n_branch`` bifurcations:
    ``split_fraction`` near 1 gives bushy, balanced trees (low maximal branch
    order), near 0 a long main path with side branches (high order).

    Parameters
    ----------
    n_stems : ndarray of int, shape (n_groups,)
        Number of trees (stems) of each group, >= 1.
    n_branch : ndarray of int, shape (n_groups,)
        Number of bifurcations of each group, >= 0.
    split_fraction : ndarray of float, shape (n_groups,)
        Probability that an open section bifurcates at a level.
    rng : numpy.random.Generator

    Returns
    -------
    dict of ndarray, one entry per section, parents before children:
        ``group``, ``parent`` (section index, -1 for a stem), ``root`` (index
        of the stem section of its tree), ``order`` (branch order), ``stem``
        (index of the stem within the group) and ``terminal`` (bool).
    """
    n_stems = np.asarray(n_stems, dtype=np.int64)
    budget = np.asarray(n_branch, dtype=np.int64).copy()
    split_fraction = np.asarray(split_fraction, dtype=np.float64)
    group = np.repeat(np.arange(n_stems.size), n_stems)
    stem = np.arange(group.size) - np.repeat(np.cumsum(n_stems) - n_stems, n_stems)
    groups, parents, orders, splits = [group], [np.full(group.size, -1)], [], []
    open_idx = np.arange(group.size)
    offset = group.size
    level = 0
    while open_idx.size:
        g = groups[-1]
        u = rng.random(g.size)
        want = u < split_fraction[g]
        # Force one split per group that still has budget but drew none: its
        # open section with the smallest draw bifurcates.
        has_budget = budget[g] > 0
        n_want = np.bincount(g, weights=want, minlength=budget.size)
        lonely = has_budget & (n_want[g] == 0)
        if lonely.any():
            best = np.full(budget.size, np.inf)
            np.minimum.at(best, g[lonely], u[lonely])
            want |= lonely & (u == best[g])
        # Cap by the remaining budget, in random order within each group.
        perm = np.lexsort((rng.random(g.size), g))
        rank = np.empty(g.size, dtype=np.int64)
        rank[perm] = _group_rank(g[perm], want[perm])
        split = want & (rank < budget[g]) & has_budget
        if level >= max_levels:
            split[:] = False
        budget -= np.bincount(g[split], minlength=budget.size)
        orders.append(np.full(g.size, level))
        splits.append(split)
        parent_sec = np.repeat(open_idx[split], 2)
        new_group = np.repeat(g[split], 2)
        groups.append(new_group)
        parents.append(parent_sec)
        open_idx = offset + np.arange(new_group.size)
        offset += new_group.size
        level += 1
    groups.pop()
    parents.pop()
    out_group = np.concatenate(groups)
    out_parent = np.concatenate(parents)
    out_order = np.concatenate(orders)
    terminal = ~np.concatenate(splits)
    # The root section of each section's tree is its stem (stems come first).
    root = _tree.find_roots(out_parent)
    return {
        "root": root,
        "stem": stem[root],
        "group": out_group,
        "parent": out_parent,
        "order": out_order,
        "terminal": terminal,
    }


def lay_out_nodes(sections, section_length, stem_direction, bias, spread, rng, *,
                  step=5.0, wiggle=0.14):
    """Coordinates of the nodes of every section, relative to its stem origin.

    Each section starts where its parent ends and heads in a direction drawn
    around its parent's (``spread`` is the standard deviation of the Gaussian
    perturbation of the unit direction, ``bias`` a vector added before
    normalising, e.g. towards the pia for an apical dendrite). Along a section
    the direction drifts smoothly (a Gaussian random walk of ``wiggle`` per
    step), and nodes are spaced about ``step`` µm apart.

    Parameters
    ----------
    sections : dict
        Output of :func:`grow_sections`.
    section_length : ndarray of float, shape (n_sections,)
    stem_direction : ndarray of float, shape (n_stems_total, 3)
        Unit direction of each stem, in section order of the stems.
    bias : ndarray of float, shape (n_groups, 3)
    spread : ndarray of float, shape (n_groups,)
    rng : numpy.random.Generator

    Returns
    -------
    node_section : ndarray of int, shape (n_nodes,)
        Section of each node; nodes of a section are contiguous, sections in order.
    node_xyz : ndarray of float, shape (n_nodes, 3)
        Position relative to the stem's first node.
    node_arc : ndarray of float, shape (n_nodes,)
        Arc length from the section start.
    section_start : ndarray of float, shape (n_sections, 3)
    section_path : ndarray of float, shape (n_sections,)
        Path length from the stem's first node to the section start.
    """
    parent = sections["parent"]
    group = sections["group"]
    n_sec = parent.size
    # Section directions, level by level (parents first).
    direction = np.empty((n_sec, 3))
    is_stem = parent < 0
    direction[is_stem] = stem_direction
    child = np.flatnonzero(~is_stem)
    noise = rng.standard_normal((child.size, 3))
    order = sections["order"]
    for level in range(1, int(order.max(initial=0)) + 1):
        idx = np.flatnonzero(order == level)
        k = np.searchsorted(child, idx)
        gi = group[idx]
        d = direction[parent[idx]] + spread[gi, None] * noise[k] + bias[gi]
        direction[idx] = d / np.linalg.norm(d, axis=1, keepdims=True)
    # Nodes: stems get an extra node at their start (the first point of the stem).
    n_steps = np.maximum(1, np.ceil(section_length / step).astype(np.int64))
    n_nodes = n_steps + is_stem
    node_section = np.repeat(np.arange(n_sec), n_nodes)
    first = np.cumsum(n_nodes) - n_nodes
    pos_in_sec = np.arange(node_section.size) - first[node_section]
    step_len = section_length / n_steps
    # Arc length: stems' first node at 0, then one step per node.
    node_arc = (pos_in_sec + ~is_stem[node_section]) * step_len[node_section]
    length = np.where(node_arc > 0, step_len[node_section], 0.0)
    # Direction drift: a Gaussian random walk restarting at each section (float32
    # is plenty for a perturbation and halves the cost of drawing it).
    drift = rng.standard_normal((node_section.size, 3), dtype=np.float32)
    drift *= np.float32(wiggle)
    drift = _segmented_cumsum(drift, first, node_section)
    d = direction[node_section] + drift
    d *= (length / np.sqrt(np.einsum("ij,ij->i", d, d)))[:, None]
    local = _segmented_cumsum(d, first, node_section)
    last = first + n_nodes - 1
    displacement = local[last]
    # Section start = parent's end; accumulate displacements over the section tree.
    ends = np.column_stack([
        _tree.path_sum(parent, displacement[:, k]) for k in range(3)
    ])
    start = ends - displacement
    section_path = _tree.path_sum(parent, section_length, inclusive=False)
    node_xyz = start[node_section] + local
    return node_section, node_xyz, node_arc, start, section_path


def _segmented_cumsum(values, first, segment):
    """Cumulative sum along axis 0 restarting at each segment.

    ``first`` holds the first index of each segment (sorted, starting at 0) and
    ``segment`` the segment of each row.
    """
    c = np.cumsum(values, axis=0)
    zero = np.zeros((1,) + values.shape[1:], c.dtype)
    base = np.concatenate([zero, c[first[1:] - 1]])
    c -= base[segment]
    return c
