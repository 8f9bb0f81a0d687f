# SPDX-License-Identifier: BSD-3-Clause
"""Which training contrast ranks Pvalb cells best: measured on real Allen neurons.

Run from the repository root (a few minutes on 2 busy cores; ``--cache DIR``
keeps the extracted feature tables for the next run)::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_contrast.py \
        --output docs/benchmarks/contrast.md

It needs ``../shared/data/allen-v1-mouse`` and ``../shared/data/bbp-rat-somatosensory``.

Design. The 213 Allen cells with a known subclass (Cre line x reporter:
Pvalb 30, Sst 27, Htr3a 22, excitatory 134) are split into donor-grouped folds
(``StratifiedGroupKFold``, 5 folds, stratified on subclass, ``--repeats`` fold
assignments). Every contrast is fitted on the same training folds and scored on
the held-out donors: ROC AUC of Pvalb vs every other cell ("all cells") and of
Pvalb vs the other interneurons (Sst, Htr3a; "interneurons"). Contrasts:

* **vs all**: Pvalb+ vs every other cell (binary);
* **vs other interneurons**: trained on the interneurons only;
* **subclass model**: one multi-class model (Pvalb / Sst / Htr3a /
  excitatory), its Pvalb probability read off;
* **average** (:class:`~ngep.models.ContrastClassifier`): mean of the first two;
* **gate**: P(interneuron) x P(Pvalb | interneuron).

Each contrast is built from three learners on the same features (median
imputation, standardisation, inputs bounded at 3 SD by
:class:`~ngep.transformers.RangeClipper`): logistic regression,
HistGradientBoosting and ngep's MarkerClassifier (MLP). Features: the
``robust`` preset (dendrites) and, for reference, ``extended``.

Then, with every Allen cell for training, the same models are scored on the rat
cells of another lab (``bbp-rat-somatosensory``; Pvalb-like basket/chandelier
cells among typed interneurons), and the rat m-types are tried as a second
label source: does adding them to the training folds change the Allen
grouped-CV AUC, and does adding the Allen cells change a rat 5-fold CV?
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
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import transfer_data  # noqa: E402

from ngep.models import ContrastClassifier, MarkerClassifier  # noqa: E402
from ngep.morphometrics import EXTENDED_FEATURES, ROBUST_FEATURES  # noqa: E402
from ngep.transformers import RangeClipper  # noqa: E402

INTERNEURONS = ("Pvalb", "Sst", "Htr3a")
PRESETS = {"robust": ROBUST_FEATURES, "extended": EXTENDED_FEATURES}


def learners(seed=0):
    """Learner name -> unfitted binary/multi-class classifier."""
    return {
        "logistic": LogisticRegression(max_iter=1000),
        "HGB": HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05,
                                              random_state=seed),
        "MLP (MarkerClassifier)": MarkerClassifier(hidden_layer_sizes=(32,),
                                                   alpha=1e-2, max_iter=150,
                                                   random_state=seed),
    }


def prep(model):
    """Impute, standardise, bound at 3 SD, then ``model``."""
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         RangeClipper(bound=3.0), model)


class _Gate:
    """P(interneuron) x P(Pvalb | interneuron)."""

    def __init__(self, base):
        self.base = base

    def fit(self, X, y):
        self.gaba_ = prep(clone(self.base)).fit(X, np.isin(y, INTERNEURONS))
        inter = np.isin(y, INTERNEURONS)
        self.pv_ = prep(clone(self.base)).fit(X[inter], y[inter] == "Pvalb")
        return self

    def score(self, X):
        return self.gaba_.predict_proba(X)[:, 1] * self.pv_.predict_proba(X)[:, 1]


class _Fitted:
    """A uniform ``fit(X, y_subclass)`` / ``score(X)`` around each contrast."""

    def __init__(self, kind, base):
        self.kind, self.base = kind, base

    def fit(self, X, y):
        base = clone(self.base)
        if self.kind == "vs all":
            self.model_ = prep(base).fit(X, (y == "Pvalb").astype(int))
        elif self.kind == "vs other interneurons":
            inter = np.isin(y, INTERNEURONS)
            self.model_ = prep(base).fit(X[inter], (y[inter] == "Pvalb").astype(int))
        elif self.kind == "subclass model":
            self.model_ = prep(base).fit(X, y)
        elif self.kind == "average":
            peers = sorted(set(y[np.isin(y, INTERNEURONS) | (y == "interneuron")])
                           - {"Pvalb"})
            self.model_ = prep(ContrastClassifier(base, positive="Pvalb",
                                                  peers=peers)).fit(X, y)
        else:
            self.model_ = _Gate(base).fit(X, y)
        return self

    def score(self, X):
        if self.kind == "gate":
            return self.model_.score(X)
        proba = self.model_.predict_proba(X)
        classes = list(self.model_.classes_)
        col = classes.index("Pvalb") if self.kind == "subclass model" else 1
        return proba[:, col]


CONTRASTS = ("vs all", "vs other interneurons", "subclass model", "average", "gate")


def _auc(y, s, mask=None):
    if mask is not None:
        y, s = y[mask], s[mask]
    return roc_auc_score(y, s) if len(np.unique(y)) == 2 else float("nan")


def folds(subclass, donors, repeats):
    """Donor-grouped folds, stratified on subclass, ``repeats`` assignments."""
    out = []
    for r in range(repeats):
        cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=r)
        out.append(list(cv.split(np.zeros(len(subclass)), subclass, donors)))
    return out


def grouped_cv(X, y, donors, kinds, learner_names, repeats, extra=None):
    """Mean (over repeats) AUC all / interneurons per (contrast, learner)."""
    inter = np.isin(y, INTERNEURONS)
    pv = (y == "Pvalb").astype(int)
    rows = {}
    for rep in folds(y, donors, repeats):
        for kind in kinds:
            for name in learner_names:
                base = learners()[name]
                score = np.full(len(y), np.nan)
                for train, test in rep:
                    Xtr, ytr = X[train], y[train]
                    if extra is not None:
                        Xtr = np.vstack([Xtr, extra[0]])
                        ytr = np.concatenate([ytr, extra[1]])
                    model = _Fitted(kind, base).fit(Xtr, ytr)
                    score[test] = model.score(X[test])
                rows.setdefault((kind, name), []).append(
                    (_auc(pv, score), _auc(pv, score, inter)))
    return {k: np.mean(v, axis=0) for k, v in rows.items()}


def axon_section(a_cells, a_table, r_cells, r_table, min_length=1000.0):
    """Pvalb(-like) among interneurons with a traced axon: one lab -> the other,
    dendrite features vs dendrite + axon features (robust, logistic)."""
    subclass = transfer_data.allen_labels(a_cells)[0]
    rat_pv = transfer_data.rat_labels(r_cells)[0]
    a_rows = transfer_data.has_axon(a_table, min_length) & np.isin(subclass,
                                                                   INTERNEURONS)
    r_rows = transfer_data.has_axon(r_table, min_length) & ~np.isnan(rat_pv)
    ya = (subclass[a_rows] == "Pvalb").astype(int)
    yr = rat_pv[r_rows].astype(int)
    out = [f"\n**The axon where it was traced** (interneurons with at least "
           f"{min_length:.0f} µm of axon: {int(a_rows.sum())} Allen, "
           f"{int(yr.size)} rat; features `robust`, logistic learner; trained on "
           "one lab, scored on the other)\n",
           "| compartments | rat -> Allen | Allen -> rat |", "|---|---|---|"]
    for comps in (["dendrite"], ["dendrite", "axon"]):
        cols = transfer_data.columns(a_table, ROBUST_FEATURES, comps)
        XA = a_table.loc[a_rows, cols].to_numpy()
        XR = r_table.loc[r_rows, cols].to_numpy()
        r2a = prep(LogisticRegression(max_iter=1000)).fit(XR, yr)
        a2r = prep(LogisticRegression(max_iter=1000)).fit(XA, ya)
        out.append(f"| {' + '.join(comps)} | "
                   f"{_auc(ya, r2a.predict_proba(XA)[:, 1]):.3f} | "
                   f"{_auc(yr, a2r.predict_proba(XR)[:, 1]):.3f} |")
    return out


def recipe_model(recipe):
    """The recipe's steps after extraction, on named columns."""
    from sklearn.pipeline import Pipeline

    return Pipeline([(st.name, st.build()) for st in recipe.steps]).set_output(
        transform="pandas")


