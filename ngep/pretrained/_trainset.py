# SPDX-License-Identifier: BSD-3-Clause
"""The build's training data: labelled cells, their features, converted copies.

Each dataset's table, neurons and feature matrices are read once per build
(:class:`TrainingData`); :func:`labelled` applies a recipe's label rules;
:func:`lab_conventions` gives the conversions of the convention-shift table.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["TrainingData", "extractor", "lab_conventions", "labelled"]

_ROOT = Path(__file__).resolve().parents[2]


def extractor(recipe):
    """The recipe's MorphologyExtractor (``errors='warn'``)."""
    from ngep.transformers import MorphologyExtractor

    return MorphologyExtractor(
        features=list(recipe.features),
        compartment=recipe.compartment,
        frame=recipe.frame,
        errors="warn",
    )


class TrainingData:
    """Per-dataset tables and feature matrices, each extracted once."""

    def __init__(self, root, conversions=None):
        self.root = Path(root)
        self.conversions = conversions or {}
        self._cells = {}
        self._features = {}
        self._morphologies = {}
        self._converted = {}

    def cells(self, dataset):
        if dataset not in self._cells:
            path = self.root / dataset / "cells.csv"
            if not path.exists():
                raise FileNotFoundError(
                    f"{path} not found: --data must be the folder holding "
                    f"{dataset}/ (e.g. ../shared/data)."
                )
            self._cells[dataset] = pd.read_csv(path)
        return self._cells[dataset]

    def features(self, dataset, recipe):
        key = (dataset, tuple(recipe.features), recipe.compartment, recipe.frame)
        if key not in self._features:
            cells = self.cells(dataset)
            paths = [str(self.root / dataset / f) for f in cells["swc_file"]]
            ext = extractor(recipe).set_output(transform="pandas")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                X = ext.fit_transform(paths)
            failed = np.zeros(len(paths), dtype=bool)
            failed[ext.failures_["index"].to_numpy()] = True
            self._features[key] = (X, failed, paths)
        return self._features[key]

    def _neurons(self, dataset):
        if dataset not in self._morphologies:
            from ngep.io import read_swc

            out = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for f in self.cells(dataset)["swc_file"]:
                    try:
                        out.append(read_swc(self.root / dataset / f))
                    except (OSError, ValueError):
                        out.append(None)
            self._morphologies[dataset] = out
        return self._morphologies[dataset]

    def converted(self, dataset, recipe, conversion):
        """Features of every cell after ``conversion`` (NaN rows where it fails)."""
        key = (dataset, tuple(recipe.features), recipe.compartment, recipe.frame,
               conversion)
        if key not in self._converted:
            convert = self.conversions[conversion]
            neurons = []
            for i, m in enumerate(self._neurons(dataset)):
                try:
                    neurons.append(None if m is None else convert(m, i))
                except (ValueError, IndexError):
                    neurons.append(None)
            ok = [i for i, m in enumerate(neurons) if m is not None]
            ext = extractor(recipe).set_output(transform="pandas")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Xok = ext.fit_transform([neurons[i] for i in ok])
            X = pd.DataFrame(np.nan, index=range(len(neurons)), columns=Xok.columns)
            X.iloc[ok] = Xok.to_numpy()
            self._converted[key] = X
        return self._converted[key]


def lab_conventions():
    """The benchmark's lab-convention conversions, when run from the repository."""
    root = _ROOT
    if not (root / "benchmarks" / "lab_conventions.py").exists():
        return {}
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from benchmarks.lab_conventions import CONVERSIONS

    return {**CONVERSIONS, **_SIZE_SHIFTS}


#: Whole neurons scaled (coordinates and radii): another species' size (human
#: cortical neurons are ~2x mouse ones), so a model that reads size as class
#: shows it here.
_SIZE_SHIFTS = {
    "whole neuron scaled x0.5": lambda m, s: m.transformed(scale=0.5),
    "whole neuron scaled x2 (human size)": lambda m, s: m.transformed(scale=2.0),
}


def labelled(data, source, recipe):
    """Features, binary labels, fit labels, table rows and paths of labelled cells.

    The binary labels (1 positive, 0 negative) score every model; the fit
    labels are what the recipe's model is fitted on (subclass names for a
    contrast model, else the binary labels).
    """
    cells = data.cells(source.dataset)
    X, failed, paths = data.features(source.dataset, recipe)
    y = source.labels(cells)
    fit = source.fit_labels(cells) if hasattr(source, "fit_labels") else y
    keep = y.notna().to_numpy() & ~failed
    fit = fit[keep].reset_index(drop=True)
    if fit.dtype.kind == "f":
        fit = fit.astype(int)
    return (
        X.loc[keep].reset_index(drop=True),
        y[keep].astype(int).reset_index(drop=True),
        fit,
        cells.loc[keep].reset_index(drop=True),
        [p for p, k in zip(paths, keep) if k],
        keep,
    )


