# SPDX-License-Identifier: BSD-3-Clause
"""ngep: predict cell-type-specific gene expression of neurons from 3D morphology.

Subpackages are imported lazily on first attribute access (PEP 562), so
``import ngep`` is cheap, changes no global state and never imports torch or
matplotlib. Torch is imported only when a neural model is fitted or loaded.

Subpackages
-----------
io
    Reading SWC files into :class:`~ngep.io.Morphology` objects.
morphometrics
    The catalogue of named morphometric features.
transformers
    scikit-learn transformers: :class:`~ngep.transformers.MorphologyExtractor`
    and :class:`~ngep.transformers.FeatureExpander`.
models
    skorch-backed estimators (:class:`~ngep.models.ExpressionRegressor`,
    :class:`~ngep.models.MarkerClassifier`).
model_selection
    Cross-validation on continuous targets and evaluation reports.
multigene
    Gene panels: one model per gene, tuned and scored per gene.
multigroup
    Region-, species- or lab-specific models with a global fallback.
inspection
    Permutation importance per feature, per base measurement and per gene.
uncertainty
    Conformal prediction intervals, reliability of probabilities, applicability.
pretrained
    Marker models shipped with ngep (``ngep.load_pretrained("pvalb-mouse-cortex")``).
datasets
    Synthetic neurons with known truth and data fetchers.
plot
    Pictures of neurons (matplotlib, imported on use).
web
    The validator page behind ``ngep serve`` (the ``web`` extra).
"""

import importlib

from ngep._version import __version__ as __version__

_SUBMODULES = frozenset(
    {
        "cli",
        "datasets",
        "exceptions",
        "inspection",
        "io",
        "model_selection",
        "models",
        "morphometrics",
        "multigene",
        "multigroup",
        "persistence",
        "pipeline",
        "plot",
        "pretrained",
        "transformers",
        "uncertainty",
        "web",
    }
)

# Top-level conveniences: name -> submodule that defines it.
_LAZY_ATTRS = {
    "read_swc": "io",
    "read_morphology": "io",
    "Morphology": "io",
    "MorphologyExtractor": "transformers",
    "FeatureExpander": "transformers",
    "make_default_pipeline": "pipeline",
    "make_pipeline": "pipeline",  # deprecated alias, removed in 0.3
    "save": "persistence",
    "load": "persistence",
    "load_pretrained": "pretrained",
}

__all__ = sorted(["__version__", *_SUBMODULES, *_LAZY_ATTRS])


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"ngep.{name}")
    if name in _LAZY_ATTRS:
        module = importlib.import_module(f"ngep.{_LAZY_ATTRS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'ngep' has no attribute {name!r}")


def __dir__():
    return __all__
