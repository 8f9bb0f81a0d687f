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

__all__ = ["build", "build_recipe", "main", "make_model"]

_HERE = Path(__file__).resolve().parent
_COMMAND = "python -m ngep.pretrained._build --data ../shared/data"


def _jsonable(value):
    if _is_step(value):
        return {"name": value.name, "class": value.cls,
                "params": _jsonable(value.params)}
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


def _is_step(value):
    return all(hasattr(value, a) for a in ("name", "cls", "params"))


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

    steps = [(s.name, s.build()) for s in recipe.steps]
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

    return DomainCheck(
        ApplicabilityDomain(
            "range",
            quantile=recipe.domain_quantile,
            margin=getattr(recipe, "domain_margin", 0.0),
        )
    )


def _domain_words(recipe):
    span = (
        "the range of the training neurons"
        if recipe.domain_quantile >= 1
        else f"the range of {recipe.domain_quantile:.0%} of the training neurons"
    )
    margin = getattr(recipe, "domain_margin", 0.0)
    if margin:
        span += (
            f", widened on each side by {margin:.0%} of that range (on a log "
            "scale)"
        )
    return f"each measurement must lie within {span}"


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
            ext = _extractor(recipe).set_output(transform="pandas")
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
            ext = _extractor(recipe).set_output(transform="pandas")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Xok = ext.fit_transform([neurons[i] for i in ok])
            X = pd.DataFrame(np.nan, index=range(len(neurons)), columns=Xok.columns)
            X.iloc[ok] = Xok.to_numpy()
            self._converted[key] = X
        return self._converted[key]


def _lab_conventions():
    """The benchmark's lab-convention conversions, when run from the repository."""
    root = _HERE.parents[1]
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


def _labelled(data, source, recipe):
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


def _positive_proba(model, X):
    """Probability of the positive class (label 1) from a fitted classifier."""
    proba = model.predict_proba(X)
    classes = list(getattr(model, "classes_", [0, 1]))
    return proba[:, classes.index(1)]


def _subset_mask(cells, rule):
    mask = np.ones(len(cells), dtype=bool)
    for column, values in rule.items():
        mask &= cells[column].astype(str).isin([str(v) for v in values]).to_numpy()
    return mask


