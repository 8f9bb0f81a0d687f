# SPDX-License-Identifier: BSD-3-Clause
"""Reference frames for frame-dependent features, and a check of length units.

Most morphometrics (lengths, distances, counts) do not depend on how a neuron
is oriented in the file. A few (extents along axes, depth-like features) do;
they are computed after rotating the neuron into a documented frame, so that
two labs that image the same cell in different orientations get the same
numbers.

Frames
------
Every frame except ``"native"`` puts the origin at the soma centroid (mean of
the soma nodes; the root node when there is no soma: ``_core.soma_centroid``)
and names its axes so that **y is the main axis**:

``"principal"``
    Principal axes of the neurites. The covariance is that of points spread
    uniformly along the neurite segments of the compartment (each segment
    weighted by its length, computed exactly), so inserting or removing
    collinear points does not move the axes. y is the axis of largest variance,
    x the second, z the third. The sign of x and y is chosen so that the
    projected points have positive skewness (the longer tail, e.g. an apical
    dendrite, points to +); z completes a right-handed frame (``z = x × y``).
    Without neurite segments in the compartment, all neurite segments are used;
    without any, the frame is only translated.
``"pia:<axis>"``, e.g. ``"pia:y"`` or ``"pia:-z"``; or a 3-vector
    The given direction (in file coordinates) points to the pia and becomes +y.
    x is the direction of largest variance perpendicular to it (sign by
    skewness as above) and ``z = x × y``.
``"native"``
    File coordinates, unchanged.

Units
-----
:func:`unit_problem` flags neurons that look like they were written in
millimetres instead of micrometres (see its docstring for the thresholds).
"""

import re

import numpy as np

from ngep.exceptions import ConfigurationError, UnknownNameError
from ngep.io import Morphology
from ngep.morphometrics import _kernel
from ngep.morphometrics._core import (
    node_mask,
    segment_mask,
    share_topology,
    soma_centroid,
    xyz_rows,
)

__all__ = ["FRAMES", "frame_transform", "parse_frame", "to_frame", "unit_problem"]

#: The named frames; ``"pia:<axis>"`` and 3-vectors are accepted too.
FRAMES = ("native", "principal")

_AXES = {"x": 0, "y": 1, "z": 2}
_PIA = re.compile(r"^pia:([+-]?)([xyz])$")
_EPS = 1e-12

#: Unit-check thresholds (SWC units): see :func:`unit_problem`.
MAX_EXTENT_MM = 5.0
MAX_LENGTH_MM = 50.0
MAX_SOMA_RADIUS_MM = 0.5


def parse_frame(spec):
    """Validate one frame specification and return its canonical form.

    Parameters
    ----------
    spec : str or array-like of shape (3,)
        ``"principal"``, ``"native"``, ``"pia:<axis>"`` (axis ``x``, ``y``, ``z``,
        optionally signed) or a 3-vector pointing to the pia in file coordinates.

    Returns
    -------
    str or tuple of float
        ``"principal"``, ``"native"`` or the unit pia direction as a tuple.

    Raises
    ------
    ValueError
        The specification is not one of the above, or the vector is zero.

    Examples
    --------
    >>> parse_frame("pia:-y")
    (0.0, -1.0, 0.0)
    >>> parse_frame([0, 0, 2])
    (0.0, 0.0, 1.0)
    >>> parse_frame("principal")
    'principal'
    """
    if isinstance(spec, str):
        if spec in FRAMES:
            return spec
        match = _PIA.match(spec.strip().lower())
        if match is None:
            raise UnknownNameError(
                f"Unknown frame {spec!r}; use 'principal', 'native', 'pia:<axis>' "
                "(e.g. 'pia:y', 'pia:-z') or a 3-vector pointing to the pia."
            )
        vec = np.zeros(3)
        vec[_AXES[match.group(2)]] = -1.0 if match.group(1) == "-" else 1.0
        return tuple(float(v) for v in vec)
    try:
        vec = np.asarray(spec, dtype=np.float64)
    except (TypeError, ValueError):
        vec = None
    if vec is None or vec.shape != (3,) or not np.all(np.isfinite(vec)):
        raise ConfigurationError(
            f"A frame must be a string or a finite 3-vector pointing to the pia, "
            f"got {spec!r}."
        )
    norm = np.linalg.norm(vec)
    if norm < _EPS:
        raise ConfigurationError("The pia direction must be a non-zero 3-vector.")
    return tuple(float(v) for v in vec / norm)


