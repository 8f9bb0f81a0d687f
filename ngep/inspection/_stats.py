# SPDX-License-Identifier: BSD-3-Clause
"""Two-sample statistics of one feature: Cliff's delta, bootstrap, permutation, FWER.

Pure functions on numpy arrays, no pandas: :mod:`ngep.inspection._compare`
loops over features and pairs of groups and assembles the table.

Conventions: ``a`` is the first (reference) group and ``b`` the second;
Cliff's delta is ``P(b > a) - P(b < a)``, positive when ``b`` tends to be
larger. ``clusters_a``/``clusters_b`` give each value's cluster (donor) as an
integer ``0 .. n_clusters - 1``; a cell is its own cluster when there are no
donors.
"""

from itertools import combinations
from math import comb

import numpy as np
from scipy.stats import mannwhitneyu, rankdata

# Bootstrap replicates and permutations are processed in blocks of this many
# rows, which bounds the memory of one block to ``_BLOCK * n_values`` floats.
_BLOCK = 512


def cliffs_delta(a, b):
    """Cliff's delta ``P(b > a) - P(b < a)`` from the Mann-Whitney U of ``b``.

    ``U_b`` counts the pairs ``(a_i, b_j)`` with ``b_j > a_i`` plus half the
    ties, so ``delta = 2 U_b / (n_a n_b) - 1``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ranks = rankdata(np.concatenate([a, b]))
    u_b = ranks[a.size:].sum() - b.size * (b.size + 1) / 2
    return 2.0 * u_b / (a.size * b.size) - 1.0


def mann_whitney(a, b):
    """Cliff's delta and the two-sided Mann-Whitney U p-value (scipy's ``"auto"``).

    scipy's ``"auto"`` is the exact distribution for small samples without
    ties and the normal approximation with tie correction otherwise.
    """
    res = mannwhitneyu(b, a, alternative="two-sided", method="auto")
    return 2.0 * float(res.statistic) / (len(a) * len(b)) - 1.0, float(res.pvalue)


def _weighted_delta(a_sorted, wa_sorted, b, wb):
    """Cliff's delta for each row of weights (bootstrap counts), linear time.

    ``a_sorted`` is sorted; ``wa_sorted`` (B, n_a) and ``wb`` (B, n_b) are the
    weights (how often each value was drawn) of B replicates.
    """
    cum = np.zeros((wa_sorted.shape[0], a_sorted.size + 1))
    np.cumsum(wa_sorted, axis=1, out=cum[:, 1:])
    below = cum[:, np.searchsorted(a_sorted, b, side="left")]  # weight of a < b_j
    above = cum[:, -1:] - cum[:, np.searchsorted(a_sorted, b, side="right")]
    total = cum[:, -1] * wb.sum(axis=1)
    return ((below - above) * wb).sum(axis=1) / total


def bootstrap_delta(a, b, clusters_a, clusters_b, n_bootstrap, rng):
    """Bootstrap replicates of Cliff's delta, resampling clusters within each group.

    Each replicate draws, with replacement, as many clusters as each group has
    and keeps all their values (a cluster bootstrap; with one value per
    cluster, the ordinary stratified bootstrap). Drawing a cluster ``k`` times
    gives its values weight ``k``, so a replicate is a weighted Cliff's delta.

    Returns
    -------
    ndarray of shape (n_bootstrap,)
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    order = np.argsort(a, kind="stable")
    a_sorted, ca_sorted = a[order], np.asarray(clusters_a)[order]
    cb = np.asarray(clusters_b)
    ka, kb = ca_sorted.max() + 1, cb.max() + 1
    out = np.empty(n_bootstrap)
    for start in range(0, n_bootstrap, _BLOCK):
        size = min(_BLOCK, n_bootstrap - start)
        counts_a = rng.multinomial(ka, np.full(ka, 1.0 / ka), size=size)
        counts_b = rng.multinomial(kb, np.full(kb, 1.0 / kb), size=size)
        out[start:start + size] = _weighted_delta(
            a_sorted, counts_a[:, ca_sorted].astype(float), b,
            counts_b[:, cb].astype(float))
    return out


def percentile_interval(replicates, confidence):
    """Percentile bootstrap interval ``(low, high)``."""
    alpha = 1.0 - confidence
    low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def cluster_assignments(cluster_in_b, n_permutations, rng):
    """Relabellings of whole clusters between the two groups.

    Parameters
    ----------
    cluster_in_b : ndarray of bool, shape (n_clusters,)
        Whether each cluster (donor) belongs to group b.
    n_permutations : int
        Enumerate every relabelling when there are at most this many
        (an exact test); otherwise draw this many at random.

    Returns
    -------
    labels : ndarray of bool, shape (n_assignments, n_clusters)
    exact : bool
    """
    k, k_b = cluster_in_b.size, int(cluster_in_b.sum())
    if comb(k, k_b) <= n_permutations:
        labels = np.zeros((comb(k, k_b), k), dtype=bool)
        for row, chosen in enumerate(combinations(range(k), k_b)):
            labels[row, list(chosen)] = True
        return labels, True
    labels = np.tile(cluster_in_b, (n_permutations, 1))
    return rng.permuted(labels, axis=1), False


def permutation_pvalue(values, in_b, clusters, assignments, exact):
    """Two-sided p-value of Cliff's delta under relabelling of whole clusters.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Values of both groups.
    in_b : ndarray of bool, shape (n,)
        Observed labels.
    clusters : ndarray of int, shape (n,)
        Cluster of each value, indexing the columns of ``assignments``.
    assignments : ndarray of bool, shape (n_assignments, n_clusters)
        From :func:`cluster_assignments`.
    exact : bool
        Whether ``assignments`` enumerate every relabelling (they then include
        the observed one and the p-value is the exact share of relabellings at
        least as extreme); otherwise the Monte Carlo p-value ``(1 + count) /
        (1 + n_assignments)``, never 0.

    Returns
    -------
    delta : float
        Observed Cliff's delta.
    p_value : float
    """
    ranks = rankdata(values)
    n = values.size

    def deltas(labels):
        n_b = labels.sum(axis=1)
        n_a = n - n_b
        u_b = labels @ ranks - n_b * (n_b + 1) / 2.0
        with np.errstate(divide="ignore", invalid="ignore"):
            d = 2.0 * u_b / (n_a * n_b) - 1.0
        return np.where((n_a > 0) & (n_b > 0), d, 0.0)

    observed = float(deltas(in_b[None, :].astype(float))[0])
    # Relabellings as extreme as the observed, with a tolerance for rounding.
    threshold = abs(observed) - 1e-12
    count = 0
    for start in range(0, assignments.shape[0], _BLOCK):
        labels = assignments[start:start + _BLOCK][:, clusters].astype(float)
        count += int(np.count_nonzero(np.abs(deltas(labels)) >= threshold))
    if exact:
        return observed, count / assignments.shape[0]
    return observed, (1 + count) / (1 + assignments.shape[0])


def holm(p_values):
    """Holm's step-down family-wise adjusted p-values (NaN left out of the family)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(1.0, adjusted)
    return out


def benjamini_hochberg(p_values):
    """Benjamini-Hochberg q-values (``scipy.stats.false_discovery_control``).

    NaN p-values are left out of the family and get a NaN q-value.
    """
    from scipy.stats import false_discovery_control

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = false_discovery_control(p[ok], method="bh")
    return out
