# SPDX-License-Identifier: BSD-3-Clause
"""Scale-free shape: where a neuron's length and crossings lie, not how big it is.

Every feature here is a ratio of lengths, a normalised distribution or a count
ratio, so it is unchanged when the neuron is scaled as a whole (another species'
size, a lab's calibration), rotated, or resampled along its segments (another
lab's node spacing), and it never reads a radius (another lab's diameter
convention). Distances are measured from the soma's centroid, the mean of the
soma points (so that a soma drawn as one point, as NeuroMorpho.Org's three
points or as a contour has the same centre; the older catalogue features use
the first soma point, NeuroM's centre for SWC files) and normalised by the
compartment's largest distance ``R`` from it.

Two profiles are measured *exactly* on the straight segments rather than at the
nodes, so that inserting or removing points along a segment changes nothing:

* the **scaled Sholl profile**: crossings of the spheres of radius
  ``k R / 20`` (``k = 1..20``). A straight segment's distance from the centre
  falls to its closest point ``m`` and rises again, so it crosses a sphere of
  radius ``r`` once on the way down if ``m < r <= d_parent`` and once on the way
  up if ``m < r <= d_child`` (for a segment moving away from the soma this is
  NeuroM's rule ``d_parent < r <= d_child``);
* the **length-by-distance profile**: the length of each segment inside the
  sphere of radius ``f R``, from the two roots of ``|a + t (b - a)| = f R``.

Undefined values (no segment, no tip, a profile with no crossing) are NaN.
"""

import numpy as np

from ngep.morphometrics._core import cached, node_mask, segment_mask, soma_centroid

__all__ = [
    "SHOLL_SHELLS",
    "length_fraction_within_25",
    "length_fraction_within_50",
    "length_fraction_within_75",
    "sholl_centroid_fraction",
    "sholl_entropy",
    "sholl_peak_fraction",
    "sholl_spread_fraction",
    "tip_path_distance_cv",
    "tip_path_distance_median_max",
    "tip_tortuosity",
]

#: Number of spheres of the scaled Sholl profile (radii R/20, 2R/20, ..., R).
SHOLL_SHELLS = 20


def _centroid_distance(m):
    """Distance of every node from the soma centroid (the root without a soma)."""

    def compute():
        c = soma_centroid(m)
        d = m.xyz - c
        return c, np.sqrt(np.einsum("ij,ij->i", d, d))

    return cached(m, "soma_centroid_distance", compute)


def _segments(m, compartment):
    """Parent and child coordinates (relative to the centroid) of the segments."""

    def compute():
        child = np.flatnonzero(segment_mask(m, compartment))
        c = _centroid_distance(m)[0]
        return m.xyz[m.parent[child]] - c, m.xyz[child] - c

    return cached(m, ("shape_segments", compartment), compute)


def _reach(m, compartment):
    """Largest distance of a compartment node from the soma centroid (0 if empty)."""
    mask = node_mask(m, compartment)
    return float(_centroid_distance(m)[1][mask].max()) if mask.any() else 0.0


def _directions(m, compartment):
    """``(ab, |ab|^2, a.ab)`` of the segments ``a -> b`` (cached, shared).

    What the closest-point distances of the Sholl profile and the
    length-within roots both need, computed once per compartment.
    """

    def compute():
        a, b = _segments(m, compartment)
        ab = b - a
        return ab, np.einsum("ij,ij->i", ab, ab), np.einsum("ij,ij->i", a, ab)

    return cached(m, ("shape_directions", compartment), compute)


def _closest(m, compartment, d_a, d_b):
    """Distance of each segment's closest point to the centre (the origin).

    ``d_a`` and ``d_b`` are the end points' distances as computed for the nodes;
    when the closest point is an end point (or the segment has no length), its
    distance is that very value, so that a node exactly on a sphere is on it for
    both rules of :func:`_scaled_profile`, and never more than either end.
    """
    a = _segments(m, compartment)[0]
    ab, ab2, a_ab = _directions(m, compartment)
    t = -a_ab / np.where(ab2 > 0, ab2, 1.0)
    inner = (ab2 > 0) & (t > 0) & (t < 1)
    p = a + np.where(inner, t, 0.0)[:, None] * ab
    between = np.where(inner, np.sqrt(np.einsum("ij,ij->i", p, p)), np.inf)
    return np.minimum(between, np.minimum(d_a, d_b))


