# SPDX-License-Identifier: BSD-3-Clause
"""Reading and writing neuron reconstructions.

:func:`read_morphology` reads SWC (``.swc``, ``.swc.gz``), Neurolucida
(``.asc``) and HDF5 (``.h5``) files into a :class:`Morphology`, a tree of nodes
held as numpy arrays with vectorised topology (children counts, segment lengths,
path distances, branch orders); ``.asc`` and ``.h5`` go through MorphIO (the
``formats`` extra). :func:`read_swc` is the SWC reader itself and
:func:`write_swc` writes a neuron back. :data:`MORPHOLOGY_SUFFIXES` lists the
file names recognised as neurons when a folder is scanned.
"""

from ngep.io._formats import (
    MORPHOLOGY_SUFFIXES,
    find_morphologies,
    is_morphology_file,
    morphology_format,
    morphology_stem,
)
from ngep.io._morphology import COMPARTMENTS, SWC_TYPES, Morphology
from ngep.io._read import read_morphology
from ngep.io._swc import read_swc, write_swc

__all__ = [
    "COMPARTMENTS",
    "MORPHOLOGY_SUFFIXES",
    "SWC_TYPES",
    "Morphology",
    "find_morphologies",
    "is_morphology_file",
    "morphology_format",
    "morphology_stem",
    "read_morphology",
    "read_swc",
    "write_swc",
]
