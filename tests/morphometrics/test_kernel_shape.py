# SPDX-License-Identifier: BSD-3-Clause
"""The C group "shape" on the trees where its decisions are closest.

test_kernel.py compares every group with the catalogue on real and synthetic
neurons; here are the hand-made cases of the shape group: nodes exactly on a
Sholl sphere, segments that pass the soma, zero-length segments, single-node
stems, type changes, multifurcations, unsorted ids, no soma, and trees of every
size class of Morphology.path_distance's algorithm. What a comparison decides
(Sholl counts, the peak's sphere) must be equal, not close.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.testing import assert_allclose
from test_feature_properties import trees  # this folder is on sys.path

from ngep.datasets import make_neurons
from ngep.io import Morphology
from ngep.morphometrics import COMPARTMENT_NAMES, FEATURES, _kernel
from ngep.morphometrics._core import node_mask

pytestmark = pytest.mark.skipif(
    _kernel._ckernel is None or "shape" not in _kernel.GROUPS,
    reason="the C extension is not built",
)

NAMES = _kernel.GROUPS.get("shape", (None, ()))[1]
#: Decided by comparisons alone: the same value, never a neighbour.
DECIDED = ("sholl_peak_intersections", "sholl_peak_radius", "sholl_peak_fraction")


def assert_shape_agrees(m, compartments=COMPARTMENT_NAMES):
    for comp in compartments:
        mask = node_mask(m, comp)
        got = _kernel.run("shape", m, mask)
        for name, g in zip(NAMES, got):
            want = FEATURES[name].func(m, comp)
            msg = f"{comp}__{name}: kernel {g!r}, catalogue {want!r}"
            if name in DECIDED:
                assert g == want or (np.isnan(g) and np.isnan(want)), msg
            else:
                assert_allclose(g, want, rtol=1e-12, atol=1e-12, equal_nan=True,
                                err_msg=msg)


def neuron(xyz, types, parent, **kwargs):
    return Morphology(xyz, np.ones(len(types)), types, parent, **kwargs)


def test_the_group_lists_its_twelve_features():
    assert len(NAMES) == 12
    assert all(name in FEATURES for name in NAMES)


def test_einsum_order_is_known_here():
    # None would silently leave the group to the catalogue functions
    assert _kernel.SUM3_ORDER in (0, 1, 2)
    assert _kernel._sum3_order() == _kernel.SUM3_ORDER


def test_nodes_exactly_on_the_spheres():
    # R = 40: the scaled spheres are 2 µm apart and the 10 µm spheres fall on
    # nodes; every node of the straight dendrite lies on a sphere of both.
    y = np.arange(0.0, 41.0, 2.0)
    xyz = np.column_stack([np.zeros_like(y), y, np.zeros_like(y)])
    down = [[0, -2, 0], [0, -10, 0], [0, -20, 0]]
    xyz = np.vstack([xyz, down])
    n = y.size
    parent = [-1, *range(n - 1), 0, n, n + 1]
    types = [1] + [3] * (n - 1) + [4] * 3
    assert_shape_agrees(neuron(xyz, types, parent))


def test_segments_that_pass_beside_and_through_the_soma():
    # A neurite that turns back across the soma: its closest point to the
    # centroid lies inside segments (0 < t < 1), once exactly through it.
    xyz = [[0, 0, 0], [5, 0, 0], [30, 10, 0], [-30, 10, 0], [-30, -10, 0],
           [30, -10, 0], [0, 5, 0], [0, -20, 0], [-40, 0, 0]]
    parent = [-1, 0, 1, 2, 3, 4, 0, 6, 7]
    assert_shape_agrees(neuron(xyz, [1, 3, 3, 3, 3, 3, 4, 4, 4], parent))


def test_zero_length_segments_and_single_node_stems():
    xyz = [[0, 0, 0], [0, 3, 0], [0, 3, 0], [0, 3, 0], [4, 3, 0], [4, 3, 0],
           [7, 0, 0], [0, -6, 0]]
    parent = [-1, 0, 1, 2, 3, 4, 0, 0]
    types = [1, 3, 3, 3, 3, 3, 3, 2]
    assert_shape_agrees(neuron(xyz, types, parent))


def test_a_compartment_of_single_node_stems_only():
    # tips at path distance 0: tip statistics are undefined, not 0
    xyz = [[0, 0, 0], [3, 0, 0], [0, 4, 0], [0, 0, 5]]
    m = neuron(xyz, [1, 3, 3, 3], [-1, 0, 0, 0])
    assert_shape_agrees(m)
    got = dict(zip(NAMES, _kernel.run("shape", m, node_mask(m, "dendrite"))))
    assert np.isnan(got["tip_path_distance_cv"])
    assert np.isnan(got["length_fraction_within_50"])  # no length at all


def test_type_changes_multifurcations_and_unsorted_ids():
    rng = np.random.default_rng(3)
    xyz = np.vstack([[0, 0, 0], rng.normal(scale=15, size=(12, 3))])
    # node 1 has four children; types change along 1 -> 2 -> 3
    parent = [-1, 0, 1, 2, 1, 1, 1, 6, 6, 6, 0, 10, 11]
    types = [1, 3, 4, 3, 3, 4, 2, 2, 3, 4, 3, 3, 4]
    assert_shape_agrees(neuron(xyz, types, parent))
    # the same tree given children first (ids in reverse order)
    order = np.arange(13)[::-1]
    where = np.empty(13, dtype=np.int64)
    where[order] = np.arange(13)
    p = np.array(parent)[order]
    shuffled = neuron(xyz[order], np.array(types)[order],
                      np.where(p >= 0, where[np.maximum(p, 0)], -1),
                      ids=np.arange(100, 113)[order])
    assert_shape_agrees(shuffled)


def test_no_soma_and_a_single_node():
    # without a soma the centroid is the root node, which is a neurite node
    xyz = [[1, 1, 1], [1, 11, 1], [1, 21, 1], [8, 25, 3], [-6, 30, 1]]
    assert_shape_agrees(neuron(xyz, [3, 3, 3, 3, 3], [-1, 0, 1, 2, 2]))
    assert_shape_agrees(neuron([[2, 2, 2]], [3], [-1]), ["all", "dendrite"])


def test_contour_soma():
    # the centroid (scaled profile) and the root point (10 µm profile) differ
    angle = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    soma = np.column_stack([6 * np.cos(angle) + 3, 6 * np.sin(angle), np.zeros(8)])
    arbor = [[9, 0, 0], [40, 2, 0], [60, 30, 5], [60, -25, 0], [-3, 0, 0],
             [-35, 0, 4]]
    xyz = np.vstack([soma, arbor])
    parent = [-1, 0, 1, 2, 3, 4, 5, 6, 0, 8, 9, 9, 4, 12]
    types = [1] * 8 + [3, 3, 3, 3, 4, 4]
    assert_shape_agrees(neuron(xyz, types, parent))


@pytest.mark.parametrize("n_nodes, branchy", [(40, 0.3), (300, 0.05), (3000, 0.3)])
def test_every_size_class_of_path_distance(n_nodes, branchy):
    # up to 64 nodes, runs summed in a loop (<= 128 runs), runs by pointer
    # doubling: the three ways Morphology.path_distance adds up the tree
    rng = np.random.default_rng(n_nodes)
    parent = [-1]
    for i in range(1, n_nodes):
        parent.append(i - 1 if rng.random() > branchy else int(rng.integers(0, i)))
    xyz = np.cumsum(rng.normal(scale=4, size=(n_nodes, 3)), axis=0)
    types = np.where(rng.random(n_nodes) < 0.5, 3, 2)
    types[0] = 1
    m = neuron(xyz, types, parent)
    runs = np.count_nonzero(m.parent != np.arange(-1, n_nodes - 1))
    assert (n_nodes <= 64) or (runs <= 128) == (n_nodes == 300)
    assert_shape_agrees(m)


def test_an_empty_mask_gives_the_catalogue_values():
    # FeaturePlan never asks (empty compartments keep the `empty` values),
    # but the group itself stays defined
    m = neuron([[0, 0, 0], [0, 5, 0], [0, 15, 0]], [1, 3, 3], [-1, 0, 1])
    assert_shape_agrees(m, ["axon", "apical"])


#: Values the group computes with numpy's own operations in numpy's order
#: (pairwise sums, the einsum order of this CPU): equal to the bit. Only the
#: Sholl centroid and spread (np.dot, BLAS) and the entropy (np.log, numpy's
#: SIMD code on some CPUs) may differ in the last bits.
EXACT = DECIDED + ("length_fraction_within_25", "length_fraction_within_50",
                   "length_fraction_within_75", "tip_path_distance_cv",
                   "tip_path_distance_median_max", "tip_tortuosity")


def test_lengths_and_tip_statistics_to_the_bit():
    # fails, among others, when _kernel.SUM3_ORDER is not this numpy's order
    from test_golden_features import cell_y

    for m in [cell_y(), *make_neurons(6, random_state=0).morphologies]:
        for comp in COMPARTMENT_NAMES:
            mask = node_mask(m, comp)
            if not mask.any():
                continue
            got = dict(zip(NAMES, _kernel.run("shape", m, mask)))
            for name in EXACT:
                want = FEATURES[name].func(m, comp)
                assert got[name] == want or (np.isnan(got[name]) and np.isnan(want)), (
                    f"{comp}__{name}: kernel {got[name]!r}, catalogue {want!r}")


def _einsum_rows(order):
    """np.einsum("ij,ij->i") of (n, 3) rows added in ``order`` (see dot3)."""
    from fractions import Fraction

    def rows(u, v):
        x, y, z = (u * v).T
        if order == 0:
            return (x + y) + z
        if order == 1:
            return (x + z) + y
        fused = [float(Fraction(p) * Fraction(q) + Fraction(r))
                 for p, q, r in zip(u[:, 2].tolist(), v[:, 2].tolist(), x.tolist())]
        return np.array(fused) + y

    return rows


@pytest.mark.parametrize("order", [0, 1, 2])
def test_every_einsum_order_of_other_cpus(order, monkeypatch):
    # This CPU's numpy adds a row of three products in one order; the others
    # (dot3 in _kernel_shape.c) are checked against the catalogue computed
    # with an einsum that adds in that order.
    from test_golden_features import cell_y

    real = np.einsum
    rows = _einsum_rows(order)

    def einsum(subscripts, *operands, **kwargs):
        if subscripts == "ij,ij->i" and not kwargs:
            return rows(*operands)
        return real(subscripts, *operands, **kwargs)

    monkeypatch.setattr(np, "einsum", einsum)
    extra = np.array([float(order)])
    for m in [cell_y(), *make_neurons(3, random_state=1).morphologies]:
        m = Morphology(m.xyz, m.radius, m.types, m.parent)  # no cached values
        for comp in ("all", "dendrite", "axon"):
            mask = node_mask(m, comp)
            if not mask.any():
                continue
            got = dict(zip(NAMES, _kernel.run("shape", m, mask, extra)))
            for name in EXACT:
                want = FEATURES[name].func(m, comp)
                assert got[name] == want or (np.isnan(got[name]) and np.isnan(want)), (
                    f"order {order} {comp}__{name}: {got[name]!r} != {want!r}")


@settings(max_examples=25, deadline=None)
@given(trees())
def test_random_trees(m):
    assert_shape_agrees(m)


@pytest.mark.parametrize("reach", [9.99e7, 1e8, 1e13, 9.3e18, 1e30, np.nan])
def test_far_neurites_have_the_same_outcome_on_both_paths(reach, monkeypatch):
    """A 10 µm Sholl profile of 1e7 spheres or more: not micrometres, not memory.

    The Sholl peak features raise InvalidInputError on both paths; the group's
    other features keep their values: the C group declines the neuron and the
    catalogue decides. Before the bound, 1e13 µm raised MemoryError and 9.3e18
    µm made numpy cast an invalid float and return 0 crossings. NaN is only
    reachable by reassigning ``xyz``; C once skipped such a segment."""
    from ngep.exceptions import InvalidInputError
    from ngep.morphometrics import feature_plan

    def far_neuron():
        m = neuron([[0, 0, 0], [0, 5, 0], [0, 25, 0], [0, 60, 0]], [1, 3, 3, 3],
                   [-1, 0, 1, 2])
        xyz = m.xyz.copy()
        xyz[3, 1] = reach  # a short stem, then one long segment
        m.xyz = xyz
        return m

    for name in NAMES:
        plan = feature_plan([name], ["dendrite"])
        outcomes = []
        for enabled in (True, False):
            monkeypatch.setattr(_kernel, "ENABLED", enabled)
            try:
                outcomes.append(plan.compute(far_neuron()))
            except InvalidInputError as error:
                outcomes.append(str(error))
        c_path, numpy_path = outcomes
        if isinstance(numpy_path, str):
            assert c_path == numpy_path, name
        else:
            assert_allclose(c_path, numpy_path, rtol=1e-12, equal_nan=True,
                            err_msg=name)
        if name in ("sholl_peak_intersections", "sholl_peak_radius"):  # 10 µm
            assert isinstance(numpy_path, str) == (not reach < 1e8), name
