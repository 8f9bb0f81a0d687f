# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn's estimator checks, with no expected failures."""

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from ngep.models import ExpressionRegressor, MarkerClassifier

# n_iter_no_change/tol: some checks raise max_iter to 1000; stop those fits early.
ESTIMATORS = [
    ExpressionRegressor((8,), max_iter=5, tol=1e-2, n_iter_no_change=2, random_state=0),
    MarkerClassifier((8,), max_iter=5, tol=1e-2, n_iter_no_change=2, random_state=0),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


def test_convergence_warning_names_estimator():
    import numpy as np

    X = np.arange(20.0).reshape(10, 2)
    with pytest.warns(ConvergenceWarning, match="ExpressionRegressor: maximum"):
        ExpressionRegressor((4,), max_iter=2, random_state=0).fit(X, X[:, 0])
