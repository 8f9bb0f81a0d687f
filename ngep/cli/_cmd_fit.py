# SPDX-License-Identifier: BSD-3-Clause
"""``ngep fit``: fit a model on SWC files and a table -> model file."""

from pathlib import Path

import numpy as np

from ngep.cli._args import add_dataset, add_model, coverage, model_pipeline
from ngep.cli._errors import EXIT_OK, CLIError
from ngep.cli._extraction import load_labelled
from ngep.cli._output import ensure_writable_dir


def add_arguments(parser):
    add_dataset(parser)
    add_model(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, help="model file")
    parser.add_argument(
        "--portable", action="store_true", help="save in the pickle-free format"
    )
    parser.add_argument(
        "--interval",
        type=coverage,
        default=None,
        metavar="COVERAGE",
        help="regression: add conformal prediction intervals holding the true "
        "value for this fraction of new neurons, e.g. 0.9 ('ngep predict' then "
        "writes lower/upper columns)",
    )
    parser.add_argument(
        "--domain",
        type=coverage,
        nargs="?",
        const=0.99,
        default=None,
        metavar="QUANTILE",
        help="also learn the applicability domain of the training neurons, "
        "holding this fraction of them (default 0.99); 'ngep predict' then "
        "writes an out_of_domain column",
    )


def run(args):
    from sklearn.pipeline import Pipeline

    from ngep.persistence import save

    if args.portable and args.interval is not None:
        raise CLIError(
            "--interval models cannot be saved with --portable (the pickle-free "
            "format does not cover conformal intervals); drop --portable"
        )
    ensure_writable_dir(args.output.parent)
    extractor, X, y, table, task = load_labelled(args, panel=True)
    panel = task == "classification" and len(args.target) > 1
    if panel:
        model = _panel(args, task, extractor.features)
    else:
        model = model_pipeline(args, task, extractor.features)
    if args.interval is not None:
        model = _conformal(args, task, model, table)
    model.fit(X, y)
    if args.interval is not None:
        # ConformalRegressor fits on a 1-D array, which drops the gene name
        # that 'ngep predict' uses for its predicted_<gene> column.
        model[-1].target_names_ = np.asarray(args.target, dtype=object)
    # The saved model raises on a bad file and keeps no cache folder of this machine.
    steps = [("extract", extractor.set_params(errors="raise", cache_dir=None))]
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
    if panel:
        counts = model[-1].n_samples_per_gene_
        extra = " panel (" + ", ".join(f"{g}: {n}" for g, n in counts.items())
        extra += " labelled neurons)"
    print(
        f"ngep: fitted a {task} model{extra} on {len(X)} neurons; "
        f"saved to {args.output}"
    )
    return EXIT_OK


def _panel(args, task, features):
    """One classifier per marker in one GenePanelClassifier (``model`` step).

    The markers' pipelines share their imputation and scaling, fitted once on
    all neurons; each marker's classifier is fitted on the neurons labelled for
    it (a missing label drops the neuron for that marker only).
    """
    from sklearn.pipeline import Pipeline

    from ngep.multigene import GenePanelClassifier

    estimators = [(t, model_pipeline(args, task, features)) for t in args.target]
    bad = [t for t in args.target if "__" in t]
    if bad or len(set(args.target)) < len(args.target):
        raise CLIError(
            f"--target names must be unique and free of '__' for a panel: "
            f"{args.target}"
        )
    return Pipeline([("model", GenePanelClassifier(estimators))])


def _conformal(args, task, model, table):
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
    n_splits = min(5, len(table))
    if args.groups_column:
        groups = table[args.groups_column].to_numpy()
        n_splits = min(n_splits, len(np.unique(groups)))
        if n_splits < 2:
            raise CLIError(
                f"--interval with --groups-column needs 2 or more groups in "
                f"{args.groups_column!r}"
            )
        cv = list(GroupKFold(n_splits).split(np.zeros(len(table)), groups=groups))
    else:
        cv = KFold(n_splits, shuffle=True, random_state=args.seed)
    conformal = ConformalRegressor(Pipeline(model.steps), coverage=args.interval, cv=cv)
    return Pipeline([("model", conformal)])
