# SPDX-License-Identifier: BSD-3-Clause
"""The catalogue, its output-name contract, and the value contract of every feature."""

import math

import numpy as np
import pytest

from ngep.io import Morphology
from ngep.morphometrics import (
    BASE_FEATURES,
    COMPARTMENT_NAMES,
    EXTENDED_FEATURES,
    FEATURES,
    Feature,
    compute_features,
    feature_names,
    feature_table,
    feature_table_rst,
)

# Features whose value is NaN when there is nothing to average over (documented in
# each docstring); everything else is 0 for an empty compartment.
UNDEFINED_WHEN_EMPTY = {
    "mean_diameter", "mean_section_length", "mean_tip_path_distance",
    "mean_tip_branch_order", "mean_tip_radial_distance",
    "mean_contraction", "mean_local_bifurcation_angle",
    "mean_remote_bifurcation_angle", "mean_partition_asymmetry",
    "sholl_peak_radius", "length_fraction_above_soma", "length_fraction_below_soma",
    # scale-free shape: ratios and distributions of nothing
    "sholl_peak_fraction", "sholl_centroid_fraction", "sholl_spread_fraction",
    "sholl_entropy", "length_fraction_within_25", "length_fraction_within_50",
    "length_fraction_within_75", "tip_path_distance_cv",
    "tip_path_distance_median_max", "tip_tortuosity",
}


def _full_cell():
    """Soma, two forking basal stems, an apical stem and a forking axon."""
    rng = np.random.default_rng(0)
    xyz, parent, types = [[0.0, 0.0, 0.0]], [-1], [1]
    for t, direction in ((3, (1, 0, 0)), (3, (-1, 0, 0)), (4, (0, 1, 0)),
                         (2, (0, -1, 0))):
        base = len(xyz)
        step = np.asarray(direction, float) * 7
        for k in range(6):  # a 6-node trunk from the soma
            xyz.append(list(step * (k + 1) + rng.normal(size=3)))
            parent.append(0 if k == 0 else base + k - 1)
            types.append(t)
        fork = len(xyz) - 1
        for side in (-1, 1):
            prev = fork
            for k in range(4):
                pos = np.asarray(xyz[fork]) + step * (k + 1) + side * 5.0 * (k + 1)
                xyz.append(list(pos + rng.normal(size=3)))
                parent.append(prev)
                types.append(t)
                prev = len(xyz) - 1
    n = len(xyz)
    return Morphology(xyz, rng.uniform(0.2, 1.5, n), types, parent)


CELLS = {
    "full": _full_cell,
    "soma_only": lambda: Morphology([[0, 0, 0]], [5], [1], [-1]),
    "basal_only": lambda: Morphology([[0, 0, 0], [0, 1, 0], [0, 5, 0]], [3, 1, 1],
                                     [1, 3, 3], [-1, 0, 1]),
    "no_soma": lambda: Morphology([[0, 0, 0], [0, 1, 0], [1, 2, 0], [-1, 2, 0]],
                                  [1, 1, 1, 1], [2, 2, 2, 2], [-1, 0, 1, 1]),
}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_every_feature_is_a_float_and_never_inf(name):
    feature = FEATURES[name]
    for label, make in CELLS.items():
        m = make()
        for compartment in feature.compartments:
            value = feature.func(m, compartment)
            assert type(value) is float, (label, compartment)
            assert not math.isinf(value), (label, compartment)
            if label == "full" or not math.isnan(value):
                assert math.isfinite(value), (label, compartment)
            elif feature.is_soma:
                assert label == "no_soma", (label, compartment)
            else:
                assert name in UNDEFINED_WHEN_EMPTY, (label, compartment, value)


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_empty_compartment_gives_zero_or_documented_nan(name):
    feature = FEATURES[name]
    if feature.is_soma:
        pytest.skip("soma features do not depend on a compartment")
    m = CELLS["soma_only"]()
    for compartment in feature.compartments:
        value = feature.func(m, compartment)
        if name in UNDEFINED_WHEN_EMPTY:
            assert math.isnan(value)
        else:
            assert value == 0.0


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_catalogue_entry_is_complete(name):
    f = FEATURES[name]
    assert isinstance(f, Feature) and f.name == name
    assert f.unit in {"µm", "µm²", "µm³", "rad", "1"}
    assert f.description.endswith(".") and f.reference
    assert f.func.__doc__, "each feature function documents its definition"
    assert f.compartments == ("soma",) or set(f.compartments) <= set(COMPARTMENT_NAMES)
    assert f.is_soma == name.startswith("soma_")
    assert isinstance(f.invariant, bool)


def test_base_feature_columns_are_the_contract():
    assert feature_names(BASE_FEATURES, "dendrite") == [
        "dendrite__total_length", "dendrite__n_branch_points", "dendrite__n_stems",
        "dendrite__max_path_distance", "soma__radius",
    ]
    assert compute_features(CELLS["full"](), BASE_FEATURES).shape == (5,)


