# SPDX-License-Identifier: BSD-3-Clause
"""Compare populations of neurons feature by feature: effect, interval, p and q."""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd

from ngep.exceptions import ComparisonError, NgepWarning
from ngep.inspection import _stats
from ngep.inspection._compare_data import (
    add_predictions,
    feature_columns,
    long_frame,
)

__all__ = ["compare_groups"]

#: The smallest group (in neurons) that a comparison accepts.
MIN_GROUP_SIZE = 3

COLUMNS = [
    "feature", "group_a", "group_b", "n_a", "n_b", "median_a", "median_b",
    "effect_size", "ci_low", "ci_high", "p_value", "q_value", "p_holm", "test",
    "note",
]
_TESTS = ("auto", "mannwhitneyu", "permutation")


def _group_order(frame, groups, reference):
    present = list(pd.unique(frame["__group__"].dropna()))
    if groups is None:
        order = present
    else:
        order = list(groups)
        unknown = [g for g in order if g not in present]
        if unknown:
            raise ComparisonError(
                f"groups {unknown} have no neurons; groups present: {present}.")
    if len(order) < 2:
        raise ComparisonError(
            f"Need at least two groups to compare; found {order}.")
    if reference is None:
        return order, [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    if reference not in order:
        raise ComparisonError(
            f"reference={reference!r} is not one of the groups {order}.")
    return order, [(reference, g) for g in order if g != reference]


def _check_sizes(frame, order):
    sizes = frame["__group__"].value_counts()
    small = {g: int(sizes.get(g, 0)) for g in order
             if sizes.get(g, 0) < MIN_GROUP_SIZE}
    if small:
        raise ComparisonError(
            "Every group needs at least 3 neurons with features; "
            + ", ".join(f"{g!r} has {n}" for g, n in small.items())
            + ". Add neurons, or leave the group out with groups=[...]."
        )


def _donor_codes(frame, a, b):
    """Integer donor codes of the rows of a and b; error when donors are shared."""
    donors = frame["__donor__"]
    if donors.isna().any():
        raise ComparisonError(
            f"{int(donors.isna().sum())} neuron(s) have no donor; fill the donor "
            "column (a neuron with an unknown donor can be its own donor).")
    shared = set(donors[frame["__group__"] == a]) & set(donors[frame["__group__"] == b])
    if shared:
        raise ComparisonError(
            f"Donor(s) {sorted(map(str, shared))[:5]} have neurons in both "
            f"{a!r} and {b!r}: donors must be nested in groups for the donor-level "
            "permutation test and cluster bootstrap (compare within donors "
            "instead, or drop donor_column to treat neurons as independent)."
        )
    return pd.factorize(donors)[0]


def _one_feature(x, in_b, donor, test, assignments, exact, n_bootstrap, confidence,
                 rng):
    """Statistics of one feature for one pair: a dict of the table's columns."""
    ok = ~np.isnan(x)
    x, in_b, donor = x[ok], in_b[ok], donor[ok]
    a, b = x[~in_b], x[in_b]
    row = {"n_a": a.size, "n_b": b.size,
           "median_a": np.median(a) if a.size else np.nan,
           "median_b": np.median(b) if b.size else np.nan,
           "effect_size": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "p_value": np.nan, "note": ""}
    if min(a.size, b.size) < MIN_GROUP_SIZE:
        row["note"] = (f"not tested: fewer than {MIN_GROUP_SIZE} values in a group "
                       "(missing values)")
        return row
    if np.ptp(x) == 0:
        row.update(effect_size=0.0, ci_low=0.0, ci_high=0.0,
                   note="not tested: constant in both groups")
        return row
    if test == "mannwhitneyu":
        row["effect_size"], row["p_value"] = _stats.mann_whitney(a, b)
    else:
        row["effect_size"], row["p_value"] = _stats.permutation_pvalue(
            x, in_b, donor, assignments, exact)
    if n_bootstrap:
        ca = np.unique(donor[~in_b], return_inverse=True)[1]
        cb = np.unique(donor[in_b], return_inverse=True)[1]
        reps = _stats.bootstrap_delta(a, b, ca, cb, n_bootstrap, rng)
        row["ci_low"], row["ci_high"] = _stats.percentile_interval(reps, confidence)
    return row


def _validate(test, n_bootstrap, n_permutations, confidence, donor_column):
    if test not in _TESTS:
        raise ComparisonError(f"test must be one of {list(_TESTS)}; got {test!r}.")
    if not isinstance(n_bootstrap, Integral) or n_bootstrap < 0:
        raise ComparisonError(
            f"n_bootstrap must be an int >= 0 (0: no interval); got {n_bootstrap!r}.")
    if not isinstance(n_permutations, Integral) or n_permutations < 99:
        raise ComparisonError(
            f"n_permutations must be an int >= 99; got {n_permutations!r}.")
    if not isinstance(confidence, Real) or not 0 < confidence < 1:
        raise ComparisonError(
            f"confidence must be strictly between 0 and 1, e.g. 0.95; got "
            f"{confidence!r}.")
    if test == "auto":
        return "permutation" if donor_column is not None else "mannwhitneyu"
    if test == "mannwhitneyu" and donor_column is not None:
        warnings.warn(
            "test='mannwhitneyu' treats neurons as independent although "
            "donor_column is given: neurons of one donor are correlated, so its "
            "p-values are too small. Use test='auto' for a donor-level "
            "permutation test.", NgepWarning, stacklevel=3)
    return test


def compare_groups(data, group_column=None, *, features=None, groups=None,
                   reference=None, donor_column=None, test="auto", n_bootstrap=2000,
                   n_permutations=9999, confidence=0.95, extractor=None, model=None,
                   random_state=None):
    """Which measurements differ between populations of neurons, by how much.

    For every feature and every pair of groups: the medians, Cliff's delta with
    a bootstrap confidence interval, a two-sided p-value, and q-values
    (Benjamini-Hochberg false discovery rate) and Holm-adjusted p-values over
    all features and pairs tested.

    Read more in the :ref:`User Guide <comparing_populations>`.

    Parameters
    ----------
    data : DataFrame or mapping
        A table with one row per neuron and a ``group_column``; or a mapping
        group name -> table of features (one per group); or group name -> list
        of SWC files, featurised with ``extractor`` (files that fail are left
        out with a :class:`~ngep.exceptions.NgepWarning` that counts them; see
        :func:`extract_groups` to get the failures as a table).
    group_column : str or None, default=None
        Column of ``data`` naming each neuron's group (rows with no group are
        left out). Needed when ``data`` is one table.
    features : list of str or None, default=None
        Feature columns to compare; None compares every numeric column other
        than the group and donor columns.
    groups : list or None, default=None
        Groups to compare, in this order; None takes them in order of first
        appearance. The first of a pair is ``group_a``.
    reference : str or None, default=None
        Compare every other group with this one only (control vs each
        treatment); None compares all pairs.
    donor_column : str or None, default=None
        Column naming the animal, patient or organoid batch each neuron comes
        from. Neurons of one donor are not independent; with this column the
        confidence interval resamples donors (a cluster bootstrap) and the
        p-value comes from relabelling whole donors between the two groups (a
        donor-level permutation test). Donors must be nested in groups.
    test : {"auto", "mannwhitneyu", "permutation"}, default="auto"
        ``"mannwhitneyu"``: scipy's Mann-Whitney U test, which assumes
        independent neurons. ``"permutation"``: a permutation test of Cliff's
        delta relabelling donors (or single neurons without ``donor_column``);
        exact when there are at most ``n_permutations`` relabellings. ``"auto"``
        is the permutation test with ``donor_column`` and Mann-Whitney U
        without.
    n_bootstrap : int, default=2000
        Bootstrap replicates of the interval; 0 skips it (``ci_low`` and
        ``ci_high`` are NaN), which is much faster.
    n_permutations : int, default=9999
        Random relabellings of the permutation test, when it is not exact.
    confidence : float, default=0.95
        Coverage of the percentile bootstrap interval.
    extractor : MorphologyExtractor or None, default=None
        Extractor for groups given as SWC files (see :func:`extract_groups`).
    model : fitted estimator or None, default=None
        A classifier (``predict_proba``) or regressor, for instance a model of
        ``ngep.pretrained.load_pretrained``; its predictions for each
        neuron are compared like features, as ``predicted__<class>`` columns
        (the positive class only for a binary classifier) or ``predicted``. It
        receives the SWC files (those that could be featurised) when the groups
        are files -- a pipeline starting with a ``MorphologyExtractor`` -- else
        the table's columns named in its ``feature_names_in_`` (all feature
        columns when it has none).
    random_state : int, RandomState instance or None, default=None
        Seed of the bootstrap and of the random relabellings.

    Returns
    -------
    DataFrame
        One row per pair of groups and feature (pairs in order, features in
        column order): ``feature``, ``group_a``, ``group_b``, ``n_a``, ``n_b``
        (neurons with a value), ``median_a``, ``median_b``, ``effect_size``
        (Cliff's delta of b against a), ``ci_low``, ``ci_high``, ``p_value``,
        ``q_value`` (Benjamini-Hochberg over every row tested), ``p_holm``
        (Holm, same family), ``test`` and ``note`` (why a row was not tested);
        with ``donor_column`` also ``n_donors_a`` and ``n_donors_b``.

    Raises
    ------
    ComparisonError
        A group has fewer than 3 neurons, a column is unknown or not numeric,
        fewer than two groups, or donors shared between two groups.

    See Also
    --------
    plot_volcano : effect size against q-value, one point per row.
    plot_top_features : the values of the most different features, per group.

    Notes
    -----
    **Effect size.** Cliff's delta, ``P(b > a) - P(b < a)`` for a neuron drawn
    from each group: positive when ``group_b`` tends to have larger values, in
    [-1, 1], 0 when neither tends to be larger. It is chosen over Cohen's d or
    Hedges' g because morphometrics are skewed (lengths, branch counts) and
    have outliers (a truncated reconstruction): delta uses only the order of
    the values, so it does not change when a feature is log-transformed and
    one huge neuron moves it by at most ``1 / n_a``, and it is the effect that
    the Mann-Whitney test tests (``delta = 2 U / (n_a n_b) - 1``), so the
    effect and its p-value never disagree. Absolute deltas of about 0.15, 0.33
    and 0.47 are conventionally "small", "medium" and "large" (Romano et al.
    2006).

    **Intervals.** Percentile bootstrap: groups (or donors within groups) are
    resampled with replacement independently. With few donors (under about 5
    per group) the interval is too narrow: read it as a lower bound of the
    uncertainty.

    **Donors.** The Mann-Whitney U test and the neuron-level bootstrap assume
    independent neurons. Twenty neurons from two mice are closer to two
    observations than to twenty: neurons of a mouse share its age, genotype
    and slicing. The donor-level permutation test is valid whatever the
    correlation within donors, but it can only reach small p-values with
    enough donors: with 3 donors per group there are 20 relabellings and the
    smallest p-value is 0.1 (a warning says so).

    **Multiple testing.** q-values control the expected share of false
    discoveries among the rows with ``q_value <= alpha``; Holm's adjusted
    p-values control the probability of any false positive. Benjamini and
    Hochberg's procedure is proven for independent or positively dependent
    tests; correlated morphometrics are mostly positively dependent, and the
    benchmark measures the false discovery rate on such features. Rows not
    tested (constant, too few values) are left out of both families.

    References
    ----------
    .. [1] Cliff N. (1993). Dominance statistics: ordinal analyses to answer
       ordinal questions. Psychological Bulletin 114, 494-509.
    .. [2] Benjamini Y., Hochberg Y. (1995). Controlling the false discovery
       rate. J. R. Stat. Soc. B 57, 289-300.
    .. [3] Romano J. et al. (2006). Appropriate statistics for ordinal level
       data. Annual meeting of the Florida Association of Institutional
       Research.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> table = pd.DataFrame({
    ...     "group": ["control"] * 20 + ["treated"] * 20,
    ...     "total_length": np.r_[rng.normal(1000, 150, 20), rng.normal(1200, 150, 20)],
    ...     "n_stems": rng.poisson(5, 40)})
    >>> result = compare_groups(table, "group", random_state=0)
    >>> result[["feature", "group_a", "group_b", "effect_size", "ci_low",
    ...         "ci_high", "q_value"]].round(3)
            feature  group_a  group_b  effect_size  ci_low  ci_high  q_value
    0  total_length  control  treated         0.67   0.350    0.915    0.001
    1       n_stems  control  treated        -0.01  -0.373    0.342    0.967
    """
    test = _validate(test, n_bootstrap, n_permutations, confidence, donor_column)
    frame, failures = long_frame(data, group_column, donor_column, extractor)
    if len(failures):
        counts = failures.groupby("group", sort=False).size()
        warnings.warn(
            f"{len(failures)} SWC file(s) could not be featurised and are left "
            "out (" + ", ".join(f"{g!r}: {n}" for g, n in counts.items())
            + f"); first: {failures.iloc[0]['path']}: {failures.iloc[0]['reason']}",
            NgepWarning, stacklevel=2)
    feature_cols = feature_columns(frame, features)
    frame = frame[frame["__group__"].notna()]
    if model is not None:
        frame, feature_cols = add_predictions(frame, feature_cols, model, data)
    order, pairs = _group_order(frame, groups, reference)
    frame = frame[frame["__group__"].isin(order)].reset_index(drop=True)
    _check_sizes(frame, order)
    values = frame[feature_cols].to_numpy(dtype=float)
    root = np.random.SeedSequence(_seed(random_state))
    rows = []
    for (a, b), seed in zip(pairs, root.spawn(len(pairs))):
        rows += _compare_pair(frame, values, feature_cols, a, b, test, donor_column,
                              n_bootstrap, n_permutations, confidence, seed)
    result = pd.DataFrame(rows)
    result["q_value"] = _stats.benjamini_hochberg(result["p_value"])
    result["p_holm"] = _stats.holm(result["p_value"])
    constant = result.loc[result["note"].str.contains("constant"), "feature"].unique()
    if len(constant):
        warnings.warn(
            f"{len(constant)} feature(s) are constant in a pair of groups and were "
            f"not tested: {list(constant)[:10]}", NgepWarning, stacklevel=2)
    extra = ["n_donors_a", "n_donors_b"] if donor_column is not None else []
    return result[COLUMNS + extra]


def _seed(random_state):
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, Integral):
        return random_state
    raise ComparisonError(
        f"random_state must be an int, a RandomState or None; got {random_state!r}.")


