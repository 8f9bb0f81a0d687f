# SPDX-License-Identifier: BSD-3-Clause
"""Cross-validation reports: metrics JSON, per-neuron predictions CSV and plots."""

import sys
import time

import numpy as np

from ngep.cli._output import atomic_write_csv, atomic_write_json


def baseline_for(task, seed):
    """A strong tabular baseline: histogram gradient boosting."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    if task == "classification":
        return HistGradientBoostingClassifier(random_state=seed)
    return HistGradientBoostingRegressor(random_state=seed)


def run_cv_report(
    model,
    X,
    y,
    *,
    task,
    out,
    n_splits=10,
    groups=None,
    ids=None,
    baseline=True,
    seed=0,
    target_name="target",
    ceiling=None,
    extra=None,
    importance=True,
    n_jobs=None,
):
    """Cross-validate ``model`` (and a baseline on the same folds) and write a report.

    Writes ``metrics.json``, ``predictions.csv`` and PNG plots into ``out``; prints
    the summary; returns the metrics dictionary.
    """
    from ngep.model_selection import cross_validate_report

    y_arr = np.asarray(y)
    t0 = time.perf_counter()
    report = cross_validate_report(
        model,
        X,
        y_arr,
        cv=n_splits,
        groups=groups,
        baseline=baseline_for(task, seed) if baseline else None,
        random_state=seed,
        n_jobs=n_jobs,
    )
    t_cv = time.perf_counter() - t0
    splits, base = report.splits, report.baseline
    if groups is not None:
        cv_name = "grouped stratified"
    else:
        cv_name = "stratified" if task == "classification" else "binned stratified"
    metrics = {
        "target": target_name,
        "task": task,
        "n_neurons": int(len(y_arr)),
        "n_splits": len(splits),
        "cv": cv_name,
        "model": report.to_dict(),
        "cv_seconds": round(t_cv, 2),
    }
    if ceiling is not None:
        metrics["ceiling_r2"] = float(ceiling)
    if extra:
        metrics.update(extra)

    lines = [
        f"{target_name}: {len(splits)}-fold {cv_name} CV on {len(y_arr)} neurons",
        report.summary(),
    ]
    if ceiling is not None:
        lines.append(f"ceiling R² (the noise limit of these data): {ceiling:.3f}")
    text = "\n".join(lines)
    print(text)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")

    import pandas as pd

    pred = pd.DataFrame({"neuron": ids if ids is not None else np.arange(len(y_arr))})
    fold = np.empty(len(y_arr), dtype=int)
    for k, (_, test) in enumerate(splits):
        fold[test] = k
    pred["fold"] = fold
    if task == "regression" and y_arr.ndim == 1:
        pred["observed"] = y_arr
        pred["predicted"] = report.predictions
        if base is not None:
            pred["baseline_predicted"] = base.predictions
    elif task == "classification":
        pred["observed"] = y_arr
        for j, cls in enumerate(report.classes):
            pred[f"proba_{cls}"] = report.predictions[:, j]
            if base is not None:
                pred[f"baseline_proba_{cls}"] = base.predictions[:, j]
    atomic_write_csv(pred, out / "predictions.csv", index=False)

    if importance:
        try:
            metrics["importance"] = _held_out_importance(model, X, y_arr, splits, seed)
        except Exception as exc:  # noqa: BLE001 - the report still stands without it
            print(f"ngep: feature importance skipped: {exc}", file=sys.stderr)
    atomic_write_json(metrics, out / "metrics.json")
    _plots(out, pred, report, base, task, metrics.get("importance"), target_name)
    return metrics


def importance_tables(fitted, X, y, *, n_repeats=5, seed=0):
    """Permutation importance of a fitted feature-table pipeline on held-out data.

    Returns one table with a ``level`` column: ``"base measurement"`` rows permute
    one column of X (so every feature engineered from it moves together) and
    ``"engineered feature"`` rows permute single columns entering the step after
    the :class:`~ngep.transformers.FeatureExpander`.
    """
    import pandas as pd

    from ngep.inspection import permutation_importance_table

    tables = []
    base = permutation_importance_table(
        fitted, X, y, n_repeats=n_repeats, random_state=seed
    )
    tables.append(base.assign(level="base measurement"))
    steps = [name for name, _ in getattr(fitted, "steps", [])]
    if "expand" in steps and steps.index("expand") + 1 < len(steps):
        after = steps[steps.index("expand") + 1]
        eng = permutation_importance_table(
            fitted, X, y, at_step=after, n_repeats=n_repeats, random_state=seed
        )
        tables.append(eng.assign(level="engineered feature"))
    return pd.concat(tables, ignore_index=True)


def _held_out_importance(model, X, y, splits, seed):
    """Importance on the first test fold, for a model fitted on its training part."""
    from sklearn.base import clone

    train, test = splits[0]
    Xtr = X.iloc[train] if hasattr(X, "iloc") else X[train]
    Xte = X.iloc[test] if hasattr(X, "iloc") else X[test]
    fitted = clone(model).fit(Xtr, y[train])
    table = importance_tables(fitted, Xte, y[test], seed=seed)
    return table.to_dict(orient="records")


def save_importance_plot(table, path, title="Permutation importance (held out)"):
    """Bar chart of the base-measurement rows of an importance table."""
    import matplotlib.pyplot as plt

    from ngep.inspection import plot_importance

    if "level" in table:
        table = table[table["level"] == "base measurement"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    plot_importance(table.drop(columns=["level"], errors="ignore"), ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def save_neuron_gallery(morphologies, pred, labels, path, target_name, k=4):
    """Draw the ``k`` most and ``k`` least ``target``-like neurons, at one scale.

    Neurons are ranked by their out-of-fold prediction (``pred["predicted"]``,
    row ``i`` is ``morphologies[i]``); the top row holds the highest, the bottom
    row the lowest, each titled with its label, prediction and observed value.
    Returns the path, or None when matplotlib is missing (a message says so).
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "ngep: matplotlib not installed; neuron gallery skipped "
            "(pip install 'ngep[plot]')",
            file=sys.stderr,
        )
        return None
    from ngep.plot import gallery

    predicted = np.asarray(pred["predicted"], dtype=float)
    order = np.argsort(-predicted, kind="stable")
    k = min(k, len(order) // 2)
    if k == 0:
        return None
    rows = np.concatenate([order[:k], order[::-1][:k]])
    observed = np.asarray(pred["observed"], dtype=float)
    titles = [
        f"{labels[i]}\npredicted {predicted[i]:.2f}, observed {observed[i]:.2f}"
        for i in rows
    ]
    fig = gallery(
        [morphologies[i] for i in rows], titles, ncols=k,
        suptitle=f"Most (top) and least (bottom) {target_name}-like neurons "
        "by out-of-fold prediction; one scale",
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plots(out, pred, report, base, task, importance, target_name):
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "ngep: matplotlib not installed; plots skipped (pip install 'ngep[plot]')",
            file=sys.stderr,
        )
        return
    if "observed" in pred and task == "regression":
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.scatter(pred["observed"], pred["predicted"], s=4, alpha=0.4)
        lo = float(np.nanmin([pred["observed"].min(), pred["predicted"].min()]))
        hi = float(np.nanmax([pred["observed"].max(), pred["predicted"].max()]))
        ax.plot([lo, hi], [lo, hi], color="k", lw=0.8)
        ax.set(
            xlabel=f"observed {target_name}",
            ylabel="predicted (out of fold)",
            title="Predicted vs observed",
        )
        fig.tight_layout()
        fig.savefig(out / "predicted_vs_observed.png", dpi=120)
        plt.close(fig)
    scores = report.scores
    metric = "r2" if task == "regression" else "roc_auc"
    if metric in scores:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        k = np.arange(len(scores))
        width = 0.4 if base is not None else 0.8
        ax.bar(
            k - (width / 2 if base is not None else 0),
            scores[metric],
            width,
            label="ngep model",
        )
        if base is not None and metric in base.scores:
            ax.bar(
                k + width / 2,
                base.scores[metric],
                width,
                label="HistGradientBoosting",
            )
        ax.set(xlabel="fold", ylabel=metric, title="Per-fold scores")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "fold_scores.png", dpi=120)
        plt.close(fig)
    if importance:
        import pandas as pd

        save_importance_plot(pd.DataFrame(importance), out / "feature_importance.png")
