# SPDX-License-Identifier: BSD-3-Clause
"""Datasets: fetchers for public neuron reconstructions, with a local cache.

:func:`fetch_neuromorpho` and :func:`fetch_allen_cell_types` download SWC files
and their metadata from NeuroMorpho.org and the Allen Cell Types Database into
the folder given by :func:`get_data_home`, with checksums, retries and a rate
limit. See the "Fetching data" page of the user guide for licences and citation.
"""

from ngep.datasets._fetchers import fetch_allen_cell_types, fetch_neuromorpho
from ngep.datasets._http import DownloadError, get_data_home

__all__ = [
    "DownloadError",
    "fetch_allen_cell_types",
    "fetch_neuromorpho",
    "get_data_home",
]