def _grouped_cv(
    recipe, X, y, y_fit, cells, n_splits, seed, *, extra=None, data=None, keep=None
):
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold

    groups = cells[recipe.train.groups].to_numpy()
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = list(cv.split(X, y, groups))
    models = {"this model": make_model(recipe), **_baselines()}
    oof = {name: np.full(len(y), np.nan) for name in models}
    flagged = np.zeros(len(y), dtype=bool)
    fold_models, fold_domains = [], []
    X_e, y_e, y_fit_e = extra if extra is not None else (X.iloc[:0], y[:0], y_fit[:0])
    for train, test in folds:
        # other labs' cells join every training fold, never a test fold
        Xtr, Xte = pd.concat([X.iloc[train], X_e], ignore_index=True), X.iloc[test]
        for name, model in models.items():
            if name == "this model":
                ytr = pd.concat([y_fit.iloc[train], y_fit_e], ignore_index=True)
            else:
                ytr = pd.concat([y.iloc[train], y_e], ignore_index=True)
            with warnings.catch_warnings():  # the final fit still warns
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted = clone(model).fit(Xtr, ytr)
            oof[name][test] = _positive_proba(fitted, Xte)
            if name == "this model":
                fold_models.append(fitted)
        fold_domains.append(_domain(recipe).fit(Xtr))
        flagged[test] = ~fold_domains[-1].in_domain(Xte)
    subsets = {k: _subset_mask(cells, rule) for k, rule in recipe.subsets.items()}
    rows = []
    for name in models:
        row = {"model": name, "auc_all": _auc(y.to_numpy(), oof[name])}
        for k, mask in subsets.items():
            row[f"auc_{k}"] = _auc(y.to_numpy(), oof[name], mask)
        rows.append(row)
    shifts = []
    conversions = data.conversions if data is not None else {}
    for conversion in conversions:
        Xc = data.converted(recipe.train.dataset, recipe, conversion)
        Xc = Xc.loc[keep].reset_index(drop=True)
        score = np.full(len(y), np.nan)
        out = np.zeros(len(y), dtype=bool)
        for (_, test), model, domain in zip(folds, fold_models, fold_domains):
            score[test] = _positive_proba(model, Xc.iloc[test])
            out[test] = ~domain.in_domain(Xc.iloc[test])
        row = {"conversion": conversion, "auc_all": _auc(y.to_numpy(), score)}
        for k, mask in subsets.items():
            row[f"auc_{k}"] = _auc(y.to_numpy(), score, mask)
        row["out_of_domain_fraction"] = float(out.mean())
        shifts.append(row)
    cv = {
        "n_splits": n_splits,
        "groups": recipe.train.groups,
        "rows": rows,
        "subsets": {
            k: f"{int(m.sum())} cells with "
            + " and ".join(f"{c} in {list(v)}" for c, v in recipe.subsets[k].items())
            for k, m in subsets.items()
        },
    }
    return cv, float(flagged.mean()), shifts


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
    X, y, y_fit, cells, paths, keep = _labelled(data, recipe.train, recipe)
    y.name = y_fit.name = recipe.marker
    log(f"{recipe.name}: {len(y)} cells ({int(y.sum())} positive); grouped CV...")
    extras = []
    for source in getattr(recipe, "extra_train", ()):
        X_e, y_e, y_fit_e, _, _, _ = _labelled(data, source, recipe)
        extras.append((source, X_e, y_e, y_fit_e))
        log(f"{recipe.name}: + {len(y_e)} {source.dataset} cells in every training "
            "fold")
    extra = None
    if extras:
        extra = tuple(
            pd.concat([e[k] for e in extras], ignore_index=True) for k in (1, 2, 3)
        )
    cv, cv_flagged, shifts = _grouped_cv(
        recipe, X, y, y_fit, cells, n_splits, seed, extra=extra, data=data,
        keep=keep,
    )
    X_all, y_all, y_fit_all = X, y, y_fit
    if extra is not None:
        X_all = pd.concat([X, extra[0]], ignore_index=True)
        y_all = pd.concat([y, extra[1]], ignore_index=True)
        y_fit_all = pd.concat([y_fit, extra[2]], ignore_index=True)
        y_all.name = y_fit_all.name = recipe.marker
    extract = _extractor(recipe).fit(paths).set_params(errors="raise")
    domain = _domain(recipe).fit(X_all)
    rest = make_model(recipe).fit(X_all, y_fit_all)
    model = Pipeline([("extract", extract), ("domain", domain), *rest.steps])
    transfer = []
    for label, source in recipe.transfer.items():
        Xt, yt, _, _, _, _ = _labelled(data, source, recipe)
        auc = {"this model": _auc(yt.to_numpy(), _positive_proba(rest, Xt))}
        for name, base in _baselines().items():
            fitted = base.fit(X_all, y_all)
            auc[name] = _auc(yt.to_numpy(), _positive_proba(fitted, Xt))
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
        "extra_sources": [
            {
                "dataset": source.dataset,
                "description": source.description,
                "n_cells": int(len(y_e)),
                "n_positive": int(y_e.sum()),
                "n_negative": int((y_e == 0).sum()),
            }
            for source, _, y_e, _ in extras
        ],
        "n_training_cells": int(len(y_all)),
        "features": [str(f) for f in extract.feature_names_],
        "compartment": _jsonable(recipe.compartment),
        "frame": recipe.frame,
        "steps": [
            ["extract", "ngep.transformers.MorphologyExtractor", {}],
            ["domain", "ngep.uncertainty.DomainCheck", {}],
        ]
        + [[s.name, s.cls, _jsonable(s.params)] for s in recipe.steps],
        "metrics": {
            "grouped_cv": cv,
            "transfer": transfer,
            "convention_shift": shifts,
        },
        "domain": {
            "method": "range",
            "quantile": recipe.domain_quantile,
            "margin": getattr(recipe, "domain_margin", 0.0),
            "description": _domain_words(recipe),
            "cv_out_of_domain_fraction": cv_flagged,
        },
        "not_for": list(recipe.not_for),
        "why": getattr(recipe, "why", ""),
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


def build(
    data, out, docs=None, *, names=None, n_splits=5, seed=0, shifts=True, log=print
):
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
    shifts : bool, default=True
        Also score each recipe's held-out cells converted to other labs'
        conventions (``benchmarks/lab_conventions.py``; skipped outside the
        repository).
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
    store = _Data(data, conversions=_lab_conventions() if shifts else None)
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
    parser.add_argument(
        "--no-shifts", dest="shifts", action="store_false",
        help="skip the convention-shift table (about 20 s)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(args.data, args.out, args.docs, names=args.only, n_splits=args.n_splits,
          seed=args.seed, shifts=args.shifts,
          log=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