def test_extended_features_cover_the_catalogue():
    assert len(EXTENDED_FEATURES) >= 30
    assert set(BASE_FEATURES) <= set(EXTENDED_FEATURES) == set(FEATURES)
    names = feature_names(EXTENDED_FEATURES, COMPARTMENT_NAMES)
    assert len(names) == len(set(names))
    assert "axon__length_fraction_above_soma" in names
    values = compute_features(CELLS["full"](), EXTENDED_FEATURES, COMPARTMENT_NAMES)
    assert values.shape == (len(names),) and values.dtype == np.float64
    assert np.all(np.isfinite(values))


def test_rotation_invariance_flags_are_honest():
    m = CELLS["full"]()
    c, s = math.cos(0.7), math.sin(0.7)
    rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    rot = rx @ rz  # an oblique rotation moves every axis
    r = m.transformed(rot)
    for f in FEATURES.values():
        a = np.array([f.func(m, c) for c in f.compartments])
        b = np.array([f.func(r, c) for c in f.compartments])
        if f.invariant:
            np.testing.assert_allclose(a, b, rtol=1e-9, err_msg=f.name)
        else:
            assert not np.allclose(a, b), f"{f.name} looks rotation-invariant"


def test_unknown_names_raise_helpful_errors():
    with pytest.raises(ValueError, match="Did you mean 'total_length'"):
        feature_names(["total_lenght"])
    with pytest.raises(ValueError, match="Unknown compartment 'dendrites'"):
        feature_names(BASE_FEATURES, "dendrites")
    axon_only = Feature("axon_thing", FEATURES["n_tips"].func, "1", "Axon only.",
                        "test", compartments=("axon",))
    with pytest.raises(ValueError, match="applies to"):
        feature_names([axon_only], "dendrite")
    assert feature_names([axon_only, "n_tips"], ["dendrite", "axon"]) == [
        "dendrite__n_tips", "axon__axon_thing", "axon__n_tips"]
    with pytest.raises(ValueError, match="twice"):
        feature_names(["n_tips", "n_tips"])
    with pytest.raises(ValueError, match="distinct"):
        feature_names(["n_tips"], ["axon", "axon"])


def test_feature_objects_and_single_names_are_accepted():
    m = CELLS["full"]()
    a = compute_features(m, FEATURES["n_tips"], "basal")
    b = compute_features(m, "n_tips", "basal")
    assert a.tolist() == b.tolist() == [4.0]


def test_catalogue_is_read_only():
    with pytest.raises(TypeError):
        FEATURES["x"] = FEATURES["n_tips"]
    with pytest.raises(AttributeError):
        FEATURES["n_tips"].unit = "m"


def test_feature_table_and_rst():
    table = feature_table()
    assert list(table.columns) == ["name", "unit", "compartments", "invariant",
                                   "scale_free", "radius_free", "robust",
                                   "reference", "description"]
    assert table["name"].tolist() == list(FEATURES)
    rst = feature_table_rst()
    assert rst.startswith(".. list-table::")
    for name in FEATURES:
        assert f"``{name}``" in rst
    # Every row has the same number of cells as the header.
    assert rst.count("   * - ") == len(FEATURES) + 1
    assert rst.count("\n     - ") == 8 * (len(FEATURES) + 1)
    docutils_core = pytest.importorskip("docutils.core")
    import io

    messages = io.StringIO()
    docutils_core.publish_doctree(rst, settings_overrides={
        "warning_stream": messages, "report_level": 1})
    assert messages.getvalue() == ""


def test_cache_does_not_leak_into_pickles():
    import pickle

    m = CELLS["full"]()
    compute_features(m, EXTENDED_FEATURES)
    clone = pickle.loads(pickle.dumps(m))
    assert not any(k.startswith("_ngep") for k in vars(clone))
    np.testing.assert_array_equal(compute_features(clone, EXTENDED_FEATURES),
                                  compute_features(m, EXTENDED_FEATURES))


def test_feature_rejects_unknown_compartments():
    with pytest.raises(ValueError, match="compartments must be"):
        Feature("x", FEATURES["n_tips"].func, "1", "X.", "test",
                compartments=("dendrite", "soma"))


_ALLEN_CELLS = []


@pytest.fixture
def allen_cells(allen_dir):
    """The first 15 Allen cells, read once per session."""
    import warnings

    from ngep.io import read_swc

    if not _ALLEN_CELLS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            paths = sorted((allen_dir / "swc").glob("*.swc"))[:15]
            _ALLEN_CELLS.extend(read_swc(p) for p in paths)
    return _ALLEN_CELLS


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_every_feature_on_real_cells(name, allen_cells):
    feature = FEATURES[name]
    for m in allen_cells:
        for compartment in feature.compartments:
            value = feature.func(m, compartment)
            assert type(value) is float and not math.isinf(value)
            if compartment in ("all", "dendrite", "soma"):
                # Every Allen cell has a soma and branching dendrites.
                assert math.isfinite(value), (m.name, compartment)
            elif math.isnan(value):
                assert name in UNDEFINED_WHEN_EMPTY, (m.name, compartment)
