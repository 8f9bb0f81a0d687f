# SPDX-License-Identifier: BSD-3-Clause
"""fitted_attribute: what a meta-estimator reports from its fitted inner model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression

from ngep._metaestimators import fitted_attribute


class _Wrapper(BaseEstimator):
    n_features_in_ = fitted_attribute("model_", "n_features_in_", "Inputs.")
    feature_names_in_ = fitted_attribute("model_", "feature_names_in_", "Names.")

    def fit(self, X, y):
        self.model_ = LinearRegression().fit(X, y)
        return self


def test_reads_the_inner_model_once_fitted():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 0.0, 1.0]})
    wrapper = _Wrapper().fit(X, [0.0, 1.0, 2.0])
    assert wrapper.n_features_in_ == 2
    assert wrapper.feature_names_in_.tolist() == ["a", "b"]
    assert "n_features_in_" not in vars(wrapper)  # not a stored copy


def test_not_fitted_and_missing_attribute():
    with pytest.raises(NotFittedError):
        _Wrapper().n_features_in_  # noqa: B018
    wrapper = _Wrapper().fit(np.eye(3), [0.0, 1.0, 2.0])
    assert not hasattr(wrapper, "feature_names_in_")  # NumPy X: no names
    assert _Wrapper.n_features_in_.__doc__ == "Inputs."
