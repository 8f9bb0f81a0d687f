# SPDX-License-Identifier: BSD-3-Clause
"""``ngep cv``: cross-validate the default pipeline on the user's data."""

from pathlib import Path

from ngep.cli._args import add_dataset, add_model, model_pipeline
from ngep.cli._errors import EXIT_OK
from ngep.cli._extraction import load_labelled
from ngep.cli._output import ensure_writable_dir


def add_arguments(parser):
    add_dataset(parser)
    add_model(parser)
    parser.add_argument("--n-splits", type=int, default=10)
    parser.add_argument(
        "--baseline",
        action="store_true",
        default=True,
        help="also score a HistGradientBoosting baseline on the same folds",
    )
    parser.add_argument("--no-baseline", dest="baseline", action="store_false")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("ngep-cv"),
        help="report folder (default ngep-cv)",
    )


def run(args):
    from ngep.cli._report import run_cv_report

    out = ensure_writable_dir(args.output)
    extractor, X, y, table, task = load_labelled(args)
    model = model_pipeline(args, task, extractor.features)
    groups = table[args.groups_column].to_numpy() if args.groups_column else None
    ids = table[args.id_column or table.columns[0]].astype(str).to_numpy()
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
