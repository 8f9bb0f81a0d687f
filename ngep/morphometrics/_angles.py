# SPDX-License-Identifier: BSD-3-Clause
"""Branching geometry at bifurcations: local and remote angles, partition asymmetry.

Follows NeuroM's definitions: a bifurcation is a section with exactly two child
sections (multifurcations are skipped, as in NeuroM); it belongs to the
compartment of its own nodes. Means over no bifurcation are NaN. Angles are in
radians.
"""

import numpy as np

from ngep.morphometrics._core import cached, node_mask, sections, subtree_sum, xyz_rows

__all__ = [
    "mean_local_bifurcation_angle",
    "mean_partition_asymmetry",
    "mean_remote_bifurcation_angle",
]


def _bifurcations(m, compartment):
    """(bifurcation sections, first child sections, second child sections)."""

    def compute():
        secs = sections(m)
        bif = np.flatnonzero(
            node_mask(m, compartment)[secs.start] & (secs.n_children == 2))
        kids = np.flatnonzero(secs.parent >= 0)
        kids = kids[np.argsort(secs.parent[kids], kind="stable")]
        first = np.searchsorted(secs.parent[kids], bif)
        return secs, bif, kids[first], kids[first + 1]

    return cached(m, ("bifurcations", compartment), compute)


def _first_moved(m):
    """Per section: its first node not at the position of the section's origin."""

    def compute():
        secs = sections(m)
        out = secs.start.copy()
        # Almost always the first node has moved; search further only where not.
        xyz = xyz_rows(m)  # (3, n): gathers of whole rows are several times faster
        same = np.take(xyz, secs.start, axis=1) == np.take(xyz, secs.origin, axis=1)
        still = np.flatnonzero(same.all(axis=0))
        if still.size:
            nodes = np.flatnonzero(np.isin(secs.node_section, still))
            sec = secs.node_section[nodes]
            moved = np.any(m.xyz[nodes] != m.xyz[secs.origin[sec]], axis=1)
            first = np.full(secs.start.size, m.n_nodes, dtype=np.int64)
            np.minimum.at(first, sec[moved], nodes[moved])
            found = first[still] < m.n_nodes
            out[still[found]] = first[still[found]]
        return out

    return cached(m, "first_moved", compute)


def _mean_angle(v1, v2):
    """Mean of NeuroM ``angle_between_vectors`` over rows, ignoring undefined ones."""
    if v1.shape[0] == 0:
        return float("nan")
    n1 = np.linalg.norm(v1, axis=1)
    n2 = np.linalg.norm(v2, axis=1)
    ok = (n1 > 0) & (n2 > 0)
    cos = np.einsum("ij,ij->i", v1[ok], v2[ok]) / (n1[ok] * n2[ok])
    angle = np.arccos(np.clip(cos, -1.0, 1.0))
    equal = np.all(v1 == v2, axis=1)  # NeuroM: identical vectors give 0
    angles = np.concatenate([angle[~equal[ok]], np.zeros(np.count_nonzero(equal))])
    return float(angles.mean()) if angles.size else float("nan")


def mean_local_bifurcation_angle(m, compartment):
    """Mean angle between the first segments of the two daughters of each bifurcation.

    NeuroM ``local_bifurcation_angles``: each daughter's direction is taken to
    its first point that differs from the bifurcation point. Radians; NaN
    without bifurcations.
    """
    secs, bif, c0, c1 = _bifurcations(m, compartment)
    moved = _first_moved(m)
    p = m.xyz[secs.end[bif]]
    return _mean_angle(m.xyz[moved[c0]] - p, m.xyz[moved[c1]] - p)


def mean_remote_bifurcation_angle(m, compartment):
    """Mean angle between the chords from each bifurcation to its daughters' ends.

    NeuroM ``remote_bifurcation_angles`` (daughter ends are the next branch
    point or tip). Radians; NaN without bifurcations.
    """
    secs, bif, c0, c1 = _bifurcations(m, compartment)
    p = m.xyz[secs.end[bif]]
    return _mean_angle(m.xyz[secs.end[c0]] - p, m.xyz[secs.end[c1]] - p)


def mean_partition_asymmetry(m, compartment):
    """Mean partition asymmetry over bifurcations (NeuroM ``partition_asymmetry``).

    At a bifurcation whose daughter subtrees hold ``n`` and ``k`` sections of
    the compartment, the asymmetry is ``|n - k| / (n + k)`` (0 when both are
    single sections; the Petilla/NeuroM default, van Pelt et al. 1992). NaN
    without bifurcations.
    """
    secs, bif, c0, c1 = _bifurcations(m, compartment)
    if bif.size == 0:
        return float("nan")
    in_c = node_mask(m, compartment)[secs.start].astype(np.float64)
    size = subtree_sum(secs, in_c)
    n, k = size[c0], size[c1]
    both_one = (n == 1) & (k == 1)
    total = n + k
    ok = both_one | (total > 0)
    value = np.where(both_one, 0.0, np.abs(n - k) / np.where(total > 0, total, 1.0))
    return float(value[ok].mean()) if ok.any() else float("nan")
