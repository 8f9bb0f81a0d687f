# SPDX-License-Identifier: BSD-3-Clause
"""Golden values on small hand-made neurons, worked out by hand.

Cell ``Y`` (single-point soma of radius 2 at the origin)::

        apical 7-8-9 (z up, bent: 7=(0,0,3) 8=(0,3,7) 9=(0,0,11))
               |
    3 (3,10)   |   4 (-3,10)        basal: 1=(0,2) -> 2=(0,6) forks to 3 and 4
          \\   |  /
            2 (0,6)
            |
            1 (0,2)
            |
          soma (0,0)
            |
            5 (0,-2) -> 6 (0,-12)   axon
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ngep.io import Morphology
from ngep.morphometrics import FEATURES, compute_features

PI = math.pi
SQ = math.sqrt(25.25)  # slant height of the tapering basal segments


def cell_y():
    xyz = [[0, 0, 0], [0, 2, 0], [0, 6, 0], [3, 10, 0], [-3, 10, 0],
           [0, -2, 0], [0, -12, 0], [0, 0, 3], [0, 3, 7], [0, 0, 11]]
    radius = [2, 1, 1, 0.5, 0.5, 0.5, 0.5, 1, 1, 1]
    types = [1, 3, 3, 3, 3, 2, 2, 4, 4, 4]
    parent = [-1, 0, 1, 2, 2, 0, 5, 0, 7, 8]
    return Morphology(xyz, radius, types, parent, name="Y")


GOLDEN_Y = {
    ("dendrite", "total_length"): 24.0,
    ("basal", "total_length"): 14.0,
    ("apical", "total_length"): 10.0,
    ("axon", "total_length"): 10.0,
    ("all", "total_length"): 34.0,
    ("dendrite", "total_surface_area"): 8 * PI + 3 * PI * SQ + 20 * PI,
    ("dendrite", "total_volume"): 4 * PI + 35 * PI / 6 + 10 * PI,
    ("dendrite", "mean_diameter"): 12 / 7,
    ("dendrite", "n_stems"): 2.0,
    ("all", "n_stems"): 3.0,
    ("dendrite", "n_branch_points"): 1.0,
    ("dendrite", "n_bifurcations"): 1.0,
    ("dendrite", "n_tips"): 3.0,
    ("dendrite", "n_sections"): 4.0,
    ("dendrite", "max_branch_order"): 1.0,
    ("dendrite", "mean_section_length"): 6.0,
    ("dendrite", "max_section_length"): 10.0,
    ("dendrite", "mean_tip_branch_order"): 2 / 3,
    ("dendrite", "mean_tip_radial_distance"): (2 * math.sqrt(109) + 11) / 3,
    ("dendrite", "max_path_distance"): 10.0,
    ("basal", "max_path_distance"): 9.0,
    ("dendrite", "mean_tip_path_distance"): 28 / 3,
    ("dendrite", "max_radial_distance"): 11.0,
    ("axon", "max_radial_distance"): 12.0,
    ("dendrite", "mean_contraction"): (1 + 1 + 1 + 0.8) / 4,
    ("dendrite", "width"): 6.0,
    ("dendrite", "height"): 10.0,
    ("dendrite", "depth"): 11.0,
    ("axon", "length_fraction_above_soma"): 0.0,
    ("axon", "length_fraction_below_soma"): 1.0,
    ("dendrite", "mean_local_bifurcation_angle"): math.acos(7 / 25),
    ("dendrite", "mean_remote_bifurcation_angle"): math.acos(7 / 25),
    ("dendrite", "mean_partition_asymmetry"): 0.0,
    ("dendrite", "sholl_peak_intersections"): 3.0,
    ("dendrite", "sholl_peak_radius"): 10.0,
    ("axon", "sholl_peak_intersections"): 1.0,
    # Scaled Sholl profile (spheres k * 11/20): dendrite segments cross on
    # (2, 6], (6, sqrt 109] twice, (3, sqrt 58] and (sqrt 58, 11], so k = 4..5
    # have 1 crossing, 6..10: 2, 11..18: 3, 19..20: 1 (38 in all).
    ("dendrite", "sholl_peak_fraction"): 11 / 20,
    ("dendrite", "sholl_centroid_fraction"): 476 / 38 / 20,
    ("dendrite", "sholl_spread_fraction"): math.sqrt(6634 / 38 - (476 / 38) ** 2) / 20,
    ("dendrite", "sholl_entropy"): -(
        4 / 38 * math.log(1 / 38) + 10 / 38 * math.log(2 / 38)
        + 24 / 38 * math.log(3 / 38)) / math.log(20),
    # Length within f * 11 of the soma (24 µm in all); the roots of
    # s^2 + 2 (a.u) s + |a|^2 - r^2 = 0 along each segment.
    ("dendrite", "length_fraction_within_25"): 0.75 / 24,
    ("dendrite", "length_fraction_within_50"): (
        3.5 + (-4.8 + math.sqrt(4.8**2 + 4 * 21.25)) / 2) / 24,
    ("dendrite", "length_fraction_within_75"): (
        4 + (-9.6 + math.sqrt(9.6**2 + 4 * 32.0625)) + 5
        + (-7.6 + math.sqrt(7.6**2 + 4 * 10.0625)) / 2) / 24,
    # Tip path distances 9, 9, 10.
    ("dendrite", "tip_path_distance_cv"): math.sqrt(2) / 28,
    ("dendrite", "tip_path_distance_median_max"): 0.9,
    ("dendrite", "tip_tortuosity"): 28 / (2 * math.sqrt(109) + 11),
    ("soma", "soma_radius"): 2.0,
    ("soma", "soma_surface_area"): 16 * PI,
}


@pytest.mark.parametrize(("compartment", "name"), sorted(GOLDEN_Y))
def test_golden_cell_y(compartment, name):
    value = FEATURES[name].func(cell_y(), compartment)
    assert isinstance(value, float)
    assert_allclose(value, GOLDEN_Y[compartment, name], rtol=1e-12, atol=1e-12)


def test_every_feature_has_a_golden_value():
    covered = {name for _, name in GOLDEN_Y} | {
        "width_95", "height_95", "depth_95"}  # tested below
    assert covered == set(FEATURES)


def test_95_percent_extent():
    # 101 nodes on a line x = 0..100: the 2.5th..97.5th percentile spans 95.
    n = 101
    xyz = np.zeros((n + 1, 3))
    xyz[1:, 0] = np.arange(n)
    parent = np.arange(-1, n)
    m = Morphology(xyz, np.ones(n + 1), [1] + [3] * n, parent)
    assert FEATURES["width"].func(m, "dendrite") == 100.0
    assert_allclose(FEATURES["width_95"].func(m, "dendrite"), 95.0)
    assert FEATURES["height_95"].func(m, "dendrite") == 0.0
    assert FEATURES["depth_95"].func(m, "dendrite") == 0.0


def test_length_fraction_splits_crossing_segments():
    # Axon from (0,-2) up to (0,8): 2 µm below the soma level, 8 above.
    m = Morphology([[0, 0, 0], [5, -2, 0], [5, 8, 0]], [1, 1, 1], [1, 2, 2],
                   [-1, 0, 1])
    assert_allclose(FEATURES["length_fraction_above_soma"].func(m, "axon"), 0.8)
    assert_allclose(FEATURES["length_fraction_below_soma"].func(m, "axon"), 0.2)


def test_partition_asymmetry_and_branch_order():
    # Stem 1 forks at 2 into a tip (3) and node 4, which forks into 5 and 6.
    xyz = [[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 3, 0], [-1, 3, 0], [-2, 4, 0],
           [0, 4, 0]]
    m = Morphology(xyz, np.ones(7), [1, 3, 3, 3, 3, 3, 3], [-1, 0, 1, 2, 2, 4, 4])
    # At node 2: subtrees of 1 and 3 sections -> |1-3|/4; at node 4: 0.
    assert_allclose(FEATURES["mean_partition_asymmetry"].func(m, "dendrite"),
                    (0.5 + 0.0) / 2)
    assert FEATURES["max_branch_order"].func(m, "dendrite") == 2.0
    assert FEATURES["n_sections"].func(m, "dendrite") == 5.0


def test_multifurcation_is_one_branch_point_but_no_bifurcation():
    xyz = [[0, 0, 0], [0, 1, 0], [1, 2, 0], [0, 2, 0], [-1, 2, 0]]
    m = Morphology(xyz, np.ones(5), [1, 3, 3, 3, 3], [-1, 0, 1, 1, 1])
    assert FEATURES["n_branch_points"].func(m, "dendrite") == 1.0
    assert FEATURES["n_bifurcations"].func(m, "dendrite") == 0.0
    assert np.isnan(FEATURES["mean_local_bifurcation_angle"].func(m, "dendrite"))


def test_axon_leaving_a_dendrite_is_typed_per_node():
    # Dendrite 1-2 forks at 2 into dendrite 3 and axon 4-5.
    xyz = [[0, 0, 0], [0, 1, 0], [0, 2, 0], [0, 3, 0], [1, 2, 0], [2, 2, 0]]
    m = Morphology(xyz, np.ones(6), [1, 3, 3, 3, 2, 2], [-1, 0, 1, 2, 2, 4])
    assert FEATURES["total_length"].func(m, "dendrite") == 2.0
    assert FEATURES["total_length"].func(m, "axon") == 2.0
    assert FEATURES["n_stems"].func(m, "axon") == 0.0  # it does not leave the soma
    assert FEATURES["n_branch_points"].func(m, "dendrite") == 1.0
    assert FEATURES["max_path_distance"].func(m, "axon") == 3.0
    assert FEATURES["n_sections"].func(m, "axon") == 1.0


# -- soma ---------------------------------------------------------------------------
def _soma_cell(xyz, radius, parent):
    n = len(xyz)
    xyz = list(xyz) + [[0, 20, 0]]
    return Morphology(xyz, list(radius) + [1], [1] * n + [3], list(parent) + [0])


def test_soma_three_point_neuromorpho():
    m = _soma_cell([[0, 0, 0], [0, -3, 0], [0, 3, 0]], [3, 3, 3], [-1, 0, 0])
    assert_allclose(FEATURES["soma_radius"].func(m, "soma"), 3.0)
    assert_allclose(FEATURES["soma_surface_area"].func(m, "soma"), 36 * PI)


def test_soma_three_points_off_the_neuromorpho_layout_are_cylinders():
    # r = 2, side points only 1 from the centre: two cylinders of height 1.
    m = _soma_cell([[0, 0, 0], [0, -1, 0], [0, 1, 0]], [2, 2, 2], [-1, 0, 0])
    assert_allclose(FEATURES["soma_surface_area"].func(m, "soma"), 2 * 4 * PI)
    assert_allclose(FEATURES["soma_radius"].func(m, "soma"), math.sqrt(2))


def test_soma_cylinder_chain():
    m = _soma_cell([[0, 0, 0], [0, 1, 0], [0, 2, 0]], [2, 2, 1], [-1, 0, 1])
    area = 4 * PI + 3 * PI * math.sqrt(2)
    assert_allclose(FEATURES["soma_surface_area"].func(m, "soma"), area)
    assert_allclose(FEATURES["soma_radius"].func(m, "soma"),
                    math.sqrt(area / (4 * PI)))


def test_soma_missing_or_zero_radius_is_nan():
    no_soma = Morphology([[0, 0, 0], [0, 1, 0]], [1, 1], [3, 3], [-1, 0])
    zero = _soma_cell([[0, 0, 0]], [0.0], [-1])
    for m in (no_soma, zero):
        assert np.isnan(FEATURES["soma_radius"].func(m, "soma"))
        assert np.isnan(FEATURES["soma_surface_area"].func(m, "soma"))


def test_no_soma_measures_from_the_root():
    m = Morphology([[0, 0, 0], [0, 3, 4], [0, 6, 8]], [1, 1, 1], [3, 3, 3],
                   [-1, 0, 1])
    assert FEATURES["total_length"].func(m, "dendrite") == 10.0
    assert FEATURES["max_radial_distance"].func(m, "dendrite") == 10.0
    assert FEATURES["n_stems"].func(m, "dendrite") == 0.0


def test_compute_features_matches_functions():
    m = cell_y()
    names = ["total_length", "n_tips", "soma_radius", "length_fraction_above_soma"]
    values = compute_features(m, names, ["dendrite", "axon"])
    assert_allclose(values, [24.0, 3.0, 1.0, 10.0, 1.0, 0.0, 2.0])


def test_sections_do_not_depend_on_node_order():
    # The same cell with nodes stored breadth-first (sections not contiguous).
    m = cell_y()
    order = np.argsort(m.depth, kind="stable")
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    parent = np.where(m.parent[order] >= 0, inverse[np.maximum(m.parent[order], 0)], -1)
    shuffled = Morphology(m.xyz[order], m.radius[order], m.types[order], parent)
    assert not np.array_equal(order, np.arange(order.size))
    for (compartment, name), value in GOLDEN_Y.items():
        assert_allclose(FEATURES[name].func(shuffled, compartment), value,
                        rtol=1e-12, atol=1e-12, err_msg=name)


def test_local_angle_skips_zero_length_first_segments():
    # Node 2 forks; daughter 3 repeats the fork point before heading along +x,
    # daughter 5 heads along +y: the local angle is 90 degrees (NeuroM skips
    # zero-length segments the same way). Daughter 6 has zero length throughout:
    # its angle with anything is undefined and is left out of the mean.
    xyz = [[0, 0, 0], [0, 1, 0], [0, 2, 0], [0, 2, 0], [4, 2, 0], [0, 6, 0]]
    m = Morphology(xyz, np.ones(6), [1, 3, 3, 3, 3, 3], [-1, 0, 1, 2, 3, 2])
    assert_allclose(FEATURES["mean_local_bifurcation_angle"].func(m, "dendrite"),
                    PI / 2)
    assert_allclose(FEATURES["mean_remote_bifurcation_angle"].func(m, "dendrite"),
                    PI / 2)
    degenerate = Morphology(xyz[:4] + [[0, 6, 0]], np.ones(5), [1, 3, 3, 3, 3],
                            [-1, 0, 1, 2, 2])
    assert np.isnan(FEATURES["mean_local_bifurcation_angle"].func(degenerate,
                                                                  "dendrite"))
