# SPDX-License-Identifier: BSD-3-Clause
"""Morphometrics: named, documented features of a neuron's morphology.

Every feature is a function ``func(morphology, compartment) -> float`` listed
once in :data:`FEATURES` with its unit, the compartments it applies to, whether
it is rotation-invariant and whose definition it follows (NeuroM, L-Measure,
Allen). :func:`compute_features` computes a list of them; output columns are
named ``"<compartment>__<feature>"`` (``"dendrite__total_length"``) and
``"soma__<name>"`` for soma features (``soma_radius`` gives ``"soma__radius"``).

All functions are vectorised over nodes with numpy; intermediates shared by
several features (sections, compartment masks, distances) are cached on the
morphology.
"""

from ngep.morphometrics._compute import compute_features, feature_names
from ngep.morphometrics._frame import (
    FRAMES,
    frame_transform,
    parse_frame,
    to_frame,
    unit_problem,
)
from ngep.morphometrics._registry import (
    BASE_FEATURES,
    COMPARTMENT_NAMES,
    EXTENDED_FEATURES,
    FEATURES,
    PRESETS,
    ROBUST_FEATURES,
    SCALE_FREE_FEATURES,
    Feature,
)
from ngep.morphometrics._table import feature_table, feature_table_rst

__all__ = [
    "BASE_FEATURES",
    "COMPARTMENT_NAMES",
    "EXTENDED_FEATURES",
    "FEATURES",
    "FRAMES",
    "Feature",
    "PRESETS",
    "ROBUST_FEATURES",
    "SCALE_FREE_FEATURES",
    "compute_features",
    "feature_names",
    "frame_transform",
    "parse_frame",
    "feature_table",
    "feature_table_rst",
    "to_frame",
    "unit_problem",
]
