# SPDX-License-Identifier: BSD-3-Clause
"""Catalogue features in C: groups of features computed in one call.

``ngep.morphometrics._ckernel`` (``_kernel*.c``, built with the package when a
C compiler is present) computes a *group* of catalogue features of one
compartment in a few passes over the nodes, where the catalogue functions make
a few numpy calls per feature. The catalogue functions stay the definition: the
C groups compute the same values (tests/morphometrics/test_kernel.py compares
both on every real and synthetic neuron), and :class:`FeaturePlan` falls back to
them where the extension is missing, for the features no group covers, and on
empty compartments (the catalogue's ``empty`` values).

Set the environment variable ``NGEP_NO_CKERNEL=1`` before importing ngep to
use the catalogue functions only.
"""

import os

import numpy as np

from ngep.morphometrics._core import cached, checked_parent, root_point, soma_centroid

try:  # pragma: no cover - depends on the build
    from ngep.morphometrics import _ckernel
except ImportError:  # pragma: no cover
    _ckernel = None

__all__ = ["ENABLED", "FRAMED", "GROUPS", "HELPERS", "frame_extra", "helper", "run"]

#: Group name -> (its index in _kernel.c's GROUPS, its features in output order).
GROUPS = {
    "tree": (0, (
        "total_length", "total_surface_area", "total_volume", "mean_diameter",
        "n_stems", "n_branch_points", "n_bifurcations", "n_tips", "n_sections",
        "max_branch_order", "mean_tip_branch_order", "mean_section_length",
        "max_section_length", "max_path_distance", "mean_tip_path_distance",
        "max_radial_distance", "mean_tip_radial_distance", "mean_contraction",
        "mean_local_bifurcation_angle", "mean_remote_bifurcation_angle",
        "mean_partition_asymmetry",
    )),
    "shape": (1, (
        "sholl_peak_intersections", "sholl_peak_radius", "sholl_peak_fraction",
        "sholl_centroid_fraction", "sholl_spread_fraction", "sholl_entropy",
        "length_fraction_within_25", "length_fraction_within_50",
        "length_fraction_within_75", "tip_path_distance_cv",
        "tip_path_distance_median_max", "tip_tortuosity",
    )),
    "frame": (2, ("width", "height", "depth", "width_95", "height_95", "depth_95",
                  "length_fraction_above_soma", "length_fraction_below_soma")),
}

#: The groups of frame-dependent features: FeaturePlan passes them the frame
#: (``extra=frame_extra(matrix, offset)``; none: the coordinates as they are).
FRAMED = frozenset({"frame"})

#: Helpers of ngep.morphometrics._frame (not features): name -> (index in
#: _kernel.c's GROUPS, number of outputs); see _kernel_frame.c.
HELPERS = {"frame_moments": (3, 14), "frame_spread": (4, None), "units": (5, 3)}

#: Whether FeaturePlan uses the C groups (the extension is built and
#: ``NGEP_NO_CKERNEL`` is not set); tests switch it off to compare.
ENABLED = _ckernel is not None and not os.environ.get("NGEP_NO_CKERNEL")

_NO_EXTRA = np.zeros(0)


def _sum3_order():
    """The order in which this numpy's ``einsum("ij,ij->i")`` adds a row of 3.

    numpy's SIMD loop adds the three products ``x, y, z`` of a row in an
    order that depends on the vector width it dispatched to on this CPU:
    0 for ``(x + y) + z``, 1 for ``(x + z) + y``, 2 for ``fma(z) + y`` (see
    ``dot3`` in _kernel.h); None for another order, where the groups
    that need it are left to the catalogue functions.
    """
    d = np.sin(np.arange(1.0, 193.0)).reshape(64, 3)  # rows where they differ
    got = np.einsum("ij,ij->i", d, d)
    x, y, z = d.T * d.T
    if np.array_equal(got, (x + y) + z):
        return 0
    if np.array_equal(got, (x + z) + y):
        return 1
    from fractions import Fraction  # exact fused multiply-add, rarely needed

    fused = np.array([float(Fraction(c) * Fraction(c) + Fraction(a))
                      for a, c in zip(x.tolist(), d[:, 2].tolist())])
    if np.array_equal(got, fused + y):
        return 2
    return None


#: How np.einsum adds a row of 3 products here (:func:`_sum3_order`).
SUM3_ORDER = _sum3_order()

#: The parameters ``run`` passes a group by default: the groups that repeat
#: numpy's einsum take its order.
_EXTRA = {group: np.array([SUM3_ORDER or 0], dtype=np.float64)
          for group in ("tree", "shape")}
if SUM3_ORDER is None:  # pragma: no cover - no known numpy build does this
    for group in _EXTRA:
        GROUPS.pop(group, None)


def _inputs(m):
    """The node arrays in the layout ``_ckernel.run`` takes (cached)."""

    def compute():
        parent = checked_parent(m)
        return (
            np.ascontiguousarray(m.xyz, dtype=np.float64),
            np.ascontiguousarray(m.radius, dtype=np.float64),
            np.ascontiguousarray(m.types, dtype=np.int64),
            parent,
            np.ascontiguousarray(m.is_soma),
            np.array(root_point(m), dtype=np.float64),
            np.array(soma_centroid(m), dtype=np.float64),
        )

    return cached(m, "kernel_inputs", compute)


def run(group, m, mask, extra=None):
    """Compute one group's features for the nodes in ``mask``.

    Parameters
    ----------
    group : str
        A key of :data:`GROUPS`.
    m : Morphology
    mask : ndarray of bool, shape (n_nodes,)
        The compartment's neurite nodes (:func:`~ngep.morphometrics._core.node_mask`).
    extra : ndarray of float64, default=None
        The group's parameters, if it takes any (None: its defaults).

    Returns
    -------
    ndarray of float64
        The values of ``GROUPS[group][1]``, in that order.
    """
    index, names = GROUPS[group]
    return _call(index, len(names), m, mask,
                 _EXTRA.get(group, _NO_EXTRA) if extra is None else extra)


def helper(name, m, mask, extra=None, n_out=None):
    """Run one of :data:`HELPERS` (``n_out``: its number of outputs if variable)."""
    index, size = HELPERS[name]
    return _call(index, size if n_out is None else n_out, m, mask, extra)


def frame_extra(matrix, offset):
    """The ``extra`` of group ``"frame"``: the frame's matrix rows, then its offset."""
    return np.concatenate([np.ravel(matrix), offset]).astype(np.float64, copy=False)


def _call(index, n_out, m, mask, extra):
    out = np.empty(n_out)
    xyz, radius, types, parent, is_soma, root, centroid = _inputs(m)
    _ckernel.run(index, xyz, radius, types, parent, np.ascontiguousarray(mask),
                 is_soma, root, centroid,
                 _NO_EXTRA if extra is None else extra, out)
    return out
