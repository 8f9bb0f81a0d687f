# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Quick start: predict Pvalb from a folder of SWC files
=====================================================

The main job of ngep in a few lines: a folder of SWC reconstructions and a table
of Pvalb expression go in; a cross-validated score, compared with a strong
tabular baseline on the same folds, comes out.

Here the folder is written by :func:`ngep.datasets.make_neurons`, whose neurons
carry a known expression, so we also know the best score any model could reach.
"""

# %%
# A folder of SWC files and a table
# ---------------------------------
# ``out_dir`` writes one SWC file per neuron; ``targets`` holds log1p CPM
# expression of a few marker genes and ``ceiling`` the best achievable R².
import tempfile
from pathlib import Path

from ngep.datasets import make_neurons

folder = Path(tempfile.mkdtemp()) / "swc"
data = make_neurons(240, out_dir=folder, random_state=0)
table = data.metadata[["name", "class"]].assign(Pvalb=data.targets["Pvalb"].to_numpy())
table.head()

# %%
# In a real study ``table`` is read from your CSV and the paths are built from
# its id column, e.g. ``paths = [folder / f"{i}.swc" for i in table["id"]]``.
paths = [str(folder / f"{name}.swc") for name in table["name"]]
pvalb = table["Pvalb"].to_numpy()
print(len(paths), "SWC files, e.g.", Path(paths[0]).name)

# %%
# Morphometrics from the SWC files
# --------------------------------
# :class:`~ngep.transformers.MorphologyExtractor` reads each file and computes
# named morphometrics: by default the five dendritic base measurements. Reading
# is the slow part, so we extract once and cross-validate on the table; the
# extractor itself is the first step of the full pipeline fitted at the end.
import warnings

from sklearn.exceptions import ConvergenceWarning

from ngep.transformers import MorphologyExtractor

# The examples train for a few dozen epochs only, to keep the gallery fast.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

features = MorphologyExtractor().set_output(transform="pandas").fit_transform(paths)
features.head()

# %%
# The default model and a baseline on the same folds
# --------------------------------------------------
# :func:`ngep.pipeline.make_default_pipeline` chains the 5 -> 14 feature expansion,
# imputation, scaling and the skorch-backed
# :class:`~ngep.models.ExpressionRegressor`. ``extract=False`` starts it from the
# feature table. A HistGradientBoosting model on the same features and folds is
# the bar to clear: a neural model that does not beat it is not worth its cost.
# :class:`~ngep.model_selection.BinnedStratifiedKFold` stratifies the continuous
# target by quantile bins, so every fold sees low and high expressers.
from sklearn.ensemble import HistGradientBoostingRegressor

from ngep.model_selection import BinnedStratifiedKFold, cross_validate_report
from ngep.pipeline import make_default_pipeline

model = make_default_pipeline(extract=False, expand=True, max_iter=60, random_state=0)
baseline = make_default_pipeline(
    HistGradientBoostingRegressor(random_state=0), extract=False
)
cv = BinnedStratifiedKFold(5, shuffle=True, random_state=0)
report = cross_validate_report(model, features, pvalb, cv=cv, baseline=baseline)
print(report.summary())
print(f"best achievable R² on these neurons: {data.ceiling['Pvalb']:.2f}")

# %%
# Predicted against measured
# --------------------------
# Out-of-fold predictions: each neuron is predicted by the model that did not
# see it, coloured by its (here known) class.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(
    pvalb,
    report.predictions,
    s=10,
    c=table["class"].astype("category").cat.codes,
    cmap="tab10",
)
lim = [pvalb.min(), pvalb.max()]
ax.plot(lim, lim, color="grey", lw=1)
ax.set(
    xlabel="measured Pvalb (log1p CPM)",
    ylabel="out-of-fold prediction",
    title="ngep default pipeline, 5-fold CV",
)
fig.tight_layout()

# %%
# Fit on all neurons and predict new files
# ----------------------------------------
# The full pipeline takes SWC paths directly, so a fitted model is applied to a
# folder of new reconstructions in one call.
pipe = make_default_pipeline(max_iter=60, random_state=0).fit(paths, pvalb)
new = make_neurons(5, out_dir=folder.parent / "new", random_state=1)
pipe.predict(new.paths).round(2)

# %%
# The same from the command line, on your own folder and table::
#
#     ngep cv --swc-dir swc/ --table expression.csv --target Pvalb --baseline
#     ngep fit --swc-dir swc/ --table expression.csv --target Pvalb -o pvalb.ngep
#     ngep predict pvalb.ngep new_swc/ -o predictions.csv
