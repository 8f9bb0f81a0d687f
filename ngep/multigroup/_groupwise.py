# SPDX-License-Identifier: BSD-3-Clause
"""One model per group (brain region, species, lab) with a global fallback."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ngep._compat import HasMethods, Interval, fit_context, num_samples, safe_indexing
from ngep._metaestimators import fitted_attribute
from ngep.exceptions import ConfigurationError, InvalidInputError, InvalidTypeError

GLOBAL = "global"


class _BaseGroupwise(MetaEstimatorMixin, BaseEstimator):
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "min_samples": [Interval(Integral, 1, None, closed="left")],
        "global_estimator": [HasMethods(["fit", "predict"]), None],
        "group_column": [str, Integral, None],
    }

    def __init__(
        self, estimator, *, min_samples=30, global_estimator=None, group_column=None
    ):
        self.estimator = estimator
        self.min_samples = min_samples
        self.global_estimator = global_estimator
        self.group_column = group_column

    def _split_groups(self, X, groups):
        """Return (X without the group column, groups as an array or None)."""
        if self.group_column is not None:
            if not isinstance(X, pd.DataFrame):
                raise InvalidTypeError(
                    f"group_column={self.group_column!r} needs X as a pandas "
                    f"DataFrame, got {type(X).__name__}; pass groups=... instead."
                )
            if self.group_column not in X.columns:
                raise InvalidInputError(
                    f"X has no column {self.group_column!r} (group_column); its "
                    f"columns are {list(X.columns)}."
                )
            if groups is not None:
                raise ConfigurationError(
                    "Pass either groups=... or group_column, not both."
                )
            groups = X[self.group_column].to_numpy()
            X = X.drop(columns=self.group_column)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.ndim != 1 or len(groups) != num_samples(X):
                raise InvalidInputError(
                    f"groups must be 1-D with one entry per sample ({num_samples(X)}"
                    f"), got shape {groups.shape}."
                )
        return X, groups

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None):
        """Fit a global model on all rows and one model per large-enough group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of paths
            Inputs; a DataFrame holding ``group_column`` when that is set.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Group label of each row (``"mouse"``, ``"VISp"``). ``None`` (and no
            ``group_column``) fits the global model only.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, groups = self._split_groups(X, groups)
        if y is None:
            raise InvalidInputError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        base = (
            self.estimator if self.global_estimator is None else self.global_estimator
        )
        self.global_estimator_ = clone(base).fit(X, y)
        self.estimators_ = {}
        if groups is None:
            self.group_counts_ = pd.Series(dtype=np.int64, name="n_samples")
            return self
        labels, counts = np.unique(groups, return_counts=True)
        self.group_counts_ = pd.Series(counts, index=labels, name="n_samples")
        for label, count in zip(labels.tolist(), counts):
            if count < self.min_samples:
                continue
            rows = np.flatnonzero(groups == label)
            y_g = safe_indexing(y, rows)
            if not self._can_fit_group(y_g):
                continue
            self.estimators_[label] = clone(self.estimator).fit(
                safe_indexing(X, rows), y_g
            )
        return self

    def _can_fit_group(self, y_group):
        return True

    def _route(self, X, groups):
        """Yield (source, row indices, fitted model) covering every row once."""
        check_is_fitted(self)
        X, groups = self._split_groups(X, groups)
        n = num_samples(X)
        if groups is None or not self.estimators_:
            return X, [(GLOBAL, np.arange(n), self.global_estimator_)]
        parts, covered = [], np.zeros(n, dtype=bool)
        for label, model in self.estimators_.items():
            rows = np.flatnonzero(groups == label)
            if len(rows):
                parts.append((label, rows, model))
                covered[rows] = True
        if not covered.all():
            parts.append((GLOBAL, np.flatnonzero(~covered), self.global_estimator_))
        return X, parts

    def _assemble(self, method, X, groups):
        X, parts = self._route(X, groups)
        n = num_samples(X)
        out = None
        source = np.empty(n, dtype=object)
        for label, rows, model in parts:
            Xp = X if len(rows) == n else safe_indexing(X, rows)
            values = self._call(model, method, Xp)
            if out is None:
                out = np.empty((n, *values.shape[1:]), dtype=values.dtype)
            elif out.dtype != values.dtype:
                out = out.astype(np.result_type(out.dtype, values.dtype))
            out[rows] = values
            source[rows] = label
        return out, source

    def _call(self, model, method, X):
        return np.asarray(getattr(model, method)(X))

    def predict(self, X, groups=None):
        """Predict each row with its group's model, or the global one.

        Parameters
        ----------
        X : array-like or list of paths
            Inputs (with ``group_column`` when that is set).
        groups : array-like of shape (n_samples,), default=None
            Group of each row; unseen groups, groups smaller than
            ``min_samples`` and ``None`` use the global model.

        Returns
        -------
        ndarray
            Predictions, row-aligned with X.
        """
        return self._assemble("predict", X, groups)[0]

    def predict_with_source(self, X, groups=None):
        """Predict and say which model answered each row.

        Parameters
        ----------
        X, groups
            As for :meth:`predict`.

        Returns
        -------
        pred : ndarray
            Predictions, as :meth:`predict`.
        source : ndarray of object
            The group label whose model answered, or ``"global"``.
        """
        return self._assemble("predict", X, groups)

    def score(self, X, y, groups=None, sample_weight=None):
        """Score of :meth:`predict` with each row's group model.

        R² (uniform average over outputs) for :class:`GroupwiseRegressor`,
        mean accuracy for :class:`GroupwiseClassifier`.

        Parameters
        ----------
        X : array-like or list of paths
            Held-out inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Held-out targets or labels.
        groups : array-like of shape (n_samples,), default=None
            Group of each row.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            The score.
        """
        pred = self.predict(X, groups)
        return float(self._metric(y, pred, sample_weight=sample_weight))

    n_features_in_ = fitted_attribute(
        "global_estimator_", "n_features_in_",
        "Number of input features seen by the models.")
    feature_names_in_ = fitted_attribute(
        "global_estimator_", "feature_names_in_",
        "Input feature names (group column excluded).")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        return tags


