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
from ngep.morphometrics._core import soma_centroid

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
    """End points (a, b) and lengths of the neurite segments of a compartment."""
    seg = morphology.neurite_segment & (morphology.segment_length > 0)
    if compartment is not None:
        in_comp = seg & morphology.compartment_mask(compartment)
        if in_comp.any():
            seg = in_comp
    child = np.flatnonzero(seg)
    a = morphology.xyz[morphology.parent[child]]
    b = morphology.xyz[child]
    return a, b, morphology.segment_length[child]


def _moments(a, b, w):
    """Mean and covariance of points uniform along the segments (exact)."""
    total = w.sum()
    mean = (w @ (a + b)) / (2.0 * total)
    a, b = a - mean, b - mean
    second = (
        np.einsum("n,ni,nj->ij", w, a, a) + np.einsum("n,ni,nj->ij", w, b, b)
    ) / 3.0 + (
        np.einsum("n,ni,nj->ij", w, a, b) + np.einsum("n,ni,nj->ij", w, b, a)
    ) / 6.0
    return mean, second / total


def _oriented(axis, a, b, w, mean):
    """Flip ``axis`` so the segment points have positive skewness along it."""
    t = (a - mean) @ axis
    s = (b - mean) @ axis
    tt, ts, ss = t * t, t * s, s * s  # products: np.power calls pow() per element
    var = w @ ((tt + ts + ss) / 3.0)
    third = w @ ((tt + ss) * (t + s) / 4.0)  # t^3 + t^2 s + t s^2 + s^3
    total = w.sum()
    skew = (third / total) / max(var / total, _EPS) ** 1.5
    if abs(skew) < 1e-8:
        # symmetric along this axis: fall back to its largest component being +
        return axis if axis[np.argmax(np.abs(axis))] > 0 else -axis
    return axis if skew > 0 else -axis


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
    centre = soma_centroid(morphology)
    a, b, w = _segments(morphology, compartment)
    if spec == "principal":
        if w.size == 0:
            matrix = np.eye(3)
        else:
            mean, cov = _moments(a, b, w)
            _, vecs = np.linalg.eigh(cov)  # ascending eigenvalues
            y = _oriented(vecs[:, 2], a, b, w, mean)
            x = _oriented(vecs[:, 1], a, b, w, mean)
            matrix = np.vstack([x, y, np.cross(x, y)])
    else:
        y = np.asarray(spec)
        x = _perpendicular_axis(y, a, b, w)
        matrix = np.vstack([x, y, np.cross(x, y)])
    return matrix, -(matrix @ centre)


def _perpendicular_axis(y, a, b, w):
    """Largest-variance direction perpendicular to ``y`` (any, if undefined)."""
    helper = np.eye(3)[np.argmin(np.abs(y))]
    e1 = np.cross(y, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(y, e1)
    if w.size == 0:
        return e1
    basis = np.vstack([e1, e2])  # (2, 3)
    mean, cov = _moments(a, b, w)
    _, vecs = np.linalg.eigh(basis @ cov @ basis.T)
    x = vecs[:, 1] @ basis
    x /= np.linalg.norm(x)
    return _oriented(x, a, b, w, mean)


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
    matrix, offset = frame_transform(morphology, spec, compartment)
    return morphology.transformed(matrix, offset)


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
    xyz = morphology.xyz
    extent = float(np.linalg.norm(xyz.max(axis=0) - xyz.min(axis=0)))
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

