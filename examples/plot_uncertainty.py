# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
How sure is a prediction? Intervals and the applicability domain
================================================================

A point prediction hides how wrong it may be.
:class:`~ngep.uncertainty.ConformalRegressor` wraps any regressor and returns
intervals that contain the measured value for a chosen share of neurons (90 %
here), with a guarantee that holds whatever the model. And no interval can be
trusted for a neuron unlike any training neuron:
:class:`~ngep.uncertainty.ApplicabilityDomain` flags those -- here a human neuron
basket cells about twice the size of the mouse training cells, and a
reconstruction that lost most of its dendrites. See :ref:`uncertainty`.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from ngep.datasets import make_neurons
from ngep.pipeline import make_default_pipeline
from ngep.transformers import MorphologyExtractor
from ngep.uncertainty import (
    ApplicabilityDomain,
    ConformalRegressor,
    predict_with_domain,
)

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # few epochs here

extract = MorphologyExtractor().set_output(transform="pandas")
train = make_neurons(300, genes=["Pvalb"], random_state=0)
test = make_neurons(150, genes=["Pvalb"], random_state=1)
X, y = extract.fit_transform(train.morphologies), train.targets["Pvalb"].to_numpy()
X_test, y_test = extract.transform(test.morphologies), test.targets["Pvalb"].to_numpy()

# %%
# Conformal intervals
# -------------------
# ``cv=5``: the residuals that set the interval width come from cross-fitting, so
# no neurons are set aside.
model = ConformalRegressor(
    make_default_pipeline(extract=False, max_iter=60, random_state=0),
    coverage=0.9,
    cv=5,
)
model.fit(X, y)
pred, lower, upper = model.predict(X_test, return_interval=True)
covered = (lower <= y_test) & (y_test <= upper)
print(
    f"coverage on new neurons: {covered.mean():.2f} (asked for 0.90); "
    f"mean width {np.mean(upper - lower):.2f} log1p CPM"
)

# %%
order = np.argsort(pred)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.fill_between(
    np.arange(len(order)), lower[order], upper[order], alpha=0.3, label="90 % interval"
)
ax.plot(pred[order], lw=1, label="prediction")
ax.scatter(
    np.arange(len(order)),
    y_test[order],
    s=6,
    c=np.where(covered[order], "k", "r"),
    label="measured (red: outside)",
)
ax.set(xlabel="test neurons, by prediction", ylabel="Pvalb (log1p CPM)")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Applicability domain
# --------------------
# Fitted on the training features (log scale: sizes vary multiplicatively).
# We query three typical mouse neurons, three human basket (Pvalb) cells and a
# damaged mouse neuron (90 % of its dendrite cut away, simulated by scaling its
# length and branch points). Size alone is not what is flagged -- the training
# set has large mouse pyramidal cells -- but a basket cell with a pyramidal
# cell's reach, or a neuron with a tenth of the usual length, is unusual.
domain = ApplicabilityDomain(random_state=0).fit(np.log1p(X))
human = make_neurons(3, species="human", class_weights={"Pvalb": 1}, random_state=5)
X_human = extract.transform(human.morphologies)
damaged = X_test.iloc[[0]].copy()
for column in ["dendrite__total_length", "dendrite__n_branch_points"]:
    damaged[column] *= 0.1
queries = pd.concat([X_test.iloc[:3], X_human, damaged], ignore_index=True)
out = predict_with_domain(model, domain, queries, X_domain=np.log1p(queries))
out.index = ["mouse"] * 3 + ["human basket"] * 3 + ["damaged mouse"]
out.round(2)

# %%
# One of the three human cells is within the domain: flagging is a screen for
# unusual inputs, not a guarantee. Report predictions for flagged neurons, if at
# all, with that caveat.
