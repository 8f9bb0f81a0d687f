# SPDX-License-Identifier: BSD-3-Clause
"""Soma size, defined per soma representation as NeuroM does for SWC files.

* single point: the point's radius;
* three points in the NeuroMorpho.org layout (the centre, and two children
  with the same x, z and radius ``r`` at ``y -+ r``; MorphIO checks the same):
  a cylinder of radius ``r`` and height ``h = 2 r`` with lateral area
  ``2 pi r h``; the radius is that of the sphere of equal area, i.e. ``r``;
* any other soma (a chain, or three points in another layout): the lateral
  areas of the conical frustums along the soma's parent-child edges are summed
  and the radius is again that of the sphere of equal area. NeuroM sums
  frustums between points consecutive *in the file*, which differs when the
  file lists soma points out of tree order or as a star. For a contour traced
  with thin points this gives a small radius (NeuroM does the same; MorphIO and
  TMD differ, see the user guide). A contour whose points all have radius 0
  (no frustum area at all) takes the mean distance of its points from their
  centroid as its radius, as MorphIO does for contours, instead of NaN.

No soma, or a radius of 0, gives NaN (a soma of size 0 is a missing value, not
a measurement).
"""

import numpy as np

from ngep.morphometrics._core import cached

__all__ = ["soma_radius", "soma_surface_area"]


def _soma_area(m):
    def compute():
        idx = np.flatnonzero(m.is_soma)
        if idx.size == 0:
            return float("nan")
        if idx.size == 1:
            return 4.0 * np.pi * float(m.radius[idx[0]]) ** 2
        root = idx[0]
        children = idx[m.parent[idx] == root]
        if idx.size == 3 and children.size == 2 and _neuromorpho(m, root, children):
            h = np.linalg.norm(m.xyz[children[0]] - m.xyz[children[1]])
            return float(2.0 * np.pi * m.radius[root] * h)
        child = idx[1:]  # every other soma node has a soma parent: sum its edges
        r0, r1 = m.radius[m.parent[child]], m.radius[child]
        h = m.segment_length[child]
        area = float(np.sum(np.pi * (r0 + r1) * np.sqrt((r0 - r1) ** 2 + h**2)))
        if area == 0.0 and idx.size >= 3:
            # A contour of zero-radius points has no frustum area: use the mean
            # distance of the points from their centroid (MorphIO's contour radius).
            xyz = m.xyz[idx]
            r = float(np.mean(np.linalg.norm(xyz - xyz.mean(axis=0), axis=1)))
            return 4.0 * np.pi * r**2
        return area

    return cached(m, "soma_area", compute)


def _neuromorpho(m, root, children):
    """Whether a 3-point soma follows NeuroMorpho.org's layout (as MorphIO checks).

    The side points share the centre's x, z and radius and sit at ``y -+ r``.
    """
    c, r = m.xyz[root], m.radius[root]
    p = m.xyz[children]
    tol = dict(rtol=1e-4, atol=1e-4 * max(r, 1.0))
    return bool(
        np.allclose(p[:, [0, 2]], c[[0, 2]], **tol)
        and np.allclose(m.radius[children], r, **tol)
        and np.allclose(np.sort(p[:, 1]), [c[1] - r, c[1] + r], **tol)
    )


def soma_radius(m, compartment=None):
    """Soma radius, per soma type as NeuroM ``soma_radius`` (µm).

    Parameters
    ----------
    m : Morphology
    compartment : ignored
        Soma features take the same arguments as the others.

    Returns
    -------
    float
        NaN without a soma or for a soma of radius 0.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, -3, 0], [0, 3, 0], [0, 10, 0]],
    ...                [3, 3, 3, 1], [1, 1, 1, 3], [-1, 0, 0, 0])
    >>> soma_radius(m)  # NeuroMorpho three-point soma of radius 3
    3.0
    """
    area = _soma_area(m)
    return float(np.sqrt(area / (4.0 * np.pi))) if area > 0 else float("nan")


def soma_surface_area(m, compartment=None):
    """Soma surface area, per soma type as NeuroM ``soma_surface_area`` (µm²).

    A sphere for a single point, the lateral surface of the cylinder(s)
    otherwise (see the module notes). NaN without a soma or for area 0.
    """
    area = _soma_area(m)
    return area if area > 0 else float("nan")
