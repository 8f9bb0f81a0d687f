# SPDX-License-Identifier: BSD-3-Clause
"""Cross-validation reports: per-fold scores, mean ± sd, lowest fold, baselines."""

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.model_selection import (
    GroupKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.utils import indexable
from sklearn.utils.parallel import Parallel, delayed

from ngep._compat import safe_indexing
from ngep.exceptions import ConfigurationError, InvalidInputError, InvalidTypeError
from ngep.model_selection._metrics import (
    CLASSIFICATION_METRICS,
    LABELS,
    REGRESSION_METRICS,
    classification_report_scores,
    regression_report,
)
from ngep.model_selection._split import BinnedStratifiedKFold, bin_target

__all__ = ["CVReport", "cross_validate_report"]

DEFAULT_N_SPLITS = 10


@dataclass(eq=False)
class CVReport:
    """Result of :func:`cross_validate_report`.

    Parameters
    ----------
    estimator_name : str
        Name of the evaluated estimator (its class, or the pipeline's steps).
    task : {"regression", "classification"}
        Which metrics were computed.
    scores : pandas.DataFrame
        One row per fold: ``n_train``, ``n_test`` and one column per metric.
    predictions : ndarray or None
        Out-of-fold predictions: values (regression) or class probabilities
        (classification, columns in the order of ``classes``), NaN for samples
        in no test fold. ``None`` when a sample is in several test folds.
    splits : list of (ndarray, ndarray)
        The ``(train, test)`` indices used; pass them as ``cv=`` to evaluate
        another model on the same folds.
    classes : ndarray or None, default=None
        Class labels (classification).
    baseline : CVReport or None, default=None
        The baseline's report, on the same folds.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.dummy import DummyRegressor
    >>> from sklearn.linear_model import Ridge
    >>> X, y = make_regression(n_samples=60, n_features=4, noise=20.0, random_state=0)
    >>> report = cross_validate_report(Ridge(), X, y, cv=5, baseline=DummyRegressor())
    >>> report.scores.shape
    (5, 6)
    >>> report.lowest_fold > report.baseline.lowest_fold
    True
    >>> print(report.summary())
    Ridge: 5-fold CV on 60 samples
      R² 0.754 ± 0.208 (lowest fold 0.40) | r 0.898 ± 0.095 | RMSE 20.524 ± ...
    baseline DummyRegressor (same folds):
      R² -0.042 ± 0.059 (lowest fold -0.14) | r nan ± nan | RMSE 47.366 ± ...
      difference in R²: +0.796 ± 0.246, better in 5 of 5 folds
    """

    estimator_name: str
    task: str
    scores: pd.DataFrame
    predictions: np.ndarray | None
    splits: list = field(repr=False)
    classes: np.ndarray | None = None
    baseline: "CVReport | None" = None

    @property
    def metrics(self):
        """Metric names, in report order."""
        table = (
            REGRESSION_METRICS if self.task == "regression" else CLASSIFICATION_METRICS
        )
        return [m for m in table if m in self.scores.columns]

    @property
    def primary(self):
        """The headline metric: ``"r2"`` (regression) or ``"roc_auc"``."""
        return "r2" if self.task == "regression" else "roc_auc"

    @property
    def lowest_fold(self):
        """Lowest per-fold value of the headline metric (NaN folds skipped)."""
        return float(self.scores[self.primary].min())

    def summary_table(self):
        """Mean, standard deviation (ddof=1), min and max of each metric over folds.

        Returns
        -------
        pandas.DataFrame
            One row per metric.
        """
        s = self.scores[self.metrics]
        return pd.DataFrame(
            {"mean": s.mean(), "sd": s.std(ddof=1), "min": s.min(), "max": s.max()}
        )

    def summary_frame(self):
        """Deprecated alias of :meth:`summary_table`; removed in ngep 0.3."""
        warnings.warn(
            "CVReport.summary_frame is deprecated and will be removed in ngep 0.3; "
            "use summary_table.",
            FutureWarning,
            stacklevel=2,
        )
        return self.summary_table()

    def summary(self):
        """Human-readable summary, e.g. ``R² 0.396 ± 0.027 (lowest fold 0.34)``.

        Returns
        -------
        str
            One line per report (the estimator, then the baseline if any).
        """
        lines = [
            f"{self.estimator_name}: {len(self.splits)}-fold CV on "
            f"{self._n_samples()} samples",
            "  " + self._score_line(),
        ]
        if self.baseline is not None:
            b = self.baseline
            diff = self.compare(b).loc[self.primary]
            lines += [
                f"baseline {b.estimator_name} (same folds):",
                "  " + b._score_line(),
                f"  difference in {LABELS[self.primary]}: {diff['mean_diff']:+.3f} "
                f"± {diff['sd_diff']:.3f}, better in {int(diff['folds_better'])} of "
                f"{int(diff['n_folds'])} folds",
            ]
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def _n_samples(self):
        return int(sum(len(test) for _, test in self.splits))

    def _score_line(self):
        table = self.summary_table()
        parts = []
        for m in self.metrics:
            row = table.loc[m]
            text = f"{LABELS[m]} {row['mean']:.3f} ± {row['sd']:.3f}"
            if m == self.primary:
                text += f" (lowest fold {row['min']:.2f})"
            parts.append(text)
        return " | ".join(parts)

    def compare(self, other):
        """Fold-by-fold comparison with another report on the same folds.

        Parameters
        ----------
        other : CVReport
            Report of another model, computed on the same ``splits`` (pass
            ``cv=report.splits``, or use ``baseline=``).

        Returns
        -------
        pandas.DataFrame
            One row per metric: ``mean`` (this report), ``other_mean``,
            ``mean_diff`` and ``sd_diff`` (this minus other, over folds),
            ``folds_better`` (folds where this report is better, in the metric's
            direction) and ``n_folds``.
        """
        if other.task != self.task:
            raise ConfigurationError(
                f"cannot compare a {self.task} report with a {other.task} one."
            )
        same = len(other.splits) == len(self.splits) and all(
            np.array_equal(a[1], b[1]) for a, b in zip(self.splits, other.splits)
        )
        if not same:
            raise ConfigurationError(
                "compare needs both reports computed on the same folds; evaluate "
                "the other model with cv=report.splits (or pass baseline=)."
            )
        table = (
            REGRESSION_METRICS if self.task == "regression" else CLASSIFICATION_METRICS
        )
        rows = {}
        for m in self.metrics:
            a = self.scores[m].reset_index(drop=True)
            b = other.scores[m].reset_index(drop=True)
            d = a - b  # pandas statistics skip NaN folds without warnings
            better = d > 0 if table[m] else d < 0
            rows[m] = {
                "mean": a.mean(),
                "other_mean": b.mean(),
                "mean_diff": d.mean(),
                "sd_diff": d.std(ddof=1),
                "folds_better": int(better.sum()),
                "n_folds": int(d.size),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def to_dict(self):
        """JSON-serialisable summary (no arrays of predictions or indices).

        Returns
        -------
        dict
            Estimator name, task, fold counts and, per metric, mean, sd, min,
            max and the per-fold values (NaN written as ``None``), plus the
            baseline's dict.
        """

        def clean(v):
            v = float(v)
            return None if np.isnan(v) else v

        table = self.summary_table()
        return {
            "estimator": self.estimator_name,
            "task": self.task,
            "n_splits": len(self.splits),
            "n_samples": self._n_samples(),
            "metrics": {
                m: {
                    **{k: clean(table.loc[m, k]) for k in table.columns},
                    "folds": [clean(v) for v in self.scores[m]],
                }
                for m in self.metrics
            },
            "classes": None if self.classes is None else [str(c) for c in self.classes],
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
        }


def _name(estimator):
    steps = getattr(estimator, "steps", None)
    if steps is not None:
        return " -> ".join(type(step).__name__ for _, step in steps)
    return type(estimator).__name__


def _default_cv(n_splits, task, y, groups, random_state):
    """The splitter used when ``cv`` is None or an int (see cross_validate_report)."""
    if groups is None:
        if task == "regression":
            return BinnedStratifiedKFold(
                n_splits, shuffle=True, random_state=random_state
            ), y
        return StratifiedKFold(n_splits, shuffle=True, random_state=random_state), y
    n_groups = np.unique(groups).size
    if n_groups < 2:
        raise InvalidInputError(
            "grouped cross-validation needs at least 2 distinct groups."
        )
    n_splits = min(n_splits, n_groups)
    strat_y = bin_target(y, min_bin_size=n_splits) if task == "regression" else y
    if np.unique(strat_y).size < 2:
        return GroupKFold(n_splits), y
    return StratifiedGroupKFold(
        n_splits, shuffle=True, random_state=random_state
    ), strat_y


def _resolve_splits(cv, X, y, groups, task, random_state):
    if cv is None or isinstance(cv, (int, np.integer)):
        n_splits = DEFAULT_N_SPLITS if cv is None else int(cv)
        splitter, split_y = _default_cv(n_splits, task, y, groups, random_state)
        return list(splitter.split(X, split_y, groups))
    if hasattr(cv, "split"):
        return list(cv.split(X, y, groups))
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    if not splits:
        raise InvalidInputError("cv gave no (train, test) splits.")
    return splits


def _fit_predict(estimator, X, y, train, test, task):
    estimator.fit(safe_indexing(X, train), y[train])
    X_test = safe_indexing(X, test)
    if task == "regression":
        return estimator.predict(X_test), None
    return estimator.predict_proba(X_test), estimator.classes_


def _evaluate(estimator, X, y, splits, task, n_jobs, verbose):
    if task == "classification" and not hasattr(estimator, "predict_proba"):
        raise InvalidTypeError(
            f"{_name(estimator)} has no predict_proba; ROC AUC and Brier need "
            "probabilities. Wrap it in sklearn.calibration.CalibratedClassifierCV."
        )
    results = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(_fit_predict)(clone(estimator), X, y, tr, te, task) for tr, te in splits
    )
    counts = np.zeros(len(y), dtype=int)
    for _, te in splits:
        np.add.at(counts, te, 1)
    classes = np.unique(y) if task == "classification" else None
    if task == "regression":
        predictions = np.full(y.shape, np.nan)
    else:
        predictions = np.full((len(y), classes.size), np.nan)
    rows = []
    for (tr, te), (pred, fold_classes) in zip(splits, results):
        if task == "regression":
            scores = regression_report(y[te], pred)
            predictions[te] = pred
        else:
            proba = np.zeros((len(te), classes.size))  # classes unseen in training: 0
            proba[:, np.searchsorted(classes, fold_classes)] = pred
            scores = classification_report_scores(y[te], proba, classes)
            predictions[te] = proba
        rows.append({"n_train": len(tr), "n_test": len(te), **scores})
    scores = pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="fold"))
    if np.any(counts > 1):
        predictions = None
    return CVReport(_name(estimator), task, scores, predictions, splits, classes)


