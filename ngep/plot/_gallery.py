# SPDX-License-Identifier: BSD-3-Clause
"""Small multiples: many neurons side by side, at one scale."""

import math

import numpy as np

from ngep.plot._morphology import (
    _as_morphology,
    _extent,
    _legend_handles,
    _projection_axes,
    _pyplot,
    morphology,
    nice_length,
)

__all__ = ["gallery"]


def gallery(
    morphologies,
    titles=None,
    *,
    ncols=None,
    projection="xy",
    color_by="compartment",
    same_scale=True,
    panel_size=2.6,
    linewidth=0.6,
    suptitle=None,
):
    """Draw many neurons in a grid of small panels, each with a title.

    With ``same_scale=True`` (the default) every panel shows the same number of
    µm per inch, so that sizes can be compared at a glance (a large pyramidal
    cell looks larger than a small interneuron); one scale bar, in the first
    panel, serves them all.

    Parameters
    ----------
    morphologies : sequence of Morphology or path
        The neurons, or files :func:`ngep.io.read_morphology` reads.
    titles : sequence of str, default=None
        One title per panel, e.g. ``"P(Pvalb+) = 0.97"``; the neurons' names
        when None.
    ncols : int, default=None
        Panels per row; ``ceil(sqrt(n))`` when None.
    projection : str, default="xy"
        As in :func:`morphology`.
    color_by : {"compartment", "branch_order", "path_distance"} or None, \
default="compartment"
        As in :func:`morphology`.
    same_scale : bool, default=True
        One scale for all panels; otherwise each neuron fills its panel and
        has its own scale bar.
    panel_size : float, default=2.6
        Width and height of each panel, in inches.
    linewidth : float, default=0.6
        Line width of the neurites, in points.
    suptitle : str, default=None
        A title over the whole figure.

    Returns
    -------
    matplotlib Figure
        One axes per neuron in reading order (``fig.axes[:n]``); spare cells
        of the grid are removed. With ``color_by="compartment"`` a legend of
        the compartments drawn sits under the panels.

    See Also
    --------
    morphology : One neuron, with every drawing option.

    Examples
    --------
    >>> from ngep.datasets import make_neurons
    >>> cells = make_neurons(3, random_state=0).morphologies
    >>> fig = gallery(cells, titles=["a", "b", "c"], ncols=3)
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b', 'c']
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    plt = _pyplot()
    i, j = _projection_axes(projection)
    cells = [_as_morphology(m) for m in morphologies]
    n = len(cells)
    if n == 0:
        raise ValueError("gallery needs at least one morphology")
    if titles is None:
        titles = [m.name or f"#{k}" for k, m in enumerate(cells)]
    titles = [str(t) for t in titles]
    if len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} morphologies")
    if ncols is None:
        ncols = math.ceil(math.sqrt(n))
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows + 0.3),
        squeeze=False,
    )
    axes = axes.ravel()
    boxes = [_extent(m, i, j) for m in cells]
    span = max(float(np.max(hi - lo)) for lo, hi in boxes)
    span = span if span > 0 else 1.0
    for k, (m, title) in enumerate(zip(cells, titles)):
        ax = axes[k]
        morphology(
            m, ax=ax, projection=projection, color_by=color_by, title=title,
            linewidth=linewidth, scale_bar=not same_scale,
        )
        if same_scale:
            lo, hi = boxes[k]
            centre = (lo + hi) / 2
            half = 0.54 * span
            ax.set_xlim(centre[0] - half, centre[0] + half)
            ax.set_ylim(centre[1] - half, centre[1] + half)
    for ax in axes[n:]:
        ax.remove()
    if same_scale:
        _shared_scale_bar(axes[0], nice_length(span))
    if suptitle is not None:
        fig.suptitle(suptitle, fontsize=11)
    bottom = 0.0
    if color_by == "compartment":
        present = set()
        for m in cells:
            present.update(m.types[(m.parent >= 0) & ~m.is_soma].tolist())
            if m.has_soma:
                present.add(1)
        handles = _legend_handles(present)
        fig.legend(handles=handles, loc="lower center", ncol=len(handles),
                   fontsize=8, frameon=False)
        bottom = 0.35 / fig.get_figheight()
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def _shared_scale_bar(ax, length):
    """A bar in the lower right corner of the first panel, for every panel."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    right = x1 - 0.03 * (x1 - x0)
    y = y0 + 0.05 * (y1 - y0)
    ax.plot([right - length, right], [y, y], color="black", lw=2,
            solid_capstyle="butt", gid="scale_bar")
    ax.annotate(f"{length:g} µm", xy=(right - length / 2, y), xytext=(0, 2),
                textcoords="offset points", ha="center", va="bottom", fontsize=7,
                gid="scale_bar_label")
