# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn transformers that turn neurons into feature matrices.

:class:`MorphologyExtractor` reads SWC files (or takes parsed
:class:`~ngep.io.Morphology` objects) and returns one row of named morphometrics
per neuron, in parallel, with per-file fault tolerance and an optional on-disk
cache that lets an interrupted extraction resume.
"""

from ngep.transformers._morphometric import MorphologyExtractor

__all__ = ["MorphologyExtractor"]
