# SPDX-License-Identifier: BSD-3-Clause
"""The scores ngep reports for regression and classification models."""

import numpy as np
from sklearn.metrics import (
    balanced_accuracy_score,
    brier_score_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
)
from sklearn.utils.validation import check_consistent_length

from ngep.exceptions import InvalidInputError

__all__ = [
    "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS",
    "classification_report_scores",
    "regression_report",
]

#: Metric names, in report order, and whether higher is better.
REGRESSION_METRICS = {"r2": True, "pearson_r": True, "rmse": False, "mae": False}
CLASSIFICATION_METRICS = {"roc_auc": True, "balanced_accuracy": True, "brier": False}

#: How the metrics are printed.
LABELS = {
    "r2": "R²",
    "pearson_r": "r",
    "rmse": "RMSE",
    "mae": "MAE",
    "roc_auc": "ROC AUC",
    "balanced_accuracy": "balanced accuracy",
    "brier": "Brier",
}


def _pearson(a, b):
    """Pearson correlation; NaN (without a warning) when either is constant."""
    if a.size < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else float("nan")


def _r2(a, b):
    """R²; NaN when the target is constant (R² is undefined there)."""
    if a.size < 2 or np.all(a == a[0]):
        return float("nan")
    return float(r2_score(a, b))


def regression_report(y_true, y_pred):
    """R², Pearson r, RMSE and MAE of predictions of a continuous target.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Measured values (for example log expression of a gene).
    y_pred : array-like of the same shape
        Predicted values.

    Returns
    -------
    dict
        ``{"r2", "pearson_r", "rmse", "mae"}`` as floats. For several outputs each
        score is the unweighted mean over outputs. Pearson r is NaN when the
        predictions or the targets are constant; R² is NaN when the targets are.

    Examples
    --------
    >>> scores = regression_report([1.0, 2.0, 3.0, 4.0], [1.1, 1.9, 3.2, 3.8])
    >>> {k: round(v, 3) for k, v in scores.items()}
    {'r2': 0.98, 'pearson_r': 0.991, 'rmse': 0.158, 'mae': 0.15}
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    check_consistent_length(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise InvalidInputError(
            f"y_true and y_pred must have the same shape; got {y_true.shape} and "
            f"{y_pred.shape}."
        )
    t = y_true.reshape(len(y_true), -1)
    p = y_pred.reshape(len(y_pred), -1)
    return {
        "r2": float(np.mean([_r2(t[:, k], p[:, k]) for k in range(t.shape[1])])),
        "pearson_r": float(
            np.mean([_pearson(t[:, k], p[:, k]) for k in range(t.shape[1])])
        ),
        "rmse": float(np.mean(np.sqrt(np.mean((t - p) ** 2, axis=0)))),
        "mae": float(mean_absolute_error(t, p)),
    }


def classification_report_scores(y_true, y_proba, classes):
    """ROC AUC, balanced accuracy and (binary) Brier score of class probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in the order of ``classes``.
    classes : array-like of shape (n_classes,)
        The class labels (``estimator.classes_``).

    Returns
    -------
    dict
        ``roc_auc`` (binary; one-vs-rest macro average for more classes),
        ``balanced_accuracy`` (of the most probable class) and ``brier`` (binary
        only; NaN for more classes). ROC AUC is NaN when ``y_true`` holds one
        class only, or (multiclass) lacks one of ``classes``.

    Examples
    --------
    >>> scores = classification_report_scores(
    ...     ["Vip", "Sst", "Vip", "Sst"],
    ...     [[0.2, 0.8], [0.7, 0.3], [0.6, 0.4], [0.9, 0.1]], classes=["Sst", "Vip"])
    >>> {k: round(v, 3) for k, v in scores.items()}
    {'roc_auc': 1.0, 'balanced_accuracy': 0.75, 'brier': 0.125}
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(y_proba, dtype=np.float64)
    classes = np.asarray(classes)
    check_consistent_length(y_true, proba)
    if proba.ndim != 2 or proba.shape[1] != classes.size:
        raise InvalidInputError(
            f"y_proba must have one column per class ({classes.size}); got shape "
            f"{proba.shape}."
        )
    y_hat = classes[np.argmax(proba, axis=1)]
    present = np.unique(y_true)
    if present.size < 2 or (classes.size > 2 and present.size < classes.size):
        auc = float("nan")
    elif classes.size == 2:
        auc = float(roc_auc_score(y_true == classes[1], proba[:, 1]))
    else:
        auc = float(
            roc_auc_score(
                y_true, proba, multi_class="ovr", average="macro", labels=classes
            )
        )
    brier = (
        float(brier_score_loss(y_true == classes[1], proba[:, 1]))
        if classes.size == 2
        else float("nan")
    )
    return {
        "roc_auc": auc,
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_hat)),
        "brier": brier,
    }
