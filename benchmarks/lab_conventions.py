# SPDX-License-Identifier: BSD-3-Clause
"""One neuron, another lab's conventions: the conversions of ``bench_transfer.py``.

Each function takes a :class:`~ngep.io.Morphology` and returns a new one, as
another lab would have traced and written the same cell:

* :func:`scale_radii`: another radius convention (diameters stored as radii,
  minimum widths, thicker tracing): every radius times ``factor``;
* :func:`prune_terminals`: coarser tracing, terminal branches shorter than
  ``min_length`` µm not traced (one pass over the terminal sections);
* :func:`resample`: another node spacing: every section re-drawn with a node
  every ``spacing`` µm along its path (branch points and tips kept);
* :func:`shrink_z`: tissue shrinkage along the slice's thickness, z times
  ``factor`` (about the soma);
* :func:`swap_and_rotate`: slices cut along another axis (y and z swapped), then
  a random 3-D rotation;
* :func:`contour_soma`: the soma drawn as a 16-point contour of its radius
  (the first soma point then lies on the contour, not in the centre);
* :func:`remove_axon`: a dendrite-only reconstruction (axon nodes dropped).

:data:`CONVERSIONS` names them as the benchmark's table does; ``"all
combined"`` applies every one except axon removal.
"""

import numpy as np
from scipy.spatial.transform import Rotation

from ngep.io import Morphology
from ngep.morphometrics._core import sections

__all__ = [
    "CONVERSIONS",
    "contour_soma",
    "prune_terminals",
    "remove_axon",
    "resample",
    "scale_radii",
    "shrink_z",
    "swap_and_rotate",
]


def _subset(m, keep):
    """The nodes in ``keep`` (every kept node's parent must be kept)."""
    index = np.cumsum(keep) - 1
    parent = m.parent[keep]
    if np.any((parent >= 0) & ~keep[np.maximum(parent, 0)]):
        raise ValueError("a kept node has a removed parent")
    parent = np.where(parent >= 0, index[np.maximum(parent, 0)], -1)
    return Morphology(m.xyz[keep], m.radius[keep], m.types[keep], parent, name=m.name)


def scale_radii(m, factor):
    """Every node radius (soma included) times ``factor``."""
    return Morphology(m.xyz, m.radius * factor, m.types, m.parent, name=m.name)


def prune_terminals(m, min_length):
    """Drop terminal sections shorter than ``min_length`` µm (one pass)."""
    secs = sections(m)
    short = (secs.n_children == 0) & (secs.length < min_length)
    # a stem that is a single short section stays: removing it changes n_stems,
    # which coarser tracing does not do to the thick primary dendrites
    short &= secs.parent >= 0
    drop = np.zeros(m.n_nodes, dtype=bool)
    neurite = secs.node_section >= 0
    drop[neurite] = short[secs.node_section[neurite]]
    return _subset(m, ~drop)


def resample(m, spacing):
    """Re-draw every section with nodes every ``spacing`` µm along its path.

    The section's first and last node (branch point, tip, type change) are kept;
    in between, nodes are placed at equal steps of at most ``spacing`` µm along
    the original polyline, radii interpolated linearly.
    """
    secs = sections(m)
    xyz, radius, types = (list(m.xyz[m.is_soma]), list(m.radius[m.is_soma]),
                          list(m.types[m.is_soma]))
    soma_index = np.flatnonzero(m.is_soma)
    new_of = {int(old): i for i, old in enumerate(soma_index)}
    parent = [new_of.get(int(p), -1) if p >= 0 else -1 for p in m.parent[soma_index]]
    nodes_of = np.argsort(secs.node_section, kind="stable")
    bounds = np.searchsorted(secs.node_section[nodes_of],
                             np.arange(secs.start.size + 1))
    for s in np.argsort(secs.depth, kind="stable"):
        nodes = nodes_of[bounds[s]:bounds[s + 1]]
        nodes = nodes[np.argsort(m.depth[nodes], kind="stable")]
        first = nodes[0]
        anchor = m.parent[first]
        if anchor >= 0 and not m.is_soma[anchor]:
            line = np.concatenate([[anchor], nodes])
        else:
            line = nodes
        pts, rad = m.xyz[line], m.radius[line]
        step = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        arc = np.concatenate([[0.0], np.cumsum(step)])
        total = arc[-1]
        n_new = max(1, int(np.ceil(total / spacing - 1e-9)))
        at = np.linspace(0.0, total, n_new + 1)
        if line[0] == first:  # a stem: its first point is kept as it is
            at_new = at
            prev = new_of.get(int(anchor), -1) if anchor >= 0 else -1
        else:
            at_new = at[1:]
            prev = new_of[int(anchor)]
        if total == 0:
            at_new = at_new[:1] if line[0] == first else at_new[-1:]
        px = np.column_stack([np.interp(at_new, arc, pts[:, k]) for k in range(3)])
        pr = np.interp(at_new, arc, rad)
        for point, r in zip(px, pr):
            xyz.append(point)
            radius.append(r)
            types.append(m.types[first])
            parent.append(prev)
            prev = len(xyz) - 1
        new_of[int(nodes[-1])] = prev
    return Morphology(np.asarray(xyz), np.asarray(radius), np.asarray(types),
                      np.asarray(parent), name=m.name)


