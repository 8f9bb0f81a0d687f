# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
From five measurements to fourteen features
===========================================

Five dendritic measurements -- total length, branch points, stems, maximal path
distance and soma radius -- are what most Patch-seq tables share.
:class:`~ngep.transformers.FeatureExpander` turns them into fourteen engineered
features (log transforms, ratios, interactions; see :ref:`feature_expansion`).
Does it help? We compare a linear model and the neural model on the raw five and
on the expanded fourteen, with the same folds.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV

from ngep.datasets import make_neurons
from ngep.model_selection import BinnedStratifiedKFold, cross_validate_report
from ngep.pipeline import make_default_pipeline
from ngep.transformers import FeatureExpander, MorphologyExtractor, expansion_table

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # few epochs here

data = make_neurons(300, random_state=0)
X = (
    MorphologyExtractor()
    .set_output(transform="pandas")
    .fit_transform(data.morphologies)
)
y = data.targets["Pvalb"].to_numpy()
X.describe().loc[["mean", "std"]].round(1)

# %%
# The engineered features and their formulas.
expansion_table()[["formula", "unit"]]

# %%
# The expander reads the extractor's columns by name.
expanded = FeatureExpander().set_output(transform="pandas").fit_transform(X)
expanded.iloc[:3, :6].round(2)

# %%
# Same folds, four models
# -----------------------
cv = list(BinnedStratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
candidates = {
    "ridge, raw 5": make_default_pipeline(RidgeCV(), extract=False, expand=False),
    "ridge, expanded 14": make_default_pipeline(RidgeCV(), extract=False, expand=True),
    "neural, raw 5": make_default_pipeline(
        extract=False, expand=False, max_iter=60, random_state=0
    ),
    "neural, expanded 14": make_default_pipeline(
        extract=False, expand=True, max_iter=60, random_state=0
    ),
}
scores = {
    name: cross_validate_report(est, X, y, cv=cv).scores["r2"]
    for name, est in candidates.items()
}
scores = pd.DataFrame(scores)
scores.agg(["mean", "std", "min"]).round(3)

# %%
# Per-fold R² (lines join the same fold); the dashed line is the best R² any
# model can reach on these neurons.
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(
    range(len(scores.columns)), scores.T.to_numpy(), color="grey", lw=0.8, marker="o"
)
ax.axhline(data.ceiling["Pvalb"], ls="--", color="k", lw=1)
ax.set_xticks(range(len(scores.columns)), scores.columns, rotation=15)
ax.set(ylabel="R² (5-fold CV)", title="Pvalb from dendritic morphology")
fig.tight_layout()
