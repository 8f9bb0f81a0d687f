# SPDX-License-Identifier: BSD-3-Clause
"""Cross-group validation: leave one group out, and train-on-A / test-on-B."""

import numpy as np
import pandas as pd
from sklearn.base import clone

from ngep._compat import safe_indexing
from ngep.exceptions import InvalidInputError
from ngep.model_selection import regression_report

_METRICS = ["r2", "pearson_r", "rmse", "mae"]


def regression_metrics(y_true, y_pred):
    """R², Pearson r, RMSE and MAE of one target, missing observations left out.

    :func:`ngep.model_selection.regression_report` on the observed pairs, plus
    their count.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Observed and predicted values; pairs with a missing observation are
        left out.

    Returns
    -------
    dict
        ``r2``, ``pearson_r`` (NaN when either side is constant), ``rmse``,
        ``mae`` and ``n_samples``.

    Examples
    --------
    >>> m = regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    >>> round(m["r2"], 3), round(m["pearson_r"], 3), round(m["mae"], 3)
    (0.5, 0.982, 0.333)
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    keep = ~np.isnan(y_true)
    if not keep.any():
        nan = float("nan")
        return {"r2": nan, "pearson_r": nan, "rmse": nan, "mae": nan, "n_samples": 0}
    return {
        **regression_report(y_true[keep], y_pred[keep]),
        "n_samples": int(keep.sum()),
    }


def _target_columns(y):
    if isinstance(y, pd.DataFrame):
        return list(y.columns), y.to_numpy(dtype=np.float64)
    if isinstance(y, pd.Series):
        return [y.name if y.name is not None else "y"], y.to_numpy(np.float64)[:, None]
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        return ["y"], y[:, None]
    return [f"y{j}" for j in range(y.shape[1])], y


def _score_rows(y_true, y_pred, names):
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_true), -1)
    return [
        {"target": name, **regression_metrics(y_true[:, j], y_pred[:, j])}
        for j, name in enumerate(names)
    ]


def leave_one_group_out_report(estimator, X, y, groups):
    """Predict each group with a model trained on all the other groups.

    Answers "does what we learn in these regions/labs/species carry over to
    one we have not seen?". Each group is held out in turn; a clone of
    ``estimator`` is fitted on the remaining rows and scored on it.

    Read more in the :ref:`User Guide <groups>`.

    Parameters
    ----------
    estimator : estimator
        Unfitted regressor or pipeline (cloned for each group).
    X : array-like of shape (n_samples, n_features) or list of paths
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_targets) or DataFrame
        Targets; NaN targets are left out of the metrics (not of fitting: use
        a :class:`~ngep.multigene.GenePanelRegressor` to drop them per gene).
    groups : array-like of shape (n_samples,)
        Group of each row; at least two distinct groups.

    Returns
    -------
    DataFrame
        One row per (held-out group, target): ``group``, ``target``,
        ``n_train``, ``r2``, ``pearson_r``, ``rmse``, ``mae``, ``n_samples``.

    See Also
    --------
    transfer_report : One explicit train set and test set.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(90, 2))
    >>> y = X @ [1.0, -2.0]
    >>> report = leave_one_group_out_report(LinearRegression(), X, y,
    ...                                     np.repeat(["a", "b", "c"], 30))
    >>> report[["group", "n_train", "n_samples"]].to_numpy().tolist()
    [['a', 60, 30], ['b', 60, 30], ['c', 60, 30]]
    >>> bool((report["r2"] > 0.99).all())
    True
    """
    groups = np.asarray(groups)
    labels = np.unique(groups)
    if len(labels) < 2:
        raise InvalidInputError(
            f"leave_one_group_out_report needs at least 2 groups, got {len(labels)}."
        )
    names, Y = _target_columns(y)
    rows = []
    for label in labels:
        test = np.flatnonzero(groups == label)
        train = np.flatnonzero(groups != label)
        model = clone(estimator).fit(safe_indexing(X, train), safe_indexing(y, train))
        pred = model.predict(safe_indexing(X, test))
        for row in _score_rows(Y[test], pred, names):
            group = label.item() if isinstance(label, np.generic) else label
            rows.append({"group": group, "n_train": len(train), **row})
    columns = ["group", "target", "n_train", *_METRICS, "n_samples"]
    return pd.DataFrame(rows, columns=columns)


def transfer_report(estimator, X_a, y_a, X_b, y_b, *, names=("A", "B")):
    """Train on one data set and test on another (mouse -> rat, lab 1 -> lab 2).

    Reports the metrics on B next to the in-sample fit on A, so the drop that
    comes from the shift between data sets is visible.

    Read more in the :ref:`User Guide <groups>`.

    Parameters
    ----------
    estimator : estimator
        Unfitted regressor or pipeline; a clone is fitted on A.
    X_a, y_a : array-like
        Training inputs and targets.
    X_b, y_b : array-like
        Test inputs and targets, with the same feature and target columns.
    names : tuple of str, default=("A", "B")
        Labels of the two data sets in the report.

    Returns
    -------
    DataFrame
        One row per (evaluated set, target): ``train``, ``test``, ``target``,
        ``r2``, ``pearson_r``, ``rmse``, ``mae``, ``n_samples``. The row with
        ``test == train`` is the (optimistic) in-sample fit.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X_mouse, X_rat = rng.normal(size=(50, 2)), rng.normal(size=(40, 2))
    >>> report = transfer_report(LinearRegression(), X_mouse, X_mouse[:, 0],
    ...                          X_rat, X_rat[:, 0], names=("mouse", "rat"))
    >>> report[["train", "test", "n_samples"]].to_numpy().tolist()
    [['mouse', 'mouse', 50], ['mouse', 'rat', 40]]
    """
    model = clone(estimator).fit(X_a, y_a)
    target_names, Y_a = _target_columns(y_a)
    _, Y_b = _target_columns(y_b)
    rows = []
    for label, X, Y in ((names[0], X_a, Y_a), (names[1], X_b, Y_b)):
        for row in _score_rows(Y, model.predict(X), target_names):
            rows.append({"train": names[0], "test": label, **row})
    return pd.DataFrame(
        rows, columns=["train", "test", "target", *_METRICS, "n_samples"]
    )
