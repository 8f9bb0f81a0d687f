# SPDX-License-Identifier: BSD-3-Clause
"""Accuracy benchmark (a): marker subclass vs rest from a morphometric table.

Data: Gouwens et al. 2020 (Allen) mouse V1 GABAergic Patch-seq cells, table only
(``../shared/data/gouwens2020-v1-features/extracted_features_subset.csv``, 488
cells with morphology and a transcriptomic type). No SWC files, so ngep's own
morphometrics are not used here; the table's Allen features are mapped onto
FeatureExpander's inputs:

- total_length      = Basal Dendrite Total Length (mm) * 1000 (µm)
- n_branch_points   = (Basal Dendrite Num Branches - Num Stems) / 2. Allen's
  "Num Branches" counts sections (stretches between bifurcations and tips,
  trifurcations as two bifurcations), which is 2B + S for a tree with B branch
  points and S stems; the difference is even for every cell in the table.
- n_stems           = Basal Dendrite Num Stems
- max_path_distance = Basal Dendrite Max Path Distance (mm) * 1000 (µm)
- soma_radius       = not in the table: NaN, so the two soma features are dropped.

For each marker subclass (Pvalb, Sst, Vip) the task is subclass vs rest; every
model is evaluated with ROC AUC on the same 10 stratified folds. Models are a
dict of factories: add ngep's MarkerClassifier there when it exists.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_accuracy.py --out docs/benchmarks/accuracy.md
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ngep.model_selection import cross_validate_report
from ngep.transformers import FeatureExpander

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "gouwens2020-v1-features"
MARKERS = ("Pvalb", "Sst", "Vip")
COMMAND = (
    "PYTHONPATH=. python benchmarks/bench_accuracy.py --out docs/benchmarks/accuracy.md"
)
LABEL_COLUMNS = ("Specimen ID", "T type", "MET type")

#: Models evaluated; each value builds a fresh, unfitted classifier.
MODELS = {
    "logistic": lambda: make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)
    ),
    "hist_gradient_boosting": lambda: HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, random_state=0
    ),
    "sklearn_mlp": lambda: make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(32,),
            alpha=1e-2,
            solver="lbfgs",
            max_iter=500,
            random_state=0,
        ),
    ),
}


def subclass(t_type):
    """Transcriptomic subclass of a t-type ("Sst Chodl" is its own subclass)."""
    return "Sst Chodl" if t_type.startswith("Sst Chodl") else t_type.split()[0]


def feature_sets(table):
    """The feature matrices compared: name -> DataFrame (rows aligned with table)."""
    base = pd.DataFrame(
        {
            "total_length": table["Basal Dendrite Total Length (millimeters)"] * 1000,
            "n_branch_points": (
                table["Basal Dendrite Num Branches"] - table["Basal Dendrite Num Stems"]
            )
            / 2,
            "n_stems": table["Basal Dendrite Num Stems"],
            "max_path_distance": table["Basal Dendrite Max Path Distance (millimeters)"]
            * 1000,
            "soma_radius": np.nan,
        }
    )
    # FeatureExpander is stateless, so expanding before CV leaks nothing.
    expanded = FeatureExpander().set_output(transform="pandas").fit_transform(base)
    expanded = expanded.drop(columns=["log_soma_radius", "soma_to_reach"])
    morph = table.drop(columns=list(LABEL_COLUMNS))
    return {
        "dendrite 4 raw": base.drop(columns="soma_radius"),
        "dendrite 4 -> 12 expanded": expanded,
        f"all {morph.shape[1]} morphometric": morph,
    }


def run(data_dir, n_jobs=None):
    """Evaluate every model on every feature set and marker; one row per result."""
    table = pd.read_csv(Path(data_dir) / "extracted_features_subset.csv")
    labels = table["T type"].map(subclass)
    sets = feature_sets(table)
    rows = []
    for marker in MARKERS:
        y = (labels == marker).to_numpy()
        cv = StratifiedKFold(10, shuffle=True, random_state=0)
        splits = list(cv.split(np.zeros((len(y), 1)), y))  # same folds for all
        for set_name, X in sets.items():
            for model_name, make in MODELS.items():
                start = time.perf_counter()
                report = cross_validate_report(make(), X, y, cv=splits, n_jobs=n_jobs)
                auc = report.scores["roc_auc"]
                rows.append(
                    {
                        "marker": marker,
                        "n_pos": int(y.sum()),
                        "features": set_name,
                        "model": model_name,
                        "roc_auc_mean": auc.mean(),
                        "roc_auc_sd": auc.std(ddof=1),
                        "lowest_fold": auc.min(),
                        "seconds": time.perf_counter() - start,
                    }
                )
                print(
                    f"{marker:6s} {set_name:28s} {model_name:24s} "
                    f"AUC {auc.mean():.3f} ± {auc.std(ddof=1):.3f}",
                    file=sys.stderr,
                )
    return pd.DataFrame(rows), len(table)


def to_markdown(results, n_cells, seconds):
    """The docs section: results table, data and machine notes, the command."""
    lines = [
        "# Accuracy (a): marker subclass vs rest from Allen morphometric features",
        "",
        f"Gouwens et al. 2020 mouse V1 GABAergic Patch-seq cells with morphology "
        f"({n_cells} cells; table only, no SWC). Task: subclass vs rest for Pvalb, "
        "Sst and Vip; ROC AUC over the same 10 stratified folds (shuffled, seed 0) "
        "for every model of a marker; mean ± sd over folds and the lowest fold. "
        "Chance is 0.5.",
        "",
        "| marker (n positive) | features | model | ROC AUC | lowest fold |",
        "|---|---|---|---|---|",
    ]
    for r in results.itertuples():
        lines.append(
            f"| {r.marker} ({r.n_pos}) | {r.features} | {r.model} | "
            f"{r.roc_auc_mean:.3f} ± {r.roc_auc_sd:.3f} | {r.lowest_fold:.3f} |"
        )
    lines += [
        "",
        "Features. *dendrite 4 raw*: basal dendrite total length, branch points, "
        "stems, max path distance (the table has no soma radius). *dendrite 4 -> 12 "
        "expanded*: `FeatureExpander` on those four (soma radius NaN, so its two "
        "soma features are dropped). *all morphometric*: every numeric column of "
        "the table (axon and basal dendrite features, plus normalized soma depth, "
        "which is a position, not a shape). Allen's `Num Branches` counts sections "
        "(2B + S), so branch points are (Num Branches - Num Stems) / 2.",
        "",
        "Models are untuned (hyperparameters in `benchmarks/bench_accuracy.py`, "
        "dict `MODELS`); ngep's `MarkerClassifier` is to be added there.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"shared 2-core machine; whole run {seconds:.0f} s.",
        "",
        "Regenerate (from the repository root, with `../shared` present):",
        "",
        "```",
        COMMAND,
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="Markdown file to write")
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if not (args.data / "extracted_features_subset.csv").exists():
        print(f"skipped: {args.data} not found (needs ../shared data)", file=sys.stderr)
        return 0
    start = time.perf_counter()
    results, n_cells = run(args.data, n_jobs=args.n_jobs)
    text = to_markdown(results, n_cells, time.perf_counter() - start)
    if args.out is None:
        print(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
