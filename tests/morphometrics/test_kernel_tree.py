# SPDX-License-Identifier: BSD-3-Clause
"""The C group "tree" on the trees that make its passes take other branches.

tests/morphometrics/test_kernel.py compares every group with the catalogue on
real and synthetic neurons; here are the cases those rarely hold: no soma,
single-node stems, zero-length segments and daughters that start on the
bifurcation point, type changes inside a section, multifurcations, nodes
stored breadth-first or with unsorted SWC ids, and random trees.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.testing import assert_allclose
from test_feature_properties import breadth_first, trees  # folder on sys.path
from test_kernel import assert_group_agrees

from ngep.io import Morphology, read_swc
from ngep.morphometrics import _kernel
from ngep.morphometrics._core import node_mask

pytestmark = pytest.mark.skipif(
    _kernel._ckernel is None, reason="the C extension is not built"
)

NAMES = _kernel.GROUPS["tree"][1]


def tree_values(m, compartment="dendrite"):
    """The C group's values by feature name."""
    return dict(zip(NAMES, _kernel.run("tree", m, node_mask(m, compartment))))


def y_neuron():
    """Soma, a 10 µm stem along y, then two straight 10 µm daughters at 90°."""
    s = 10 / np.sqrt(2)
    return Morphology(
        [[0, 0, 0], [0, 5, 0], [0, 15, 0], [s, 15 + s, 0], [-s, 15 + s, 0]],
        [5, 1, 1, 0.5, 0.5], [1, 3, 3, 3, 3], [-1, 0, 1, 2, 2])


def test_hand_computed_values():
    v = tree_values(y_neuron())
    assert v["total_length"] == pytest.approx(30.0)
    assert v["n_stems"] == 1 and v["n_tips"] == 2 and v["n_sections"] == 3
    assert v["n_branch_points"] == 1 and v["n_bifurcations"] == 1
    assert v["max_branch_order"] == 1 and v["mean_tip_branch_order"] == 1
    assert v["mean_section_length"] == pytest.approx(10.0)
    assert v["max_path_distance"] == pytest.approx(20.0)
    assert v["mean_local_bifurcation_angle"] == pytest.approx(np.pi / 2)
    assert v["mean_remote_bifurcation_angle"] == pytest.approx(np.pi / 2)
    assert v["mean_partition_asymmetry"] == 0.0
    assert v["mean_contraction"] == pytest.approx(1.0)  # straight sections
    assert v["mean_diameter"] == pytest.approx(1.5)
    assert_group_agrees(y_neuron(), "tree")


def test_no_soma():
    # The root is a dendrite node: no stems, and the first section starts there.
    m = Morphology([[0, 0, 0], [0, 10, 0], [5, 20, 0], [-5, 20, 0], [-5, 30, 1]],
                   np.ones(5), [3] * 5, [-1, 0, 1, 1, 3])
    v = tree_values(m)
    assert v["n_stems"] == 0 and v["n_sections"] == 3
    assert v["max_radial_distance"] == pytest.approx(np.sqrt(25 + 900 + 1))
    assert_group_agrees(m, "tree")


def test_single_node_stems_and_zero_length_sections():
    # Three stems of one node each (sections of length 0: no contraction),
    # and a fourth that branches into two single nodes.
    m = Morphology(
        [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [-2, 1, 0],
         [-2, -1, 0]],
        np.ones(7), [1, 3, 3, 3, 3, 3, 3], [-1, 0, 0, 0, 0, 4, 4])
    v = tree_values(m)
    assert v["n_stems"] == 4 and v["n_tips"] == 5 and v["n_sections"] == 6
    assert v["max_section_length"] == pytest.approx(np.sqrt(2))
    assert_group_agrees(m, "tree")
    # Every node on the soma: every section has length 0, contraction is NaN.
    flat = Morphology(np.zeros((4, 3)), np.ones(4), [1, 3, 3, 3], [-1, 0, 1, 1])
    assert np.isnan(tree_values(flat)["mean_contraction"])
    assert_group_agrees(flat, "tree")


def test_daughters_starting_on_the_bifurcation_point():
    # Daughter 1 repeats the branch point (MorphIO style) and then moves;
    # daughter 2 never leaves it; daughters 3/4 of the second bifurcation
    # have identical first vectors (angle 0, as NeuroM).
    xyz = [[0, 0, 0], [0, 10, 0], [0, 20, 0],
           [0, 20, 0], [3, 24, 0],          # daughter 1: repeat, then move
           [0, 20, 0], [0, 20, 0],          # daughter 2: never moves
           [6, 28, 0], [6, 28, 0],          # daughters of node 4 ...
           [9, 32, 0], [9, 32, 0]]          # ... both to the same point
    parent = [-1, 0, 1, 2, 3, 2, 5, 4, 4, 7, 8]
    m = Morphology(xyz, np.ones(11), [1] + [3] * 10, parent)
    v = tree_values(m)
    assert v["n_bifurcations"] == 2
    # bifurcation 1: daughter 2 has no direction (skipped); bifurcation 2: 0
    assert v["mean_local_bifurcation_angle"] == 0.0
    assert_group_agrees(m, "tree")
    assert_group_agrees(breadth_first(m), "tree")


