# SPDX-License-Identifier: BSD-3-Clause
"""Are :func:`ngep.inspection.compare_groups`' error rates what they claim? Simulation.

Run from the repository root::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_compare.py

(``--quick`` for a smoke run of a minute). Writes ``docs/benchmarks/compare.md``
and ``docs/benchmarks/compare_power.png``.

Populations come from :func:`ngep.datasets.make_neurons` (Pvalb basket cells,
mouse cortex) and are featurised once (33 "extended" features); every
repetition then draws groups from these tables, which is cheap:

* **null**: two groups from two independent draws of the same generator. Every
  feature is a true null; the false discovery rate equals the chance of any
  rejection (FWER), for Benjamini-Hochberg q-values and Holm's p-values.
* **enlarged**: the second population is scaled by ``s`` (coordinates and
  radii, as a change of shrinkage or age would): lengths, extents, areas and
  soma size shift by a known factor; counts, orders, angles and fractions do
  not change at all (checked exactly on every neuron), so they are the true
  nulls when the false discovery rate is measured under this alternative.
* **hippocampus**: ``make_neurons(region="hippocampus")`` vs cortex (total
  length x1.15, branch points x1.1, soma radius x1.05; more branches as well
  as longer dendrites).
* **donors**: 60 donors of 10 neurons, each donor's neurons scaled by its own
  factor ``exp(N(0, 0.1))`` (animals differ in tissue shrinkage); null
  comparisons of ``k`` vs ``k`` random donors, with the neuron-level
  Mann-Whitney test (wrong here) and with the donor-level permutation test;
  power when one side's donors are also enlarged by 1.2.
* **intervals**: coverage of the 95 % bootstrap interval of Cliff's delta for
  the dendritic total length, against the population delta computed from the
  full tables.
"""

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ngep.datasets import make_neurons
from ngep.exceptions import NgepWarning
from ngep.inspection import compare_groups
from ngep.transformers import MorphologyExtractor

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks" / "compare.md"
PLOT = ROOT / "docs" / "benchmarks" / "compare_power.png"
KEY = "dendrite__total_length"
ALPHA = 0.05
SCALES = (1.15, 1.3, 1.5, 2.0)


def features(morphologies, scale=1.0):
    """Extended features; ``scale``: one factor, or one per neuron."""
    scales = np.broadcast_to(np.asarray(scale, dtype=float), (len(morphologies),))
    ms = [m if f == 1.0 else m.transformed(scale=f)
          for m, f in zip(morphologies, scales)]
    ext = MorphologyExtractor(features="extended").set_output(transform="pandas")
    return ext.fit_transform(ms)


def compare(a, b, **kw):
    data = pd.concat([a.assign(g="a"), b.assign(g="b")], ignore_index=True)
    kw.setdefault("n_bootstrap", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NgepWarning)  # constant features, few donors
        return compare_groups(data, "g", groups=["a", "b"], **kw)


def draw(table, n, rng):
    return table.iloc[rng.choice(len(table), n, replace=False)]


def mc_se(p, reps):
    return np.sqrt(max(p * (1 - p), 1e-12) / reps)


def error_rates(results, truth_null):
    """Per repetition: false discoveries, any false rejection (BH and Holm)."""
    fdp, any_bh, any_holm, hits = [], [], [], []
    for r in results:
        null = r["feature"].map(truth_null).to_numpy(bool)
        bh = (r["q_value"] <= ALPHA).to_numpy()
        holm = (r["p_holm"] <= ALPHA).to_numpy()
        fdp.append((bh & null).sum() / max(bh.sum(), 1))
        any_bh.append((bh & null).any())
        any_holm.append((holm & null).any())
        hits.append(bh)
    return np.mean(fdp), np.mean(any_bh), np.mean(any_holm), np.array(hits)