def _segments(morphology, compartment):
    """End points and lengths of the neurite segments of a compartment.

    Returns ``(ends, w)``: ``ends`` is (6, n), the segments' parent ends ``a``
    (rows 0-2) over their child ends ``b`` (rows 3-5), one contiguous row per
    coordinate (numpy's element-wise operations run several times faster than
    on (n, 3) rows); ``w`` their lengths.
    """
    positive = morphology.segment_length > 0
    seg = None
    if compartment is not None:
        seg = segment_mask(morphology, compartment) & positive
        if not seg.any():
            seg = None
    if seg is None:
        seg = morphology.neurite_segment & positive
    child = np.flatnonzero(seg)
    xyz = xyz_rows(morphology)
    ends = np.empty((6, child.size))
    # np.take: ~10x faster than xyz[:, index], which gives (n, 3)-ordered memory
    np.take(xyz, morphology.parent[child], axis=1, out=ends[:3])
    np.take(xyz, child, axis=1, out=ends[3:])
    return ends, morphology.segment_length[child]


def _moments(ends, w):
    """Mean and covariance of points uniform along the segments (exact).

    A point uniform on the segment from ``a`` to ``b`` has second moment
    ``(a a' + b b') / 3 + (a b' + b a') / 6``; with ``ends`` (6, n) stacking
    ``a`` over ``b``, the four products are blocks of one (6, 6) Gram matrix.
    ``ends`` is centred on the mean in place.
    """
    total = w.sum()
    mean = ((ends[:3] + ends[3:]) @ w) / (2.0 * total)
    ends -= np.concatenate([mean, mean])[:, None]
    gram = (ends * w) @ ends.T
    cross = gram[:3, 3:]
    second = (gram[:3, :3] + gram[3:, 3:]) / 3.0 + (cross + cross.T) / 6.0
    second = (second + second.T) / 2.0  # symmetric to the last bit
    return mean, second / total


def _spread(axes, ends, w):
    """Sums of the second and third moments of the segment points along ``axes``.

    ``ends`` are centred (see :func:`_moments`). Returns ``(var, third,
    total)``: per axis, ``sum w (t^2 + t s + s^2) / 3`` and
    ``sum w (t^3 + t^2 s + t s^2 + s^3) / 4`` (``t``, ``s``: the segment's ends
    projected on the axis), and the total length ``sum w``.
    """
    t = axes @ ends[:3]
    s = axes @ ends[3:]
    # products, not np.power (a pow() call per element); in place where possible
    both = t + s
    tt = t * t
    ss = s * s
    ts = np.multiply(t, s, out=t)
    tt += ss
    ts += tt
    var = (ts @ w) / 3.0  # (t^2 + t s + s^2) / 3
    tt *= both
    third = (tt @ w) / 4.0  # (t^3 + t^2 s + t s^2 + s^3) / 4
    return var, third, w.sum()


class _Segments:
    """The segments that define a frame (:func:`_segments`), with numpy."""

    def __init__(self, morphology, compartment):
        self.ends, self.w = _segments(morphology, compartment)
        self.size = self.w.size

    def covariance(self):
        """:func:`_moments`' covariance (centres ``ends``: call it first)."""
        return _moments(self.ends, self.w)[1]

    def spread(self, axes):
        return _spread(axes, self.ends, self.w)