def test_type_changes_inside_a_section():
    # A basal dendrite turns into axon (axon initial segment on a dendrite),
    # and an apical one changes to basal after its branch point.
    xyz = np.array([[0, 0, 0], [0, 5, 0], [0, 10, 0], [0, 15, 0], [0, 20, 0],
                    [0, -5, 0], [0, -10, 0], [3, -14, 0], [-3, -14, 0],
                    [-6, -18, 0]], dtype=float)
    types = [1, 3, 3, 2, 2, 4, 4, 3, 4, 3]
    parent = [-1, 0, 1, 2, 3, 0, 5, 6, 6, 8]
    m = Morphology(xyz, np.arange(1, 11) / 4, types, parent)
    for comp, sections in [("basal", 3), ("axon", 1), ("apical", 2), ("all", 6)]:
        assert tree_values(m, comp)["n_sections"] == sections, comp
    assert_group_agrees(m, "tree")
    assert_group_agrees(breadth_first(m), "tree")


def test_compartments_without_tips_or_own_daughters():
    # basal -> axon -> basal along one stem (the axon has no tip), then a
    # basal bifurcation whose daughters are apical: its partition asymmetry
    # counts no basal section on either side (skipped: NaN).
    xyz = [[0, 0, 0], [0, 5, 0], [0, 10, 0], [0, 15, 0], [0, 20, 0],
           [4, 24, 0], [-4, 24, 0]]
    m = Morphology(xyz, np.ones(7), [1, 3, 2, 2, 3, 4, 4], [-1, 0, 1, 2, 3, 4, 4])
    axon, basal = tree_values(m, "axon"), tree_values(m, "basal")
    assert axon["n_tips"] == 0 and np.isnan(axon["mean_tip_radial_distance"])
    assert basal["n_tips"] == 0 and np.isnan(basal["mean_tip_branch_order"])
    assert np.isnan(basal["mean_partition_asymmetry"])
    assert basal["mean_remote_bifurcation_angle"] == pytest.approx(np.pi / 2)
    assert tree_values(m, "apical")["max_branch_order"] == 1
    assert_group_agrees(m, "tree")


def test_multifurcations_are_branch_points_not_bifurcations():
    xyz = [[0, 0, 0], [0, 10, 0], [5, 15, 0], [-5, 15, 0], [0, 20, 0],
           [2, 20, 0], [0, 25, 3], [0, 25, -3]]
    parent = [-1, 0, 1, 1, 1, 2, 5, 5]
    m = Morphology(xyz, np.ones(8), [1] + [3] * 7, parent)
    v = tree_values(m)
    assert v["n_branch_points"] == 2 and v["n_bifurcations"] == 1
    # the trifurcation is skipped: only the bifurcation at node 5 counts
    assert v["mean_partition_asymmetry"] == 0.0
    assert_group_agrees(m, "tree")


def test_unsorted_swc_ids(tmp_path):
    text = """\
# children listed before their parents, ids not increasing
7 3 -3 18 0 0.5 5
5 3 0 15 0 1 3
6 3 3 19 0 0.5 5
3 3 0 10 0 1 1
1 1 0 0 0 5 -1
9 2 0 -10 0 0.5 1
10 2 0 -20 1 0.5 9
"""
    path = tmp_path / "unsorted.swc"
    path.write_text(text)
    m = read_swc(path)
    assert tree_values(m)["n_bifurcations"] == 1
    assert_group_agrees(m, "tree")


@settings(max_examples=40, deadline=None)
@given(trees())
def test_random_trees(m):
    assert_group_agrees(m, "tree")
    assert_group_agrees(breadth_first(m), "tree")


def test_values_are_copied_to_out_in_group_order():
    m = y_neuron()
    got = _kernel.run("tree", m, node_mask(m, "dendrite"))
    assert got.shape == (len(NAMES),) == (21,)
    assert_allclose(got[NAMES.index("total_length")], 30.0)


@pytest.mark.parametrize("order", [0, 1, 2])
def test_radial_distance_adds_in_the_einsum_order_it_is_given(order):
    """The tree group takes numpy's einsum order as the shape group does
    (extra[0] = _kernel.SUM3_ORDER), not the order of one CPU."""
    from fractions import Fraction

    from ngep.morphometrics._core import root_point

    # a node whose squared distance rounds differently in each of the orders
    tip = [-298.751875378327, 201.48173724197818, 292.48387412338855]
    # a stem node on the soma, then the tip: one section, its chord the tip
    m = Morphology([[0, 0, 0], [0, 0, 0], tip], [1, 1, 1], [1, 3, 3], [-1, 0, 1])
    x, y, z = (np.subtract(tip, root_point(m)) ** 2).tolist()
    fused = float(Fraction(tip[2]) * Fraction(tip[2]) + Fraction(x))
    want = [np.sqrt((x + y) + z), np.sqrt((x + z) + y), np.sqrt(fused + y)]
    assert len(set(want)) == 3  # the case discriminates
    length = m.segment_length[2]  # the squares in x, y, z order, as always
    names = _kernel.GROUPS["tree"][1]
    got = _kernel.run("tree", m, node_mask(m, "dendrite"),
                      extra=np.array([order], dtype=np.float64))
    assert got[names.index("max_radial_distance")] == want[order]
    assert got[names.index("mean_tip_radial_distance")] == want[order]
    # the section's chord (einsum) over its length (not einsum)
    assert got[names.index("mean_contraction")] == want[order] / length