def cross_validate_report(
    estimator,
    X,
    y,
    *,
    cv=None,
    groups=None,
    baseline=None,
    n_jobs=None,
    random_state=0,
    verbose=0,
):
    """Cross-validate an estimator and report per-fold scores, mean ± sd, lowest fold.

    Regressors are scored with R², Pearson r, RMSE and MAE; classifiers with ROC
    AUC (one-vs-rest macro for several classes), balanced accuracy and the Brier
    score (binary). A ``baseline`` is evaluated on exactly the same folds.

    Read more in the :ref:`User Guide <cross_validation>`.

    Parameters
    ----------
    estimator : estimator
        Regressor, or classifier with ``predict_proba``; cloned for each fold.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target: continuous values (regression) or labels (classification).
    cv : int, splitter, iterable of (train, test) or None, default=None
        ``None`` means 10 folds. For ``None`` or an int: regression uses
        :class:`BinnedStratifiedKFold` and classification
        :class:`~sklearn.model_selection.StratifiedKFold`, both shuffled with
        ``random_state``; with ``groups`` they become
        :class:`~sklearn.model_selection.StratifiedGroupKFold` (on quantile bins
        of ``y`` for regression), with at most one fold per group. A splitter is
        called with ``(X, y, groups)``; a list of splits (such as
        ``report.splits``) is used as is.
    groups : array-like of shape (n_samples,) or None, default=None
        Group of each sample, for example the donor: no group is in both the
        training and the test set of a fold.
    baseline : estimator or None, default=None
        A reference model (for example ``DummyRegressor()`` or a model on fewer
        features) evaluated on the same folds; its report is ``report.baseline``.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling of the default splitters.
    verbose : int, default=0
        Verbosity of joblib.

    Returns
    -------
    CVReport
        Per-fold scores, summaries, out-of-fold predictions and the splits.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=80, random_state=0)
    >>> report = cross_validate_report(LogisticRegression(), X, y, cv=4)
    >>> report.metrics
    ['roc_auc', 'balanced_accuracy', 'brier']
    >>> report.predictions.shape
    (80, 2)
    """
    X, y, groups = indexable(X, y, groups)
    y = np.asarray(y)
    task = "classification" if is_classifier(estimator) else "regression"
    if task == "regression":
        y = y.astype(np.float64)
    splits = _resolve_splits(cv, X, y, groups, task, random_state)
    report = _evaluate(estimator, X, y, splits, task, n_jobs, verbose)
    if baseline is not None:
        base_task = "classification" if is_classifier(baseline) else "regression"
        if base_task != task:
            raise ConfigurationError(
                f"baseline is a {base_task} model but estimator is a {task} model."
            )
        report.baseline = _evaluate(baseline, X, y, splits, task, n_jobs, verbose)
    return report
