# SPDX-License-Identifier: BSD-3-Clause
"""A pass-through pipeline step that carries an applicability domain."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import HasMethods, fit_context
from ngep._docstring import fill_doc
from ngep.uncertainty._domain import ApplicabilityDomain, _InDomainMixin


def _signed_log(X):
    """``sign(x) * log1p(|x|)``: lengths and counts become roughly elliptical."""
    return np.sign(X) * np.log1p(np.abs(X))


def _signed_exp(Y):
    """Inverse of :func:`_signed_log`: back to the units of the features."""
    return np.sign(Y) * np.expm1(np.abs(Y))


@fill_doc
class DomainCheck(
    _InDomainMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Pass features through unchanged, remembering which neurons are typical.

    Put it right after feature extraction and the model stays one
    scikit-learn :class:`~sklearn.pipeline.Pipeline` that can still say which
    neurons lie outside the training domain
    (``pipe.named_steps["domain"].in_domain(X)``); ``ngep fit --domain`` builds
    such a pipeline and ``ngep predict`` writes an ``out_of_domain`` column.
    It fits ``domain`` on the signed log (``sign(x) * log1p(|x|)``) of the
    feature table, with missing values
    replaced by the training medians; :meth:`transform` returns its input, so
    the model downstream sees exactly what it would see without this step.

    Parameters
    ----------
    domain : estimator or None, default=None
        Outlier detector with ``fit`` and ``decision_function`` (negative
        means outside); None uses
        ``ApplicabilityDomain(robust=False, random_state=0)``
        (:class:`~ngep.uncertainty.ApplicabilityDomain`). The empirical
        covariance, not the robust one, because a training set usually mixes
        cell types: the robust fit covers the largest type, calls the others
        outliers and so sets a threshold that lets almost anything in (on
        60 synthetic neurons of 5 types, 12 % of neurons scaled 2x were
        flagged with the robust fit, 53 % without; the rest are small neurons
        whose doubled size is still typical).

    Attributes
    ----------
    domain_ : estimator
        The fitted detector.
    medians_ : ndarray of shape (n_features,)
        Training medians, used for missing feature values.
    %(fitted_input_attributes)s

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.lognormal(mean=5, sigma=0.2, size=(200, 3))
    >>> check = DomainCheck().fit(X)
    >>> bool(np.array_equal(check.transform(X), X))  # features pass through
    True
    >>> check.in_domain(np.vstack([X[:2], 3 * X[:1]])).tolist()
    [True, True, False]
    """

    _parameter_constraints = {
        "domain": [HasMethods(["fit", "decision_function"]), None]
    }

    # Fitted state saved by ngep.persistence's pickle-free format.
    _portable_attrs = ("domain_", "medians_", "n_features_in_", "feature_names_in_")

    def __init__(self, domain=None):
        self.domain = domain

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the detector on the (log-transformed) training features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training feature table.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted step.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        medians = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0)
        self.medians_ = np.where(np.isnan(medians), 0.0, medians)
        if self.domain is None:
            domain = ApplicabilityDomain(robust=False, random_state=0)
        else:
            domain = clone(self.domain)
        self.domain_ = domain.fit(self._prepare(X))
        return self

    def _prepare(self, X):
        X = np.where(np.isfinite(X), X, self.medians_)
        return _signed_log(X)

    def transform(self, X):
        """Return the features unchanged (validated for their number of columns).

        A DataFrame is returned as given; any other array-like as the ndarray of
        the same values and dtype, so the next step sees what it would see
        without this one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature table.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            The features.
        """
        checked = self._validated(X, dtype=None)
        return X if isinstance(X, pd.DataFrame) else checked

    def decision_function(self, X):
        """Signed margin to the domain boundary: negative means outside.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature table; missing or infinite values count as the training
            medians.

        Returns
        -------
        ndarray of shape (n_samples,)
            The detector's ``decision_function`` on the prepared features.
        """
        X = self._validated(X, dtype=np.float64)
        return np.asarray(self.domain_.decision_function(self._prepare(X)))

    def explain(self, X):
        """Why each neuron lies outside the domain, in words ("" when inside).

        With a per-feature domain (``ApplicabilityDomain(method="range")``)
        the reason names every measurement outside its training range, with
        its value and the bound, in the units of the features, furthest
        first; any other detector can only say that the combination of
        measurements is unusual.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature table; missing or infinite values count as the training
            medians, as in :meth:`decision_function`.

        Returns
        -------
        list of str
            One reason per neuron, e.g. ``"dendrite__total_length 2.1e+04 above
            the training range (800 to 1.2e+04)"``; empty for neurons inside.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from ngep.uncertainty import ApplicabilityDomain
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"length": rng.uniform(1000, 2000, 100),
        ...                   "n_tips": rng.integers(10, 30, 100)})
        >>> check = DomainCheck(ApplicabilityDomain("range", quantile=1)).fit(X)
        >>> new = pd.DataFrame({"length": [1500.0, 9000.0], "n_tips": [20, 20]})
        >>> check.explain(new)[1]
        'length 9e+03 above the training range (1e+03 to 2e+03)'
        """
        margin = self.decision_function(X)
        X = self._validated(X, dtype=np.float64)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(self.n_features_in_)]
        lower = getattr(self.domain_, "lower_", None)
        upper = getattr(self.domain_, "upper_", None)
        if lower is not None:
            low = _signed_exp(self.domain_.data_min_)
            high = _signed_exp(self.domain_.data_max_)
        prepared = self._prepare(X)
        reasons = []
        for i in range(X.shape[0]):
            if margin[i] >= 0:
                reasons.append("")
                continue
            if lower is None or upper is None:
                reasons.append(
                    "unusual combination of measurements (domain score "
                    f"{margin[i]:.3g})"
                )
                continue
            scale = np.where(upper > lower, upper - lower, 1.0)
            below = (lower - prepared[i]) / scale
            above = (prepared[i] - upper) / scale
            parts = []
            for j in np.argsort(-np.maximum(below, above), kind="stable"):
                if above[j] > 0 or below[j] > 0:
                    side = "above" if above[j] > 0 else "below"
                    parts.append(
                        f"{names[j]} {X[i, j]:.3g} {side} the training range "
                        f"({low[j]:.3g} to {high[j]:.3g})"
                    )
            reasons.append("; ".join(parts))
        return reasons

    def _validated(self, X, dtype):
        check_is_fitted(self)
        return validate_data(
            self, X, reset=False, dtype=dtype, ensure_all_finite="allow-nan"
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
