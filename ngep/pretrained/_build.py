# SPDX-License-Identifier: BSD-3-Clause
"""Build the shipped models from their recipes: train, measure, write, document.

Run from the repository root::

    python -m ngep.pretrained._build --data ../shared/data

For every recipe in :mod:`ngep.pretrained._recipes` it reads the labelled
cells, extracts the recipe's features, measures grouped-CV ROC AUC of the
recipe beside logistic regression and HistGradientBoosting on the same folds
(all cells and each named subset), fits the recipe on all cells, scores it on
the recipe's other-lab test sets, and writes the pickle-free model file, the
manifest (SHA-256, metrics, label source...) into ``--out`` and one model card
per model into ``--docs``. Takes a few minutes on two cores.
"""

import argparse
import datetime
import hashlib
import importlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["build", "build_recipe", "labels_of", "main", "make_model"]

_HERE = Path(__file__).resolve().parent
_COMMAND = "python -m ngep.pretrained._build --data ../shared/data"


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _class(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def labels_of(cells, source):
    """Labels of a table's cells under a :class:`LabelSource`: 1, 0 or NaN.

    Parameters
    ----------
    cells : DataFrame
        The dataset's ``cells.csv``.
    source : LabelSource
        Which cells are positive and negative.

    Returns
    -------
    Series of float
        1.0 positive, 0.0 negative, NaN neither (unlabelled).
    """

    def match(rule):
        ok = np.ones(len(cells), dtype=bool)
        for column, values in rule.items():
            col = cells[column]
            hit = np.zeros(len(cells), dtype=bool)
            for v in values:
                if isinstance(v, (int, float)):
                    hit |= pd.to_numeric(col, errors="coerce").to_numpy() == v
                else:
                    hit |= (col.astype(str) == str(v)).to_numpy()
            ok &= hit
        return ok

    pos, neg = match(source.positive), match(source.negative)
    if (pos & neg).any():
        raise ValueError(
            f"{source.dataset}: {int((pos & neg).sum())} cells are both positive "
            "and negative under the recipe's label rules; fix the recipe."
        )
    y = np.full(len(cells), np.nan)
    y[pos], y[neg] = 1.0, 0.0
    return pd.Series(y, index=cells.index)


def make_model(recipe):
    """The recipe's unfitted steps after extraction, as a Pipeline on features.

    Parameters
    ----------
    recipe : Recipe
        From :data:`~ngep.pretrained._recipes.RECIPES`.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    from sklearn.pipeline import Pipeline

    steps = [(s.name, _class(s.cls)(**dict(s.params))) for s in recipe.steps]
    # Named columns all the way down, as the shipped pipeline passes them.
    return Pipeline(steps).set_output(transform="pandas")


def _extractor(recipe):
    from ngep.transformers import MorphologyExtractor

    return MorphologyExtractor(
        features=list(recipe.features),
        compartment=recipe.compartment,
        frame=recipe.frame,
        errors="warn",
    )


def _domain(recipe):
    from ngep.uncertainty import ApplicabilityDomain, DomainCheck

    return DomainCheck(ApplicabilityDomain("range", quantile=recipe.domain_quantile))


def _baselines():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def prep():
        return [SimpleImputer(strategy="median"), StandardScaler()]

    return {
        "logistic regression": make_pipeline(
            *prep(), LogisticRegression(class_weight="balanced", max_iter=2000)
        ),
        "HistGradientBoosting": make_pipeline(
            *prep(),
            HistGradientBoostingClassifier(class_weight="balanced", random_state=0),
        ),
    }


def _auc(y, score, mask=None):
    from sklearn.metrics import roc_auc_score

    if mask is not None:
        y, score = y[mask], score[mask]
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, score))


class _Data:
    """Per-dataset tables and feature matrices, each extracted once."""

    def __init__(self, root):
        self.root = Path(root)
        self._cells = {}
        self._features = {}

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
            ext = _extractor(recipe).set_output(transform="pandas")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                X = ext.fit_transform(paths)
            failed = np.zeros(len(paths), dtype=bool)
            failed[ext.failures_["index"].to_numpy()] = True
            self._features[key] = (X, failed, paths)
        return self._features[key]


def _labelled(data, source, recipe):
    cells = data.cells(source.dataset)
    X, failed, paths = data.features(source.dataset, recipe)
    y = labels_of(cells, source)
    keep = y.notna().to_numpy() & ~failed
    return (
        X.loc[keep].reset_index(drop=True),
        y[keep].astype(int).reset_index(drop=True),
        cells.loc[keep].reset_index(drop=True),
        [p for p, k in zip(paths, keep) if k],
    )


def _subset_mask(cells, rule):
    mask = np.ones(len(cells), dtype=bool)
    for column, values in rule.items():
        mask &= cells[column].astype(str).isin([str(v) for v in values]).to_numpy()
    return mask


def _grouped_cv(recipe, X, y, cells, n_splits, seed):
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold

    groups = cells[recipe.train.groups].to_numpy()
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = list(cv.split(X, y, groups))
    models = {"this model": make_model(recipe), **_baselines()}
    oof = {name: np.full(len(y), np.nan) for name in models}
    flagged = np.zeros(len(y), dtype=bool)
    for train, test in folds:
        Xtr, ytr, Xte = X.iloc[train], y.iloc[train], X.iloc[test]
        for name, model in models.items():
            with warnings.catch_warnings():  # the final fit still warns
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted = clone(model).fit(Xtr, ytr)
            oof[name][test] = fitted.predict_proba(Xte)[:, 1]
        flagged[test] = ~_domain(recipe).fit(Xtr).in_domain(Xte)
    subsets = {k: _subset_mask(cells, rule) for k, rule in recipe.subsets.items()}
    rows = []
    for name in models:
        row = {"model": name, "auc_all": _auc(y.to_numpy(), oof[name])}
        for k, mask in subsets.items():
            row[f"auc_{k}"] = _auc(y.to_numpy(), oof[name], mask)
        rows.append(row)
    return {
        "n_splits": n_splits,
        "groups": recipe.train.groups,
        "rows": rows,
        "subsets": {
            k: f"{int(m.sum())} cells with "
            + " and ".join(f"{c} in {list(v)}" for c, v in recipe.subsets[k].items())
            for k, m in subsets.items()
        },
    }, float(flagged.mean())


def build_recipe(recipe, data, out, *, n_splits=5, seed=0, log=print):
    """Train, measure and save one recipe; return its manifest entry.

    Parameters
    ----------
    recipe : Recipe
        The recipe.
    data : str or Path
        Folder holding the datasets (``../shared/data``).
    out : str or Path
        Folder for the model file.
    n_splits : int, default=5
        Grouped-CV folds.
    seed : int, default=0
        Seed of the fold assignment.
    log : callable, default=print
        Progress messages.

    Returns
    -------
    dict
        ``{"file", "sha256", "bytes", "info"}``.
    """
    from sklearn import __version__ as sklearn_version
    from sklearn.pipeline import Pipeline

    from ngep._version import __version__
    from ngep.persistence import save

    data = data if isinstance(data, _Data) else _Data(data)
    start = time.perf_counter()
    X, y, cells, paths = _labelled(data, recipe.train, recipe)
    y.name = recipe.marker
    log(f"{recipe.name}: {len(y)} cells ({int(y.sum())} positive); grouped CV...")
    cv, cv_flagged = _grouped_cv(recipe, X, y, cells, n_splits, seed)
    extract = _extractor(recipe).fit(paths).set_params(errors="raise")
    domain = _domain(recipe).fit(X)
    rest = make_model(recipe).fit(X, y)
    model = Pipeline([("extract", extract), ("domain", domain), *rest.steps])
    transfer = []
    for label, source in recipe.transfer.items():
        Xt, yt, _, _ = _labelled(data, source, recipe)
        auc = {"this model": _auc(yt.to_numpy(), rest.predict_proba(Xt)[:, 1])}
        for name, base in _baselines().items():
            auc[name] = _auc(yt.to_numpy(), base.fit(X, y).predict_proba(Xt)[:, 1])
        transfer.append(
            {
                "name": label,
                "dataset": source.dataset,
                "description": source.description,
                "n_cells": int(len(yt)),
                "n_positive": int(yt.sum()),
                "auc": auc,
                "out_of_domain_fraction": float(np.mean(~domain.in_domain(Xt))),
            }
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    file = f"{recipe.name}.ngep-portable"
    save(model, out / file, format="portable")
    blob = (out / file).read_bytes()
    src = recipe.train
    info = {
        "name": recipe.name,
        "marker": recipe.marker,
        "target": recipe.target,
        "contrast": recipe.contrast,
        "classes": [int(c) for c in rest[-1].classes_],
        "positive_class": 1,
        "species": recipe.species,
        "region": recipe.region,
        "label_source": {
            "dataset": src.dataset,
            "description": src.description,
            "positive": _jsonable(src.positive),
            "negative": _jsonable(src.negative),
            "n_cells": int(len(y)),
            "n_positive": int(y.sum()),
            "n_negative": int((y == 0).sum()),
            "groups": "donor" if src.groups == "donor__id" else src.groups,
            "n_groups": int(cells[src.groups].nunique()),
        },
        "features": [str(f) for f in extract.feature_names_],
        "compartment": recipe.compartment,
        "frame": recipe.frame,
        "steps": [
            ["extract", "ngep.transformers.MorphologyExtractor", {}],
            ["domain", "ngep.uncertainty.DomainCheck", {}],
        ]
        + [[s.name, s.cls, _jsonable(s.params)] for s in recipe.steps],
        "metrics": {"grouped_cv": cv, "transfer": transfer},
        "domain": {
            "method": "range",
            "quantile": recipe.domain_quantile,
            "description": "each measurement within "
            + (
                "the span of every training neuron"
                if recipe.domain_quantile >= 1
                else f"the span of {recipe.domain_quantile:.0%} of training neurons"
            )
            + ", measured on a log scale from the training median in units of "
            "the interquartile range",
            "cv_out_of_domain_fraction": cv_flagged,
        },
        "not_for": list(recipe.not_for),
        "build": {
            "ngep": __version__,
            "scikit-learn": sklearn_version,
            "command": _COMMAND,
            "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%d"
            ),
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
    row = cv["rows"][0]
    log(
        f"{recipe.name}: grouped-CV AUC {row['auc_all']:.3f}; "
        f"{len(blob) / 1024:.0f} KiB in {info['build']['seconds']:.0f} s"
    )
    return {
        "file": file,
        "sha256": hashlib.sha256(blob).hexdigest(),
        "bytes": len(blob),
        "info": info,
    }


def build(data, out, docs=None, *, names=None, n_splits=5, seed=0, log=print):
    """Build every recipe (or ``names``), write the manifest and the cards.

    Parameters
    ----------
    data : str or Path
        Folder holding the datasets (``../shared/data``).
    out : str or Path
        Folder for model files and ``manifest.json``.
    docs : str or Path or None, default=None
        Folder for one Markdown model card per model (``<name>.md``).
    names : list of str or None, default=None
        Build only these recipes; the manifest keeps the other entries.
    n_splits : int, default=5
        Grouped-CV folds.
    seed : int, default=0
        Seed of the fold assignment.
    log : callable, default=print
        Progress messages.

    Returns
    -------
    dict
        The manifest written.
    """
    from ngep.pretrained._card import render_card
    from ngep.pretrained._recipes import RECIPES
    from ngep.pretrained._registry import MANIFEST_FORMAT, MANIFEST_NAME

    out = Path(out)
    manifest_path = out / MANIFEST_NAME
    models = {}
    if names and manifest_path.exists():
        models = json.loads(manifest_path.read_text())["models"]
    unknown = sorted(set(names or ()) - set(RECIPES))
    if unknown:
        raise ValueError(f"no recipe named {unknown}; recipes: {sorted(RECIPES)}")
    store = _Data(data)
    for name in names or sorted(RECIPES):
        models[name] = build_recipe(
            RECIPES[name], store, out, n_splits=n_splits, seed=seed, log=log
        )
    models = {k: models[k] for k in sorted(models) if k in RECIPES}
    for stale in out.glob("*.ngep-portable"):
        if stale.name not in {m["file"] for m in models.values()}:
            stale.unlink()
    manifest = {"format": MANIFEST_FORMAT, "format_version": 1, "models": models}
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    manifest_path.write_text(text, encoding="utf-8")
    if docs is not None:
        docs = Path(docs)
        docs.mkdir(parents=True, exist_ok=True)
        for name, entry in models.items():
            info = dict(entry["info"], file=entry["file"], sha256=entry["sha256"],
                        bytes=entry["bytes"])
            (docs / f"{name}.md").write_text(render_card(info), encoding="utf-8")
    return manifest


def main(argv=None):
    """Command line: ``python -m ngep.pretrained._build --data DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m ngep.pretrained._build",
        description="Train every pretrained-model recipe on the real data, measure "
        "it beside baselines, and write the model files, manifest and model cards.",
    )
    parser.add_argument(
        "--data", type=Path, required=True,
        help="folder holding allen-v1-mouse/ and bbp-rat-somatosensory/",
    )
    parser.add_argument(
        "--out", type=Path, default=_HERE / "models",
        help="model files + manifest (default: ngep/pretrained/models)",
    )
    parser.add_argument(
        "--docs", type=Path, default=_HERE.parents[1] / "docs" / "pretrained",
        help="model cards, one Markdown page per model (default: docs/pretrained)",
    )
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="build only this recipe (repeatable)")
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(args.data, args.out, args.docs, names=args.only, n_splits=args.n_splits,
          seed=args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
