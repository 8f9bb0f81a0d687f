# SPDX-License-Identifier: BSD-3-Clause
"""Datasets: synthetic neurons with a known answer, and fetchers of real ones.

:func:`make_neurons` grows neurons of five mouse cortical classes with a
stochastic branching process and gives each a marker-gene expression that is a
known function of its class and morphology, with the best achievable R².

:func:`fetch_neuromorpho` and :func:`fetch_allen_cell_types` download SWC files
and their metadata from NeuroMorpho.org and the Allen Cell Types Database into
the folder given by :func:`get_data_home`, with checksums, retries and a rate
limit. See the "Fetching data" page of the user guide for licences and citation.
"""

from ngep.datasets._classes import (
    CLASS_PARAMETERS,
    CLASSES,
    CORTICAL_PROPORTIONS,
    REGION_SHIFTS,
    SPECIES_SCALE,
)
from ngep.datasets._fetchers import fetch_allen_cell_types, fetch_neuromorpho
from ngep.datasets._http import get_data_home
from ngep.datasets._synthetic import make_neurons
from ngep.exceptions import DownloadError

__all__ = [
    "CLASSES",
    "CLASS_PARAMETERS",
    "CORTICAL_PROPORTIONS",
    "DownloadError",
    "REGION_SHIFTS",
    "SPECIES_SCALE",
    "fetch_allen_cell_types",
    "fetch_neuromorpho",
    "get_data_home",
    "make_neurons",
]
