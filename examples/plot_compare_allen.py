# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Which measurements differ between Pvalb and Sst interneurons?
=============================================================

Real reconstructions from mouse visual cortex (Allen Cell Types Database):
Pvalb-positive and Sst-positive interneurons, and excitatory neurons as a
population known to look different. :func:`ngep.inspection.compare_groups`
gives, per dendritic measurement and pair of groups, Cliff's delta with a
bootstrap interval, a p-value and a false-discovery-rate q-value, with the
neurons of one mouse treated as a cluster (a donor-level permutation test and
cluster bootstrap), because cells from one animal are not independent.

This example needs the data in ``../shared/data/allen-v1-mouse`` beside the
repository (fetch your own copy with
:func:`ngep.datasets.fetch_allen_cell_types`); when it is absent the example
prints a note and does nothing else. Groups come from Cre line and reporter
status: a proxy for marker expression, not a measurement of it.
"""

# %%
# Find the data
# -------------
from pathlib import Path

try:
    here = Path(__file__).resolve().parent
except NameError:  # run interactively
    here = Path.cwd()
root = here.parent.parent / "shared" / "data" / "allen-v1-mouse"
present = (root / "cells.csv").is_file()
if not present:
    print(
        f"Allen data not found at {root}: skipping this example. "
        "Fetch it with ngep.datasets.fetch_allen_cell_types()."
    )

# %%
# Three groups, featurised once
# -----------------------------
# :func:`~ngep.inspection.extract_groups` featurises the SWC files of each group
# and returns the files that failed as a table (none here): they are left out,
# never counted. The Allen files carry detached pieces of axon, dropped from the
# tree with a warning that we silence.
if present:
    import warnings

    import pandas as pd

    from ngep.exceptions import FragmentWarning
    from ngep.inspection import extract_groups

    cells = pd.read_csv(root / "cells.csv")
    groups = {
        "Pvalb": cells[cells["pvalb_label_clean"] == 1],
        "Sst": cells[cells["sst_label_clean"] == 1],
        "excitatory": cells[cells["cre_marker_class"] == "excitatory_cre_line"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FragmentWarning)
        features, failures = extract_groups(
            {name: [str(root / f) for f in g["swc_file"]] for name, g in groups.items()}
        )
    donor_of = {str(root / f): d for f, d in zip(cells["swc_file"], cells["donor__id"])}
    features["donor"] = features["path"].map(donor_of)
    features = features.drop(columns="path")
    print(features.groupby("group", sort=False).agg(
        neurons=("donor", "size"), donors=("donor", "nunique")))
    print(f"{len(failures)} file(s) failed")

# %%
# Compare, with donors as clusters
# --------------------------------
# Every pair of groups, 33 dendritic measurements each: 99 tests, corrected
# together. ``effect_size`` is Cliff's delta of ``group_b`` against ``group_a``:
# the probability that a ``group_b`` neuron has the larger value minus the
# probability that it has the smaller one.
if present:
    from ngep.inspection import compare_groups

    result = compare_groups(
        features, "group", donor_column="donor", random_state=0
    )
    hits = result[result["q_value"] <= 0.05]
    print(hits.groupby(["group_a", "group_b"]).size().rename("q <= 0.05"))

# %%
# Pvalb against Sst
# -----------------
# The rows of this pair with the smallest p-values:
if present:
    pair = result[(result["group_a"] == "Pvalb") & (result["group_b"] == "Sst")]
    columns = ["feature", "median_a", "median_b", "effect_size", "ci_low",
               "ci_high", "p_value", "q_value"]
    print(pair.sort_values("p_value")[columns].head(6).round(3).to_string(index=False))

# %%
# Which family of tests?
# ----------------------
# Only the number of primary dendrites (``n_stems``) stands out: Sst cells have
# fewer, and the interval of delta excludes 0. Whether it is a "discovery"
# depends on the family the q-values are computed over. Benjamini-Hochberg
# adapts to the number of discoveries: in the family of 99 tests above, some 50
# clear interneuron-versus-excitatory differences loosen the threshold for
# every row. Asked on its own -- which of 33 measurements differ between
# Pvalb and Sst cells? -- the same p-value is one of 33 tests with no company:
if present:
    alone = compare_groups(
        features, "group", groups=["Pvalb", "Sst"], donor_column="donor",
        random_state=0,
    )
    stems = alone.set_index("feature").loc["dendrite__n_stems"]
    joint = pair.set_index("feature").loc["dendrite__n_stems"]
    print(f"n_stems: p = {stems.p_value:.3f}; q = {joint.q_value:.3f} among 99 "
          f"tests, q = {stems.q_value:.3f} among the 33 Pvalb-vs-Sst tests")

# %%
# Decide the family before looking: the tests of the question asked (here,
# ``groups=["Pvalb", "Sst"]``, or ``reference=`` for control against each
# treatment). On dendrites alone, with 30 and 27 cells from 25 and 20 mice,
# these two interneuron classes are not told apart measurement by measurement
# -- which is also why a marker classifier needs several features at once (see
# :ref:`sphx_glr_auto_examples_plot_allen_pvalb.py`).
#
# The volcano plot puts every row of the three pairs on one picture: effect
# against evidence. The interneuron-versus-excitatory pairs, with their apical
# and spiny dendrites, are far from zero.
if present:
    import matplotlib.pyplot as plt

    from ngep.inspection import plot_top_features, plot_volcano

    ax = plot_volcano(result, label_top=4)
    ax.set_title("Allen V1: 3 pairs of groups, 33 dendritic measurements")
    plt.tight_layout()

# %%
# The values behind the smallest q-values of Pvalb against Sst, one point per
# neuron (lines: medians), excitatory cells beside them for scale:
if present:
    axes = plot_top_features(alone, features, "group", n_top=3,
                             groups=["Pvalb", "Sst", "excitatory"])
    plt.tight_layout()

# %%
# What to take away
# -----------------
# * A clear "no detectable difference" is a result: report the interval of
#   delta, not only q; here most intervals of Pvalb against Sst span about
#   -0.4 to +0.4, so moderate differences are not excluded either.
# * The family of tests is part of the question; fix it before looking.
# * Without ``donor_column`` the same table treats 30 cells as 30 independent
#   observations; with cells from the same mouse that makes p-values too small.
#   See :ref:`comparing_populations` for when this matters.
