# SPDX-License-Identifier: BSD-3-Clause
"""Datasets: synthetic neurons with a known answer.

:func:`make_neurons` grows neurons of five mouse cortical classes with a
stochastic branching process and gives each a marker-gene expression that is a
known function of its class and morphology, with the best achievable R².
"""

from ngep.datasets._classes import (
    CLASS_PARAMETERS,
    CLASSES,
    CORTICAL_PROPORTIONS,
    REGION_SHIFTS,
    SPECIES_SCALE,
)
from ngep.datasets._synthetic import make_neurons

__all__ = [
    "CLASSES",
    "CLASS_PARAMETERS",
    "CORTICAL_PROPORTIONS",
    "REGION_SHIFTS",
    "SPECIES_SCALE",
    "make_neurons",
]
