# SPDX-License-Identifier: BSD-3-Clause
"""What ngep's classifiers share: predict from probabilities, a wrapped estimator."""

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import HasMethods

__all__ = []

#: The ``estimator`` parameter's constraint: a classifier with probabilities.
ESTIMATOR_CONSTRAINT = [HasMethods(["fit", "predict_proba"]), None]


class _PredictFromProbaMixin:
    """``predict``: the class of ``classes_`` with the largest ``predict_proba``."""

    def predict(self, X):
        """The most probable class (the largest of :meth:`predict_proba`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            As for :meth:`predict_proba`.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]


class _WrappingClassifierMixin(_PredictFromProbaMixin):
    """``estimator`` cloned per model; ``predict_proba`` and ``predict``; tags.

    Put it before :class:`~sklearn.base.ClassifierMixin`. The class defines
    ``_proba(X)`` on validated input; ``_predict_dtype`` is the dtype ``X`` is
    converted to (``None`` keeps it); ``estimator=None`` means
    ``LogisticRegression(max_iter=1000)``.
    """

    _predict_dtype = None

    def _base(self):
        """A fresh, unfitted clone of ``estimator`` (or the default)."""
        if self.estimator is None:
            return LogisticRegression(max_iter=1000)
        return clone(self.estimator)

    def _check_X(self, X):
        """Check the model is fitted and ``X`` has the training columns."""
        check_is_fitted(self)
        dtype = {} if self._predict_dtype is None else {"dtype": self._predict_dtype}
        return validate_data(self, X, reset=False, ensure_all_finite=False, **dtype)

    def predict_proba(self, X):
        """Class probabilities, in the order of ``classes_``.

        How the fitted models combine is the class's own (see its description).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return self._proba(self._check_X(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            from sklearn.utils import get_tags

            tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags
