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

from ngep.morphometrics._core import cached, root_point, soma_centroid

try:  # pragma: no cover - depends on the build
    from ngep.morphometrics import _ckernel
except ImportError:  # pragma: no cover
    _ckernel = None

__all__ = ["ENABLED", "GROUPS", "run"]

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
}

#: Whether FeaturePlan uses the C groups (the extension is built and
#: ``NGEP_NO_CKERNEL`` is not set); tests switch it off to compare.
ENABLED = _ckernel is not None and not os.environ.get("NGEP_NO_CKERNEL")

_NO_EXTRA = np.zeros(0)


def _inputs(m):
    """The node arrays in the layout ``_ckernel.run`` takes (cached)."""

    def compute():
        return (
            np.ascontiguousarray(m.xyz, dtype=np.float64),
            np.ascontiguousarray(m.radius, dtype=np.float64),
            np.ascontiguousarray(m.types, dtype=np.int64),
            np.ascontiguousarray(m.parent, dtype=np.int64),
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
        The group's parameters, if it takes any.

    Returns
    -------
    ndarray of float64
        The values of ``GROUPS[group][1]``, in that order.
    """
    index, names = GROUPS[group]
    out = np.empty(len(names))
    xyz, radius, types, parent, is_soma, root, centroid = _inputs(m)
    _ckernel.run(index, xyz, radius, types, parent, np.ascontiguousarray(mask),
                 is_soma, root, centroid,
                 _NO_EXTRA if extra is None else extra, out)
    return out
