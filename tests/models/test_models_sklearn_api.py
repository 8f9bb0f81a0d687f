# SPDX-License-Identifier: BSD-3-Clause
"""Estimator API details of the MLPs beyond tests/test_common.py's checks."""

import pytest
from sklearn.exceptions import ConvergenceWarning

from ngep.models import ExpressionRegressor


def test_convergence_warning_names_estimator():
    import numpy as np

    X = np.arange(20.0).reshape(10, 2)
    with pytest.warns(ConvergenceWarning, match="ExpressionRegressor: maximum"):
        ExpressionRegressor((4,), max_iter=2, random_state=0).fit(X, X[:, 0])
