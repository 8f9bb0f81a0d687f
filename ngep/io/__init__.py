# SPDX-License-Identifier: BSD-3-Clause
"""Reading and writing neuron reconstructions.

:func:`read_swc` turns an SWC file into a :class:`Morphology`, a tree of nodes
held as numpy arrays with vectorised topology (children counts, segment lengths,
path distances, branch orders). :func:`write_swc` writes one back.
"""

from ngep.io._morphology import COMPARTMENTS, SWC_TYPES, Morphology
from ngep.io._swc import read_swc, write_swc

__all__ = ["COMPARTMENTS", "SWC_TYPES", "Morphology", "read_swc", "write_swc"]
