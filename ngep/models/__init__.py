# SPDX-License-Identifier: BSD-3-Clause
"""Neural-network estimators backed by PyTorch through skorch.

:class:`ExpressionRegressor` predicts expression levels (one gene or several
genes in one network); :class:`MarkerClassifier` predicts marker labels. Both
follow scikit-learn's estimator API and :mod:`sklearn.neural_network`'s
parameter names. Torch is imported on first ``fit``/``predict``, not on import.
"""

from ngep.models._classifier import MarkerClassifier
from ngep.models._regressor import ExpressionRegressor

__all__ = ["ExpressionRegressor", "MarkerClassifier"]