class _KernelSegments:
    """The same sums as :class:`_Segments`, in C (``_kernel_frame.c``).

    One pass over the nodes for the moments, one per :meth:`spread`, without
    gathering the segments' ends: frame_transform's time was mostly numpy's
    per-call overhead on these small arrays.
    """

    def __init__(self, morphology, compartment):
        self.morphology = morphology
        self.mask = node_mask(morphology,
                              "all" if compartment is None else compartment)
        out = _kernel.helper("frame_moments", morphology, self.mask)
        self.size = int(out[0])
        self.mean = out[2:5]
        self.cov = out[5:].reshape(3, 3)

    def covariance(self):
        return self.cov

    def spread(self, axes):
        k = len(axes)
        extra = np.concatenate([self.mean, axes.ravel()])
        out = _kernel.helper("frame_spread", self.morphology, self.mask, extra,
                             n_out=2 * k + 1)
        return out[:k], out[k:2 * k], out[2 * k]


def _oriented(axes, segs):
    """Flip each row of ``axes`` so the segment points have positive skewness.

    ``segs``: :class:`_Segments` or :class:`_KernelSegments`, after
    ``covariance()``.
    """
    axes = np.atleast_2d(axes)
    var, third, total = segs.spread(axes)
    var, third, total = var.tolist(), third.tolist(), float(total)  # same values
    out = axes.copy()
    for i, axis in enumerate(axes):
        skew = (third[i] / total) / max(var[i] / total, _EPS) ** 1.5
        if abs(skew) < 1e-8:
            # symmetric along this axis: fall back to its largest component being +
            flip = axis[np.argmax(np.abs(axis))] < 0
        else:
            flip = skew < 0
        if flip:
            out[i] = -axis
    return out


def frame_transform(morphology, frame="principal", compartment="dendrite"):
    """Rotation and offset that map file coordinates into a frame.

    Parameters
    ----------
    morphology : Morphology
    frame : str or array-like of shape (3,), default="principal"
        See :func:`parse_frame` and the module documentation.
    compartment : str or None, default="dendrite"
        Whose segments define the principal axes (falls back to all neurites).

    Returns
    -------
    matrix : ndarray of shape (3, 3)
        Orthonormal; rows are the frame's x, y, z axes in file coordinates.
    offset : ndarray of shape (3,)
        So that ``xyz @ matrix.T + offset`` are frame coordinates (soma at 0).

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [10, 0, 0], [40, 0, 0], [10, 5, 0], [10, -5, 0]],
    ...                [5, 1, 1, 1, 1], [1, 3, 3, 3, 3], [-1, 0, 1, 1, 1])
    >>> matrix, offset = frame_transform(m, "principal")
    >>> np.round(matrix[1], 6)  # the long dendrite along file x becomes +y
    array([1., 0., 0.])
    >>> offset.tolist()  # the soma is the origin
    [-0.0, -0.0, -0.0]
    """
    spec = parse_frame(frame)
    if spec == "native":
        return np.eye(3), np.zeros(3)
    if _kernel.ENABLED:
        centre = _kernel._inputs(morphology)[6]  # soma_centroid, cached there
        segs = _KernelSegments(morphology, compartment)
    else:
        centre = soma_centroid(morphology)
        segs = _Segments(morphology, compartment)
    if spec == "principal":
        if segs.size == 0:
            matrix = np.eye(3)
        else:
            _, vecs = np.linalg.eigh(segs.covariance())  # ascending eigenvalues
            x, y = _oriented(vecs[:, [1, 2]].T, segs)
            matrix = np.array([x, y, _cross(x, y)])
    else:
        y = np.asarray(spec)
        x = _perpendicular_axis(y, segs)
        matrix = np.array([x, y, _cross(x, y)])
    return matrix, -(matrix @ centre)


def _cross(x, y):
    """``np.cross`` of two 3-vectors, without its general machinery (~10x faster)."""
    return np.array([x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2],
                     x[0] * y[1] - x[1] * y[0]])