def _spheres_within(x, reach):
    """How many of the spheres ``k R / K`` (``k = 1..K``) have radius ``<= x``.

    The largest ``k`` with ``k R <= K x``, decided on the two products, each
    rounded once, so a distance exactly on a sphere is on it: above all the
    farthest node (``x = R``) is always on sphere ``K``, which the quotient
    ``x K / R`` misses for about 5% of values of ``R`` (it rounds to just below
    ``K``). A distance a few ulps off a sphere may still land on either side,
    as for any measured distance.
    """
    scaled = x * SHOLL_SHELLS
    k = np.floor(scaled / reach)  # the quotient's rounding is off by at most one
    k = np.where((k + 1) * reach <= scaled, k + 1, k)
    k = np.where(k * reach > scaled, k - 1, k)
    return np.clip(k, 0, SHOLL_SHELLS).astype(np.int64)


def _scaled_profile(m, compartment):
    """Crossings of the spheres of radius ``k R / SHOLL_SHELLS``, ``k = 1..K``."""

    def compute():
        a, b = _segments(m, compartment)
        reach = _reach(m, compartment)
        if a.shape[0] == 0 or reach <= 0:
            return np.zeros(0)
        child = np.flatnonzero(segment_mask(m, compartment))
        d = _centroid_distance(m)[1]  # the distances ``reach`` was taken from
        d_parent, d_child = d[m.parent[child]], d[child]
        # sphere k is crossed on the way down iff low < k R / K <= d_parent,
        # and on the way up iff low < k R / K <= d_child
        k_first = (
            _spheres_within(_closest(m, compartment, d_parent, d_child), reach) + 1
        )
        counts = np.zeros(SHOLL_SHELLS + 2)
        for end in (d_parent, d_child):
            k_last = _spheres_within(end, reach)
            keep = k_last >= k_first
            counts += np.bincount(k_first[keep], minlength=SHOLL_SHELLS + 2)
            counts -= np.bincount(k_last[keep] + 1, minlength=SHOLL_SHELLS + 2)
        return np.cumsum(counts)[1 : SHOLL_SHELLS + 1]

    return cached(m, ("scaled_sholl", compartment), compute)


def _profile_weights(m, compartment):
    profile = _scaled_profile(m, compartment)
    total = profile.sum() if profile.size else 0.0
    if total <= 0:
        return None
    return profile / total


_FRACTIONS = np.arange(1, SHOLL_SHELLS + 1) / SHOLL_SHELLS


def sholl_peak_fraction(m, compartment):
    """Radius of the scaled Sholl profile's peak, as a fraction of ``R``.

    The first of the spheres ``k R / 20`` with the most crossings, so in
    ``(0, 1]``: small for a neuron that branches near the soma (a basket cell's
    bushy dendrites), large for one that branches far out (an apical tuft).

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> # one dendrite from 2 to 40 µm up, one from 2 to 10 µm down: R = 40,
    >>> # spheres every 2 µm; two crossings from 4 to 10 µm, one beyond
    >>> m = Morphology(
    ...     [[0, 0, 0], [0, 2, 0], [0, 10, 0], [0, 40, 0], [0, -2, 0], [0, -10, 0]],
    ...     [5, 1, 1, 1, 1, 1], [1, 3, 3, 3, 3, 3], [-1, 0, 1, 2, 0, 4])
    >>> sholl_peak_fraction(m, "dendrite")  # 4 µm / 40 µm
    0.1
    """
    w = _profile_weights(m, compartment)
    if w is None:
        return float("nan")
    return float(_FRACTIONS[np.argmax(w)])


def sholl_centroid_fraction(m, compartment):
    """Crossing-weighted mean radius of the scaled Sholl profile, over ``R``.

    Where the crossings lie on average, in ``(0, 1]``.
    """
    w = _profile_weights(m, compartment)
    if w is None:
        return float("nan")
    return float(np.dot(w, _FRACTIONS))


def sholl_spread_fraction(m, compartment):
    """Crossing-weighted standard deviation of the Sholl radius, over ``R``.

    Narrow (near 0) when the crossings are concentrated at one distance, about
    0.29 for crossings spread evenly from the soma to ``R``.
    """
    w = _profile_weights(m, compartment)
    if w is None:
        return float("nan")
    mean = np.dot(w, _FRACTIONS)
    return float(np.sqrt(max(np.dot(w, (_FRACTIONS - mean) ** 2), 0.0)))


def sholl_entropy(m, compartment):
    """Normalised Shannon entropy of the scaled Sholl profile, in ``[0, 1]``.

    ``-sum p log p / log 20`` with ``p`` the share of crossings on each of the
    20 spheres: 1 for crossings spread evenly, 0 when they all lie on one.
    """
    w = _profile_weights(m, compartment)
    if w is None:
        return float("nan")
    nz = w[w > 0]
    return float(max(-np.sum(nz * np.log(nz)) / np.log(SHOLL_SHELLS), 0.0))


