# SPDX-License-Identifier: BSD-3-Clause
"""Size of a compartment: length, surface area, volume and calibre.

Segments are the edges from each neurite node to its parent; the segment from
the soma to the first point of a stem is not counted (NeuroM, MorphIO, TMD).
A segment belongs to the compartment of its child node. An empty compartment
gives 0 for sums and NaN for means.
"""

import numpy as np

from ngep.morphometrics._core import node_mask, segment_mask

__all__ = ["mean_diameter", "total_length", "total_surface_area", "total_volume"]


def _frustums(m, compartment):
    mask = segment_mask(m, compartment)
    child = np.flatnonzero(mask)
    r0 = m.radius[m.parent[child]]
    r1 = m.radius[child]
    return r0, r1, m.segment_length[child]


def total_length(m, compartment):
    """Sum of the lengths of the compartment's segments (NeuroM ``total_length``).

    Parameters
    ----------
    m : Morphology
    compartment : {"all", "dendrite", "basal", "apical", "axon"}

    Returns
    -------
    float
        Length in SWC units (µm); 0 for an empty compartment.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 10, 0], [0, 20, 0]], [5, 1, 1], [1, 3, 3],
    ...                [-1, 0, 1])
    >>> total_length(m, "dendrite")  # the soma-to-stem segment does not count
    10.0
    """
    return float(m.segment_length[segment_mask(m, compartment)].sum())


def total_surface_area(m, compartment):
    """Lateral surface of the segments as conical frustums (NeuroM ``total_area``).

    Each segment of length ``h`` between radii ``r0`` and ``r1`` contributes
    ``pi (r0 + r1) sqrt((r0 - r1)**2 + h**2)``; end caps are not counted.
    Returns 0 for an empty compartment (µm²).
    """
    r0, r1, h = _frustums(m, compartment)
    return float(np.sum(np.pi * (r0 + r1) * np.sqrt((r0 - r1) ** 2 + h**2)))


def total_volume(m, compartment):
    """Volume of the segments as conical frustums (NeuroM ``total_volume``).

    Each segment contributes ``pi h (r0**2 + r0 r1 + r1**2) / 3``. Returns 0 for
    an empty compartment (µm³).
    """
    r0, r1, h = _frustums(m, compartment)
    return float(np.sum(np.pi * h * (r0 * r0 + r0 * r1 + r1 * r1) / 3.0))


def mean_diameter(m, compartment):
    """Mean node diameter ``2 r`` over the compartment's nodes (L-Measure ``Diameter``).

    Every node counts once (not length-weighted). NaN for an empty compartment (µm).
    """
    mask = node_mask(m, compartment)
    if not mask.any():
        return float("nan")
    return float(2.0 * m.radius[mask].mean())
