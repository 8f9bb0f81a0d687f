# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Across species: size normalisation and group-wise models
========================================================

Rat neurons are about 1.3 times and human neurons about twice the size of mouse
neurons, while the relation of shape to expression may be conserved. A model
trained on mouse lengths then sees rat neurons far out of its range.
:class:`~ngep.multigroup.SizeNormalizer` divides length-like features by a
neuron's own size, so the model sees shape; :func:`~ngep.multigroup.transfer_report`
trains on one species and scores on another; and
:class:`~ngep.multigroup.GroupwiseRegressor` fits one model per group with a
global fallback. See :ref:`groups`.
"""

# %%
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline as sk_pipeline

from ngep.datasets import make_neurons
from ngep.multigroup import GroupwiseRegressor, SizeNormalizer, transfer_report
from ngep.pipeline import make_default_pipeline
from ngep.transformers import MorphologyExtractor

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # few epochs here

extract = MorphologyExtractor(features="extended").set_output(transform="pandas")
mouse = make_neurons(250, species="mouse", genes=["Pvalb"], random_state=0)
rat = make_neurons(150, species="rat", genes=["Pvalb"], random_state=1)
X_mouse = extract.fit_transform(mouse.morphologies)
X_rat = extract.transform(rat.morphologies)
y_mouse, y_rat = mouse.targets["Pvalb"].to_numpy(), rat.targets["Pvalb"].to_numpy()
pd.DataFrame(
    {
        "mouse": X_mouse["dendrite__total_length"].describe(),
        "rat": X_rat["dendrite__total_length"].describe(),
    }
).round(0)


# %%
# Train on mouse, test on rat
# ---------------------------
# Same model, with and without dividing lengths by the neuron's maximal path
# distance.
def neural():
    return make_default_pipeline(
        extract=False, expand=False, max_iter=60, random_state=0
    )


def normalised_neural():
    # Lengths, areas and extents divided by the maximal dendritic path distance.
    return sk_pipeline(SizeNormalizer("dendrite__max_path_distance"), neural())


raw = transfer_report(
    neural(), X_mouse, y_mouse, X_rat, y_rat, names=("mouse", "rat")
).assign(features="raw")
normalised = transfer_report(
    normalised_neural(),
    X_mouse,
    y_mouse,
    X_rat,
    y_rat,
    names=("mouse", "rat"),
).assign(features="size-normalised")
pd.concat([raw, normalised])[["features", "train", "test", "n_samples", "r2"]].round(3)

# %%
# One model per species, with a global fallback
# ---------------------------------------------
# With enough neurons of each species, a model per species can beat a shared
# one; a species with fewer than ``min_samples`` neurons (here human) is
# answered by the global model, and ``predict_with_source`` says which.
X = pd.concat([X_mouse, X_rat], ignore_index=True)
y = pd.concat([mouse.targets["Pvalb"], rat.targets["Pvalb"]], ignore_index=True)
species = pd.concat(
    [mouse.metadata["species"], rat.metadata["species"]], ignore_index=True
).to_numpy()
model = GroupwiseRegressor(normalised_neural(), min_samples=100)
model.fit(X, y, groups=species)

human = make_neurons(3, species="human", genes=["Pvalb"], random_state=2)
pred, source = model.predict_with_source(
    extract.transform(human.morphologies), human.metadata["species"].to_numpy()
)
pd.DataFrame({"prediction": pred.round(2), "answered by": source})
