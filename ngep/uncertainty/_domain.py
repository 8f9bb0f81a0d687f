# SPDX-License-Identifier: BSD-3-Clause
"""Applicability domain: is a new neuron like the ones the model learnt from?"""

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.covariance import EmpiricalCovariance, MinCovDet
from sklearn.ensemble import IsolationForest
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import Interval, StrOptions, fit_context
from ngep._docstring import fill_doc


class _InDomainMixin:
    """``in_domain`` from ``decision_function`` (negative means outside)."""

    def in_domain(self, X):
        """True for neurons inside the training domain.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the neurons to check.

        Returns
        -------
        ndarray of bool of shape (n_samples,)
            True inside the domain (``decision_function(X) >= 0``).
        """
        return self.decision_function(X) >= 0


@fill_doc
class ApplicabilityDomain(_InDomainMixin, OutlierMixin, BaseEstimator):
    """Flag neurons unlike the training neurons, whose predictions are unreliable.

    A model trained on mouse cortical neurons should not be trusted on a
    human neuron twice their size, or on a reconstruction that lost its axon.
    Fitted on the training *features*, this detector scores how typical a
    neuron is and flags those beyond what ``quantile`` of the training
    neurons reach.

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    method : {"mahalanobis", "isolation_forest", "range"}, default="mahalanobis"
        ``"mahalanobis"``: squared Mahalanobis distance to the (robust) mean,
        affine-invariant so no scaling is needed; good when features are
        roughly elliptical (log-transform lengths first); it flags neurons
        that are too large, too small or break the usual correlations
        (longer but with no more tips). ``"isolation_forest"``:
        :class:`sklearn.ensemble.IsolationForest`, for multimodal data (it
        flags a neuron between two well-separated types, which one ellipse
        accepts); its trees do not extend beyond the training range, so a
        neuron far outside it on one feature scores like the most extreme
        training neurons and may pass: prefer ``"mahalanobis"`` to catch
        larger species or damaged reconstructions. ``"range"``: per-feature
        bounds, for a domain that says *which* measurement is out of range:
        each feature's ``[lower_, upper_]`` are its training quantiles
        ``a`` and ``1 - a``, with one tail fraction ``a`` for all features
        chosen so that ``quantile`` of the training neurons lie inside every
        bound at once (``quantile=1``: the training minimum and maximum).
        The score is minus the largest distance beyond a bound, in
        half-widths of the bounds (positive inside), so a neuron is outside
        when any feature is out of its bounds.
    quantile : float, default=0.99
        Fraction of training neurons inside the domain; the threshold is the
        score of that training quantile.
    robust : bool, default=True
        Mahalanobis only: estimate location and covariance with
        :class:`~sklearn.covariance.MinCovDet`, so outliers in the training
        set do not inflate the domain; falls back to the empirical covariance
        when there are fewer than ``2 * n_features`` neurons.
    random_state : int, RandomState or None, default=None
        Seeds MinCovDet and IsolationForest.
    margin : float, default=0.0
        ``"range"`` only: widen each feature's bounds on both sides by this
        fraction of its training span (``data_max_ - data_min_``), so that only
        neurons clearly beyond what the training set held are flagged.

    Attributes
    ----------
    estimator_ : estimator or None
        The fitted covariance estimator or isolation forest (None for
        ``"range"``).
    center_, scale_ : ndarray of shape (n_features,)
        ``"range"`` only: centre and half-width of each feature's bounds.
    lower_, upper_ : ndarray of shape (n_features,)
        ``"range"`` only: the per-feature bounds of the domain.
    data_min_, data_max_ : ndarray of shape (n_features,)
        ``"range"`` only: the training range of each feature.
    offset_ : float
        The threshold: ``score_samples`` at or above which a neuron is inside
        the domain (``decision_function = score_samples - offset_``, as in
        scikit-learn's outlier detectors).
    %(fitted_input_attributes)s

    See Also
    --------
    predict_with_domain : Predictions with an ``out_of_domain`` column.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.lognormal(mean=5, sigma=0.2, size=(300, 3))  # e.g. lengths
    >>> domain = ApplicabilityDomain(random_state=0).fit(np.log(X))
    >>> domain.predict(np.log(np.vstack([X[:2], 2 * X[:1]])))  # last: 2x larger
    array([ 1,  1, -1])
    """

    _parameter_constraints = {
        "method": [StrOptions({"mahalanobis", "isolation_forest", "range"})],
        "quantile": [Interval(Real, 0, 1, closed="right")],
        "robust": ["boolean"],
        "random_state": ["random_state"],
        "margin": [Interval(Real, 0, None, closed="left")],
    }

    # Fitted state saved by ngep.persistence's pickle-free format.
    _portable_attrs = (
        "estimator_",
        "offset_",
        "center_",
        "scale_",
        "lower_",
        "upper_",
        "data_min_",
        "data_max_",
        "n_features_in_",
        "feature_names_in_",
    )

    def __init__(
        self,
        method="mahalanobis",
        *,
        quantile=0.99,
        robust=True,
        random_state=None,
        margin=0.0,
    ):
        self.method = method
        self.quantile = quantile
        self.robust = robust
        self.random_state = random_state
        self.margin = margin

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the training distribution and set the threshold.

        With ``method="mahalanobis"`` or ``"isolation_forest"`` the threshold
        ``offset_`` is the score that a fraction ``quantile`` of the training
        neurons reach or exceed; with ``"range"`` the bounds themselves hold
        that fraction and ``offset_`` is 0. At least 2 neurons are needed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (what the model sees, not SWC paths).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted detector.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if self.method == "range":
            self.estimator_ = None
            self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
            lower, upper = _joint_bounds(X, self.quantile)
            widen = self.margin * (self.data_max_ - self.data_min_)
            self.lower_, self.upper_ = lower - widen, upper + widen
            self.center_ = (self.lower_ + self.upper_) / 2
            half = (self.upper_ - self.lower_) / 2
            self.scale_ = np.where(half > 0, half, 1.0)
            self.offset_ = 0.0
            return self
        if self.method == "isolation_forest":
            self.estimator_ = IsolationForest(random_state=self.random_state).fit(X)
        elif self.robust and X.shape[0] >= 2 * X.shape[1] + 2:
            with warnings.catch_warnings():  # singular subsets: handled by pinv
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.simplefilter("ignore", UserWarning)
                self.estimator_ = MinCovDet(random_state=self.random_state).fit(X)
        else:
            self.estimator_ = EmpiricalCovariance().fit(X)
        train = self._raw_scores(X)
        self.offset_ = float(np.quantile(train, 1.0 - self.quantile))
        return self

    def _raw_scores(self, X):
        if self.method == "range":
            # distance beyond the nearer bound, in half-widths (exactly 0 on it)
            out = np.maximum(self.lower_ - X, X - self.upper_) / self.scale_
            return -np.max(out, axis=1)
        if self.method == "isolation_forest":
            return self.estimator_.score_samples(X)
        return -self.estimator_.mahalanobis(X)

    def score_samples(self, X):
        """Typicality of each neuron: higher is more like the training set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the neurons to compare with the training set.

        Returns
        -------
        ndarray of shape (n_samples,)
            Minus the squared Mahalanobis distance, or the isolation-forest
            score.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self._raw_scores(X)

    def decision_function(self, X):
        """``score_samples`` minus ``offset_``: negative means outside.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, as for :meth:`score_samples`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Signed margin to the domain boundary.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for neurons inside the domain, -1 outside (sklearn outlier convention).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Neurons to classify as inliers or outliers (see :meth:`score_samples`).

        Returns
        -------
        ndarray of int of shape (n_samples,)
            +1 inside, -1 outside.
        """
        return np.where(self.in_domain(X), 1, -1)


def _joint_bounds(X, quantile):
    """Per-feature bounds ``[q_a, q_(1-a)]`` holding ``quantile`` of the rows.

    ``a`` is the largest tail fraction (the same for every feature) for which
    at least ``quantile`` of the rows lie inside every feature's bounds at
    once; ``quantile=1`` gives the training minimum and maximum.
    """

    def bounds(a):
        return np.quantile(X, a, axis=0), np.quantile(X, 1 - a, axis=0)

    def inside(a):
        lo, hi = bounds(a)
        return np.mean(np.all((X >= lo) & (X <= hi), axis=1))

    lo_a, hi_a = 0.0, 0.5
    for _ in range(40):  # bisection: inside() decreases as a grows
        mid = (lo_a + hi_a) / 2
        if inside(mid) >= quantile:
            lo_a = mid
        else:
            hi_a = mid
    return bounds(lo_a)


def predict_with_domain(estimator, domain, X, *, X_domain=None):
    """Predict and flag neurons outside the applicability domain.

    Parameters
    ----------
    estimator : estimator
        Fitted model; its ``predict`` is called on ``X``.
    domain : ApplicabilityDomain
        Fitted on the training features.
    X : array-like or list of paths
        Model inputs.
    X_domain : array-like or None, default=None
        Features the domain was fitted on, when they differ from ``X`` (for
        instance morphometrics computed from SWC paths); ``None`` uses ``X``.

    Returns
    -------
    DataFrame
        ``prediction`` (or one column per output/gene), ``domain_score``
        (:meth:`ApplicabilityDomain.decision_function`) and ``out_of_domain``
        (bool). A DataFrame X's index is kept.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> model = LinearRegression().fit(X, X[:, 0])
    >>> domain = ApplicabilityDomain(random_state=0).fit(X)
    >>> out = predict_with_domain(model, domain, np.array([[0.1, 0.0], [8.0, 8.0]]))
    >>> out["out_of_domain"].tolist()
    [False, True]
    """
    pred = np.asarray(estimator.predict(X))
    if hasattr(estimator, "genes_") and pred.ndim == 2:
        columns = [str(g) for g in estimator.genes_]
    elif pred.ndim == 2:
        columns = [f"prediction_{j}" for j in range(pred.shape[1])]
    else:
        columns = ["prediction"]
    index = X.index if isinstance(X, pd.DataFrame) else None
    out = pd.DataFrame(pred.reshape(len(pred), -1), columns=columns, index=index)
    margin = domain.decision_function(X if X_domain is None else X_domain)
    out["domain_score"] = margin
    out["out_of_domain"] = margin < 0
    return out