def shrink_z(m, factor):
    """z times ``factor`` about the soma centre (tissue shrinkage)."""
    c = m.xyz[0]
    return m.transformed(np.diag([1.0, 1.0, factor]), c - np.diag(
        [1.0, 1.0, factor]) @ c)


def swap_and_rotate(m, seed):
    """y and z swapped (another slicing axis), then a random 3-D rotation."""
    swap = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, 1.0, 0]])
    rot = Rotation.random(random_state=np.random.default_rng(seed)).as_matrix()
    return m.transformed(rot @ swap)


def contour_soma(m, n_points=16):
    """The soma as a closed contour of ``n_points`` in the xy plane.

    The contour has the soma's radius (NeuroM's radius of the original soma);
    stems attach to its first point, which is where the features' soma centre
    then lies.
    """
    from ngep.morphometrics import FEATURES

    r = FEATURES["soma_radius"].func(m, "soma")
    r = float(r) if np.isfinite(r) and r > 0 else 1.0
    soma = np.flatnonzero(m.is_soma)
    centre = m.xyz[0]
    angle = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    ring = centre + r * np.column_stack([np.cos(angle), np.sin(angle),
                                         np.zeros(n_points)])
    rest = np.setdiff1d(np.arange(m.n_nodes), soma)
    index = np.full(m.n_nodes, -1)
    index[rest] = n_points + np.arange(rest.size)
    index[soma] = 0
    parent = m.parent[rest]
    parent = np.where(parent >= 0, index[np.maximum(parent, 0)], -1)
    return Morphology(
        np.vstack([ring, m.xyz[rest]]),
        np.concatenate([np.zeros(n_points), m.radius[rest]]),
        np.concatenate([np.ones(n_points, dtype=int), m.types[rest]]),
        np.concatenate([np.arange(-1, n_points - 1), parent]),
        name=m.name,
    )


def remove_axon(m):
    """The neuron without its axon (nodes of SWC type 2 and their subtrees)."""
    drop = m.types == 2
    has_parent = m.parent >= 0
    while True:  # a node below an axon node goes with it, whatever its type
        below = drop | (has_parent & drop[np.maximum(m.parent, 0)])
        if np.array_equal(below, drop):
            return _subset(m, ~drop)
        drop = below


def _all_combined(m, seed):
    m = scale_radii(m, 3.0)
    m = prune_terminals(m, 10.0)
    m = resample(m, 5.0)
    m = shrink_z(m, 0.7)
    m = swap_and_rotate(m, seed)
    return contour_soma(m)


#: Conversion name -> ``f(morphology, seed)``, in the benchmark's order.
CONVERSIONS = {
    "radii x0.5": lambda m, s: scale_radii(m, 0.5),
    "radii x3": lambda m, s: scale_radii(m, 3.0),
    "radii x6": lambda m, s: scale_radii(m, 6.0),
    "terminal branches < 10 µm removed": lambda m, s: prune_terminals(m, 10.0),
    "terminal branches < 20 µm removed": lambda m, s: prune_terminals(m, 20.0),
    "resampled to 0.2 µm": lambda m, s: resample(m, 0.2),
    "resampled to 5 µm": lambda m, s: resample(m, 5.0),
    "z shrunk to 0.7": lambda m, s: shrink_z(m, 0.7),
    "slice axis swapped + rotated": swap_and_rotate,
    "soma drawn as a contour": lambda m, s: contour_soma(m),
    "all combined (no axon removal)": _all_combined,
    "axon removed": lambda m, s: remove_axon(m),
}
