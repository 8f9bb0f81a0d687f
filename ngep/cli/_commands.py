# SPDX-License-Identifier: BSD-3-Clause
"""Handlers of the ``ngep`` sub-commands: arguments in, API calls, files out.

Each handler imports the heavy modules it needs when it runs, so ``ngep --help``
stays fast.
"""

import sys
import warnings
from pathlib import Path

import numpy as np

from ngep.cli._data import collect_swc, infer_task, match_dataset
from ngep.cli._main import EXIT_FAILURES, EXIT_OK, CLIError
from ngep.cli._output import atomic_write_csv, ensure_writable_dir


def _parse_features(text):
    if text in ("base", "extended"):
        return text
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise CLIError("--features is empty; use 'base', 'extended' or names")
    return names


def _extract(paths, args, *, features=None, compartment="dendrite", cache_dir=None):
    """Extract features with errors='warn'; return (DataFrame, failures DataFrame)."""
    from ngep.exceptions import FeatureExtractionWarning
    from ngep.transformers import MorphologyExtractor

    extractor = MorphologyExtractor(
        features=features if features is not None else _parse_features(args.features),
        compartment=compartment,
        errors="warn",
        n_jobs=args.n_jobs,
        progress=args.progress,
        cache_dir=cache_dir,
    ).set_output(transform="pandas")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X = extractor.fit_transform([str(p) for p in paths])
    _summarise_warnings(caught, FeatureExtractionWarning)
    failures = extractor.failures_
    if len(failures):
        print(
            f"ngep: {len(failures)} of {len(paths)} file(s) could not be featurised "
            f"(first: {failures.iloc[0]['path']}: {failures.iloc[0]['reason']})",
            file=sys.stderr,
        )
    return extractor, X, failures


def _summarise_warnings(caught, skip):
    """One stderr line per kind of warning instead of one per file."""
    from collections import Counter

    kinds = Counter()
    first = {}
    for w in caught:
        if issubclass(w.category, skip):
            continue  # reported through the failure report
        kinds[w.category.__name__] += 1
        first.setdefault(w.category.__name__, str(w.message))
    for name, count in kinds.items():
        print(f"ngep: {count} {name}(s), e.g. {first[name]}", file=sys.stderr)


def cmd_features(args):
    paths = collect_swc(args.swc)
    ensure_writable_dir(args.output.parent)
    extractor, X, failures = _extract(
        paths, args, compartment=args.compartment, cache_dir=args.cache_dir
    )
    X.insert(0, "path", [str(p) for p in paths])
    X.index = [p.name for p in paths]
    X.index.name = "file"
    atomic_write_csv(X, args.output)
    if len(failures):
        report = args.failures or args.output.with_suffix(".failures.csv")
        atomic_write_csv(failures, report, index=False)
        print(f"ngep: failure report written to {report}", file=sys.stderr)
    print(f"ngep: wrote {len(X)} rows x {X.shape[1] - 1} features to {args.output}")
    return EXIT_FAILURES if (args.strict and len(failures)) else EXIT_OK


def _load_labelled(args):
    paths, frame = match_dataset(
        args.swc_dir,
        args.table,
        args.id_column,
        args.target,
        groups_column=args.groups_column,
    )
    extractor, X, failures = _extract(paths, args)
    ok = np.ones(len(paths), dtype=bool)
    if len(failures):
        ok[failures["index"].to_numpy()] = False
        print(
            f"ngep: leaving out {int((~ok).sum())} neuron(s) whose files failed",
            file=sys.stderr,
        )
    frame = frame.loc[ok].reset_index(drop=True)
    X = X.loc[ok].reset_index(drop=True)
    y = frame[args.target[0]] if len(args.target) == 1 else frame[args.target]
    task = infer_task(y, args.task)
    if task == "classification" and len(args.target) > 1:
        raise CLIError("classification takes one --target; fit one model per marker")
    return extractor, X, y, frame, task


