# SPDX-License-Identifier: BSD-3-Clause
""":class:`RangeClipper`: bound each feature to its training range, widened by k SDs."""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import Interval, StrOptions, fit_context
from ngep._docstring import fill_doc

__all__ = ["RangeClipper"]


@fill_doc
class RangeClipper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Bound every feature to ``mean ± bound * SD`` of the training data.

    A model fitted on one lab's neurons meets, in another lab's files,
    measurements far outside anything it was trained on (a volume 99 training SDs
    away when radii follow another convention). Linear models and networks then
    extrapolate without limit and a single feature decides the prediction. This
    step caps each feature at ``bound`` training standard deviations from its
    training mean, so that no input moves a prediction further than the most
    extreme value the model could have learnt from. Within the bounds it changes
    nothing (the identity for typical neurons); which values it capped is what
    :meth:`clipped` reports, for an out-of-domain flag.

    Place it after imputation and before scaling, or after a
    :class:`~sklearn.preprocessing.StandardScaler` with ``bound`` in the scaled
    units (it is the same: ``mean`` 0 and SD 1 there).

    Read more in the :ref:`User Guide <robust-features>`.

    Parameters
    ----------
    bound : float or "inf", default=3.0
        Half-width of the kept interval, in training standard deviations.
        ``"inf"`` keeps every value (the identity).

    Attributes
    ----------
    lower_ : ndarray of shape (n_features,)
        Smallest value kept per feature (``mean - bound * SD``).
    upper_ : ndarray of shape (n_features,)
        Largest value kept per feature.
    %(fitted_input_attributes)s

    Notes
    -----
    Missing values (NaN) are ignored when fitting and passed through. A feature
    constant in training (SD 0) is held at that constant.

    Examples
    --------
    >>> import numpy as np
    >>> from ngep.transformers import RangeClipper
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])  # mean 2, SD sqrt(2)
    >>> clip = RangeClipper(bound=1.0).fit(X)
    >>> clip.transform([[2.5], [100.0], [-100.0]]).round(3)
    array([[2.5  ],
           [3.414],
           [0.586]])
    >>> clip.clipped([[2.5], [100.0]])
    array([[False],
           [ True]])
    """

    _parameter_constraints = {
        "bound": [Interval(Real, 0, None, closed="neither"), StrOptions({"inf"})],
    }

    # Fitted state saved by ngep.persistence's pickle-free format.
    _portable_attrs = ("lower_", "upper_", "n_features_in_", "feature_names_in_")

    def __init__(self, bound=3.0):
        self.bound = bound

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each feature's mean and standard deviation.

        Missing values (NaN) are left out of both statistics; a feature with
        no value at all gets mean 0 and SD 0. The bounds are then
        ``lower_ = mean - bound * SD`` and ``upper_ = mean + bound * SD``
        (infinite for ``bound="inf"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (NaN allowed).
        y : None
            Ignored.

        Returns
        -------
        self : RangeClipper
            The fitted transformer.
        """
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        with warnings.catch_warnings():  # all-NaN columns: "mean of empty slice"
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(X, axis=0)
            sd = np.nanstd(X, axis=0)
        mean = np.where(np.isfinite(mean), mean, 0.0)
        sd = np.where(np.isfinite(sd), sd, 0.0)
        if self.bound != "inf":
            width = self.bound * sd
        else:  # the identity, also for constant features
            width = np.full_like(sd, np.inf)
        self.lower_ = mean - width
        self.upper_ = mean + width
        return self

    def transform(self, X):
        """Clip each feature to ``[lower_, upper_]`` (NaN passes through).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit`` (NaN allowed).

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            A float64 copy of ``X`` with every value outside its feature's
            bounds replaced by the nearer bound.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan",
                          dtype=np.float64, copy=True)
        return np.clip(X, self.lower_, self.upper_)

    def clipped(self, X):
        """Which values :meth:`transform` changes (outside the bounds).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features to check, as for :meth:`transform`.

        Returns
        -------
        ndarray of bool, shape (n_samples, n_features)
            True where a value lies outside ``[lower_, upper_]``; False for NaN.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan",
                          dtype=np.float64)
        return (X < self.lower_) | (X > self.upper_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