class GroupwiseRegressor(RegressorMixin, _BaseGroupwise):
    """One regressor per group, with a global model for small or unseen groups.

    Brain regions, species or labs can relate morphology to expression
    differently. This meta-estimator fits a clone of ``estimator`` on each
    group with at least ``min_samples`` rows, and a global model on all rows
    that answers for the rest.

    Read more in the :ref:`User Guide <groups>`.

    Parameters
    ----------
    estimator : estimator
        The per-group model (cloned).
    min_samples : int, default=30
        Groups with fewer rows get no model of their own.
    global_estimator : estimator or None, default=None
        The fallback model fitted on all rows; ``None`` clones ``estimator``.
    group_column : str or int or None, default=None
        Column of a DataFrame ``X`` holding the group labels; it is dropped
        before the models see X. With ``None``, pass ``groups=`` to ``fit``
        and ``predict`` (both accept it; with
        ``sklearn.set_config(enable_metadata_routing=True)`` request it with
        ``set_fit_request(groups=True)`` inside meta-estimators).

    Attributes
    ----------
    estimators_ : dict
        Fitted model of each group that had enough rows, by group label.
    global_estimator_ : estimator
        The fallback model fitted on every row.
    group_counts_ : Series
        Number of training rows per group.
    n_features_in_ : int
        Number of input features seen by the models.
    feature_names_in_ : ndarray of str
        Input feature names, when X was a DataFrame.

    See Also
    --------
    leave_one_group_out_report : How well each group is predicted by the others.
    transfer_report : Train on one data set (mouse), test on another (rat).
    SizeNormalizer : Remove neuron size before transferring across species.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 1))
    >>> species = np.repeat(["mouse", "rat"], 50)
    >>> y = np.where(species == "mouse", 2.0, -1.0) * X[:, 0]
    >>> model = GroupwiseRegressor(LinearRegression(), min_samples=30)
    >>> model = model.fit(X, y, groups=species)
    >>> pred, source = model.predict_with_source([[1.0], [1.0], [1.0]],
    ...                                          ["mouse", "rat", "human"])
    >>> pred.round(2)
    array([ 2. , -1. ,  0.5])
    >>> source
    array(['mouse', 'rat', 'global'], dtype=object)
    """

    def _call(self, model, method, X):
        return np.asarray(getattr(model, method)(X), dtype=np.float64)

    _metric = staticmethod(r2_score)
    # the groupwise score (RegressorMixin.score comes first in the MRO)
    score = _BaseGroupwise.score


class GroupwiseClassifier(ClassifierMixin, _BaseGroupwise):
    """One classifier per group, with a global model for small or unseen groups.

    The classification twin of :class:`GroupwiseRegressor`. A group whose
    training rows hold a single class gets no model of its own. Probabilities
    of every model are laid out on the global ``classes_``.

    Read more in the :ref:`User Guide <groups>`.

    Parameters
    ----------
    estimator, min_samples, global_estimator, group_column
        As for :class:`GroupwiseRegressor`; ``estimator`` and
        ``global_estimator`` are classifiers.

    Attributes
    ----------
    classes_ : ndarray
        Class labels, from the global model.
    estimators_, global_estimator_, group_counts_, n_features_in_, feature_names_in_
        As for :class:`GroupwiseRegressor`.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 1))
    >>> region = np.repeat(["VISp", "ALM"], 100)
    >>> y = np.where(region == "VISp", X[:, 0] > 0, X[:, 0] < 0).astype(int)
    >>> clf = GroupwiseClassifier(LogisticRegression()).fit(X, y, groups=region)
    >>> clf.predict([[2.0], [2.0]], groups=["VISp", "ALM"])
    array([1, 0])
    """

    def _can_fit_group(self, y_group):
        return len(np.unique(np.asarray(y_group))) > 1

    classes_ = fitted_attribute(
        "global_estimator_", "classes_", "Class labels of the global model.")

    def _call(self, model, method, X):
        values = np.asarray(getattr(model, method)(X))
        if method != "predict_proba" or model is self.global_estimator_:
            return values
        full = np.zeros((values.shape[0], len(self.classes_)))
        idx = np.searchsorted(self.classes_, model.classes_)
        full[:, idx] = values
        return full

    _metric = staticmethod(accuracy_score)
    score = _BaseGroupwise.score

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X, groups=None):
        """Class probabilities from each row's group model, on ``classes_``.

        Parameters
        ----------
        X, groups
            As for :meth:`predict`: each row is answered by its group's
            classifier, or by the global one.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; classes a group never saw get 0.
        """
        return self._assemble("predict_proba", X, groups)[0]
