# SPDX-License-Identifier: BSD-3-Clause
"""Properties that must hold on any tree (random trees from hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from ngep.io import Morphology
from ngep.morphometrics import FEATURES

ADDITIVE = ("total_length", "total_surface_area", "total_volume", "n_stems",
            "n_branch_points", "n_bifurcations", "n_tips", "n_sections")


@st.composite
def trees(draw):
    """A soma plus up to 40 neurite nodes of types 2-4, in depth-first order."""
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    parent = [-1]
    types = [1]
    for i in range(1, n + 1):
        # Mostly extend the previous node (long chains), sometimes branch.
        p = i - 1 if rng.random() < 0.7 else int(rng.integers(0, i))
        parent.append(p)
        types.append(int(rng.integers(2, 5)) if p == 0 or rng.random() < 0.1
                     else (types[p] if p else 3))
    xyz = rng.normal(scale=10, size=(n + 1, 3))
    radius = rng.uniform(0.1, 2, size=n + 1)
    return Morphology(xyz, radius, types, parent)


def breadth_first(m):
    """The same neuron with its nodes stored level by level."""
    order = np.argsort(m.n_ancestors, kind="stable")
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    parent = np.where(m.parent[order] >= 0,
                      inverse[np.maximum(m.parent[order], 0)], -1)
    return Morphology(m.xyz[order], m.radius[order], m.types[order], parent)


@settings(max_examples=20, deadline=None)
@given(trees())
def test_additive_features_add_up_over_compartments(m):
    for name in ADDITIVE:
        f = FEATURES[name].func
        parts = f(m, "basal") + f(m, "apical") + f(m, "axon")
        assert_allclose(f(m, "dendrite"), f(m, "basal") + f(m, "apical"), atol=1e-9)
        assert_allclose(f(m, "all"), parts, atol=1e-9, err_msg=name)


@settings(max_examples=20, deadline=None)
@given(trees())
def test_features_do_not_depend_on_node_order(m):
    # Store nodes breadth-first: sections are no longer contiguous, which
    # exercises the general section labelling.
    other = breadth_first(m)
    for f in FEATURES.values():
        for c in f.compartments:
            assert_allclose(f.func(other, c), f.func(m, c), rtol=1e-9, atol=1e-9,
                            err_msg=f"{c}__{f.name}")


@settings(max_examples=15, deadline=None)
@given(trees(), st.floats(0.1, 10))
def test_lengths_scale_with_the_neuron(m, k):
    big = m.transformed(scale=k)
    units = {"µm": k, "µm²": k**2, "µm³": k**3, "1": 1.0, "rad": 1.0}
    for f in FEATURES.values():
        if f.name.startswith("sholl"):
            continue  # the Sholl step stays 10 µm
        for c in f.compartments:
            assert_allclose(f.func(big, c), units[f.unit] * f.func(m, c),
                            rtol=1e-7, atol=1e-9, err_msg=f"{c}__{f.name}")


def test_above_and_below_fractions_sum_to_one():
    rng = np.random.default_rng(1)
    m = Morphology(rng.normal(size=(30, 3)), np.ones(30), [1] + [2] * 29,
                   [-1] + list(range(29)))
    above = FEATURES["length_fraction_above_soma"].func(m, "axon")
    below = FEATURES["length_fraction_below_soma"].func(m, "axon")
    assert 0 < above < 1
    assert_allclose(above + below, 1.0)