def _model_pipeline(args, task, features):
    from ngep.pipeline import make_pipeline

    hidden = tuple(int(h) for h in str(args.hidden).split(",") if h.strip())
    return make_pipeline(
        task=task,
        features=features,
        extract=False,
        hidden_layer_sizes=hidden,
        max_iter=args.max_iter,
        alpha=args.alpha,
        random_state=args.seed,
    )


def cmd_fit(args):
    from sklearn.pipeline import Pipeline

    from ngep.persistence import save

    if args.portable and (args.interval is not None or args.domain is not None):
        raise CLIError(
            "--interval and --domain models cannot be saved with --portable (the "
            "pickle-free format does not cover them); drop --portable"
        )
    ensure_writable_dir(args.output.parent)
    extractor, X, y, frame, task = _load_labelled(args)
    model = _model_pipeline(args, task, extractor.features)
    if args.interval is not None:
        model = _conformal(args, task, model, frame)
    model.fit(X, y)
    if args.interval is not None:
        # ConformalRegressor fits on a 1-D array, which drops the gene name
        # that 'ngep predict' uses for its predicted_<gene> column.
        model[-1].target_names_ = np.asarray(args.target, dtype=object)
    steps = [("extract", extractor.set_params(errors="raise"))]
    if args.domain is not None:
        from ngep.uncertainty import ApplicabilityDomain, DomainCheck

        domain = ApplicabilityDomain(quantile=args.domain, robust=False)
        steps.append(("domain", DomainCheck(domain).fit(X)))
        inside = steps[-1][1].in_domain(X)
        print(
            f"ngep: applicability domain learnt; {int((~inside).sum())} of "
            f"{len(X)} training neurons fall outside it"
        )
    full = Pipeline(steps + model.steps)
    save(full, args.output, format="portable" if args.portable else "joblib")
    extra = f" with {args.interval:.0%} intervals" if args.interval else ""
    print(
        f"ngep: fitted a {task} model{extra} on {len(X)} neurons; "
        f"saved to {args.output}"
    )
    return EXIT_OK


def _conformal(args, task, model, frame):
    """Wrap the feature-table pipeline in a ConformalRegressor (one ``model`` step)."""
    from sklearn.model_selection import GroupKFold, KFold
    from sklearn.pipeline import Pipeline

    from ngep.uncertainty import ConformalRegressor

    if task != "regression":
        raise CLIError(
            "--interval is for regression targets; for a marker, 'ngep predict' "
            "already writes class probabilities"
        )
    if len(args.target) > 1:
        raise CLIError("--interval takes one --target; fit one model per gene")
    n_splits = min(5, len(frame))
    if args.groups_column:
        groups = frame[args.groups_column].to_numpy()
        n_splits = min(n_splits, len(np.unique(groups)))
        if n_splits < 2:
            raise CLIError(
                f"--interval with --groups-column needs 2 or more groups in "
                f"{args.groups_column!r}"
            )
        cv = list(GroupKFold(n_splits).split(np.zeros(len(frame)), groups=groups))
    else:
        cv = KFold(n_splits, shuffle=True, random_state=args.seed)
    conformal = ConformalRegressor(Pipeline(model.steps), coverage=args.interval, cv=cv)
    return Pipeline([("model", conformal)])


