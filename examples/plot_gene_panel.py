# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
A gene panel: one model per gene
================================

Patch-seq gives many genes per neuron. :class:`~ngep.multigene.GenePanelRegressor`
fits one model per gene on shared features -- each with its own parameters, and
each on the neurons where that gene was measured -- and reports one score per
gene. Gfap, an astrocyte marker, is simulated as a constant plus noise: a
negative control that no model should predict.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold

from ngep.datasets import make_neurons
from ngep.multigene import GenePanelRegressor
from ngep.pipeline import make_default_pipeline
from ngep.transformers import MorphologyExtractor

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # few epochs here

genes = ["Pvalb", "Sst", "Vip", "Gfap"]
data = make_neurons(300, genes=genes, random_state=0)
extract = MorphologyExtractor(features="extended").set_output(transform="pandas")
X = extract.fit_transform(data.morphologies)
Y = data.targets[genes].copy()
# Sst was not measured for the first 40 neurons: those rows are left out of its
# model only.
Y.loc[:39, "Sst"] = np.nan


# %%
# One pipeline per gene on all 33 dendritic and soma features; parameters
# route as ``<gene>__<step>__<param>``.
def model():
    return make_default_pipeline(
        extract=False, expand=False, max_iter=80, alpha=1e-2, random_state=0
    )


panel = GenePanelRegressor([(gene, model()) for gene in genes])
panel.set_params(Gfap__model__alpha=1e-1)  # a stronger penalty for one gene
panel.fit(X, Y)
panel.n_samples_per_gene_

# %%
# Cross-validated R² per gene, next to the best achievable one. Each fold's
# panel is trained on the training neurons where the gene was measured.
pred = np.full(Y.shape, np.nan)
for train, test in KFold(5, shuffle=True, random_state=0).split(X):
    pred[test] = panel.fit(X.iloc[train], Y.iloc[train]).predict(X.iloc[test])
rows = []
for j, gene in enumerate(genes):
    seen = Y[gene].notna().to_numpy()
    rows.append(
        {
            "gene": gene,
            "R² (CV)": r2_score(Y[gene][seen], pred[seen, j]),
            "best achievable": data.ceiling[gene],
        }
    )
table = pd.DataFrame(rows).set_index("gene").round(3)
table

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
table.plot.bar(ax=ax, rot=0)
ax.axhline(0, color="k", lw=0.8)
ax.set(ylabel="R²", title="Gene panel, 5-fold CV")
fig.tight_layout()

# %%
# Gfap scores at or below zero, as a negative control must. Sst and Vip fall far
# short of their ceilings here: their expression depends mostly on the class,
# which 240 training neurons and 80 epochs do not learn well; scores rise with
# the number of neurons (see :doc:`/benchmarks`).
