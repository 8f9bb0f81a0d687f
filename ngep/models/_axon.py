# SPDX-License-Identifier: BSD-3-Clause
""":class:`AxonSwitchClassifier`: use the axon where it was traced, say where it was."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ngep._compat import Interval, fit_context
from ngep._docstring import fill_doc
from ngep.exceptions import InvalidInputError
from ngep.models._wrapping import ESTIMATOR_CONSTRAINT, _WrappingClassifierMixin

__all__ = ["AxonSwitchClassifier"]


@fill_doc
class AxonSwitchClassifier(_WrappingClassifierMixin, ClassifierMixin, BaseEstimator):
    """Two models: dendrites for every neuron, dendrites + axon where it was traced.

    Many reconstructions are dendrite-only (the axon cut or not traced; in the
    Allen Cell Types set most keep only a stub of a few hundred µm), others are
    full. Among interneurons the axon tells the types apart far better than the
    dendrites, so a model should use it when it is there and still work when it
    is not. This classifier fits

    * a **dendrite model** on every training neuron, on the columns that do not
      describe the axon (names not starting with ``axon_prefix``), and
    * an **axon model** on the neurons whose traced axon is at least
      ``min_axon_length`` long (read from the ``indicator`` column), on every
      column,

    and predicts each neuron with the axon model if its axon is traced, else
    with the dendrite model. :meth:`uses_axon` says which, per neuron.

    Place it directly after the extractor, before any scaling: it reads the
    axon length in µm. Give it a :class:`~sklearn.pipeline.Pipeline` (impute,
    scale, classify) as ``estimator``; each model then scales on its own neurons.

    Read more in the :ref:`User Guide <robust-features>`.

    Parameters
    ----------
    estimator : classifier, default=None
        Cloned for both models (``None``: ``LogisticRegression(max_iter=1000)``).
    axon_prefix : str, optional
        Default ``"axon__"``. Columns whose names start with it describe the axon
        (:class:`~ngep.transformers.MorphologyExtractor` with
        ``compartment=["dendrite", "axon"]`` names them so).
    indicator : str, default="axon__total_length"
        Column holding the traced axon length (µm).
    min_axon_length : float, default=1000.0
        A neuron "has an axon" when ``indicator`` is at least this long. The
        axon stubs that dendrite-only reconstructions keep are a few hundred µm
        at most; a traced interneuron axon is several mm.
    min_axon_cells : int, default=10
        Fewest training neurons with an axon, and of each class among them, for
        the axon model to be fitted; with fewer, every neuron gets the dendrite
        model.

    Attributes
    ----------
    classes_ : ndarray
        Class labels (of the dendrite model).
    dendrite_estimator_ : estimator
        The model of every neuron, fitted on the dendrite columns.
    axon_estimator_ : estimator or None
        The model of neurons with a traced axon; None when too few had one, or
        when ``X`` has no named axon columns.
    dendrite_columns_ : ndarray of int
        Indices of the columns the dendrite model reads.
    indicator_index_ : int
        Index of the ``indicator`` column (-1 without one).
    n_axon_cells_ : int
        Training neurons with a traced axon.
    %(fitted_input_attributes)s

    Notes
    -----
    Without feature names (a NumPy array) no column is known to describe the
    axon, and the classifier is ``estimator`` itself.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ngep.models import AxonSwitchClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 40)
    >>> X = pd.DataFrame({
    ...     "dendrite__n_tips": rng.normal(size=80) + y,
    ...     "axon__total_length": np.where(np.arange(80) % 2, 5000.0, 100.0),
    ...     "axon__n_tips": rng.normal(size=80) + 3 * y})
    >>> clf = AxonSwitchClassifier().fit(X, y)
    >>> clf.uses_axon(X.iloc[:4]).tolist()
    [False, True, False, True]
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        "estimator": ESTIMATOR_CONSTRAINT,
        "axon_prefix": [str],
        "indicator": [str],
        "min_axon_length": [Interval(Real, 0, None, closed="left")],
        "min_axon_cells": [Interval(Integral, 1, None, closed="left")],
    }

    _predict_dtype = np.float64

    # Fitted state saved by ngep.persistence's pickle-free format.
    _portable_attrs = ("classes_", "dendrite_estimator_", "axon_estimator_",
                       "dendrite_columns_", "indicator_index_", "n_axon_cells_",
                       "n_features_in_", "feature_names_in_")

    def __init__(self, estimator=None, *, axon_prefix="axon__",
                 indicator="axon__total_length", min_axon_length=1000.0,
                 min_axon_cells=10):
        self.estimator = estimator
        self.axon_prefix = axon_prefix
        self.indicator = indicator
        self.min_axon_length = min_axon_length
        self.min_axon_cells = min_axon_cells

    def _has_axon(self, X):
        if self.indicator_index_ < 0:
            return np.zeros(X.shape[0], dtype=bool)
        length = X[:, self.indicator_index_]
        return np.nan_to_num(length, nan=0.0) >= self.min_axon_length

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the dendrite model and, with enough traced axons, the axon model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; a DataFrame with dendrite and axon columns named by
            compartment (``"dendrite__..."``, ``"axon__..."``).
        y : array-like of shape (n_samples,)
            Labels, passed to both models as they are.

        Returns
        -------
        self : AxonSwitchClassifier
        """
        X, y = validate_data(self, X, y, ensure_all_finite=False, dtype=None)
        check_classification_targets(y)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            axon = np.zeros(self.n_features_in_, dtype=bool)
            self.indicator_index_ = -1
        else:
            names = np.asarray(names, dtype=str)
            axon = np.char.startswith(names, self.axon_prefix)
            hits = np.flatnonzero(names == self.indicator)
            self.indicator_index_ = int(hits[0]) if hits.size else -1
            if axon.any() and not hits.size:
                raise InvalidInputError(
                    f"X has axon columns but no indicator column "
                    f"{self.indicator!r}; extract 'total_length' for the axon or "
                    "set indicator= to a column holding the axon length."
                )
        self.dendrite_columns_ = np.flatnonzero(~axon)
        if self.dendrite_columns_.size == 0:
            raise InvalidInputError(
                f"every column starts with axon_prefix={self.axon_prefix!r}; the "
                "dendrite model needs dendrite columns."
            )
        X = np.asarray(X, dtype=np.float64)
        dendrite = self._base().fit(X[:, self.dendrite_columns_], y)
        self.dendrite_estimator_ = dendrite
        self.classes_ = dendrite.classes_
        has = self._has_axon(X)
        self.n_axon_cells_ = int(has.sum())
        self.axon_estimator_ = None
        if axon.any() and has.any():
            labels, counts = np.unique(y[has], return_counts=True)
            if (self.n_axon_cells_ >= self.min_axon_cells and labels.size >= 2
                    and counts.min() >= min(self.min_axon_cells, 2)):
                self.axon_estimator_ = self._base().fit(X[has], y[has])
        return self

    def uses_axon(self, X):
        """Whether each neuron is predicted by the axon model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``; the ``indicator``
            column decides.

        Returns
        -------
        ndarray of bool, shape (n_samples,)
            True where the neuron's axon is traced (``indicator >=
            min_axon_length``) and an axon model was fitted.
        """
        X = self._check_X(X)
        if self.axon_estimator_ is None:
            return np.zeros(X.shape[0], dtype=bool)
        return self._has_axon(X)

    def _proba(self, X):
        """Probabilities from the axon model where the axon is traced."""
        proba = self.dendrite_estimator_.predict_proba(X[:, self.dendrite_columns_])
        if self.axon_estimator_ is not None:
            use = self._has_axon(X)
            if use.any():
                p = self.axon_estimator_.predict_proba(X[use])
                cols = np.searchsorted(self.classes_, self.axon_estimator_.classes_)
                full = np.zeros((int(use.sum()), self.classes_.size))
                full[:, cols] = p
                proba[use] = full
        return proba
