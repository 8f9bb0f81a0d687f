# SPDX-License-Identifier: BSD-3-Clause
"""Pictures of a group comparison: a volcano plot and the top features per group."""

import numpy as np
import pandas as pd

from ngep._docstring import fill_doc
from ngep.exceptions import ComparisonError

__all__ = ["plot_top_features", "plot_volcano"]


def _check_comparison(comparison):
    needed = {"feature", "effect_size", "q_value", "group_a", "group_b"}
    missing = needed - set(getattr(comparison, "columns", ()))
    if missing:
        raise ComparisonError(
            f"comparison lacks column(s) {sorted(missing)}: pass the table "
            "returned by compare_groups (or read from comparison.csv).")


def top_features(comparison, n_top):
    """The ``n_top`` features with the smallest q-value (ties: largest |effect|)."""
    _check_comparison(comparison)
    tested = comparison.dropna(subset=["q_value"])
    ranked = tested.assign(_abs=tested["effect_size"].abs()).sort_values(
        ["q_value", "_abs"], ascending=[True, False], kind="stable")
    return list(dict.fromkeys(ranked["feature"]))[:n_top]


@fill_doc
def plot_volcano(comparison, ax=None, *, alpha=0.05, label_top=5):
    """Volcano plot: effect size against -log10 q-value, one point per row.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_groups`.
    %(ax)s
    alpha : float, default=0.05
        False discovery rate drawn as a dashed line; rows with ``q_value <=
        alpha`` are coloured.
    label_top : int, default=5
        Label this many rows with the smallest q-values by their feature name
        (and pair of groups, when there are several pairs).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; rows with a missing q-value are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"feature": ["length", "stems"], "group_a": "ctrl",
    ...                       "group_b": "drug", "effect_size": [0.8, -0.1],
    ...                       "q_value": [0.001, 0.6]})
    >>> ax = plot_volcano(table)
    >>> ax.get_xlabel()
    "Cliff's delta (drug vs ctrl)"
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt  # optional dependency, imported on use

    _check_comparison(comparison)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    table = comparison.dropna(subset=["q_value"])
    y = -np.log10(np.maximum(table["q_value"].to_numpy(dtype=float), 1e-300))
    x = table["effect_size"].to_numpy(dtype=float)
    hit = table["q_value"].to_numpy() <= alpha
    ax.scatter(x[~hit], y[~hit], s=18, color="0.6", label=f"q > {alpha:g}")
    ax.scatter(x[hit], y[hit], s=22, color="C3", label=f"q <= {alpha:g}")
    ax.axhline(-np.log10(alpha), color="0.4", linestyle="--", linewidth=0.8)
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    pairs = table[["group_a", "group_b"]].drop_duplicates()
    several = len(pairs) > 1
    order = np.argsort(table["q_value"].to_numpy(), kind="stable")[:label_top]
    # Labels stacked downwards from the top point, pointing inwards, so that
    # rows with nearly equal effects and q-values stay readable.
    for k, i in enumerate(order):
        row = table.iloc[i]
        text = str(row["feature"])
        if several:
            text += f" ({row['group_b']} vs {row['group_a']})"
        right = x[i] > 0
        ax.annotate(text, (x[i], y[i]), xytext=(-12 if right else 12, -4 - 11 * k),
                    textcoords="offset points", fontsize=7,
                    ha="right" if right else "left", va="top",
                    arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5})
    ax.set_xlim(-1.05, 1.05)
    if several:
        ax.set_xlabel("Cliff's delta (group_b vs group_a)")
    else:
        a, b = pairs.iloc[0]
        ax.set_xlabel(f"Cliff's delta ({b} vs {a})")
    ax.set_ylabel("-log10 q-value (Benjamini-Hochberg)")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_top_features(comparison, data, group_column="group", *, n_top=6,
                      groups=None, axes=None):
    """Violin and strip plots of the most different features, groups side by side.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_groups`; features are ranked by q-value.
    data : DataFrame or mapping of str to DataFrame
        The feature table(s) that were compared: one table with a
        ``group_column``, or group name -> table.
    group_column : str, default="group"
        Column of ``data`` naming the groups (ignored for a mapping).
    n_top : int, default=6
        Number of features to draw, one panel each.
    groups : list or None, default=None
        Groups to draw, in this order; None: the groups of ``comparison``.
    axes : array of matplotlib Axes or None, default=None
        At least ``n_top`` axes to draw on; a new figure when None.

    Returns
    -------
    ndarray of matplotlib Axes
        One panel per feature, titled with its name, q-value and Cliff's delta
        (of its pair of groups with the smallest q-value).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> data = pd.DataFrame({"group": ["a"] * 10 + ["b"] * 10,
    ...                      "length": np.r_[rng.normal(0, 1, 10),
    ...                                      rng.normal(2, 1, 10)],
    ...                      "stems": rng.poisson(5, 20)})
    >>> from ngep.inspection import compare_groups
    >>> comparison = compare_groups(data, "group", n_bootstrap=0)
    >>> axes = plot_top_features(comparison, data, n_top=2)
    >>> axes[0].get_title().splitlines()[0]
    'length'
    >>> import matplotlib.pyplot as plt; plt.close(axes[0].figure)
    """
    import matplotlib.pyplot as plt  # optional dependency, imported on use

    names = top_features(comparison, n_top)
    if isinstance(data, pd.DataFrame):
        if group_column not in data.columns:
            raise ComparisonError(
                f"group_column {group_column!r} not in data; its columns are "
                f"{list(data.columns)[:12]}.")
        frame = data.rename(columns={group_column: "__group__"})
    else:
        frame = pd.concat([v.assign(__group__=k) for k, v in data.items()],
                          ignore_index=True)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ComparisonError(
            f"feature(s) {missing} of the comparison are not columns of data; "
            "pass the table(s) that were compared.")
    if groups is None:
        groups = list(dict.fromkeys(
            list(comparison["group_a"]) + list(comparison["group_b"])))
    if axes is None:
        ncols = min(3, max(1, len(names)))
        nrows = max(1, -(-len(names) // ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.9 * nrows),
                                 squeeze=False)
        for extra in axes.ravel()[len(names):]:
            extra.set_visible(False)
    axes = np.asarray(axes).ravel()
    rng = np.random.default_rng(0)  # horizontal jitter of the points only
    for ax, name in zip(axes, names):
        samples = [frame.loc[frame["__group__"] == g, name].dropna().to_numpy(float)
                   for g in groups]
        pos = np.arange(len(groups))
        drawable = [i for i, s in enumerate(samples) if s.size > 1 and np.ptp(s) > 0]
        if drawable:
            parts = ax.violinplot([samples[i] for i in drawable],
                                  positions=pos[drawable], showextrema=False,
                                  widths=0.8)
            for i, body in zip(drawable, parts["bodies"]):
                body.set_facecolor(f"C{i}")
                body.set_alpha(0.25)
        for i, s in enumerate(samples):
            ax.scatter(i + rng.uniform(-0.12, 0.12, s.size), s, s=8, color=f"C{i}",
                       alpha=0.8, linewidths=0)
            if s.size:
                ax.hlines(np.median(s), i - 0.3, i + 0.3, color="k", linewidth=1.2)
        ax.set_xticks(pos, [str(g) for g in groups])
        row = comparison[comparison["feature"] == name].dropna(subset=["q_value"])
        row = row.sort_values("q_value", kind="stable").iloc[0]
        ax.set_title(f"{name}\nq = {row['q_value']:.2g}, delta = "
                     f"{row['effect_size']:+.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
    return axes[:len(names)]
