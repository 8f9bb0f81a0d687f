# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn transformers that turn neurons into feature matrices.

:class:`MorphologyExtractor` reads SWC files (or takes parsed
:class:`~ngep.io.Morphology` objects) and returns one row of named morphometrics
per neuron, in parallel, with per-file fault tolerance and an optional on-disk
cache that lets an interrupted extraction resume.

The estimator is imported on first access (PEP 562): worker processes that
only run the per-file code in ``ngep.transformers._batch`` then never import
scikit-learn, which halves their start-up time and memory.
"""

import importlib

__all__ = ["MorphologyExtractor"]

_LAZY = {"MorphologyExtractor": "ngep.transformers._morphometric"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ngep.transformers' has no attribute {name!r}")


def __dir__():
    return __all__
