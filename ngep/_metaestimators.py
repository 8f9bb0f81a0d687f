# SPDX-License-Identifier: BSD-3-Clause
"""What ngep's meta-estimators share: fitted attributes read from an inner model."""

from sklearn.utils.validation import check_is_fitted

__all__ = ["fitted_attribute"]


def fitted_attribute(inner, name, doc):
    """A read-only property: ``name`` of the fitted model ``self.<inner>``.

    For what a meta-estimator reports from one of its fitted models
    (``n_features_in_``, ``classes_``...) rather than storing a copy. Before
    ``fit`` it raises :class:`~sklearn.exceptions.NotFittedError`; when the
    inner model lacks the attribute (``feature_names_in_`` after a NumPy
    ``X``), ``AttributeError``, so ``hasattr`` is False as for a plain
    estimator.

    Parameters
    ----------
    inner : str
        Fitted attribute of the meta-estimator holding the model, e.g.
        ``"estimator_"``.
    name : str
        Attribute of that model.
    doc : str
        The property's docstring.

    Returns
    -------
    property
        Read-only; assign it to a name in the class body.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn.linear_model import LinearRegression
    >>> class Wrapper(BaseEstimator):
    ...     n_features_in_ = fitted_attribute("model_", "n_features_in_",
    ...                                       "Number of input features.")
    ...     def fit(self, X, y):
    ...         self.model_ = LinearRegression().fit(X, y)
    ...         return self
    >>> Wrapper().fit([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0]).n_features_in_
    2
    """

    def get(self):
        check_is_fitted(self)
        return getattr(getattr(self, inner), name)

    get.__name__ = name
    return property(get, doc=doc)
