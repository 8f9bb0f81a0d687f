# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Drawing neurons, from any file format
=====================================

Look at neurons before trusting numbers about them. :func:`ngep.plot.morphology`
draws one neuron as a 2D projection with its compartments in colour, its soma
and a scale bar; :func:`ngep.plot.gallery` draws many side by side at one
scale. Both take a :class:`~ngep.io.Morphology` or a file that
:func:`ngep.io.read_morphology` reads: SWC, Neurolucida ``.asc`` or HDF5
``.h5`` (see :ref:`formats`).
"""

# %%
# One neuron, three projections
# -----------------------------
# Synthetic neurons come with their cell class and expression; pia is along +y.
# ``xy`` is the usual top view of a slice reconstruction; ``zy`` looks at the
# same cell from the side.
import matplotlib.pyplot as plt
import numpy as np

from ngep.datasets import make_neurons
from ngep.plot import gallery, morphology

data = make_neurons(40, random_state=0)
cell = data.morphologies[data.metadata["class"].tolist().index("L23_IT")]

fig, axes = plt.subplots(1, 3, figsize=(9, 3.8))
for ax, projection in zip(axes, ["xy", "xz", "zy"]):
    morphology(cell, ax=ax, projection=projection, title=projection,
               legend=projection == "zy")
fig.tight_layout()

# %%
# Colour by distance from the soma
# --------------------------------
# ``color_by="path_distance"`` shades each segment by its path length from the
# soma (``"branch_order"`` by the number of branch points above it).
fig, axes = plt.subplots(1, 2, figsize=(7, 3.8))
morphology(cell, ax=axes[0], color_by="path_distance", title="path distance")
morphology(cell, ax=axes[1], color_by="branch_order", cmap="plasma",
           title="branch order")
fig.tight_layout()

# %%
# The most and least Pvalb-like neurons
# -------------------------------------
# A gallery keeps one scale for every panel, so sizes compare at a glance:
# compact, densely branched basket-like cells at the top, large pyramidal cells
# and sparse interneurons at the bottom.
pvalb = data.targets["Pvalb"].to_numpy()
order = np.argsort(-pvalb)
rows = np.concatenate([order[:4], order[-4:]])
titles = [f"{data.metadata['class'][i]}\nPvalb {pvalb[i]:.2f}" for i in rows]
fig = gallery([data.morphologies[i] for i in rows], titles, ncols=4,
              suptitle="Highest (top) and lowest (bottom) Pvalb expression")

# %%
# A Neurolucida file
# ------------------
# Files in other formats are read through MorphIO (``pip install
# "ngep[formats]"``) into the same tree their SWC version gives. A traced soma
# contour becomes a chain of soma points, drawn as a polygon.
import tempfile
from pathlib import Path

from ngep.io import read_morphology

asc = Path(tempfile.mkdtemp()) / "traced.asc"
asc.write_text("""
("CellBody"
  (CellBody)
  ( 6  0 0 0.5) ( 4  5 0 0.5) (-2  7 0 0.5) (-7  2 0 0.5)
  (-6 -4 0 0.5) ( 0 -7 0 0.5) ( 5 -5 0 0.5)
)
( (Apical)
  (0 8 0 2.0) (2 60 0 1.5) (1 120 0 1.2)
  ( (25 170 0 0.8) (40 210 0 0.6)
  | (-20 165 0 0.8) (-30 200 0 0.6) )
)
( (Dendrite)
  (-7 -3 0 1.2) (-40 -25 0 0.8)
  ( (-70 -30 0 0.5) | (-55 -60 0 0.5) )
)
( (Axon)
  (1 -8 0 0.6) (3 -90 0 0.4) (-10 -180 0 0.3)
)
""")
traced = read_morphology(asc)
print(traced, "soma points:", int(traced.is_soma.sum()))
ax = morphology(traced, legend=True, title="traced.asc")
plt.show()
