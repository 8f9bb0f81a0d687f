# SPDX-License-Identifier: BSD-3-Clause
"""Reliability of predicted marker probabilities."""

from numbers import Integral

import numpy as np
import pandas as pd

from ngep._compat import Interval, StrOptions, validate_params
from ngep._docstring import fill_doc
from ngep.exceptions import InvalidInputError


def _positive_proba(y_true, proba, pos_label):
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 2:
        if proba.shape[1] != 2:
            raise InvalidInputError(
                f"proba has {proba.shape[1]} columns; pass the probability of the "
                "positive class (1-D) or a 2-column predict_proba output."
            )
        proba = proba[:, 1]
    y_true = np.asarray(y_true)
    if len(y_true) != len(proba):
        raise InvalidInputError(
            f"y_true has {len(y_true)} entries but proba has {len(proba)}."
        )
    if pos_label is None:
        labels = np.unique(y_true)
        if len(labels) > 2:
            raise InvalidInputError(
                f"y_true has {len(labels)} classes; reliability_table is for one "
                "marker (binary). Pass pos_label or one gene at a time."
            )
        pos_label = labels.max() if len(labels) else 1
    return (y_true == pos_label).astype(np.float64), proba


@validate_params(
    {
        "y_true": ["array-like"],
        "proba": ["array-like"],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"uniform", "quantile"})],
        "pos_label": [None, "array-like", str, Integral, bool],
    },
    prefer_skip_nested_validation=True,
)
def reliability_table(y_true, proba, *, n_bins=10, strategy="uniform", pos_label=None):
    """Predicted probability versus observed frequency, bin by bin.

    A classifier is calibrated when, among neurons given probability 0.8 of
    expressing a marker, 80 % do. This table compares, per probability bin,
    the mean predicted probability with the observed frequency; use it on
    held-out neurons (see :class:`sklearn.calibration.CalibratedClassifierCV`
    to fix a miscalibrated model).

    Read more in the :ref:`User Guide <uncertainty>`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed labels (two classes).
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Predicted probability of the positive class, or ``predict_proba``.
    n_bins : int, default=10
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins on [0, 1], or bins holding equal numbers of neurons.
    pos_label : label or None, default=None
        The positive class; ``None`` takes the larger of the two labels.

    Returns
    -------
    DataFrame
        One row per non-empty bin: ``bin_lower``, ``bin_upper``,
        ``n_samples``, ``mean_predicted``, ``observed_frequency`` and
        ``gap`` (observed minus predicted). ``df.attrs["ece"]`` holds the
        expected calibration error (mean absolute gap weighted by bin size).

    See Also
    --------
    plot_reliability : Draw the table as a reliability diagram.
    sklearn.calibration.calibration_curve : The same curve as arrays.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=5000)
    >>> y = rng.uniform(size=5000) < p  # calibrated by construction
    >>> table = reliability_table(y, p, n_bins=5)
    >>> table["observed_frequency"].round(1).tolist()
    [0.1, 0.3, 0.5, 0.7, 0.9]
    >>> table.attrs["ece"] < 0.02
    True
    """
    y, p = _positive_proba(y_true, proba, pos_label)
    if np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise InvalidInputError("proba must hold probabilities in [0, 1].")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1)))
        edges[0], edges[-1] = 0.0, 1.0
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        m = idx == b
        if m.any():
            rows.append(
                (edges[b], edges[b + 1], int(m.sum()), p[m].mean(), y[m].mean())
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "bin_lower",
            "bin_upper",
            "n_samples",
            "mean_predicted",
            "observed_frequency",
        ],
    )
    table["gap"] = table["observed_frequency"] - table["mean_predicted"]
    table.attrs["ece"] = float(
        np.sum(table["n_samples"] * table["gap"].abs()) / max(len(p), 1)
    )
    return table


@fill_doc
def plot_reliability(table, ax=None, *, label=None):
    """Reliability diagram: observed frequency against predicted probability.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`reliability_table`.
    %(ax)s
    label : str or None, default=None
        Legend label of the curve (the ECE is appended).

    Returns
    -------
    matplotlib Axes
        The axes, with the diagonal of perfect calibration.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=1000)
    >>> ax = plot_reliability(reliability_table(rng.uniform(size=1000) < p, p),
    ...                       label="model")
    >>> ax.get_xlabel()
    'Mean predicted probability'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt  # optional dependency, imported on use

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", label="perfectly calibrated")
    ece = table.attrs.get("ece")
    text = label or "model"
    if ece is not None:
        text = f"{text} (ECE {ece:.3f})"
    ax.plot(
        table["mean_predicted"], table["observed_frequency"], marker="o", label=text
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Mean predicted probability")
    ax.set_ylabel("Observed frequency")
    ax.legend(loc="upper left")
    return ax
