# SPDX-License-Identifier: BSD-3-Clause
"""The lab-convention conversions of ``bench_transfer.py`` do what they say.

Checked on generated neurons (no ``../shared`` needed), so that the transfer
benchmark's rows measure the conversion they name.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ngep.datasets import make_neurons
from ngep.io import Morphology
from ngep.morphometrics import FEATURES, compute_features

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def conv():
    spec = importlib.util.spec_from_file_location(
        "lab_conventions", REPO / "benchmarks" / "lab_conventions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def neuron():
    m = make_neurons(1, random_state=3).morphologies[0]
    # give it an axon: retype the last stem's subtree
    types = m.types.copy()
    stems = np.flatnonzero(m.is_stem)
    below = np.zeros(m.n_nodes, dtype=bool)
    below[stems[-1]] = True
    for _ in range(m.n_nodes):
        nxt = below | ((m.parent >= 0) & below[np.maximum(m.parent, 0)])
        if (nxt == below).all():
            break
        below = nxt
    types[below] = 2
    return Morphology(m.xyz, m.radius, types, m.parent)


def _f(m, key, comp="all"):
    return FEATURES[key].func(m, comp)


def test_radii(conv, neuron):
    m = conv.scale_radii(neuron, 3.0)
    assert_allclose(m.radius, 3 * neuron.radius)
    assert_allclose(_f(m, "total_length"), _f(neuron, "total_length"))


def test_pruning_removes_short_terminal_branches_only(conv, neuron):
    from ngep.morphometrics._core import sections

    secs = sections(neuron)
    terminal = (secs.n_children == 0) & (secs.parent >= 0)
    cut = float(np.median(secs.length[terminal]))
    m = conv.prune_terminals(neuron, cut)
    n_short = int(np.sum(terminal & (secs.length < cut)))
    assert n_short > 0
    # each short terminal goes; a fork that loses every child becomes a tip
    assert _f(neuron, "n_tips") - n_short <= _f(m, "n_tips") < _f(neuron, "n_tips")
    assert _f(m, "n_stems") == _f(neuron, "n_stems")
    assert _f(m, "max_path_distance") <= _f(neuron, "max_path_distance") * (1 + 1e-12)
    assert conv.prune_terminals(neuron, 0.0).n_nodes == neuron.n_nodes


@pytest.mark.parametrize("spacing", [0.5, 5.0])
def test_resampling_keeps_topology_and_spacing(conv, neuron, spacing):
    m = conv.resample(neuron, spacing)
    for key in ("n_branch_points", "n_tips", "n_stems"):
        assert _f(m, key) == _f(neuron, key), key
    seg = m.segment_length[m.neurite_segment]
    assert seg.max() <= spacing + 1e-9
    # nodes lie on the original polyline: length can only shrink (corners cut)
    assert _f(m, "total_length") <= _f(neuron, "total_length") + 1e-6
    assert _f(m, "total_length") > 0.9 * _f(neuron, "total_length")


def test_shrink_swap_contour_and_axon(conv, neuron):
    z = conv.shrink_z(neuron, 0.7)
    assert_allclose(z.xyz[:, 2] - z.xyz[0, 2],
                    0.7 * (neuron.xyz[:, 2] - neuron.xyz[0, 2]))
    rot = conv.swap_and_rotate(neuron, 0)
    assert_allclose(_f(rot, "total_length"), _f(neuron, "total_length"))
    contour = conv.contour_soma(neuron)
    assert contour.is_soma.sum() == 16
    assert_allclose(_f(contour, "total_length"), _f(neuron, "total_length"))
    no_axon = conv.remove_axon(neuron)
    assert _f(no_axon, "total_length", "axon") == 0.0
    assert_allclose(_f(no_axon, "total_length", "dendrite"),
                    _f(neuron, "total_length", "dendrite"))


def test_every_conversion_gives_features(conv, neuron):
    for name, f in conv.CONVERSIONS.items():
        values = compute_features(f(neuron, 0), ["total_length", "n_tips"], "dendrite")
        assert np.isfinite(values).all(), name