#: The fractions of ``R`` of the ``length_fraction_within_*`` features.
_WITHIN = (0.25, 0.5, 0.75)


def _lengths_within(m, compartment):
    """Share of the compartment's length inside the spheres of radius ``f R``.

    One pass for the three fractions of ``_WITHIN`` (a dict fraction -> share),
    cached: what does not depend on the fraction is computed once.
    """

    def compute():
        a = _segments(m, compartment)[0]
        reach = _reach(m, compartment)
        ab, ab2, half_b = _directions(m, compartment)
        if ab2.sum() <= 0 or reach <= 0:
            return dict.fromkeys(_WITHIN, float("nan"))
        aa, half_b2, seg = np.einsum("ij,ij->i", a, a), half_b**2, np.sqrt(ab2)
        total = np.sum(seg)
        pos = ab2 > 0
        safe = np.where(pos, ab2, 1.0)
        shares = {}
        for fraction in _WITHIN:
            radius = fraction * reach
            # |a + t ab|^2 <= radius^2
            #   <=>  ab2 t^2 + 2 (a.ab) t + (|a|^2 - radius^2) <= 0
            disc = half_b2 - ab2 * (aa - radius**2)
            ok = pos & (disc > 0)
            root = np.sqrt(np.where(ok, disc, 0.0))
            t0 = np.clip((-half_b - root) / safe, 0.0, 1.0)
            t1 = np.clip((-half_b + root) / safe, 0.0, 1.0)
            inside = np.where(ok, t1 - t0, 0.0)
            shares[fraction] = float(np.sum(inside * seg) / total)
        return shares

    return cached(m, ("length_within", compartment), compute)


def _length_within(m, compartment, fraction):
    """Share of the compartment's length inside the sphere of radius ``f R``."""
    return _lengths_within(m, compartment)[fraction]


def length_fraction_within_25(m, compartment):
    """Share of the compartment's length within ``0.25 R`` of the soma centroid.

    Measured exactly on the straight segments (a segment that leaves the sphere
    counts with its inside part), so resampling changes nothing.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 2, 0], [0, 42, 0]], [5, 1, 1], [1, 3, 3],
    ...                [-1, 0, 1])
    >>> length_fraction_within_25(m, "dendrite")  # (10.5 - 2) / 40
    0.2125
    """
    return _length_within(m, compartment, 0.25)


def length_fraction_within_50(m, compartment):
    """Share of the compartment's length within ``0.5 R`` of the soma centroid."""
    return _length_within(m, compartment, 0.5)


def length_fraction_within_75(m, compartment):
    """Share of the compartment's length within ``0.75 R`` of the soma centroid."""
    return _length_within(m, compartment, 0.75)


def _tip_path(m, compartment):
    mask = m.is_tip & node_mask(m, compartment)
    return m.path_distance[mask]


def tip_path_distance_cv(m, compartment):
    """Coefficient of variation (SD / mean) of the tips' path distances.

    Low when every branch ends at about the same distance along the tree (a
    symmetric bush), high when short and long branches mix. NaN without tips or
    when the mean is 0.
    """
    d = _tip_path(m, compartment)
    if d.size == 0 or d.mean() <= 0:
        return float("nan")
    return float(d.std() / d.mean())


def tip_path_distance_median_max(m, compartment):
    """Median over largest path distance of the tips, in ``[0, 1]``.

    Near 1 when most tips reach as far as the longest branch, low when one long
    branch (an apical dendrite, a main axon) outreaches the rest.
    """
    d = _tip_path(m, compartment)
    if d.size == 0 or d.max() <= 0:
        return float("nan")
    return float(np.median(d) / d.max())


def tip_tortuosity(m, compartment):
    """Mean tip path distance over mean tip radial distance (about 1 or more).

    How much longer the way along the tree to a tip is than the straight line
    from the soma centroid: 1 for straight radial branches, larger for winding or
    recurrent ones. Path distances start at the first stem point and radial
    distances at the soma centroid, so straight branches of a large soma give a
    little less than 1.
    """
    mask = m.is_tip & node_mask(m, compartment)
    if not mask.any():
        return float("nan")
    radial = _centroid_distance(m)[1][mask].mean()
    if radial <= 0:
        return float("nan")
    return float(m.path_distance[mask].mean() / radial)