def population_delta(a, b):
    a, b = np.sort(a[~np.isnan(a)]), b[~np.isnan(b)]
    below = np.searchsorted(a, b, "left")
    above = a.size - np.searchsorted(a, b, "right")
    return float((below - above).sum() / (a.size * b.size))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=600, help="neurons per table")
    parser.add_argument("--reps", type=int, default=1000,
                        help="repetitions of each null setting (power: reps / 4)")
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.quick:
        args.pool, args.reps = 300, 100
    start = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rng = np.random.default_rng(2026)
    pool = args.pool - args.pool % 10  # whole donors of 10
    pv = {"Pvalb": 1}

    # ---- tables, featurised once -------------------------------------------------
    both = make_neurons(2 * pool, class_weights=pv, random_state=0).morphologies
    cortex_a, cortex_b = both[:pool], both[pool:]
    A = features(cortex_a)
    B = {s: features(cortex_b, s) for s in (1.0, *SCALES)}
    hippo = features(make_neurons(pool, class_weights=pv, region="hippocampus",
                                  random_state=1).morphologies)
    # truth under "enlarged": a feature is null when scaling leaves it unchanged
    # on every neuron (NaN where both are NaN counts as unchanged).
    scaled = features(cortex_b[:100], 1.2)
    same = np.isclose(scaled.to_numpy(), B[1.0].iloc[:100].to_numpy(), rtol=1e-9,
                      equal_nan=True).all(axis=0)
    invariant = dict(zip(A.columns, same))
    n_features = A.shape[1]
    all_null = dict.fromkeys(A.columns, True)
    sizes = (5, 10, 20, 40, 80)

    # ---- null: FDR and FWER -----------------------------------------------------
    null_rows = []
    for n in sizes:
        res = [compare(draw(A, n, rng), draw(B[1.0], n, rng)) for _ in range(args.reps)]
        fdr, fwer_bh, fwer_holm, _ = error_rates(res, all_null)
        per_test = np.mean([np.nanmean(r["p_value"] <= ALPHA) for r in res])
        null_rows.append((n, fdr, fwer_holm, per_test))

    # ---- power vs effect size and group size ------------------------------------
    power_reps = max(args.reps // 4, 50)
    power_rows, curves = [], {}
    shifts = [(f"enlarged x{s:g}", A, B[s], invariant) for s in SCALES]
    shifts.append(("hippocampus vs cortex", A, hippo, None))
    for label, a_tab, b_tab, truth in shifts:
        delta = population_delta(a_tab[KEY].to_numpy(), b_tab[KEY].to_numpy())
        row = [label, delta]
        for n in sizes:
            res = [compare(draw(a_tab, n, rng), draw(b_tab, n, rng))
                   for _ in range(power_reps)]
            key = np.mean([r.loc[r.feature == KEY, "q_value"].iloc[0] <= ALPHA
                           for r in res])
            found = np.mean([(r["q_value"] <= ALPHA).sum() for r in res])
            fdr = error_rates(res, truth)[0] if truth is not None else np.nan
            row += [key, found, fdr]
            curves.setdefault(label, []).append(key)
        power_rows.append(row)

    # ---- donors -------------------------------------------------------------------
    donor_morphs = make_neurons(pool, class_weights=pv, random_state=2).morphologies
    n_donors, per = pool // 10, 10
    factor = np.exp(np.random.default_rng(3).normal(0, 0.1, n_donors))
    donor_of = np.repeat(np.arange(n_donors), per)[:pool]
    base = features(donor_morphs, factor[donor_of])
    big = features(donor_morphs, factor[donor_of] * 1.2)
    base["donor"], big["donor"] = donor_of, donor_of
    donor_rows = []
    donor_reps = max(args.reps // 4, 50)
    for k in (3, 5, 8):
        out = {}
        for name, b_tab, truth in (("null", base, all_null), ("x1.2", big, invariant)):
            for test in ("mannwhitneyu", "permutation"):
                res = []
                for _ in range(donor_reps):
                    chosen = rng.choice(n_donors, 2 * k, replace=False)
                    a = base[base.donor.isin(chosen[:k])]
                    b = b_tab[b_tab.donor.isin(chosen[k:])]
                    kw = {"donor_column": "donor", "test": test,
                          "n_permutations": 1999, "random_state": rng.integers(1e9)}
                    if test == "mannwhitneyu":
                        kw = {"test": test}
                        a, b = a.drop(columns="donor"), b.drop(columns="donor")
                    res.append(compare(a, b, **kw))
                fdr, fwer, _, hits = error_rates(res, truth)
                key = np.mean([r.loc[r.feature == KEY, "q_value"].iloc[0] <= ALPHA
                               for r in res])
                out[(name, test)] = (fdr, fwer, key)
        donor_rows.append((k, out))

    # ---- bootstrap interval coverage ---------------------------------------------
    cover_rows = []
    ci_reps = max(args.reps // 5, 40)
    for s in (1.0, 1.3):
        truth_delta = population_delta(A[KEY].to_numpy(), B[s][KEY].to_numpy())
        for n in (10, 20, 40):
            hit, width = [], []
            for _ in range(ci_reps):
                r = compare(draw(A[[KEY]], n, rng), draw(B[s][[KEY]], n, rng),
                            n_bootstrap=1000, random_state=rng.integers(1e9)).iloc[0]
                hit.append(r.ci_low <= truth_delta <= r.ci_high)
                width.append(r.ci_high - r.ci_low)
            cover_rows.append((s, truth_delta, n, np.mean(hit), np.mean(width)))

    elapsed = time.perf_counter() - start
    _plot(curves, sizes, power_rows)
    text = _page(args, null_rows, power_rows, donor_rows, cover_rows, sizes,
                 n_features, invariant, power_reps, donor_reps, ci_reps, load,
                 elapsed)
    args.output.write_text(text, encoding="utf-8")
    print(text)


def _plot(curves, sizes, power_rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for (label, points), row in zip(curves.items(), power_rows):
        ax.plot(sizes, points, marker="o", label=f"{label} (delta {row[1]:+.2f})")
    ax.axhline(ALPHA, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("neurons per group")
    ax.set_ylabel(f"power: q <= {ALPHA:g} for {KEY}")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)


def _f(x):
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def _page(args, null_rows, power_rows, donor_rows, cover_rows, sizes, n_features,
          invariant, power_reps, donor_reps, ci_reps, load, elapsed):
    cmd = "OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_compare.py"
    if args.quick:
        cmd += " --quick"
    elif args.reps != 1000 or args.pool != 600:
        cmd += f" --pool {args.pool} --reps {args.reps}"
    se = mc_se(ALPHA, args.reps)
    lines = [
        "# Comparing populations: error rates and power by simulation",
        "",
        "Regenerate (from the repository root; writes this page and "
        "`compare_power.png`):",
        "",
        "```",
        cmd,
        "```",
        "",
        f"`ngep.inspection.compare_groups` on {n_features} extended dendritic "
        f"features of synthetic Pvalb basket cells (`make_neurons`, tables of "
        f"{args.pool} neurons featurised once; groups drawn from them without "
        f"replacement), alpha = {ALPHA:g}. Mann-Whitney U p-values, "
        "Benjamini-Hochberg q-values and Holm-adjusted p-values over all "
        "features, unless stated.",
        "",
        "## Under the null: false discovery and family-wise error rates",
        "",
        f"Both groups from the same generator; {args.reps} repetitions per row "
        f"(Monte Carlo standard error of a rate near 0.05: {se:.3f}). Every "
        "feature is null, so the false discovery rate equals the chance of any "
        "rejection.",
        "",
        "| neurons per group | FDR (BH, q <= 0.05) | FWER (Holm) | "
        "share of single tests with p <= 0.05 |",
        "|---|---|---|---|",
    ]
    for n, fdr, fwer, per in null_rows:
        lines.append(f"| {n} | {_f(fdr)} | {_f(fwer)} | {_f(per)} |")
    nulls = sorted(k for k, v in invariant.items() if v)
    lines += [
        "",
        "The per-test rate below 0.05 at 5 neurons per group is the discreteness "
        "of the exact Mann-Whitney distribution (few attainable p-values), not a "
        "defect; correlated features make BH conservative here.",
        "",
        "## Power against effect size and group size",
        "",
        f"{power_reps} repetitions per cell. *delta* is the population Cliff's "
        f"delta of `{KEY}` (from the full tables); *power* the share of "
        f"repetitions with q <= {ALPHA:g} for it; *found* the mean number of "
        f"features with q <= {ALPHA:g} (of {n_features}); *FDR* the false "
        "discovery rate under this alternative, where the true nulls are the "
        f"{len(nulls)} features that scaling leaves exactly unchanged (counts, "
        "orders, angles, fractions).",
        "",
        "| shift | delta | " + " | ".join(
            f"n={n}: power / found / FDR" for n in sizes) + " |",
        "|---|---|" + "---|" * len(sizes),
    ]
    for row in power_rows:
        label, delta, rest = row[0], row[1], row[2:]
        cells = [f"{_f(rest[3 * i])} / {rest[3 * i + 1]:.1f} / {_f(rest[3 * i + 2])}"
                 for i in range(len(sizes))]
        lines.append(f"| {label} | {delta:+.2f} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "![power curves](compare_power.png)",
        "",
        "## Neurons from the same donor",
        "",
        f"{donor_reps} repetitions per cell; k donors of 10 neurons per group, "
        "each donor's neurons scaled by its own factor exp(N(0, 0.1)). "
        "*neuron-level MWU* ignores donors (what an ad-hoc analysis does); "
        "*donor permutation* is `donor_column=` (exact when there are at most "
        "1,999 relabellings). Columns: FDR / FWER (BH) under the null, then "
        f"power for `{KEY}` and FDR when one side's donors are also enlarged "
        "x1.2.",
        "",
        "| donors per group | neuron-level MWU, null: FDR / FWER | "
        "donor permutation, null: FDR / FWER | neuron-level MWU, x1.2: power / "
        "FDR | donor permutation, x1.2: power / FDR |",
        "|---|---|---|---|---|",
    ]
    for k, out in donor_rows:
        mn, pn = out[("null", "mannwhitneyu")], out[("null", "permutation")]
        ma, pa = out[("x1.2", "mannwhitneyu")], out[("x1.2", "permutation")]
        lines.append(
            f"| {k} | {_f(mn[0])} / {_f(mn[1])} | {_f(pn[0])} / {_f(pn[1])} | "
            f"{_f(ma[2])} / {_f(ma[0])} | {_f(pa[2])} / {_f(pa[0])} |")
    lines += [
        "",
        "With 3 donors per group there are 20 relabellings: no p-value can be "
        "below 0.1, so nothing is ever significant (the function warns).",
        "",
        "## Coverage of the 95 % bootstrap interval of Cliff's delta",
        "",
        f"`{KEY}`, {ci_reps} repetitions per row, 1,000 bootstrap replicates, "
        "neuron-level bootstrap.",
        "",
        "| shift | population delta | neurons per group | coverage | mean width |",
        "|---|---|---|---|---|",
    ]
    for s, d, n, cov, width in cover_rows:
        lines.append(f"| x{s:g} | {d:+.3f} | {n} | {cov:.3f} | {width:.3f} |")
    lines += [
        "",
        f"Run notes: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} logical CPUs (shared), load average before the run "
        f"{load:.1f}; the whole script took {elapsed / 60:.1f} min.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