def cmd_predict(args):
    from ngep.persistence import load

    model = load(args.model)
    ensure_writable_dir(args.output.parent)
    paths = collect_swc(args.swc)
    if "extract" not in getattr(model, "named_steps", {}):
        raise CLIError(f"{args.model} is not an ngep SWC pipeline (no 'extract' step)")
    extractor = model.named_steps["extract"]
    _, X, failures = _extract(
        paths, args, features=extractor.features, compartment=extractor.compartment
    )
    import pandas as pd

    rest = model[1:]
    ok = np.ones(len(paths), dtype=bool)
    if len(failures):
        ok[failures["index"].to_numpy()] = False
    out = pd.DataFrame(
        {"file": [p.name for p in paths], "path": [str(p) for p in paths]}
    )
    out["status"] = "ok"
    if len(failures):
        out.loc[failures["index"].to_numpy(), "status"] = (
            "failed: " + failures["reason"].astype(str)
        ).to_numpy()
    if ok.any():
        Xok = X.loc[ok]
        from ngep.uncertainty import ConformalRegressor

        has_interval = isinstance(rest[-1], ConformalRegressor)
        if has_interval:
            Xt = rest[:-1].transform(Xok) if len(rest) > 1 else Xok
            pred, lower, upper = rest[-1].predict(Xt, return_interval=True)
        else:
            pred = np.asarray(rest.predict(Xok))
        columns = _prediction_columns(model, pred)
        pred2 = pred.reshape(len(pred), -1) if pred.dtype != object else pred[:, None]
        for j, name in enumerate(columns):
            col = pd.Series(
                [np.nan] * len(paths), dtype=object if pred.dtype == object else float
            )
            col[ok] = pred2[:, j]
            out[name] = col
        if has_interval:
            for name, values in (("lower", lower), ("upper", upper)):
                out[name] = np.nan
                out.loc[ok, name] = values
        if hasattr(rest, "predict_proba"):
            proba = rest.predict_proba(Xok)
            for j, cls in enumerate(rest.classes_):
                col = np.full(len(paths), np.nan)
                col[ok] = proba[:, j]
                out[f"proba_{cls}"] = col
        if "domain" in model.named_steps:
            flag = pd.Series([pd.NA] * len(paths), dtype="boolean")
            flag[ok] = ~model.named_steps["domain"].in_domain(Xok)
            out["out_of_domain"] = flag
            n_out = int(flag.sum())
            if n_out:
                print(
                    f"ngep: {n_out} neuron(s) lie outside the training domain "
                    "(out_of_domain); treat their predictions with caution",
                    file=sys.stderr,
                )
    atomic_write_csv(out, args.output, index=False)
    print(
        f"ngep: wrote {int(ok.sum())} predictions ({int((~ok).sum())} failed files "
        f"marked) to {args.output}"
    )
    return EXIT_OK


def _prediction_columns(model, pred):
    targets = getattr(model[-1], "target_names_", None)
    n = 1 if pred.ndim == 1 else pred.shape[1]
    if targets is not None and len(targets) == n:
        return [f"predicted_{t}" for t in targets]
    return ["predicted"] if n == 1 else [f"predicted_{j}" for j in range(n)]


def cmd_cv(args):
    from ngep.cli._report import run_cv_report

    out = ensure_writable_dir(args.output)
    extractor, X, y, frame, task = _load_labelled(args)
    model = _model_pipeline(args, task, extractor.features)
    groups = frame[args.groups_column].to_numpy() if args.groups_column else None
    ids = frame[args.id_column or frame.columns[0]].astype(str).to_numpy()
    run_cv_report(
        model,
        X,
        y,
        task=task,
        groups=groups,
        ids=ids,
        out=out,
        n_splits=args.n_splits,
        baseline=args.baseline,
        seed=args.seed,
        target_name=", ".join(args.target),
    )
    return EXIT_OK


def cmd_importance(args):
    from ngep.cli._report import importance_tables, save_importance_plot
    from ngep.persistence import load

    model = load(args.model)
    ensure_writable_dir(args.output.parent)
    if "extract" not in getattr(model, "named_steps", {}):
        raise CLIError(f"{args.model} is not an ngep SWC pipeline (no 'extract' step)")
    extractor = model.named_steps["extract"]
    args.features = ",".join(extractor.feature_names_)
    _, X, y, _, _ = _load_labelled(args)
    table = importance_tables(model[1:], X, np.asarray(y), n_repeats=args.n_repeats)
    atomic_write_csv(table, args.output, index=False)
    if args.plot is not None:
        save_importance_plot(table, args.plot)
    print(table.to_string(index=False))
    return EXIT_OK


def cmd_fetch(args):
    from ngep.cli._fetch import run_fetch

    return run_fetch(args)


def cmd_demo(args):
    from ngep.cli._demo import run_demo

    run_demo(
        n_neurons=args.n_neurons,
        seed=args.seed,
        out=Path(args.out),
        quick=args.quick,
        n_jobs=args.n_jobs,
        progress=args.progress,
        write_swc=args.write_swc,
    )
    return EXIT_OK
