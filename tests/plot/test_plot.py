# SPDX-License-Identifier: BSD-3-Clause
"""ngep.plot: drawn artists checked numerically (robust across matplotlib versions)."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ngep.exceptions import MissingDependencyError
from ngep.io import Morphology, write_swc
from ngep.plot import COMPARTMENT_COLORS, gallery, morphology, nice_length

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _cell():
    """Soma at the origin; a basal dendrite up, an apical one in z, an axon down.

    ::

        soma(1) -> basal 2 (0,10,0) -> 3 (0,60,0) -> 4 (40,90,0)
                                              -> 9 (-20,80,0)
                -> apical 5 (0,0,20) -> 6 (0,0,120)
                -> axon 7 (0,-10,0) -> 8 (-30,-200,5)
    """
    xyz = [[0, 0, 0], [0, 10, 0], [0, 60, 0], [40, 90, 0], [0, 0, 20], [0, 0, 120],
           [0, -10, 0], [-30, -200, 5], [-20, 80, 0]]
    return Morphology(xyz, [6] + [1] * 8, [1, 3, 3, 3, 4, 4, 2, 2, 3],
                      [-1, 0, 1, 2, 0, 4, 0, 6, 2], name="toy")


def _neurites(ax):
    (lines,) = [c for c in ax.collections if c.get_gid() == "neurites"]
    return lines


def _scale_bar(ax):
    (bar,) = [line for line in ax.lines if line.get_gid() == "scale_bar"]
    return bar


def test_segments_are_the_tree_projected():
    m = _cell()
    ax = morphology(m, projection="xy")
    segs = np.asarray(_neurites(ax).get_segments())
    assert segs.shape == (8, 2, 2)  # every non-root node to its parent
    child = np.flatnonzero(m.parent >= 0)
    assert_allclose(segs[:, 1], m.xyz[child][:, [0, 1]])
    assert_allclose(segs[:, 0], m.xyz[m.parent[child]][:, [0, 1]])


@pytest.mark.parametrize("projection, cols", [("xz", [0, 2]), ("zy", [2, 1]),
                                               ("yx", [1, 0])])
def test_projection_picks_the_named_axes(projection, cols):
    m = _cell()
    segs = np.asarray(_neurites(morphology(m, projection=projection)).get_segments())
    points = segs.reshape(-1, 2)
    assert_allclose(points.min(axis=0), m.xyz[:, cols].min(axis=0))
    assert_allclose(points.max(axis=0), m.xyz[:, cols].max(axis=0))


def test_drawn_extent_holds_the_neuron_and_keeps_equal_units():
    m = _cell()
    ax = morphology(m)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < -30 and x1 > 40 and y0 < -200 and y1 > 90
    assert ax.get_aspect() == 1.0
    assert not ax.axison


def test_compartment_colours():
    m = _cell()
    colors = _neurites(morphology(m, color_by="compartment")).get_colors()
    child = np.flatnonzero(m.parent >= 0)
    expected = [to_rgba(COMPARTMENT_COLORS[int(t)]) for t in m.types[child]]
    assert_allclose(colors, expected)


def test_custom_types_are_grey_and_single_colour_mode():
    m = Morphology([[0, 0, 0], [0, 5, 0], [0, 9, 0]], [2, 1, 1], [1, 7, 7],
                   [-1, 0, 1])
    colors = _neurites(morphology(m)).get_colors()
    assert_allclose(colors, [to_rgba("tab:gray")] * 2)
    colors = _neurites(morphology(m, color_by=None, color="green")).get_colors()
    assert_allclose(colors[0], to_rgba("green"))


@pytest.mark.parametrize("color_by", ["branch_order", "path_distance"])
def test_continuous_colouring_follows_the_values(color_by):
    m = _cell()
    colors = _neurites(morphology(m, color_by=color_by, cmap="viridis")).get_colors()
    child = np.flatnonzero(m.parent >= 0)
    values = getattr(m, color_by)[child].astype(float)
    cmap = mpl.colormaps["viridis"]
    assert_allclose(colors, cmap(values / values.max()))


def test_soma_disc_and_contour():
    ax = morphology(_cell())
    (soma,) = [p for p in ax.patches if p.get_gid() == "soma"]
    assert_allclose(soma.center, [0, 0])
    assert soma.radius == pytest.approx(6.0)
    contour = [[5, 0, 0], [0, 5, 0], [-5, 0, 0], [0, -5, 0]]
    m = Morphology(contour + [[0, 20, 0]], [0] * 4 + [1], [1, 1, 1, 1, 3],
                   [-1, 0, 1, 2, 0])
    ax = morphology(m)
    (soma,) = [p for p in ax.patches if p.get_gid() == "soma"]
    assert_allclose(np.sort(soma.get_xy()[:4], axis=0), np.sort(
        np.asarray(contour)[:, :2], axis=0))
    assert not morphology(m, soma=False).patches


def test_scale_bar_is_a_round_length_below_the_neuron():
    m = _cell()
    ax = morphology(m)
    (x0, y0), (x1, y1) = _scale_bar(ax).get_xydata()
    assert y0 == y1 < -200
    assert x1 - x0 == pytest.approx(50.0)  # the drawing is 290 µm tall
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "scale_bar_label"]
    assert labels == ["50 µm"]
    assert not [ln for ln in morphology(m, scale_bar=False).lines]


@pytest.mark.parametrize("span, expected", [(1000, 200), (999, 100), (10, 2),
                                            (0.3, 0.05), (0, 1), (np.nan, 1)])
def test_nice_length(span, expected):
    assert nice_length(span) == pytest.approx(expected)


def test_draws_from_a_path_and_into_given_axes(tmp_path):
    path = tmp_path / "cell.swc"
    write_swc(_cell(), path)
    fig, ax = plt.subplots()
    assert morphology(path, ax=ax, title="from disk", legend=True) is ax
    assert ax.get_title() == "from disk"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["soma", "axon", "basal dendrite", "apical dendrite"]


@pytest.mark.parametrize("kwargs, match", [
    ({"projection": "xx"}, "projection"), ({"projection": "xw"}, "projection"),
    ({"projection": 3}, "projection"), ({"color_by": "type"}, "color_by"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        morphology(_cell(), **kwargs)
    with pytest.raises(TypeError, match="Morphology or a path"):
        morphology(42)


def test_gallery_shares_one_scale():
    small = _cell()
    large = small.transformed(scale=3.0)
    fig = gallery([small, large], titles=["small", "large"], ncols=2)
    assert [ax.get_title() for ax in fig.axes] == ["small", "large"]
    spans = [np.ptp(ax.get_xlim()) for ax in fig.axes]
    assert spans[0] == pytest.approx(spans[1])  # same µm per panel
    bars = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == "scale_bar"]
    assert len(bars) == 1


def test_gallery_grid_titles_and_own_scales():
    cells = [_cell().transformed(scale=s) for s in (1, 2, 3)]
    fig = gallery(cells, ncols=2, same_scale=False, suptitle="three")
    assert len(fig.axes) == 3  # the fourth cell of the 2x2 grid is removed
    assert [ax.get_title() for ax in fig.axes] == ["toy"] * 3
    bars = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == "scale_bar"]
    assert len(bars) == 3
    with pytest.raises(ValueError, match="titles"):
        gallery(cells, titles=["a"])
    with pytest.raises(ValueError, match="at least one"):
        gallery([])
    with pytest.raises(ValueError, match="ncols"):
        gallery(cells, ncols=0)


def test_import_ngep_plot_does_not_import_matplotlib():
    code = ("import sys, ngep, ngep.plot, ngep.io; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"ngep\[plot\]"):
        morphology(_cell())


def test_gallery_legend_lists_the_compartments_drawn():
    fig = gallery([_cell(), _cell()])
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "soma", "axon", "basal dendrite", "apical dendrite"]
    assert not gallery([_cell()], color_by="branch_order").legends


def test_soma_only_neuron_fits_its_panel():
    m = Morphology([[0, 0, 0]], [3], [1], [-1])
    ax = morphology(m)
    assert len(_neurites(ax).get_segments()) == 0
    (x0, x1), fig = ax.get_xlim(), gallery([m])
    assert x0 <= -3 and x1 >= 3
    g0, g1 = fig.axes[0].get_xlim()
    assert g0 <= -3 and g1 >= 3
