# SPDX-License-Identifier: BSD-3-Clause
"""Pretrained marker models shipped with ngep, ready for your own neurons.

Each model is a fitted pipeline from SWC paths (feature extraction, an
applicability-domain check, preprocessing, classifier), stored in ngep's
pickle-free format inside the package and checked against a SHA-256 manifest
when loaded. No network and no training data are needed.

- :func:`list_pretrained` lists the names (``"pvalb-mouse-cortex"``, ...);
- :func:`load_pretrained` returns the fitted pipeline
  (also ``ngep.load_pretrained``);
- :func:`predict_files` gives one row per file: probabilities per class
  (``proba_0``, ``proba_1``), ``out_of_domain`` and ``out_of_domain_reason``;
- :func:`model_card` (Markdown) and :func:`pretrained_info` (a dict) say what a
  model is: target, label source, training cells, grouped-CV metrics beside
  baselines, features, domain and what it is not for.

The models are rebuilt from :mod:`ngep.pretrained._recipes` by
``python -m ngep.pretrained._build --data ../shared/data``.
"""

from ngep.pretrained._card import model_card
from ngep.pretrained._predict import class_column, predict_files
from ngep.pretrained._registry import (
    list_pretrained,
    load_pretrained,
    pretrained_info,
    pretrained_path,
)

__all__ = [
    "class_column",
    "list_pretrained",
    "load_pretrained",
    "model_card",
    "predict_files",
    "pretrained_info",
    "pretrained_path",
]
