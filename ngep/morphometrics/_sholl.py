# SPDX-License-Identifier: BSD-3-Clause
"""Sholl analysis summary: the peak of the intersection profile.

Spheres of radius ``10, 20, 30, ... µm`` are centred on the soma centre (the
first soma point). A segment crosses the sphere of radius ``R`` when one end is
closer than ``R`` and the other is not (NeuroM ``sholl_crossings``; a neurite
that bends back crosses again). Soma-to-stem segments do not count. Neurites
that reach 1e8 µm (100 m) from the soma raise
:class:`~ngep.exceptions.InvalidInputError`: such coordinates are not
micrometres, and their profile would need 10 million spheres or more.
"""

import numpy as np

from ngep.exceptions import InvalidInputError
from ngep.morphometrics._core import cached, radial_distance, segment_mask

__all__ = ["SHOLL_STEP", "sholl_peak_intersections", "sholl_peak_radius"]

#: Spacing of the Sholl spheres (µm).
SHOLL_STEP = 10.0

#: Most spheres a profile may have: neurites that reach 1e8 µm (100 m) are not
#: in micrometres, and their profile would not fit in memory.
MAX_SHOLL_SPHERES = 10**7

#: The error for such neurites.
TOO_FAR = (
    "the neurites reach 1e8 µm (100 m) or more from the soma, too far for a "
    "Sholl profile in 10 µm steps: these coordinates are not in micrometres "
    "(check the units of the file)"
)


def _profile(m, compartment):
    def compute():
        child = np.flatnonzero(segment_mask(m, compartment))
        d = radial_distance(m)
        da, db = d[m.parent[child]], d[child]
        lo, hi = np.minimum(da, db), np.maximum(da, db)
        # Sphere k (radius k*step, k >= 1) is crossed iff lo < k*step <= hi.
        shells = np.floor(hi / SHOLL_STEP)
        if shells.size and not shells.max() < MAX_SHOLL_SPHERES:
            if np.isnan(shells).any():  # only where xyz was reassigned
                raise InvalidInputError(
                    "this Morphology has coordinates that are not finite: build "
                    "a new Morphology rather than reassigning its attributes.")
            raise InvalidInputError(TOO_FAR)
        k_first = np.floor(lo / SHOLL_STEP).astype(np.int64) + 1
        k_last = shells.astype(np.int64)
        keep = k_last >= k_first
        if not keep.any():
            return np.zeros(0)
        size = int(k_last[keep].max()) + 2
        diff = (np.bincount(k_first[keep], minlength=size)
                - np.bincount(k_last[keep] + 1, minlength=size))
        return np.cumsum(diff)[1:-1].astype(np.float64)  # radii 1..K steps

    return cached(m, ("sholl", compartment), compute)


def sholl_peak_intersections(m, compartment):
    """Largest number of Sholl intersections over radii of 10, 20, ... µm.

    0 when the compartment crosses no sphere.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 5, 0], [0, 25, 0], [0, -25, 0]],
    ...                [5, 1, 1, 1], [1, 3, 3, 3], [-1, 0, 1, 0])
    >>> sholl_peak_intersections(m, "dendrite"), sholl_peak_radius(m, "dendrite")
    (1.0, 10.0)
    """
    profile = _profile(m, compartment)
    return float(profile.max()) if profile.size else 0.0


def sholl_peak_radius(m, compartment):
    """Smallest Sholl radius (µm) with the peak number of intersections.

    NaN when the compartment crosses no sphere.
    """
    profile = _profile(m, compartment)
    if profile.size == 0 or profile.max() == 0:
        return float("nan")
    return float((np.argmax(profile) + 1) * SHOLL_STEP)
