# SPDX-License-Identifier: BSD-3-Clause
"""Drawing one neuron: a 2D projection with its soma and a scale bar."""

import math
import os

import numpy as np

from ngep._docstring import fill_doc
from ngep.exceptions import ConfigurationError, InvalidTypeError, MissingDependencyError

__all__ = ["COMPARTMENT_COLORS", "morphology", "nice_length"]

#: Colour of each SWC type code when ``color_by="compartment"``; other codes
#: (0, custom 5+) are grey.
COMPARTMENT_COLORS = {
    1: "black",  # soma
    2: "tab:blue",  # axon
    3: "tab:red",  # basal dendrite
    4: "tab:purple",  # apical dendrite
}
_OTHER_COLOR = "tab:gray"
_LABELS = {1: "soma", 2: "axon", 3: "basal dendrite", 4: "apical dendrite"}
_AXES = {"x": 0, "y": 1, "z": 2}
_COLOR_BY = ("compartment", "branch_order", "path_distance", None)


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependencyError(
            "drawing neurons needs matplotlib; install it with: "
            'pip install "ngep[plot]"'
        ) from exc
    return plt


def _as_morphology(m):
    from ngep.io import Morphology, read_morphology

    if isinstance(m, Morphology):
        return m
    if isinstance(m, (str, os.PathLike)):
        return read_morphology(m)
    raise InvalidTypeError(
        f"expected a Morphology or a path to a morphology file, got {type(m).__name__}"
    )


def _projection_axes(projection):
    if (
        not isinstance(projection, str)
        or len(projection) != 2
        or projection[0] == projection[1]
        or not set(projection) <= set(_AXES)
    ):
        raise ConfigurationError(
            f"projection must name two different axes among x, y, z, such as 'xy', "
            f"'xz' or 'zy'; got {projection!r}"
        )
    return _AXES[projection[0]], _AXES[projection[1]]


def nice_length(span):
    """A round scale-bar length (1, 2 or 5 times a power of ten) near ``span / 5``.

    Parameters
    ----------
    span : float
        The width of the drawing, in µm.

    Returns
    -------
    float

    Examples
    --------
    >>> nice_length(1000.0), nice_length(340.0), nice_length(12.0)
    (200.0, 50.0, 2.0)
    """
    target = float(span) / 5.0
    if not math.isfinite(target) or target <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(target))
    for step in (5.0, 2.0, 1.0):
        if step * power <= target:
            return step * power
    return power  # unreachable: step 1 always fits


def _soma_patch(m, i, j, color):
    """A polygon through a contour's points, else a circle of the soma radius."""
    from matplotlib.patches import Circle, Polygon

    from ngep.morphometrics import FEATURES
    from ngep.morphometrics._core import soma_centroid

    idx = np.flatnonzero(m.is_soma)
    if idx.size == 0:
        return None
    pts = m.xyz[idx][:, [i, j]]
    centre = soma_centroid(m)[[i, j]]
    if idx.size >= 4:  # a traced contour or column: draw the points themselves
        angle = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
        outline = pts[np.argsort(angle)]
        if np.ptp(outline[:, 0]) > 0 and np.ptp(outline[:, 1]) > 0:
            return Polygon(outline, closed=True, facecolor=color, edgecolor=color,
                           zorder=3, gid="soma")
    radius = FEATURES["soma_radius"].func(m, None)  # as the soma__radius feature
    if not math.isfinite(radius):
        radius = float(m.radius[idx].max())
    return Circle(centre, radius, facecolor=color,
                  edgecolor=color, zorder=3, gid="soma")


def _extent(m, i, j):
    """Lower-left and upper-right corners of the drawing, soma disc included."""
    xy = m.xyz[:, [i, j]]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if m.has_soma:  # the soma disc may reach beyond the points
        from ngep.morphometrics._core import soma_centroid

        r = float(np.nanmax(m.radius[m.is_soma]))
        centre = soma_centroid(m)[[i, j]]
        lo, hi = np.minimum(lo, centre - r), np.maximum(hi, centre + r)
    return lo, hi


def _segment_values(m, child, color_by, cmap):
    import matplotlib as mpl

    if color_by == "compartment":
        return [COMPARTMENT_COLORS.get(int(t), _OTHER_COLOR) for t in m.types[child]]
    values = (m.branch_order if color_by == "branch_order" else m.path_distance)[child]
    values = values.astype(np.float64)
    top = float(values.max()) if values.size else 0.0
    norm = mpl.colors.Normalize(vmin=0.0, vmax=top if top > 0 else 1.0)
    return mpl.colormaps[cmap](norm(values))