def _perpendicular_axis(y, segs):
    """Largest-variance direction perpendicular to ``y`` (any, if undefined)."""
    helper = np.eye(3)[np.argmin(np.abs(y))]
    e1 = np.cross(y, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(y, e1)
    if segs.size == 0:
        return e1
    basis = np.vstack([e1, e2])  # (2, 3)
    cov = segs.covariance()
    _, vecs = np.linalg.eigh(basis @ cov @ basis.T)
    x = vecs[:, 1] @ basis
    x /= np.linalg.norm(x)
    return _oriented(x, segs)[0]


def to_frame(morphology, frame="principal", compartment="dendrite"):
    """A copy of ``morphology`` rotated and translated into a frame.

    Parameters
    ----------
    morphology, frame, compartment
        As for :func:`frame_transform`, which gives the rotation and offset.

    Returns
    -------
    Morphology

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[5, 5, 5], [5, 5, 15], [5, 5, 45]], [5, 1, 1],
    ...                [1, 3, 3], [-1, 0, 1])
    >>> to_frame(m, "pia:z").xyz.round(6).tolist()  # soma at 0, pia (+z) now +y
    [[0.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 40.0, 0.0]]
    """
    spec = parse_frame(frame)
    if spec == "native":
        return morphology
    return _framed(morphology, *frame_transform(morphology, spec, compartment))


def _framed(morphology, matrix, offset):
    """``morphology.transformed(matrix, offset)``, the way :func:`to_frame` does it.

    Without checking the tree again, and keeping what depends on the tree
    only (masks, children, orders).
    """
    xyz = (matrix @ xyz_rows(morphology) + offset[:, None]).T  # (n, 3), F order
    out = Morphology._from_checked(
        xyz, morphology.radius, morphology.types, morphology.parent,
        ids=morphology.ids, name=morphology.name, source=morphology.source,
        dropped_ids=morphology.dropped_ids,
    )
    share_topology(morphology, out)
    return out


def unit_problem(morphology):
    """Describe why a neuron looks like it is in millimetres, or return None.

    A neuron in micrometres spans tens to thousands of µm. It is flagged when

    - its bounding-box diagonal (all nodes) is below ``MAX_EXTENT_MM`` = 5, or
    - its total neurite length is below ``MAX_LENGTH_MM`` = 50 *and* its soma
      radius (largest radius of a soma node; of any node without soma) is
      positive and below ``MAX_SOMA_RADIUS_MM`` = 0.5.

    A real neuron written in mm (extent ~0.1–2, soma radius ~0.005) meets both.

    Parameters
    ----------
    morphology : Morphology

    Returns
    -------
    str or None
        A sentence naming the suspicious values, or None when all looks fine.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 0.3, 0]], [0.006, 0.001], [1, 3], [-1, 0])
    >>> print(unit_problem(m))
    looks like millimetres (extent 0.3, total neurite length 0, soma radius
    0.006); multiply coordinates and radii by 1000
    >>> unit_problem(m.transformed(scale=1000)) is None
    True
    """
    if _kernel.ENABLED:  # one pass in C, the same values (sums to the last bits)
        extent, length, radius = _kernel.helper(
            "units", morphology, morphology.is_soma).tolist()
    else:
        xyz = xyz_rows(morphology)  # (3, n): reductions along rows are ~10x faster
        extent = float(np.linalg.norm(xyz.max(axis=1) - xyz.min(axis=1)))
        length = float(
            np.sum(morphology.segment_length[morphology.neurite_segment])
        )
        soma = morphology.is_soma if morphology.has_soma else slice(None)
        radius = float(morphology.radius[soma].max())
    small = extent < MAX_EXTENT_MM or (
        length < MAX_LENGTH_MM and 0 < radius < MAX_SOMA_RADIUS_MM
    )
    if not small:
        return None
    return (
        f"looks like millimetres (extent {extent:.3g}, total neurite length "
        f"{length:.3g}, soma radius {radius:.3g}); multiply coordinates and radii "
        "by 1000"
    )

