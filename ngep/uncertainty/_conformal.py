# SPDX-License-Identifier: BSD-3-Clause
"""Conformal prediction intervals from cross-validated residuals."""

import math
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ngep._compat import HasMethods, Interval, StrOptions, fit_context, safe_indexing
from ngep._metaestimators import fitted_attribute
from ngep.exceptions import ConfigurationError, InvalidInputError

_EPS = 1e-12


def _indexable(X):
    """X in a form whose rows can be taken by index (lists of paths stay lists)."""
    if sp.issparse(X):
        return X.tocsr()
    if isinstance(X, (list, tuple, np.ndarray)) or hasattr(X, "iloc"):
        return X
    return np.asarray(X)


def conformal_quantile(scores, coverage):
    """The finite-sample conformal quantile of nonconformity scores.

    The ``ceil((n + 1) * coverage)``-th smallest of the ``n`` scores: with
    exchangeable data a new score falls at or below it with probability at
    least ``coverage``.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Calibration scores (absolute residuals, possibly normalised).
    coverage : float
        Target coverage in (0, 1).

    Returns
    -------
    float
        The quantile; ``inf`` when there are too few scores for that coverage
        (fewer than ``coverage / (1 - coverage)``).

    Examples
    --------
    >>> conformal_quantile(range(1, 20), 0.9)  # 19 scores: the 18th smallest
    18.0
    >>> conformal_quantile([1.0, 2.0], 0.9)
    inf
    """
    scores = np.sort(np.asarray(scores, dtype=np.float64).ravel())
    rank = math.ceil((len(scores) + 1) * coverage)
    return float(scores[rank - 1]) if rank <= len(scores) else math.inf


class ConformalRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Prediction intervals with finite-sample coverage, around any regressor.

    Expression predicted from morphology is uncertain; this wrapper says by
    how much. Out-of-fold residuals from ``cv`` calibrate an interval that
    holds the true value for a fraction ``coverage`` of new neurons drawn
    like the training ones (exchangeability). No distributional assumption
    is made about the model or the noise.

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    estimator : estimator
        Regressor (or pipeline) predicting one target; cloned.
    coverage : float, default=0.9
        Target probability that the interval holds the true value.
    cv : int, cross-validation generator or iterable, default=5
        Splits giving out-of-fold residuals (see
        :func:`sklearn.model_selection.check_cv`).
    method : {"cv", "cv_plus"}, default="cv"
        ``"cv"``: the model refitted on all data ± the conformal quantile of
        the out-of-fold absolute residuals (coverage close to ``coverage`` in
        practice; exact for split conformal). ``"cv_plus"``: CV+ of Barber et
        al. (2021), intervals built from the fold models, with a guaranteed
        coverage of at least ``2 * coverage - 1`` and usually ``coverage``.
    difficulty : estimator or None, default=None
        Optional regressor fitted (method ``"cv"`` only) to predict the
        absolute out-of-fold residual from X; residuals are divided by its
        (also cross-fitted) prediction, so intervals widen where the model
        errs more (heteroscedastic targets). ``None`` gives intervals of
        equal width.

    Attributes
    ----------
    estimator_ : estimator
        The model fitted on all rows (point predictions).
    fold_estimators_ : list of estimator
        Models fitted without each fold (used by ``"cv_plus"``).
    oof_residuals_ : ndarray of shape (n_samples,)
        Out-of-fold absolute residuals.
    difficulty_estimator_ : estimator or None
        The fitted difficulty model.
    quantile_ : float
        Half-width of the interval (in units of difficulty when one is used)
        for method ``"cv"``.
    n_features_in_ : int
        Number of input features, when the input is a matrix.

    References
    ----------
    .. [1] Barber, Candès, Ramdas, Tibshirani (2021). "Predictive inference
       with the jackknife+". Annals of Statistics 49(1).
    .. [2] Lei, G'Sell, Rinaldo, Tibshirani, Wasserman (2018). "Distribution-free
       predictive inference for regression". JASA 113(523).

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = X[:, 0] + rng.normal(size=500)
    >>> model = ConformalRegressor(LinearRegression(), coverage=0.9).fit(X, y)
    >>> pred, lower, upper = model.predict(X[:3], return_interval=True)
    >>> bool(np.all((lower < pred) & (pred < upper)))
    True
    >>> round(float(np.mean(upper - lower)), 1)  # about 2 * 1.645 * noise sd
    3.3
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "coverage": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "method": [StrOptions({"cv", "cv_plus"})],
        "difficulty": [HasMethods(["fit", "predict"]), None],
    }

    def __init__(self, estimator, *, coverage=0.9, cv=5, method="cv", difficulty=None):
        self.estimator = estimator
        self.coverage = coverage
        self.cv = cv
        self.method = method
        self.difficulty = difficulty

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the model, the fold models and calibrate the interval.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of paths
            Training inputs.
        y : array-like of shape (n_samples,)
            One continuous target.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.difficulty is not None and self.method == "cv_plus":
            raise ConfigurationError(
                "difficulty is only supported with method='cv'; drop it or use "
                "method='cv'."
            )
        if y is None:
            raise InvalidInputError(
                "ConformalRegressor requires y to be passed, but the target y is None."
            )
        y_arr = np.asarray(y)
        if y_arr.ndim > 1 and not (y_arr.ndim == 2 and y_arr.shape[1] == 1):
            raise InvalidInputError(
                f"ConformalRegressor predicts one target; y has shape {y_arr.shape}. "
                "Wrap one ConformalRegressor per gene in a GenePanelRegressor."
            )
        y = column_or_1d(y_arr, warn=True)
        X = _indexable(X)
        self.estimator_ = clone(self.estimator).fit(X, y)
        y_arr = y.astype(np.float64)
        cv = check_cv(self.cv)
        n = len(y_arr)
        oof = np.empty(n)
        self.fold_estimators_, self._fold_of = [], np.empty(n, dtype=int)
        for k, (train, test) in enumerate(cv.split(np.zeros((n, 1)), y_arr)):
            model = clone(self.estimator).fit(
                safe_indexing(X, train), safe_indexing(y, train)
            )
            oof[test] = np.asarray(model.predict(safe_indexing(X, test))).reshape(-1)
            self.fold_estimators_.append(model)
            self._fold_of[test] = k
        self.oof_residuals_ = np.abs(y_arr - oof)
        scores = self.oof_residuals_
        self.difficulty_estimator_ = None
        if self.difficulty is not None:
            # Cross-fit the difficulty too: a model scored on the residuals it
            # was fitted on would call them easy and shrink the intervals.
            sigma = np.empty(n)
            for train, test in cv.split(np.zeros((n, 1)), y_arr):
                model = clone(self.difficulty).fit(
                    safe_indexing(X, train), scores[train]
                )
                sigma[test] = self._floor(model.predict(safe_indexing(X, test)))
            self.difficulty_estimator_ = clone(self.difficulty).fit(X, scores)
            scores = scores / sigma
        self.quantile_ = conformal_quantile(scores, self.coverage)
        return self

    def _floor(self, sigma):
        """Predicted difficulty, kept positive (a difficulty of 0 is no interval)."""
        sigma = np.asarray(sigma, dtype=np.float64).reshape(-1)
        floor = max(_EPS, 1e-3 * float(np.median(self.oof_residuals_)))
        return np.maximum(sigma, floor)

    def _sigma(self, X):
        return self._floor(self.difficulty_estimator_.predict(X))

    def predict(self, X, return_interval=False):
        """Point predictions, and optionally the conformal interval.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of paths
            Inputs.
        return_interval : bool, default=False
            Also return the lower and upper interval bounds.

        Returns
        -------
        pred : ndarray of shape (n_samples,)
            Predictions of the model fitted on all rows.
        lower, upper : ndarray of shape (n_samples,)
            Interval bounds, only with ``return_interval=True``.
        """
        check_is_fitted(self)
        pred = np.asarray(self.estimator_.predict(X), dtype=np.float64).reshape(-1)
        if not return_interval:
            return pred
        if self.method == "cv":
            half = self.quantile_
            if self.difficulty_estimator_ is not None:
                half = half * self._sigma(X)
            return pred, pred - half, pred + half
        return (pred, *self._cv_plus(X))

    def _cv_plus(self, X):
        fold_pred = np.column_stack(
            [
                np.asarray(m.predict(X), dtype=np.float64).reshape(-1)
                for m in self.fold_estimators_
            ]
        )  # (n_test, n_folds)
        mu = fold_pred[:, self._fold_of]  # (n_test, n_train)
        r = self.oof_residuals_[None, :]
        n = r.shape[1]
        alpha = 1.0 - self.coverage
        k_low = math.floor(alpha * (n + 1))
        k_up = math.ceil((1.0 - alpha) * (n + 1))
        lower = (
            np.partition(mu - r, k_low - 1, axis=1)[:, k_low - 1]
            if k_low >= 1
            else np.full(len(mu), -np.inf)
        )
        upper = (
            np.partition(mu + r, k_up - 1, axis=1)[:, k_up - 1]
            if k_up <= n
            else np.full(len(mu), np.inf)
        )
        return lower, upper

    n_features_in_ = fitted_attribute(
        "estimator_", "n_features_in_", "Number of input features of the fitted model.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = self.estimator.__sklearn_tags__().input_tags
        return tags