def _scale_bar(ax, lo, hi, length, color):
    """A horizontal bar with its length written under it, below the neuron."""
    span_x, span_y = hi - lo
    x1 = hi[0]
    x0 = x1 - length
    y = lo[1] - 0.06 * max(span_y, span_x, length)
    label = f"{length:g} µm"
    ax.plot([x0, x1], [y, y], color=color, lw=2, solid_capstyle="butt",
            gid="scale_bar")
    ax.annotate(label, xy=((x0 + x1) / 2, y), xytext=(0, -3),
                textcoords="offset points", ha="center", va="top", fontsize=8,
                color=color, gid="scale_bar_label")
    return y


@fill_doc
def morphology(
    m,
    ax=None,
    projection="xy",
    color_by="compartment",
    *,
    color="black",
    cmap="viridis",
    linewidth=0.8,
    soma=True,
    scale_bar=True,
    title=None,
    legend=False,
):
    """Draw a neuron as a 2D projection, its soma and a scale bar.

    Each segment (a node and its parent) is one line; segments from the soma
    to the first point of each neurite are drawn so the neurites meet the
    soma. The axes keep equal units on both directions and have no frame.

    Parameters
    ----------
    m : Morphology or str or os.PathLike
        The neuron, or a file :func:`ngep.io.read_morphology` reads.
    %(ax)s
    projection : str, default="xy"
        The two coordinates drawn as horizontal and vertical: ``"xy"`` (the
        top view of most reconstructions, y up the cortex), ``"xz"``, ``"zy"``...
    color_by : {"compartment", "branch_order", "path_distance"} or None, \
default="compartment"
        ``"compartment"`` colours each segment by its SWC type
        (:data:`COMPARTMENT_COLORS`: axon blue, basal dendrite red, apical
        dendrite purple, other types grey); the two others map the node's
        branch order or path distance from the soma through ``cmap``; None
        draws everything in ``color``.
    color : color, default="black"
        The colour of the soma, the scale bar, and of the neurites when
        ``color_by`` is None.
    cmap : str, default="viridis"
        Colormap for ``"branch_order"`` and ``"path_distance"``.
    linewidth : float, default=0.8
        Line width of the neurites, in points.
    soma : bool, default=True
        Draw the soma: a polygon through the points of a contour (four or more
        soma points), else a disc of the soma radius.
    scale_bar : bool, default=True
        Draw a bar of a round length (about a fifth of the drawing) below it.
    title : str, default=None
        Axes title.
    legend : bool, default=False
        Add a legend of the compartments drawn (with ``color_by="compartment"``).

    Returns
    -------
    matplotlib Axes
        The neurites are its first :class:`~matplotlib.collections.LineCollection`
        (``gid="neurites"``), the soma a patch with ``gid="soma"``, the scale bar a
        line with ``gid="scale_bar"``.

    See Also
    --------
    gallery : Many neurons side by side, at one scale.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 10, 0], [0, 60, 0], [40, 90, 0]],
    ...                [5, 1, 1, 1], [1, 3, 3, 3], [-1, 0, 1, 2])
    >>> ax = morphology(m, projection="xy")
    >>> lines = ax.collections[0]
    >>> len(lines.get_segments())  # soma-stem, and two dendrite segments
    3
    >>> [p.get_gid() for p in ax.patches]
    ['soma']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    plt = _pyplot()
    from matplotlib.collections import LineCollection

    i, j = _projection_axes(projection)
    if color_by not in _COLOR_BY:
        raise ConfigurationError(
            f"color_by must be one of {_COLOR_BY}, got {color_by!r}"
        )
    m = _as_morphology(m)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    child = np.flatnonzero((m.parent >= 0) & ~m.is_soma)
    xy = m.xyz[:, [i, j]]
    segments = np.stack([xy[m.parent[child]], xy[child]], axis=1)
    colors = color if color_by is None else _segment_values(m, child, color_by, cmap)
    lines = LineCollection(segments, colors=colors, linewidths=linewidth,
                           capstyle="round", gid="neurites", zorder=2)
    ax.add_collection(lines)
    if soma:
        patch = _soma_patch(m, i, j, color)
        if patch is not None:
            ax.add_patch(patch)
    lo, hi = _extent(m, i, j)
    bottom = lo[1]
    if scale_bar:
        bottom = _scale_bar(ax, lo, hi, nice_length(max(hi - lo)), color)
    pad = 0.04 * max(float(max(hi - lo)), 1.0)
    ax.set_xlim(lo[0] - pad, hi[0] + pad)
    ax.set_ylim(bottom - 3 * pad, hi[1] + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=9)
    if legend and color_by == "compartment":
        present = set(m.types[child].tolist())
        if soma and m.has_soma:
            present.add(1)
        ax.legend(handles=_legend_handles(present), fontsize=7, frameon=False,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _legend_handles(types):
    """One legend entry per SWC type code drawn, in code order."""
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color=COMPARTMENT_COLORS.get(t, _OTHER_COLOR),
               lw=3 if t == 1 else 1.5, label=_LABELS.get(t, f"type {t}"))
        for t in sorted(types)
    ]