def _compare_pair(frame, values, feature_cols, a, b, test, donor_column,
                  n_bootstrap, n_permutations, confidence, seed):
    rng = np.random.default_rng(seed)
    keep = frame["__group__"].isin([a, b]).to_numpy()
    in_b = (frame["__group__"] == b).to_numpy()[keep]
    sub = values[keep]
    if donor_column is not None:
        donor = _donor_codes(frame[keep], a, b)
    else:
        donor = np.arange(in_b.size)  # each neuron its own cluster
    assignments, exact = None, False
    if test == "permutation":
        k = donor.max() + 1
        cluster_in_b = np.zeros(k, dtype=bool)
        cluster_in_b[donor[in_b]] = True
        assignments, exact = _stats.cluster_assignments(
            cluster_in_b, n_permutations, rng)
        k_b = int(cluster_in_b.sum())
        smallest = (2 if 2 * k_b == k else 1) / assignments.shape[0]
        if exact and smallest > 0.01:
            warnings.warn(
                f"{a!r} vs {b!r}: only {assignments.shape[0]} ways to relabel "
                f"{k - k_b} and {k_b} donors between the groups, so no p-value can "
                f"be below {smallest:.3g}; more donors are needed to detect a "
                "difference, the more so after correcting for many features.",
                NgepWarning, stacklevel=3)
    label = "donor permutation" if donor_column is not None else (
        "permutation" if test == "permutation" else "mannwhitneyu")
    rows = []
    for j, name in enumerate(feature_cols):
        row = _one_feature(sub[:, j], in_b, donor, test, assignments, exact,
                           n_bootstrap, confidence, rng)
        row.update(feature=name, group_a=a, group_b=b, test=label)
        if donor_column is not None:
            ok = ~np.isnan(sub[:, j])
            row["n_donors_a"] = np.unique(donor[ok & ~in_b]).size
            row["n_donors_b"] = np.unique(donor[ok & in_b]).size
        rows.append(row)
    return rows
