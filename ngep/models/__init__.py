# SPDX-License-Identifier: BSD-3-Clause
"""Neural-network estimators backed by PyTorch through skorch.

:class:`ExpressionRegressor` predicts expression levels (one gene or several
genes in one network); :class:`MarkerClassifier` predicts marker labels. Both
follow scikit-learn's estimator API and :mod:`sklearn.neural_network`'s
parameter names. Torch is imported on first ``fit``/``predict``, not on import.

:class:`ContrastClassifier` scores one class (a marker) against all cells and
against its peers (the other interneurons) and averages the two: the training
contrast of the shipped marker models.
"""

from ngep.models._axon import AxonSwitchClassifier
from ngep.models._classifier import MarkerClassifier
from ngep.models._contrast import ContrastClassifier
from ngep.models._regressor import ExpressionRegressor

__all__ = [
    "AxonSwitchClassifier",
    "ContrastClassifier",
    "ExpressionRegressor",
    "MarkerClassifier",
]