def recipes_section(a_cells, a_table, r_cells, r_table, repeats):
    """Grouped-CV AUC of every shipped recipe, and Allen-only -> rat transfer."""
    from ngep.pretrained._recipes import RECIPES

    tables = {"allen-v1-mouse": (a_cells, a_table),
              "bbp-rat-somatosensory": (r_cells, r_table)}
    inter = np.isin(transfer_data.allen_labels(a_cells)[0], INTERNEURONS)
    out = ["\n**The shipped recipes** (`ngep/pretrained/_recipes.py`; donor-grouped "
           "CV on the Allen cells, the extra label source added to every training "
           "fold; \"Allen only -> rat\": the same recipe trained on the Allen cells "
           "alone, scored on the rat cells)\n",
           "| recipe | features | training cells | grouped-CV AUC, all cells "
           "| grouped-CV AUC, interneurons | without the extra source: all / "
           "interneurons | Allen only -> rat |",
           "|---|---|---|---|---|---|---|"]
    for recipe in RECIPES.values():
        comps = recipe.compartment
        comps = [comps] if isinstance(comps, str) else list(comps)
        cols = transfer_data.columns(a_table, recipe.features, comps)
        src = recipe.train
        yb = src.labels(a_cells).to_numpy()
        yf = src.fit_labels(a_cells).to_numpy()
        ok = ~np.isnan(yb) & a_table.notna().any(axis=1).to_numpy()
        X = a_table.loc[ok, cols]
        yb, yf = yb[ok].astype(int), yf[ok]
        groups = a_cells.loc[ok, src.groups].to_numpy()
        extra_X, extra_y = [], []
        for ex in recipe.extra_train:
            cells, table = tables[ex.dataset]
            eb = ex.labels(cells).to_numpy()
            ef = ex.fit_labels(cells).to_numpy()
            eok = ~np.isnan(eb) & table.notna().any(axis=1).to_numpy()
            extra_X.append(table.loc[eok, cols])
            extra_y.append(ef[eok])
        n_extra = sum(len(e) for e in extra_y)
        def cv_auc(extra_X, extra_y):
            aucs = []
            for r in range(repeats):
                cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=r)
                score = np.full(len(yb), np.nan)
                for train, test in cv.split(X, yb, groups):
                    Xtr = pd.concat([X.iloc[train], *extra_X])
                    ytr = np.concatenate([yf[train], *extra_y])
                    if ytr.dtype == object and not any(isinstance(v, str)
                                                       for v in ytr):
                        ytr = ytr.astype(int)
                    model = recipe_model(recipe).fit(Xtr, ytr)
                    score[test] = model.predict_proba(X.iloc[test])[:, 1]
                aucs.append((_auc(yb, score), _auc(yb, score, inter[ok])))
            return np.mean(aucs, axis=0)

        a_all, a_int = cv_auc(extra_X, extra_y)
        alone = "-"
        if extra_X:
            b_all, b_int = cv_auc([], [])
            alone = f"{b_all:.3f} / " + ("-" if np.isnan(b_int) else f"{b_int:.3f}")
        # Allen only -> rat (the recipe's own other-lab test)
        rat = "-"
        for ex in recipe.extra_train:
            cells, table = tables[ex.dataset]
            model = recipe_model(recipe).fit(X, yf if recipe.train.classes else yb)
            if recipe.name.startswith("pvalb"):
                rb = cells["pv_like_label"].to_numpy(dtype=float)
            else:
                rb = cells["inhibitory_label"].to_numpy(dtype=float)
            rok = ~np.isnan(rb) & table.notna().any(axis=1).to_numpy()
            p = model.predict_proba(table.loc[rok, cols])[:, 1]
            rat = f"{_auc(rb[rok].astype(int), p):.3f}"
        training = f"{len(yb)} Allen" + (f" + {n_extra} rat" if n_extra else "")
        preset = "robust" if recipe.features == ROBUST_FEATURES else "scale_free"
        a_int = "-" if np.isnan(a_int) else f"{a_int:.3f}"
        out.append(f"| {recipe.name} | {preset} ({' + '.join(comps)}) | {training} "
                   f"| {a_all:.3f} | {a_int} | {alone} | {rat} |")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", help="folder for the extracted feature tables")
    parser.add_argument("--output", help="also write the Markdown section here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    warnings.filterwarnings("ignore")

    a_cells, a_table, _ = transfer_data.load("allen", args.cache)
    r_cells, r_table, _ = transfer_data.load("rat", args.cache)
    subclass, _, donors = transfer_data.allen_labels(a_cells)
    keep = subclass != ""
    y, donors = subclass[keep], donors[keep]
    rat_pv, rat_gaba = transfer_data.rat_labels(r_cells)
    rat_ok = r_table.notna().any(axis=1).to_numpy()
    # rat cells as a second label source: Pvalb-like -> "Pvalb", other typed
    # interneurons -> "interneuron" (a peer class), excitatory -> "excitatory"
    rat_y = np.full(len(r_cells), "", dtype=object)
    rat_y[rat_pv == 1] = "Pvalb"
    rat_y[rat_pv == 0] = "interneuron"
    rat_y[rat_gaba == 0] = "excitatory"
    rat_use = rat_ok & (rat_y != "")

    lines = []
    names = list(learners())
    for preset, feats in PRESETS.items():
        cols = transfer_data.columns(a_table, feats)
        X = a_table.loc[keep, cols].to_numpy()
        Xr = r_table[cols].to_numpy()
        t0 = time.perf_counter()
        cv = grouped_cv(X, y, donors, CONTRASTS, names, args.repeats)
        # transfer: every Allen cell -> rat interneurons
        rat_inter = rat_ok & ~np.isnan(rat_pv)
        transfer = {}
        for kind in CONTRASTS:
            for name in names:
                model = _Fitted(kind, learners()[name]).fit(X, y)
                s = model.score(Xr[rat_inter])
                transfer[kind, name] = _auc(rat_pv[rat_inter], s)
        print(f"# {preset}: {time.perf_counter() - t0:.0f} s", flush=True)
        lines.append(f"\n**Features: `{preset}`** ({len(cols)} columns)\n")
        lines.append("| contrast | learner | grouped-CV AUC, all cells "
                     "| grouped-CV AUC, interneurons | rat Pvalb-like among "
                     "interneurons (trained on all Allen cells) |")
        lines.append("|---|---|---|---|---|")
        for (kind, name), (auc_all, auc_int) in cv.items():
            lines.append(f"| {kind} | {name} | {auc_all:.3f} | {auc_int:.3f} "
                         f"| {transfer[kind, name]:.3f} |")

    # second label source: the robust preset, logistic learner
    cols = transfer_data.columns(a_table, ROBUST_FEATURES)
    X = a_table.loc[keep, cols].to_numpy()
    Xr = r_table[cols].to_numpy()
    extra = (Xr[rat_use], rat_y[rat_use])
    lines.append("\n**A second label source: the rat m-types** (features `robust`, "
                 "logistic learner)\n")
    lines.append("| training cells | contrast | Allen grouped-CV AUC, all cells | "
                 "Allen grouped-CV AUC, interneurons |")
    lines.append("|---|---|---|---|")
    for kind in ("vs all", "subclass model"):
        for label, ex in (("Allen folds", None),
                          ("Allen folds + all rat cells", extra)):
            (a_all, a_int), = grouped_cv(X, y, donors, (kind,), ["logistic"],
                                         args.repeats, extra=ex).values()
            lines.append(f"| {label} | {kind} | {a_all:.3f} | {a_int:.3f} |")
    # and the other way: rat 5-fold CV among interneurons, with / without Allen
    lines.append("\n| training cells | contrast | rat 5-fold CV AUC, Pvalb-like "
                 "among interneurons |")
    lines.append("|---|---|---|")
    ry, rX = rat_y[rat_use], Xr[rat_use]
    for kind in ("vs all", "subclass model"):
        for label, add in (("rat folds", False), ("rat folds + all Allen cells", True)):
            aucs = []
            for r in range(args.repeats):
                cv = StratifiedKFold(5, shuffle=True, random_state=r)
                score = np.full(len(ry), np.nan)
                for train, test in cv.split(rX, ry):
                    Xtr, ytr = rX[train], ry[train]
                    if add:
                        Xtr, ytr = np.vstack([Xtr, X]), np.concatenate([ytr, y])
                    score[test] = _Fitted(kind, learners()["logistic"]).fit(
                        Xtr, ytr).score(rX[test])
                inter = ry != "excitatory"
                aucs.append(_auc((ry == "Pvalb").astype(int), score, inter))
            lines.append(f"| {label} | {kind} | {np.mean(aucs):.3f} |")

    lines += axon_section(a_cells, a_table, r_cells, r_table)
    lines += recipes_section(a_cells, a_table, r_cells, r_table, args.repeats)
    took = time.perf_counter() - start
    section = "\n".join([
        "# Training contrast: which negatives a Pvalb model learns from",
        "",
        "Regenerate: `PYTHONPATH=. OMP_NUM_THREADS=1 python "
        "benchmarks/bench_contrast.py --output docs/benchmarks/contrast.md` "
        "(needs `../shared`).",
        "",
        f"Allen cells: {int(keep.sum())} with a known subclass ("
        + ", ".join(f"{c} {int((y == c).sum())}" for c in (*INTERNEURONS, "excitatory"))
        + f"), {len(np.unique(donors))} donors; donor-grouped 5-fold CV, mean over "
        f"{args.repeats} fold assignments. Rat: "
        f"{int((rat_ok & (rat_pv == 1)).sum())} Pvalb-like and "
        f"{int((rat_ok & (rat_pv == 0)).sum())} other typed interneurons.",
        *lines,
        "",
        f"Run notes: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} logical CPUs, load average before the run {load:.1f}, "
        f"total {took:.0f} s.",
    ])
    print(section)
    if args.output:
        Path(args.output).write_text(section + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
