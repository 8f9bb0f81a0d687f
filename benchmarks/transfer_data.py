# SPDX-License-Identifier: BSD-3-Clause
"""Labels and feature tables of the two real sets the transfer benchmarks use.

Shared by ``bench_transfer.py`` and ``bench_contrast.py`` (and the recipes'
label definitions in :mod:`ngep.pretrained._recipes`):

* the Allen mouse V1 cells (``../shared/data/allen-v1-mouse``): subclass labels
  from the Cre line x reporter status (Pvalb / Sst / Htr3a / excitatory;
  :func:`ngep.pretrained._recipes.allen_subclass`), donor groups;
* the BBP rat somatosensory cells (``../shared/data/bbp-rat-somatosensory``):
  expert m-types, ``inhibitory_label`` and ``pv_like_label``.

Features are extracted once per set (dendrite and axon compartments, every
catalogue feature, principal frame) and cached as a pickle in ``--cache`` when
one is given, so that the benchmarks can be rerun without reading 1,390 files.
"""

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ngep.io import read_swc
from ngep.pretrained._recipes import allen_gabaergic, allen_subclass
from ngep.transformers import MorphologyExtractor

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NGEP_SHARED", ROOT.parent / "shared")) / "data"
ALLEN = SHARED / "allen-v1-mouse"
RAT = SHARED / "bbp-rat-somatosensory"
COMPARTMENTS = ["dendrite", "axon"]


def read_cells(folder):
    """``cells.csv`` and the parsed neurons (None where a file is malformed)."""
    cells = pd.read_csv(folder / "cells.csv")
    neurons = []
    for name in cells["swc_file"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                neurons.append(read_swc(folder / name, on_fragments="ignore"))
            except ValueError:  # two rat files store negative radii
                neurons.append(None)
    return cells, neurons


def extract(neurons):
    """Every catalogue feature of ``neurons`` (dendrite, axon; NaN rows for None)."""
    ext = MorphologyExtractor("extended", compartment=COMPARTMENTS, errors="warn")
    ext.set_output(transform="pandas")
    ok = [i for i, m in enumerate(neurons) if m is not None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = ext.fit_transform([neurons[i] for i in ok])
    table.index = ok
    return table.reindex(range(len(neurons)))


def load(which, cache=None):
    """``(cells, features, neurons)`` of ``"allen"`` or ``"rat"``.

    ``neurons`` is None when the features came from the cache.
    """
    folder = ALLEN if which == "allen" else RAT
    path = None if cache is None else Path(cache) / f"{which}-features.pkl"
    cells = pd.read_csv(folder / "cells.csv")
    if path is not None and path.exists():
        return cells, pd.read_pickle(path), None
    cells, neurons = read_cells(folder)
    table = extract(neurons)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_pickle(path)
    return cells, table, neurons


def allen_labels(cells):
    """Subclass (str, "" unknown), GABAergic (float, NaN unknown) and donor."""
    return (allen_subclass(cells).to_numpy(), allen_gabaergic(cells).to_numpy(),
            cells["donor__id"].to_numpy())


def rat_labels(cells):
    """Pvalb-like among typed interneurons (NaN elsewhere) and GABAergic."""
    return (cells["pv_like_label"].to_numpy(dtype=float),
            cells["inhibitory_label"].to_numpy(dtype=float))


def columns(table, features, compartments=("dendrite",)):
    """Columns of ``table`` for catalogue ``features`` in ``compartments``."""
    from ngep.morphometrics import feature_names

    names = feature_names(list(features), list(compartments))
    return [n for n in names if n in table.columns]


def has_axon(table, min_length=1000.0):
    """Neurons whose traced axon is at least ``min_length`` µm long."""
    return np.nan_to_num(table["axon__total_length"].to_numpy()) >= min_length
