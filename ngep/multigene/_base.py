# SPDX-License-Identifier: BSD-3-Clause
"""Shared machinery of the gene-panel meta-estimators: one model per gene."""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ngep._compat import BaseComposition, fit_context, num_samples, safe_indexing
from ngep._docstring import fill_doc
from ngep.exceptions import ConfigurationError, InvalidInputError, InvalidTypeError
from ngep.multigene._prefix import shared_prefix_length


def _fit_one(estimator, X, y):
    return estimator.fit(X, y)


class _BaseGenePanel(BaseComposition):
    """One cloned estimator per gene, fitted on that gene's column of ``y``."""

    _parameter_constraints = {
        "estimators": [list],
        "share_features": ["boolean"],
        "n_jobs": [Integral, None],
    }

    # Fitted state saved by ngep.persistence's pickle-free format (the
    # estimators themselves must be allowlisted too).
    _portable_attrs = ("genes_", "_y_ndim", "shared_steps_", "_tails")

    def __init__(self, estimators, *, share_features=True, n_jobs=None):
        self.estimators = estimators
        self.share_features = share_features
        self.n_jobs = n_jobs

    # -- parameters routed per gene: "Pvalb__model__alpha" ---------------------
    def get_params(self, deep=True):
        """Get the panel's parameters and, with ``deep``, each gene's.

        Parameters
        ----------
        deep : bool, default=True
            Also return ``<gene>`` and ``<gene>__<param>`` entries.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters; ``<gene>=est`` replaces one gene's estimator.

        Parameters
        ----------
        **params : dict
            Panel parameters, ``<gene>`` or ``<gene>__<param>`` keys.

        Returns
        -------
        self : object
            The panel.
        """
        self._set_params("estimators", **params)
        return self

    # -- validation ------------------------------------------------------------
    def _check_estimators(self):
        if not self.estimators:
            raise ConfigurationError(
                f"{type(self).__name__}: 'estimators' is empty; pass a list of "
                "(gene_name, estimator) pairs such as [('Pvalb', Ridge())]."
            )
        try:
            names, ests = zip(*self.estimators)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{type(self).__name__}: 'estimators' must be a list of "
                "(gene_name, estimator) pairs."
            ) from exc
        if not all(isinstance(n, str) for n in names):
            raise ConfigurationError("Gene names in 'estimators' must be strings.")
        self._validate_names(names)
        for name, est in zip(names, ests):
            if not hasattr(est, "fit"):
                raise InvalidTypeError(
                    f"Estimator for gene {name!r} has no fit method."
                )
        return list(names), list(ests)

    def _targets(self, y, names):
        """``y`` as a 2-D array whose columns follow ``names``."""
        if y is None:
            raise InvalidInputError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None; pass one column of targets per gene."
            )
        if isinstance(y, pd.DataFrame):
            missing = [n for n in names if n not in y.columns]
            if missing:
                raise InvalidInputError(
                    f"y has no column for gene(s) {missing}; its columns are "
                    f"{list(y.columns)}. Rename the columns or the estimators."
                )
            return y[names].to_numpy(), 2
        y = np.asarray(y)
        ndim = y.ndim
        Y = y.reshape(len(y), -1) if ndim == 1 else y
        if Y.ndim != 2 or Y.shape[1] != len(names):
            raise InvalidInputError(
                f"y has {Y.shape[1] if Y.ndim == 2 else Y.shape} column(s) but the "
                f"panel has {len(names)} gene(s) {names}; pass one column per gene "
                "(in estimator order) or a DataFrame with gene-named columns."
            )
        return Y, ndim

    def _check_target_column(self, column, name):
        """Validate one gene's targets; return the mask of rows to keep."""
        mask = np.asarray(~pd.isna(column), dtype=bool)
        if not mask.any():
            raise InvalidInputError(
                f"Input y contains NaN only for gene {name!r}: no neuron has a "
                "target to learn from. Drop this gene from the panel."
            )
        return mask

    def _target_values(self, column):
        """One gene's observed targets, converted for the final estimator."""
        return column

    # -- fit / transform ---------------------------------------------------------
    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one clone of each gene's estimator on that gene's targets.

        Rows whose target is missing (NaN) for a gene are dropped for that gene
        only. Leading pipeline steps shared by every gene are fitted once on
        all rows (see ``share_features``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of paths
            Whatever the per-gene estimators accept.
        y : DataFrame or array-like of shape (n_samples, n_genes) or (n_samples,)
            A DataFrame is matched to genes by column name; an array by
            position, in the order of ``estimators``.

        Returns
        -------
        self : object
            The fitted panel.
        """
        names, ests = self._check_estimators()
        Y, self._y_ndim = self._targets(y, names)
        if len(names) == 1 and self._y_ndim == 2 and not isinstance(y, pd.DataFrame):
            # sklearn's convention for single-output estimators (a one-gene
            # panel is one): say so when a column vector stands for a 1-D y
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected: a "
                "one-gene panel predicts a single column; pass y.ravel() or a "
                f"DataFrame with a column named {names[0]}.",
                DataConversionWarning,
                stacklevel=2,
            )
        if len(Y) != num_samples(X):
            raise InvalidInputError(
                f"X has {num_samples(X)} samples but y has {len(Y)}; they must "
                "describe the same neurons, in the same order."
            )
        masks = [self._check_target_column(Y[:, j], n) for j, n in enumerate(names)]

        n_shared = shared_prefix_length(ests) if self.share_features else 0
        if n_shared:
            self.shared_steps_ = clone(Pipeline(ests[0].steps[:n_shared]))
            Xt = self.shared_steps_.fit_transform(X)
            tails = [clone(Pipeline(e.steps[n_shared:])) for e in ests]
        else:
            self.shared_steps_ = None
            Xt = X
            tails = [clone(e) for e in ests]

        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(
                est,
                Xt if m.all() else safe_indexing(Xt, np.flatnonzero(m)),
                self._target_values(Y[m, j]),
            )
            for j, (est, m) in enumerate(zip(tails, masks))
        )
        self._tails = fitted
        if n_shared:
            self.estimators_ = [
                Pipeline(self.shared_steps_.steps + t.steps) for t in fitted
            ]
        else:
            self.estimators_ = list(fitted)
        self.genes_ = np.asarray(names, dtype=object)
        self.n_samples_per_gene_ = pd.Series(
            [int(m.sum()) for m in masks], index=names, name="n_samples"
        )
        return self

    def _get_portable_state(self):
        return {"n_samples_per_gene": [int(n) for n in self.n_samples_per_gene_]}

    def _set_portable_state(self, state):
        self.n_samples_per_gene_ = pd.Series(
            state["n_samples_per_gene"], index=list(self.genes_), name="n_samples"
        )
        if self.shared_steps_ is None:
            self.estimators_ = list(self._tails)
        else:
            self.estimators_ = [
                Pipeline(self.shared_steps_.steps + t.steps) for t in self._tails
            ]

    def _features(self, X):
        """Shared features of X (X itself when nothing is shared)."""
        check_is_fitted(self)
        return X if self.shared_steps_ is None else self.shared_steps_.transform(X)

    def _per_gene(self, method, X):
        Xt = self._features(X)
        return [getattr(est, method)(Xt) for est in self._tails]

    @property
    def named_estimators_(self):
        """The fitted estimator of each gene, by gene name (dict)."""
        check_is_fitted(self)
        return dict(zip(self.genes_, self.estimators_))

    @property
    def n_features_in_(self):
        """Number of input features (from the first fitted estimator)."""
        check_is_fitted(self)
        return self.estimators_[0].n_features_in_

    @property
    def feature_names_in_(self):
        """Input feature names, when X had named columns."""
        check_is_fitted(self)
        return self.estimators_[0].feature_names_in_

    def _table(self, values, X):
        index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
        columns = {gene: np.asarray(v).ravel() for gene, v in zip(self.genes_, values)}
        return pd.DataFrame(columns, index=index)

    def predict_table(self, X):
        """Predict every gene as a DataFrame with one column per gene.

        Parameters
        ----------
        X : array-like or list of paths
            Inputs; a DataFrame's index is kept.

        Returns
        -------
        DataFrame of shape (n_samples, n_genes)
            Columns are ``genes_``: values (regressor) or labels (classifier).
        """
        return self._table(self._per_gene("predict", X), X)

    def predict_frame(self, X):
        """Deprecated alias of :meth:`predict_table` (same ``X``, same table).

        Removed in ngep 0.3: in ngep a "frame" is a coordinate frame
        (``MorphologyExtractor(frame=...)``).
        """
        warnings.warn(
            f"{type(self).__name__}.predict_frame is deprecated and will be removed "
            "in ngep 0.3; use predict_table.",
            FutureWarning,
            stacklevel=2,
        )
        return self.predict_table(X)

    # -- scores --------------------------------------------------------------------
    def per_gene_scores(self, X, y, *, scoring=None):
        """Score each gene's model on its own targets.

        Rows with a missing target for a gene are left out of that gene's score.

        Parameters
        ----------
        X : array-like or list of paths
            Held-out inputs.
        y : DataFrame or array-like of shape (n_samples, n_genes)
            Held-out targets, laid out as for :meth:`fit`.
        scoring : str, callable or None, default=None
            Any scikit-learn scorer; ``None`` uses the estimator's ``score``
            (R² for regressors, accuracy for classifiers).

        Returns
        -------
        DataFrame
            Index ``gene``; columns ``score`` and ``n_samples``.
        """
        check_is_fitted(self)
        Y, _ = self._targets(y, list(self.genes_))
        Xt = self._features(X)
        rows = []
        for j, est in enumerate(self._tails):
            m = np.asarray(~pd.isna(Y[:, j]))
            scorer = check_scoring(est, scoring=scoring)
            Xm = Xt if m.all() else safe_indexing(Xt, np.flatnonzero(m))
            yj = self._target_values(Y[m, j])
            score = scorer(est, Xm, yj) if m.any() else np.nan
            rows.append((float(score), int(m.sum())))
        return pd.DataFrame(
            rows,
            columns=["score", "n_samples"],
            index=pd.Index(self.genes_, name="gene"),
        )

    @fill_doc
    def predict(self, X):
        """Predict every gene.

        The shared leading steps (``shared_steps_``, e.g. the feature
        extractor) transform ``X`` once; each gene's own remaining steps then
        predict from those features.

        Parameters
        ----------
        %(panel_X)s

        Returns
        -------
        ndarray of shape (n_samples, n_genes) or (n_samples,)
            One column per gene, in ``genes_`` order: floats for a regressor,
            labels for a classifier; 1-D when the panel was fitted on a 1-D ``y``.
        """
        cols = [self._column(c) for c in self._per_gene("predict", X)]
        if self._y_ndim == 1:
            return cols[0].ravel()
        return np.column_stack(cols)

    def score(self, X, y, sample_weight=None):
        """Mean over genes of each gene's default score, missing targets left out.

        R² for :class:`GenePanelRegressor`, accuracy for
        :class:`GenePanelClassifier`.

        Parameters
        ----------
        X : array-like or list of paths
            Held-out inputs.
        y : DataFrame or array-like
            Held-out targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, only supported when no target is missing.

        Returns
        -------
        float
            Unweighted mean of the per-gene scores.
        """
        if sample_weight is not None:
            check_is_fitted(self)
            Y, _ = self._targets(y, list(self.genes_))
            pred = self.predict(X).reshape(len(Y), -1)
            return float(
                np.mean(
                    [
                        self._metric(Y[:, j], pred[:, j], sample_weight=sample_weight)
                        for j in range(Y.shape[1])
                    ]
                )
            )
        return float(self.per_gene_scores(X, y)["score"].mean())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            n_genes = len(self.estimators)
            first = self.estimators[0][1]
            first_tags = first.__sklearn_tags__()
        except (TypeError, IndexError, AttributeError):
            return tags
        # A panel predicts exactly one column per gene: a one-gene panel is a
        # single-output estimator (sklearn's multi-output checks fit 5 columns),
        # a panel of several genes a multi-output one.
        tags.target_tags.single_output = n_genes == 1
        tags.target_tags.multi_output = n_genes > 1
        tags.input_tags = first_tags.input_tags
        tags.input_tags.allow_nan = all(
            e.__sklearn_tags__().input_tags.allow_nan
            for _, e in self.estimators
            if hasattr(e, "__sklearn_tags__")
        )
        return tags
