# ruff: noqa: E402  (sphinx-gallery: imports sit in the cell that uses them)
"""
Reading SWC files: odd files, fragments and errors
==================================================

:func:`ngep.io.read_swc` reads the SWC dialects found in the wild (NeuroMorpho.Org,
the Allen Cell Types Database, Patch-seq labs) into a
:class:`~ngep.io.Morphology`. Files it can repair without guessing are read;
files it cannot read correctly raise :class:`~ngep.exceptions.SWCFormatError`
with the file, the line and what to do. See :ref:`reading_swc` for every policy.
"""

# %%
# A small neuron, written as a lab might write it
# -----------------------------------------------
# Comments, tabs, runs of spaces, an extra trailing column and ids that are not
# contiguous are all fine.
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ngep.io import read_swc, write_swc

tmp = Path(tempfile.mkdtemp())
odd = tmp / "odd.swc"
odd.write_text(
    "# exported by a lab script\n"
    "# id type x y z radius parent\n"
    "1 1 0 0 0 6.0 -1\n"
    "10\t3\t0   12 0 1.0 1   # basal dendrite, tab separated\n"
    "11 3 0 25 0 0.9 10 0.0\n"
    "12 3 6 38 0 0.6 11\n"
    "13 3 -6 38 0 0.6 11\n"
    "20 2 0 -10 0 0.5 1\n"
    "21 2 0 -40 0 0.4 20\n"
)
m = read_swc(odd)
print(m)
print("ids:", m.ids.tolist(), "parents (row index):", m.parent.tolist())
print("tips:", int(m.is_tip.sum()), "branch points:", int(m.is_branch_point.sum()))
print(
    "dendritic length (µm):",
    round(float(m.segment_length[m.compartment_mask("dendrite")].sum()), 1),
)

# %%
# Detached fragments
# ------------------
# Nodes not connected to the soma's tree are dropped, with a
# :class:`~ngep.exceptions.FragmentWarning` naming them; their ids stay in
# ``dropped_ids``. ``on_fragments="ignore"`` silences it (the Allen files carry
# detached axon pieces), ``"raise"`` refuses the file.
frag = tmp / "fragment.swc"
frag.write_text(odd.read_text() + "30 2 100 100 0 0.3 -1\n31 2 110 100 0 0.3 30\n")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m = read_swc(frag)
print(caught[0].category.__name__, ":", caught[0].message)
print("dropped ids:", m.dropped_ids.tolist())

# %%
# Errors that say what to fix
# ---------------------------
# A parent that does not exist, a cycle, a non-numeric field: the message names
# the file and the line.
from ngep.exceptions import SWCFormatError

bad = tmp / "bad.swc"
bad.write_text("1 1 0 0 0 6 -1\n2 3 0 10 0 1 1\n3 3 0 20 0 1 7\n")
try:
    read_swc(bad)
except SWCFormatError as err:
    print("SWCFormatError:", err)

# %%
# Round trip
# ----------
# :func:`~ngep.io.write_swc` writes a standard seven-column file that reads
# back to the same tree.
out = tmp / "clean.swc"
write_swc(read_swc(odd), out)
again = read_swc(out)
print(np.allclose(again.xyz, read_swc(odd).xyz), again.n_children.tolist())

# %%
# Looking at a neuron
# -------------------
# Each row of ``xyz`` is a node and ``parent`` the row of its parent, so a
# neuron is drawn segment by segment.
import matplotlib.pyplot as plt

from ngep.datasets import make_neurons

cells = make_neurons(2, class_weights={"Pvalb": 1, "L5_ET": 1}, random_state=3)
fig, axes = plt.subplots(1, 2, figsize=(8, 4.5))
for ax, cell, cls in zip(axes, cells.morphologies, cells.metadata["class"]):
    child = np.flatnonzero(cell.parent >= 0)
    for i in child:
        seg = cell.xyz[[cell.parent[i], i]]
        ax.plot(
            seg[:, 0],
            seg[:, 1],
            lw=0.6,
            color="tab:red" if cell.types[i] == 2 else "tab:blue",
        )
    ax.set(title=f"synthetic {cls}", aspect="equal", xlabel="x (µm)", ylabel="y (µm)")
fig.tight_layout()
