# SPDX-License-Identifier: BSD-3-Clause
"""The feature presets: what ``features="robust"`` and ``"scale_free"`` keep out."""

import numpy as np
import pytest

from ngep.cli._args import FEATURE_PRESETS, parse_features
from ngep.io import Morphology
from ngep.morphometrics import (
    BASE_FEATURES,
    EXTENDED_FEATURES,
    FEATURES,
    PRESETS,
    ROBUST_FEATURES,
    SCALE_FREE_FEATURES,
)
from ngep.transformers import MorphologyExtractor


def test_presets_table():
    assert PRESETS["base"] == BASE_FEATURES
    assert PRESETS["extended"] == EXTENDED_FEATURES
    assert PRESETS["robust"] == ROBUST_FEATURES
    assert PRESETS["scale_free"] == SCALE_FREE_FEATURES
    assert tuple(PRESETS) == FEATURE_PRESETS  # the CLI spells them out


def test_robust_preset_reads_no_radius_and_no_frame():
    for key in ROBUST_FEATURES:
        f = FEATURES[key]
        assert f.radius_free and f.invariant and not f.is_soma, key
    left_out = set(EXTENDED_FEATURES) - set(ROBUST_FEATURES)
    assert {k for k in FEATURES if not FEATURES[k].radius_free} <= left_out
    assert {k for k in FEATURES if not FEATURES[k].invariant} <= left_out
    # spacing-dependent (tracing jitter) and redundant ones, documented in _registry
    assert {"mean_contraction", "mean_local_bifurcation_angle", "tip_tortuosity",
            "n_bifurcations", "n_sections", "mean_section_length",
            "sholl_peak_radius", "sholl_peak_intersections"} <= left_out
    assert len(set(ROBUST_FEATURES)) == len(ROBUST_FEATURES)


def test_scale_free_preset_is_the_scale_free_part_of_robust():
    assert set(SCALE_FREE_FEATURES) < set(ROBUST_FEATURES)
    assert all(FEATURES[k].scale_free for k in SCALE_FREE_FEATURES)
    assert {k for k in ROBUST_FEATURES if FEATURES[k].scale_free} == set(
        SCALE_FREE_FEATURES)


@pytest.mark.parametrize("preset", ["robust", "scale_free"])
def test_extractor_accepts_the_preset(preset):
    cell = Morphology([[0, 0, 0], [0, 10, 0], [0, 20, 0], [5, 30, 0], [-5, 30, 0]],
                      [5, 1, 1, 0.5, 0.5], [1, 3, 3, 3, 3], [-1, 0, 1, 2, 2])
    ext = MorphologyExtractor(preset, compartment=["dendrite", "axon"]).fit([])
    names = ext.get_feature_names_out().tolist()
    assert names[: len(PRESETS[preset])] == [f"dendrite__{k}" for k in PRESETS[preset]]
    assert not any(n.startswith("soma__") for n in names)
    row = ext.transform([cell])
    assert row.shape == (1, 2 * len(PRESETS[preset]))
    assert np.isfinite(row[0, : len(PRESETS[preset])]).all()


def test_cli_parses_the_presets():
    assert parse_features("robust") == "robust"
    assert parse_features("scale_free") == "scale_free"
