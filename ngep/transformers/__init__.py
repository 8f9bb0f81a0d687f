# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn transformers that turn neurons into feature matrices.

:class:`MorphologyExtractor` reads SWC files (or takes parsed
:class:`~ngep.io.Morphology` objects) and returns one row of named morphometrics
per neuron, in parallel, with per-file fault tolerance and an optional on-disk
cache that lets an interrupted extraction resume.

:class:`FeatureExpander` expands five dendritic measurements into fourteen
engineered features (log transforms, ratios, interactions) defined once in
:func:`expansion_table`.

:class:`RangeClipper` bounds each feature to its training range widened by a
few standard deviations, so that a model never extrapolates far outside what it
was trained on (another lab's neurons).

The estimators are imported on first access (PEP 562): worker processes that
only run the per-file code in ``ngep.transformers._batch`` then never import
scikit-learn, which halves their start-up time and memory.
"""

import importlib

__all__ = ["FeatureExpander", "MorphologyExtractor", "RangeClipper", "expansion_table"]

_LAZY = {
    "FeatureExpander": "ngep.transformers._expander",
    "MorphologyExtractor": "ngep.transformers._morphometric",
    "RangeClipper": "ngep.transformers._clip",
    "expansion_table": "ngep.transformers._expander",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ngep.transformers' has no attribute {name!r}")


def __dir__():
    return __all__
