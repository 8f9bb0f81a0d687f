# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Real neurons: Pvalb-positive cells of the Allen Cell Types Database
===================================================================

On real reconstructions from mouse visual cortex (Allen Cell Types Database),
classify Pvalb-positive interneurons (Pvalb-IRES-Cre, reporter-positive) against
other cells from dendritic morphology, with cross-validation grouped by donor so
that no mouse contributes neurons to both the training and the test folds.

This example needs the data in ``../shared/data/allen-v1-mouse`` beside the
repository (fetch your own copy with
:func:`ngep.datasets.fetch_allen_cell_types`); when it is absent the example
prints a note and does nothing else. The labels come from Cre line and reporter
status: a proxy for Pvalb expression, not a measurement of it.
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
# Labels and features
# -------------------
# ``pvalb_label_clean`` is 1 for reporter-positive cells of the Pvalb line, 0 for
# other inhibitory lines and spiny cells, and missing for aspiny cells of
# unknown subclass, which we leave out. The Allen files carry detached pieces of
# axon; they are dropped from the tree (and do not touch dendritic features).
if present:
    import warnings

    import pandas as pd

    from ngep.exceptions import FragmentWarning
    from ngep.transformers import MorphologyExtractor

    cells = pd.read_csv(root / "cells.csv").dropna(subset=["pvalb_label_clean"])
    paths = [str(root / f) for f in cells["swc_file"]]
    y = cells["pvalb_label_clean"].astype(int).to_numpy()
    donors = cells["donor__id"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FragmentWarning)
        X = (
            MorphologyExtractor(features="extended", n_jobs=2)
            .set_output(transform="pandas")
            .fit_transform(paths)
        )
    print(
        f"{len(y)} neurons ({y.sum()} Pvalb-positive) from "
        f"{len(set(donors))} donors; {X.shape[1]} dendritic features"
    )

# %%
# Donor-grouped cross-validation
# ------------------------------
# The neural :class:`~ngep.models.MarkerClassifier` against a HistGradientBoosting
# baseline on the same folds. With 30 positive cells, expect wide fold-to-fold
# spread: read the lowest fold, not only the mean.
if present:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold

    from ngep.model_selection import cross_validate_report
    from ngep.pipeline import make_default_pipeline

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    model = make_default_pipeline(
        task="classification",
        extract=False,
        expand=False,
        max_iter=100,
        class_weight="balanced",
        random_state=0,
    )
    baseline = make_default_pipeline(
        HistGradientBoostingClassifier(max_depth=3, random_state=0),
        extract=False,
        expand=False,
    )
    cv = StratifiedGroupKFold(5, shuffle=True, random_state=0)
    report = cross_validate_report(model, X, y, groups=donors, cv=cv, baseline=baseline)
    print(report.summary())

# %%
# ROC curve of the out-of-fold probabilities
# ------------------------------------------
if present:
    import matplotlib.pyplot as plt
    from sklearn.metrics import RocCurveDisplay

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    RocCurveDisplay.from_predictions(
        y, report.predictions[:, 1], ax=ax, name="MarkerClassifier"
    )
    RocCurveDisplay.from_predictions(
        y, report.baseline.predictions[:, 1], ax=ax, name="HistGradientBoosting"
    )
    ax.set(title="Pvalb-positive vs rest, donor-grouped CV")
    fig.tight_layout()
