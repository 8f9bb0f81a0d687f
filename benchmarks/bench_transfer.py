# SPDX-License-Identifier: BSD-3-Clause
"""Do the marker models survive another lab's conventions? Simulated and real shifts.

Run from the repository root (about 5 minutes on 2 busy cores)::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_transfer.py \
        --output docs/benchmarks/transfer.md

It needs ``../shared/data/allen-v1-mouse`` and ``../shared/data/bbp-rat-somatosensory``.

**Simulated conventions.** The 213 Allen cells with a known subclass are split
into donor-grouped folds (5 folds, ``--repeats`` assignments). A model is fitted
on the training donors' cells as they are and scores the held-out donors' cells
as they are and converted to another lab's convention, one conversion at a time
and all together (:mod:`lab_conventions`: radii x0.5, x3, x6; terminal branches
shorter than 10 or 20 µm removed; resampled to 0.2 and 5 µm; z shrunk to 0.7;
y and z swapped then rotated; the soma drawn as a contour; the axon removed).
The table gives the Pvalb ROC AUC among all cells and among interneurons (Pvalb
vs Sst and Htr3a), and its change from the unconverted cells, for the recipe's
model (the dendrite model of the ``pvalb-mouse-cortex`` recipe in
:mod:`ngep.pretrained._recipes`: median imputation, standardisation, inputs
bounded at 3 SD, one logistic regression of the four subclasses with P(Pvalb)
read off; trained on the Allen cells only) on the ``extended`` features
(ngep 0.1's full catalogue) and on the ``robust`` preset. Only the conversion
changes between rows: same folds, same fitted models.

**Size.** The GABAergic (Gad1) model must cross species, whose neurons differ
in size (human cortical neurons are ~2x mouse ones). The held-out cells are
scaled as a whole by 0.5 and 2; the table compares the ``scale_free`` preset
(the Gad1 recipe), ``robust``, and ``robust`` followed by
:class:`~ngep.multigroup.SizeNormalizer` (lengths divided by each neuron's
``max_path_distance``, which is then dropped).

**Axon.** The shipped Pvalb recipe (axon switch, trained with the rat cells)
is scored on the held-out donors as traced and with the axon removed.

**Real shift.** The same learners, trained on every Allen cell, score the BBP
rat cells (another lab, species, region and label definition), and the other
way round: Pvalb-like (basket and chandelier) among typed rat interneurons, and
GABAergic among all rat cells; per learner (logistic regression,
HistGradientBoosting, ngep's MarkerClassifier MLP) and preset.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab_conventions  # noqa: E402
import transfer_data  # noqa: E402
from bench_contrast import _auc, prep  # noqa: E402

from ngep.models import ContrastClassifier, MarkerClassifier  # noqa: E402
from ngep.morphometrics import (  # noqa: E402
    EXTENDED_FEATURES,
    ROBUST_FEATURES,
    SCALE_FREE_FEATURES,
)
from ngep.multigroup import SizeNormalizer  # noqa: E402

INTERNEURONS = ("Pvalb", "Sst", "Htr3a")
PRESETS = {"extended": EXTENDED_FEATURES, "robust": ROBUST_FEATURES}


def recipe_model():
    """The Pvalb recipe's dendrite model after extraction.

    Impute, standardise, bound at 3 SD, then one logistic regression of the
    subclasses with P(Pvalb) read off (the shipped model's dendrite part).
    """
    return prep(ContrastClassifier(LogisticRegression(max_iter=1000),
                                   positive="Pvalb", method="subclass"))


def converted_tables(neurons, conversions):
    """Feature table of the neurons under each conversion (None -> NaN row)."""
    out = {"none (as traced)": transfer_data.extract(neurons)}
    for name, convert in conversions.items():
        t0 = time.perf_counter()
        moved = [None if m is None else convert(m, i) for i, m in enumerate(neurons)]
        out[name] = transfer_data.extract(moved)
        print(f"# {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def _folds(y, donors, repeats):
    for r in range(repeats):
        cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=r)
        yield list(cv.split(np.zeros(len(y)), y, donors))


def conventions_table(tables, keep, y, donors, repeats):
    """AUC (all, interneurons) per conversion and preset, mean over repeats."""
    pv = (y == "Pvalb").astype(int)
    inter = np.isin(y, INTERNEURONS)
    scores = {}
    for rep in _folds(y, donors, repeats):
        for preset, feats in PRESETS.items():
            cols = transfer_data.columns(tables["none (as traced)"], feats)
            X = {k: t.loc[keep, cols].to_numpy() for k, t in tables.items()}
            s = {k: np.full(len(y), np.nan) for k in tables}
            for train, test in rep:
                model = recipe_model().fit(X["none (as traced)"][train], y[train])
                for k in tables:
                    s[k][test] = model.predict_proba(X[k][test])[:, 1]
            for k in tables:
                scores.setdefault((preset, k), []).append(
                    (_auc(pv, s[k]), _auc(pv, s[k], inter)))
    return {k: np.mean(v, axis=0) for k, v in scores.items()}


def size_table(neurons, keep, gaba, donors, repeats):
    """Gad1 AUC on cells scaled x0.5, x1, x2, per feature set."""
    factors = (1.0, 0.5, 2.0)
    tables = {f: transfer_data.extract(
        [None if m is None else m.transformed(scale=f) for m in neurons])
        for f in factors}
    models = {
        "scale_free (Gad1 recipe)": (SCALE_FREE_FEATURES, lambda: prep(
            LogisticRegression(max_iter=1000))),
        "robust": (ROBUST_FEATURES, lambda: prep(LogisticRegression(max_iter=1000))),
        "robust + SizeNormalizer": (ROBUST_FEATURES, lambda: make_pipeline(
            SizeNormalizer("dendrite__max_path_distance", drop_scale=True)
            .set_output(transform="pandas"),
            prep(LogisticRegression(max_iter=1000)))),
    }
    y = gaba[keep].astype(int)
    out = {}
    for rep in _folds(y, donors[keep], repeats):
        for label, (feats, make) in models.items():
            cols = transfer_data.columns(tables[1.0], feats)
            X = {f: t.loc[keep, cols] for f, t in tables.items()}
            s = {f: np.full(len(y), np.nan) for f in factors}
            for train, test in rep:
                model = make().fit(X[1.0].iloc[train], y[train])
                for f in factors:
                    s[f][test] = model.predict_proba(X[f].iloc[test])[:, 1]
            out.setdefault(label, []).append([_auc(y, s[f]) for f in factors])
    return factors, {k: np.mean(v, axis=0) for k, v in out.items()}


def shipped_pvalb_table(tables, keep, y, donors, a_cells, r_cells, r_table,
                        repeats):
    """The shipped Pvalb recipe (axon switch, Allen + rat): as traced vs no axon."""
    from sklearn.pipeline import Pipeline

    from ngep.pretrained._recipes import RECIPES

    recipe = RECIPES["pvalb-mouse-cortex"]
    cols = transfer_data.columns(tables["none (as traced)"], recipe.features,
                                 list(recipe.compartment))
    (extra,) = recipe.extra_train
    ef = extra.fit_labels(r_cells).to_numpy()
    eok = (ef != None) & r_table.notna().any(axis=1).to_numpy()  # noqa: E711
    Xe, ye = r_table.loc[eok, cols], ef[eok]
    names = ("none (as traced)", "axon removed")
    X = {k: tables[k].loc[keep, cols] for k in names}
    traced = transfer_data.has_axon(X["none (as traced)"])
    pv = (y == "Pvalb").astype(int)
    inter = np.isin(y, INTERNEURONS)
    out, used = {}, []
    for rep in _folds(y, donors, repeats):
        s = {k: np.full(len(y), np.nan) for k in names}
        for train, test in rep:
            model = Pipeline([(st.name, st.build()) for st in recipe.steps])
            model.set_output(transform="pandas")
            model.fit(pd.concat([X[names[0]].iloc[train], Xe]),
                      np.concatenate([y[train], ye]))
            for k in names:
                s[k][test] = model.predict_proba(X[k].iloc[test])[:, 1]
            Xt = X[names[0]].iloc[test]
            if len(model) > 1:
                Xt = model[:-1].transform(Xt)
            used.append(model[-1].uses_axon(Xt).mean())
        for k in names:
            for label, mask in (("all cells", None), ("interneurons", inter),
                                ("cells with a traced axon", traced),
                                ("interneurons with a traced axon", inter & traced)):
                out.setdefault((k, label), []).append(_auc(pv, s[k], mask))
    counts = {"all cells": len(y), "interneurons": int(inter.sum()),
              "cells with a traced axon": int(traced.sum()),
              "interneurons with a traced axon": int((inter & traced).sum())}
    return {k: float(np.mean(v)) for k, v in out.items()}, counts, float(np.mean(used))


def learners():
    return {
        "logistic": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05,
                                              random_state=0),
        "MLP (MarkerClassifier)": MarkerClassifier(hidden_layer_sizes=(32,),
                                                   alpha=1e-2, max_iter=150,
                                                   random_state=0),
    }


def real_shift(a_table, a_cells, r_table, r_cells):
    """Rows (direction, task, learner, preset, AUC) train one lab -> test other."""
    subclass, gaba, _ = transfer_data.allen_labels(a_cells)
    rat_pv, rat_gaba = transfer_data.rat_labels(r_cells)
    r_ok = r_table.notna().any(axis=1).to_numpy()
    a_known = subclass != ""
    a_pv = np.where(a_known, (subclass == "Pvalb").astype(float), np.nan)
    a_inter = np.isin(subclass, INTERNEURONS)
    presets = {**PRESETS, "scale_free": SCALE_FREE_FEATURES}
    rows = []
    for preset, feats in presets.items():
        cols = transfer_data.columns(a_table, feats)
        XA, XR = a_table[cols].to_numpy(), r_table[cols].to_numpy()
        for name, base in learners().items():
            def fit(X, y, mask):
                return prep(clone(base)).fit(X[mask], y[mask].astype(int))

            # Allen -> rat
            m = fit(XA, a_pv, a_known)
            ri = r_ok & ~np.isnan(rat_pv)
            rows.append(("Allen -> rat", "Pvalb(-like) among interneurons", name,
                         preset, _auc(rat_pv[ri], m.predict_proba(XR[ri])[:, 1])))
            m = fit(XA, gaba, ~np.isnan(gaba))
            rg = r_ok & ~np.isnan(rat_gaba)
            rows.append(("Allen -> rat", "GABAergic among all cells", name, preset,
                         _auc(rat_gaba[rg], m.predict_proba(XR[rg])[:, 1])))
            # rat -> Allen (Pvalb-like among the rat interneurons only)
            m = fit(XR, rat_pv, r_ok & ~np.isnan(rat_pv))
            p = m.predict_proba(XA)[:, 1]
            rows.append(("rat -> Allen", "Pvalb(-like) among interneurons", name,
                         preset, _auc(a_pv[a_inter], p[a_inter])))
            m = fit(XR, rat_gaba, r_ok & ~np.isnan(rat_gaba))
            g = ~np.isnan(gaba)
            rows.append(("rat -> Allen", "GABAergic among all cells", name, preset,
                         _auc(gaba[g], m.predict_proba(XA[g])[:, 1])))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", help="folder for the extracted rat/Allen tables")
    parser.add_argument("--output", help="also write the Markdown section here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    warnings.filterwarnings("ignore")

    a_cells, neurons = transfer_data.read_cells(transfer_data.ALLEN)
    subclass, gaba, donors = transfer_data.allen_labels(a_cells)
    keep = subclass != ""
    y = subclass[keep]
    tables = converted_tables(neurons, lab_conventions.CONVERSIONS)
    conv = conventions_table(tables, keep, y, donors[keep], args.repeats)
    factors, size = size_table(neurons, ~np.isnan(gaba), gaba, donors, args.repeats)
    _, r_table, _ = transfer_data.load("rat", args.cache)
    r_cells = pd.read_csv(transfer_data.RAT / "cells.csv")
    shipped, counts, used = shipped_pvalb_table(
        tables, keep, y, donors[keep], a_cells, r_cells, r_table, args.repeats)
    real = real_shift(tables["none (as traced)"], a_cells, r_table, r_cells)

    lines = [
        "# Transfer: other labs' conventions, simulated and real",
        "",
        "Regenerate: `PYTHONPATH=. OMP_NUM_THREADS=1 python "
        "benchmarks/bench_transfer.py --output docs/benchmarks/transfer.md` "
        "(needs `../shared`).",
        "",
        "## Simulated conventions (Pvalb, recipe model, donor-grouped CV)",
        "",
        f"{int(keep.sum())} Allen cells, {len(np.unique(donors[keep]))} donors, 5 "
        f"folds, mean over {args.repeats} fold assignments. The model is fitted "
        "on cells as traced; the held-out cells are converted. Δ: change from the "
        "unconverted held-out cells (negative: the conversion costs AUC).",
        "",
        "| conversion of the held-out cells | extended: AUC all (Δ) "
        "| extended: AUC interneurons (Δ) | robust: AUC all (Δ) "
        "| robust: AUC interneurons (Δ) |",
        "|---|---|---|---|---|",
    ]
    worst = {}
    for k in tables:
        cells = []
        for preset in PRESETS:
            a, i = conv[preset, k]
            a0, i0 = conv[preset, "none (as traced)"]
            cells += [f"{a:.3f} ({a - a0:+.3f})", f"{i:.3f} ({i - i0:+.3f})"]
            if k not in ("none (as traced)", "axon removed"):
                worst[preset] = min(worst.get(preset, 0.0), a - a0, i - i0)
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Largest loss under a single conversion or all combined (axon removal "
        "aside: these models read dendrites only, so the row reports the "
        "dendrite-only score; it moves only where an axon left a dendrite, whose "
        "branch point goes with it): "
        + ", ".join(f"`{p}` {v:+.3f}" for p, v in worst.items()) + ".",
        "",
        "## The shipped Pvalb model with and without the axon",
        "",
        "The `pvalb-mouse-cortex` recipe (dendrite and axon features, "
        "`AxonSwitchClassifier`: an axon model for neurons with >= 1 mm of traced "
        "axon, the dendrite model for the rest; trained on the Allen training "
        "donors plus every rat cell), scored on the held-out Allen donors as "
        "traced and with the axon removed (then every neuron gets the "
        f"dendrite model). The axon model scored {used:.0%} of the held-out "
        "cells as traced.",
        "",
        "| held-out cells | " + " | ".join(
            f"AUC, {k} (n={n})" for k, n in counts.items()) + " |",
        "|---|" + "---|" * len(counts),
        *(f"| {k} | " + " | ".join(f"{shipped[k, c]:.3f}" for c in counts) + " |"
          for k in ("none (as traced)", "axon removed")),
        "",
        "## Size (GABAergic vs excitatory, donor-grouped CV)",
        "",
        "Held-out cells scaled as a whole (a species twice or half as large); "
        "logistic regression, inputs bounded at 3 SD.",
        "",
        "| features | " + " | ".join(f"AUC, scaled x{f:g}" for f in factors) + " |",
        "|---|" + "---|" * len(factors),
    ]
    for label, aucs in size.items():
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in aucs) + " |")
    lines += [
        "",
        "## Real shift: Allen mouse V1 <-> BBP rat somatosensory cortex",
        "",
        "Trained on every labelled cell of one set, scored on the other (no "
        "refitting, no tuning on the test set). Rat labels are expert m-types "
        "(Pvalb-like: basket and chandelier cells), Allen labels Cre lines; "
        "Pvalb models are trained Pvalb vs all cells on Allen and Pvalb-like vs "
        "other interneurons on rat.",
        "",
        "| direction | task | learner | extended | robust | scale_free |",
        "|---|---|---|---|---|---|",
    ]
    table = {}
    for direction, task, learner, preset, auc in real:
        table.setdefault((direction, task, learner), {})[preset] = auc
    for (direction, task, learner), by in table.items():
        lines.append(f"| {direction} | {task} | {learner} | "
                     + " | ".join(f"{by[p]:.3f}" for p in
                                  ("extended", "robust", "scale_free")) + " |")
    took = time.perf_counter() - start
    lines += [
        "",
        f"Run notes: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} logical CPUs, load average before the run {load:.1f}, "
        f"total {took:.0f} s.",
    ]
    section = "\n".join(lines)
    print(section)
    if args.output:
        Path(args.output).write_text(section + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
