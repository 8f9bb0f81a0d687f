# SPDX-License-Identifier: BSD-3-Clause
"""Gene panels: a named regressor or classifier per gene."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ngep._docstring import fill_doc
from ngep.exceptions import InvalidInputError
from ngep.multigene._base import _BaseGenePanel


class GenePanelRegressor(RegressorMixin, _BaseGenePanel):
    """One regressor per gene, each tuned and fitted on its own gene.

    A meta-estimator in the style of :class:`~sklearn.ensemble.VotingRegressor`:
    ``estimators`` is a list of ``(gene, estimator)`` pairs; each estimator is
    cloned and fitted on that gene's column of ``y``. Parameters route per
    gene (``Pvalb__ridge__alpha``), so :class:`~sklearn.model_selection.GridSearchCV`
    can tune genes separately, and adding a gene is adding one pair.

    Read more in the :ref:`User Guide <gene_panels>`.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Gene name and the (unfitted) estimator that predicts it. Names must be
        unique and may not contain ``"__"``.
    share_features : bool, default=True
        When every estimator is a :class:`~sklearn.pipeline.Pipeline` and they
        start with identical unsupervised steps (same class and parameters,
        for instance ``MorphologyExtractor`` then ``FeatureExpander``), fit
        and apply those steps once for the whole panel, on all rows, and fit
        only the remaining steps per gene. Set to False to fit every pipeline
        whole and independently.
    n_jobs : int, default=None
        Genes fitted in parallel with joblib; ``-1`` uses all processors.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted estimator of each gene, in ``genes_`` order. With shared
        steps each is a Pipeline whose leading steps are the (same) fitted
        shared steps, so it predicts from raw input on its own.
    named_estimators_ : dict
        ``estimators_`` by gene name.
    genes_ : ndarray of str
        Gene names, in output column order.
    shared_steps_ : Pipeline or None
        The fitted shared leading steps, or None when nothing was shared.
    n_samples_per_gene_ : Series
        Number of rows (non-missing targets) each gene was fitted on.
    n_features_in_ : int
        Number of input features, when the input is a matrix.
    feature_names_in_ : ndarray of str
        Input feature names, when X had named columns.

    See Also
    --------
    GenePanelClassifier : The same for marker labels.
    sklearn.multioutput.MultiOutputRegressor : One estimator cloned for all outputs.

    Notes
    -----
    ``predict`` returns a plain ``ndarray`` of shape ``(n_samples, n_genes)``
    (or ``(n_samples,)`` when fitted on a 1-D ``y``), as scikit-learn expects;
    :meth:`predict_table` returns the same values as a DataFrame whose columns
    are the gene names. A missing target (NaN) drops that row for that gene
    only; ``n_samples_per_gene_`` records how many rows each gene kept.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import Lasso, Ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 3))
    >>> y = pd.DataFrame({"Pvalb": X[:, 0], "Sst": X[:, 1] - X[:, 2]})
    >>> y.loc[:4, "Sst"] = np.nan  # unmeasured for five cells
    >>> panel = GenePanelRegressor([("Pvalb", Ridge()), ("Sst", Lasso(alpha=0.01))])
    >>> panel.fit(X, y).predict(X).shape
    (40, 2)
    >>> panel.n_samples_per_gene_.to_dict()
    {'Pvalb': 40, 'Sst': 35}
    >>> panel.set_params(Pvalb__alpha=10.0).get_params()["Pvalb__alpha"]
    10.0
    >>> list(panel.predict_table(X).columns)
    ['Pvalb', 'Sst']
    """

    _is_regression = True

    def _target_values(self, column):
        if np.iscomplexobj(column):
            raise InvalidInputError("Complex data not supported: targets must be real.")
        column = np.asarray(column, dtype=np.float64)
        if not np.isfinite(column).all():
            raise InvalidInputError(
                "Input y contains infinity or a value too large for dtype('float64')."
                " Replace infinite targets by NaN (dropped per gene) or a finite value."
            )
        return column

    _metric = staticmethod(r2_score)
    # the panel's own mean per-gene R² (RegressorMixin.score comes first)
    score = _BaseGenePanel.score

    def _column(self, values):
        return np.asarray(values, dtype=np.float64)


def _all_have(method):
    def check(self):
        return all(hasattr(est, method) for _, est in self.estimators)

    return check


class GenePanelClassifier(ClassifierMixin, _BaseGenePanel):
    """One classifier per marker gene (expressed or not, or any label set).

    The classification twin of :class:`GenePanelRegressor`: same parameters,
    parameter routing, missing-target handling and shared feature steps.

    Read more in the :ref:`User Guide <gene_panels>`.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Gene name and the (unfitted) classifier that predicts it.
    share_features : bool, default=True
        Fit identical leading unsupervised pipeline steps once for the panel;
        see :class:`GenePanelRegressor`.
    n_jobs : int, default=None
        Genes fitted in parallel with joblib.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted classifier of each gene, in ``genes_`` order.
    named_estimators_ : dict
        ``estimators_`` by gene name.
    genes_ : ndarray of str
        Gene names, in output column order.
    classes_ : ndarray or list of ndarray
        Class labels of each gene (a single array when fitted on a 1-D ``y``).
    shared_steps_, n_samples_per_gene_, n_features_in_, feature_names_in_
        As for :class:`GenePanelRegressor` (``n_samples_per_gene_`` counts the
        labelled rows of each gene).

    See Also
    --------
    GenePanelRegressor : The same for continuous expression.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> y = pd.DataFrame({"Pvalb": X[:, 0] > 0, "Sst": X[:, 1] > 0}).astype(int)
    >>> panel = GenePanelClassifier([("Pvalb", LogisticRegression()),
    ...                              ("Sst", LogisticRegression())]).fit(X, y)
    >>> panel.predict(X).shape
    (60, 2)
    >>> [p.shape for p in panel.predict_proba(X)]
    [(60, 2), (60, 2)]
    >>> panel.per_gene_scores(X, y)["score"].gt(0.9).all()
    np.True_
    """

    _is_regression = False
    _metric = staticmethod(accuracy_score)

    def _column(self, values):
        return np.asarray(values)

    def _check_target_column(self, column, name):
        mask = super()._check_target_column(column, name)
        values = np.asarray(column[mask])
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            raise InvalidInputError(
                f"Input y contains infinity for gene {name!r}; use NaN for "
                "unlabelled neurons."
            )
        return mask

    def _target_values(self, column):
        column = np.asarray(column)
        if column.dtype == object:
            try:  # a DataFrame with NaN turns int labels into objects/floats
                as_float = column.astype(np.float64)
            except (TypeError, ValueError):
                return column
            if np.all(as_float == np.round(as_float)):
                return as_float.astype(np.int64)
            return as_float
        return column

    @property
    def classes_(self):
        """Class labels of each gene (one array when fitted on a 1-D y)."""
        check_is_fitted(self)
        classes = [est.classes_ for est in self.estimators_]
        return classes[0] if self._y_ndim == 1 else classes

    @available_if(_all_have("predict_proba"))
    @fill_doc
    def predict_proba(self, X):
        """Class probabilities of every gene.

        Parameters
        ----------
        %(panel_X)s

        Returns
        -------
        list of ndarray or ndarray
            One ``(n_samples, n_classes_of_gene)`` array per gene, in ``genes_``
            order (``dict(zip(panel.genes_, proba))`` names them); a single
            array when fitted on a 1-D ``y``.
        """
        probas = self._per_gene("predict_proba", X)
        return probas[0] if self._y_ndim == 1 else probas

    # the panel's own mean per-gene accuracy (ClassifierMixin.score comes first)
    score = _BaseGenePanel.score
