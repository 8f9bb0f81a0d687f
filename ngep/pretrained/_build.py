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
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ngep.pretrained._evaluate import (
    baselines,
    grouped_cv,
    make_domain,
    make_model,
    positive_proba,
    roc_auc,
)
from ngep.pretrained._trainset import (
    TrainingData,
    extractor,
    lab_conventions,
    labelled,
)

__all__ = ["build", "build_recipe", "main"]

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


def _is_step(value):
    return all(hasattr(value, a) for a in ("name", "cls", "params"))


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

    data = data if isinstance(data, TrainingData) else TrainingData(data)
    start = time.perf_counter()
    X, y, y_fit, cells, paths, keep = labelled(data, recipe.train, recipe)
    y.name = y_fit.name = recipe.marker
    log(f"{recipe.name}: {len(y)} cells ({int(y.sum())} positive); grouped CV...")
    extras = []
    for source in getattr(recipe, "extra_train", ()):
        X_e, y_e, y_fit_e, _, _, _ = labelled(data, source, recipe)
        extras.append((source, X_e, y_e, y_fit_e))
        log(f"{recipe.name}: + {len(y_e)} {source.dataset} cells in every training "
            "fold")
    extra = None
    if extras:
        extra = tuple(
            pd.concat([e[k] for e in extras], ignore_index=True) for k in (1, 2, 3)
        )
    cv, cv_flagged, shifts = grouped_cv(
        recipe, X, y, y_fit, cells, n_splits, seed, extra=extra, data=data,
        keep=keep,
    )
    X_all, y_all, y_fit_all = X, y, y_fit
    if extra is not None:
        X_all = pd.concat([X, extra[0]], ignore_index=True)
        y_all = pd.concat([y, extra[1]], ignore_index=True)
        y_fit_all = pd.concat([y_fit, extra[2]], ignore_index=True)
        y_all.name = y_fit_all.name = recipe.marker
    extract = extractor(recipe).fit(paths).set_params(errors="raise")
    domain = make_domain(recipe).fit(X_all)
    rest = make_model(recipe).fit(X_all, y_fit_all)
    model = Pipeline([("extract", extract), ("domain", domain), *rest.steps])
    transfer = []
    for label, source in recipe.transfer.items():
        Xt, yt, _, _, _, _ = labelled(data, source, recipe)
        auc = {"this model": roc_auc(yt.to_numpy(), positive_proba(rest, Xt))}
        for name, base in baselines().items():
            fitted = base.fit(X_all, y_all)
            auc[name] = roc_auc(yt.to_numpy(), positive_proba(fitted, Xt))
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


def _recipes():
    from ngep.pretrained._recipes import RECIPES

    return RECIPES


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
    from ngep.pretrained._registry import MANIFEST_FORMAT, MANIFEST_NAME

    recipes = _recipes()
    out = Path(out)
    manifest_path = out / MANIFEST_NAME
    models = {}
    if names and manifest_path.exists():
        models = json.loads(manifest_path.read_text())["models"]
    unknown = sorted(set(names or ()) - set(recipes))
    if unknown:
        raise ValueError(f"no recipe named {unknown}; recipes: {sorted(recipes)}")
    store = TrainingData(data, conversions=lab_conventions() if shifts else None)
    for name in names or sorted(recipes):
        models[name] = build_recipe(
            recipes[name], store, out, n_splits=n_splits, seed=seed, log=log
        )
    models = {k: models[k] for k in sorted(models) if k in recipes}
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
