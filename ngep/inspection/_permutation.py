# SPDX-License-Identifier: BSD-3-Clause
"""Permutation importance per feature, per base measurement and per gene."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ngep._compat import safe_indexing
from ngep._docstring import fill_doc
from ngep.exceptions import ConfigurationError, InvalidTypeError, UnknownNameError

COLUMNS = ["feature", "gene", "importance_mean", "importance_std", "n_columns"]


def _split_at(estimator, X, at_step):
    """Return (model to score, its input, its input's column names)."""
    if at_step is None or at_step == 0:
        return estimator, X, _column_names(X)
    if not isinstance(estimator, Pipeline):
        raise InvalidTypeError(
            f"at_step={at_step!r} needs a Pipeline, got {type(estimator).__name__}."
        )
    names = [name for name, _ in estimator.steps]
    if isinstance(at_step, str):
        if at_step not in names:
            raise UnknownNameError(
                f"Pipeline has no step {at_step!r}; steps are {names}."
            )
        at_step = names.index(at_step)
    if not -len(names) < at_step < len(names):
        raise ConfigurationError(
            f"at_step={at_step} out of range for {len(names)} steps."
        )
    at_step %= len(names)
    head, tail = estimator[:at_step], estimator[at_step:]
    Xt = head.transform(X)
    try:
        feature_names = list(head.get_feature_names_out())
    except (AttributeError, ValueError, TypeError):
        feature_names = _column_names(Xt)
    return tail, Xt, feature_names


def _column_names(X):
    if hasattr(X, "columns"):
        return [str(c) for c in X.columns]
    n = np.shape(X)[1]
    return [f"x{i}" for i in range(n)]


def _permuted_score(model, X, y, cols, scorer, seed):
    rng = np.random.RandomState(seed)
    perm = rng.permutation(len(y))
    if hasattr(X, "iloc"):
        Xp = X.copy()
        Xp.iloc[:, cols] = X.iloc[perm, cols].to_numpy()
    else:
        Xp = np.array(X, copy=True)
        Xp[:, cols] = Xp[perm][:, cols]
    return scorer(model, Xp, y)


def _grouped(model, X, y, groups, names, scorer, n_repeats, random_state):
    index = {name: i for i, name in enumerate(names)}
    baseline = scorer(model, X, y)
    rng = check_random_state(random_state)
    rows = []
    for group, cols in groups.items():
        try:
            idx = [c if isinstance(c, Integral) else index[str(c)] for c in cols]
        except KeyError as exc:
            raise ConfigurationError(
                f"Group {group!r} names column {exc.args[0]!r}, which is not among "
                f"the permuted columns {names}; check at_step or the group."
            ) from None
        seeds = rng.randint(np.iinfo(np.int32).max, size=n_repeats)
        drops = np.array(
            [baseline - _permuted_score(model, X, y, idx, scorer, s) for s in seeds]
        )
        rows.append((group, drops.mean(), drops.std(), len(idx)))
    return rows


def _gene_tasks(estimator, y):
    """(gene, fitted estimator, target column, row mask) for panels or one model."""
    if hasattr(estimator, "genes_") and hasattr(estimator, "estimators_"):
        genes = list(estimator.genes_)
        Y, _ = estimator._targets(y, genes)
        for j, gene in enumerate(genes):
            col = Y[:, j]
            mask = np.asarray(~pd.isna(col), dtype=bool)
            yield (
                gene,
                estimator.estimators_[j],
                estimator._target_values(col[mask]),
                mask,
            )
    else:
        gene = getattr(y, "name", None) if isinstance(y, pd.Series) else None
        yield gene, estimator, y, None


def permutation_importance_table(
    estimator,
    X,
    y,
    *,
    groups=None,
    at_step=None,
    scoring=None,
    n_repeats=10,
    random_state=None,
    n_jobs=None,
):
    """Permutation importance of a fitted model on held-out data, as a tidy table.

    The importance of a feature is the drop in score when its column is
    shuffled across neurons (breaking its link with the target). With
    ``groups``, the columns of a group are shuffled jointly (one permutation
    of rows for all of them), which measures a base measurement and all the
    features engineered from it together; correlated columns shuffled one by
    one otherwise hide each other's importance.

    Read more in the :ref:`User Guide <importance>`.

    Parameters
    ----------
    estimator : estimator
        A *fitted* estimator, Pipeline, or
        :class:`~ngep.multigene.GenePanelRegressor` /
        :class:`~ngep.multigene.GenePanelClassifier` (one result per gene).
    X : array-like or DataFrame or list of paths
        Held-out inputs (not the training data, so that importance reflects
        generalisation, not memorisation).
    y : array-like or DataFrame
        Held-out targets; for a panel, laid out as for its ``fit`` (rows with a
        missing target are left out for that gene).
    groups : dict or None, default=None
        ``{group_name: [column, ...]}`` with column names (or indices) of the
        permuted matrix; see :func:`group_by_base`. ``None`` permutes every
        column on its own, with :func:`sklearn.inspection.permutation_importance`.
    at_step : int or str or None, default=None
        For a Pipeline, the step whose *input* is permuted: ``None`` or 0
        permutes X itself (then each raw column carries all features
        engineered from it); ``"expand"`` or ``-1`` permutes the matrix that
        enters that step, computed once with the earlier steps. Required when
        X is a list of SWC paths, which cannot be shuffled column-wise.
    scoring : str or callable or None, default=None
        A scikit-learn scorer; ``None`` uses the model's ``score``.
    n_repeats : int, default=10
        Permutations per feature or group.
    random_state : int, RandomState or None, default=None
        Seeds the permutations.
    n_jobs : int or None, default=None
        Parallel jobs for the per-feature case.

    Returns
    -------
    DataFrame
        Columns ``feature`` (column or group name), ``gene`` (None for a
        single model), ``importance_mean``, ``importance_std`` and
        ``n_columns`` (columns permuted together), sorted by decreasing
        importance within each gene.

    See Also
    --------
    group_by_base : Build ``groups`` from engineered feature names.
    plot_importance : Bar chart of the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["length", "tips", "noise"])
    >>> y = 3 * X["length"] + X["tips"]
    >>> model = LinearRegression().fit(X[:100], y[:100])
    >>> table = permutation_importance_table(model, X[100:], y[100:], random_state=0)
    >>> table["feature"].tolist()
    ['length', 'tips', 'noise']
    >>> size = {"size": ["length", "tips"]}
    >>> joint = permutation_importance_table(
    ...     model, X[100:], y[100:], groups=size, random_state=0)
    >>> joint[["feature", "n_columns"]].to_numpy().tolist()
    [['size', 2]]
    """
    check_is_fitted(estimator)
    frames = []
    for gene, model, y_gene, mask in _gene_tasks(estimator, y):
        X_gene = (
            X if mask is None or mask.all() else safe_indexing(X, np.flatnonzero(mask))
        )
        tail, Xt, names = _split_at(model, X_gene, at_step)
        if groups is None:
            result = permutation_importance(
                tail,
                Xt,
                y_gene,
                scoring=scoring,
                n_repeats=n_repeats,
                random_state=random_state,
                n_jobs=n_jobs,
            )
            rows = zip(
                names, result.importances_mean, result.importances_std, [1] * len(names)
            )
        else:
            scorer = check_scoring(tail, scoring=scoring)
            rows = _grouped(
                tail, Xt, y_gene, groups, names, scorer, n_repeats, random_state
            )
        table = pd.DataFrame(
            [(f, gene, float(m), float(s), int(k)) for f, m, s, k in rows],
            columns=COLUMNS,
        )
        frames.append(
            table.sort_values("importance_mean", ascending=False, kind="stable")
        )
    return pd.concat(frames, ignore_index=True)


@fill_doc
def plot_importance(table, ax=None, *, top=20):
    """Horizontal bar chart of a permutation-importance table.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`permutation_importance_table`.
    %(ax)s
    top : int, default=20
        Show the ``top`` features with the largest mean importance (over genes).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; one bar per feature and gene, with ±1 std error bars.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"feature": ["length", "tips"], "gene": [None, None],
    ...                       "importance_mean": [0.5, 0.1],
    ...                       "importance_std": [0.05, 0.02], "n_columns": [1, 1]})
    >>> ax = plot_importance(table)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['tips', 'length']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt  # optional dependency, imported on use

    if ax is None:
        _, ax = plt.subplots(
            figsize=(6, 0.3 * min(top, table["feature"].nunique()) + 1)
        )
    order = (
        table.groupby("feature", sort=False)["importance_mean"]
        .mean()
        .sort_values(ascending=False)
        .index[:top][::-1]
    )
    genes = list(dict.fromkeys(table["gene"]))
    height = 0.8 / len(genes)
    pos = np.arange(len(order))
    for k, gene in enumerate(genes):
        sub = table[table["gene"].isna() if gene is None else table["gene"] == gene]
        sub = sub.set_index("feature").reindex(order)
        ax.barh(
            pos + (k - (len(genes) - 1) / 2) * height,
            sub["importance_mean"],
            height=height,
            xerr=sub["importance_std"],
            label=None if gene is None else str(gene),
        )
    ax.set_yticks(pos, list(order))
    ax.set_xlabel("Permutation importance (drop in score)")
    ax.axvline(0.0, color="0.5", linewidth=0.8)
    if any(g is not None for g in genes):
        ax.legend(title="gene")
    return ax
