# SPDX-License-Identifier: BSD-3-Clause
"""Argument parsing and dispatch for the ``ngep`` command."""

import argparse
import logging
import sys
from pathlib import Path

from ngep._version import __version__

EXIT_OK = 0
EXIT_FAILURES = 1  # --strict and some inputs failed
EXIT_USAGE = 2  # user error: bad input, missing file, bad option

_FEATURE_HELP = "feature set: 'base' (5), 'extended' (all) or comma-separated names"


class CLIError(Exception):
    """A user error: printed as one line on stderr, exit code 2."""


def _coverage(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a fraction strictly between 0 and 1, e.g. 0.9; got {text!r}"
        )
    return value


def _add_common(parser, *, jobs=True):
    if jobs:
        parser.add_argument(
            "--n-jobs",
            type=int,
            default=None,
            help="parallel jobs for feature extraction (default: 1)",
        )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="hide progress bars",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks on errors"
    )


def _add_dataset(parser, *, target_required=True):
    parser.add_argument(
        "--swc-dir",
        type=Path,
        required=True,
        help="folder of SWC files (.swc or .swc.gz)",
    )
    parser.add_argument(
        "--table",
        type=Path,
        required=True,
        help="CSV with one row per neuron: an id column and targets",
    )
    parser.add_argument(
        "--id-column",
        default=None,
        help="column holding the SWC file stem (default: first column)",
    )
    parser.add_argument(
        "--target",
        required=target_required,
        action="append",
        help="target column (repeat for several genes)",
    )
    parser.add_argument(
        "--task",
        choices=("auto", "regression", "classification"),
        default="auto",
        help="default: classification for "
        "binary/categorical targets, regression otherwise",
    )
    parser.add_argument("--features", default="base", help=_FEATURE_HELP)
    parser.add_argument(
        "--groups-column",
        default=None,
        help="column of groups (e.g. donor) for grouped CV",
    )


def _add_model(parser):
    parser.add_argument(
        "--hidden",
        default="64,64",
        help="hidden layer sizes, comma-separated (default 64,64)",
    )
    parser.add_argument("--max-iter", type=int, default=200, help="training epochs")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--seed", type=int, default=0, help="random seed")


def _add_fetch(sub):
    fetch = sub.add_parser(
        "fetch",
        help="download public reconstructions (NeuroMorpho.org, Allen Cell Types)",
        description="Download SWC files and their metadata into a local cache "
        "(a rerun downloads only what is missing) and write DIR/metadata.csv "
        "with one row per neuron and its local SWC path.",
    )
    source = fetch.add_subparsers(dest="source", required=True, metavar="SOURCE")
    nm = source.add_parser("neuromorpho", help="NeuroMorpho.org (CC-BY)")
    nm.add_argument("--species", default=None, help="e.g. mouse")
    nm.add_argument("--brain-region", default=None, help="e.g. neocortex")
    nm.add_argument("--cell-type", default=None, help="e.g. pyramidal")
    allen = source.add_parser("allen", help="Allen Cell Types Database")
    allen.add_argument(
        "--species",
        default="Mus musculus",
        help="'Mus musculus' (default) or 'Homo Sapiens'",
    )
    allen.add_argument(
        "--cre-line",
        action="append",
        default=None,
        help="transgenic line, e.g. Pvalb-IRES-Cre (repeat for several)",
    )
    for parser, url in (
        (nm, "https://neuromorpho.org"),
        (allen, "https://api.brain-map.org"),
    ):
        parser.add_argument(
            "--max-neurons",
            type=int,
            default=100,
            help="at most this many neurons (default 100; 0 for all matches)",
        )
        parser.add_argument(
            "--out",
            type=Path,
            required=True,
            help="folder for metadata.csv (and the SWC files without --cache-dir)",
        )
        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=None,
            help="where the SWC files are kept (default: <out>/cache)",
        )
        parser.add_argument(
            "--retries",
            type=int,
            default=4,
            help="extra attempts after a network error (default 4)",
        )
        parser.add_argument(
            "--base-url", default=url, help=f"root of the service (default {url})"
        )
        parser.add_argument(
            "--rate-limit", type=float, default=0.5, help=argparse.SUPPRESS
        )
        _add_common(parser, jobs=False)


def build_parser():
    """The ``ngep`` argument parser (sub-commands: features, fit, predict, cv,
    importance, fetch, demo)."""
    parser = argparse.ArgumentParser(
        prog="ngep",
        description="Predict gene expression of neurons from their 3D morphology.",
    )
    parser.add_argument("--version", action="version", version=f"ngep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    feats = sub.add_parser("features", help="compute morphometrics of SWC files -> CSV")
    feats.add_argument(
        "swc", nargs="+", type=Path, help="SWC files or folders of SWC files"
    )
    feats.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    feats.add_argument("--features", default="base", help=_FEATURE_HELP)
    feats.add_argument(
        "--compartment",
        default="dendrite",
        choices=("dendrite", "basal", "apical", "axon", "all"),
    )
    feats.add_argument(
        "--failures",
        type=Path,
        default=None,
        help="CSV report of files that failed (default: "
        "<output>.failures.csv when any fail)",
    )
    feats.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any file fails (rows are NaN either way)",
    )
    feats.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="cache per-file results here; a rerun resumes",
    )
    _add_common(feats)

    fit = sub.add_parser("fit", help="fit a model on SWC files and a table -> model")
    _add_dataset(fit)
    _add_model(fit)
    fit.add_argument("-o", "--output", type=Path, required=True, help="model file")
    fit.add_argument(
        "--portable", action="store_true", help="save in the pickle-free format"
    )
    fit.add_argument(
        "--interval",
        type=_coverage,
        default=None,
        metavar="COVERAGE",
        help="regression: add conformal prediction intervals holding the true "
        "value for this fraction of new neurons, e.g. 0.9 ('ngep predict' then "
        "writes lower/upper columns)",
    )
    fit.add_argument(
        "--domain",
        type=_coverage,
        nargs="?",
        const=0.99,
        default=None,
        metavar="QUANTILE",
        help="also learn the applicability domain of the training neurons, "
        "holding this fraction of them (default 0.99); 'ngep predict' then "
        "writes an out_of_domain column",
    )
    _add_common(fit)

    pred = sub.add_parser("predict", help="apply a saved model to SWC files -> CSV")
    pred.add_argument("model", type=Path, help="model file from 'ngep fit'")
    pred.add_argument("swc", nargs="+", type=Path, help="SWC files or folders")
    pred.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    _add_common(pred)

    cv = sub.add_parser("cv", help="cross-validate the default pipeline on your data")
    _add_dataset(cv)
    _add_model(cv)
    cv.add_argument("--n-splits", type=int, default=10)
    cv.add_argument(
        "--baseline",
        action="store_true",
        default=True,
        help="also score a HistGradientBoosting baseline on the same folds",
    )
    cv.add_argument("--no-baseline", dest="baseline", action="store_false")
    cv.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("ngep-cv"),
        help="report folder (default ngep-cv)",
    )
    _add_common(cv)

    imp = sub.add_parser(
        "importance", help="permutation importance of a saved model on labelled data"
    )
    imp.add_argument("model", type=Path, help="model file from 'ngep fit'")
    _add_dataset(imp)
    imp.add_argument("--n-repeats", type=int, default=10)
    imp.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    imp.add_argument("--plot", type=Path, default=None, help="also write a PNG plot")
    _add_common(imp)

    _add_fetch(sub)

    demo = sub.add_parser("demo", help="the main job on built-in synthetic neurons")
    demo.add_argument("--n-neurons", type=int, default=7500)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("ngep-demo"),
        help="output folder (default ngep-demo)",
    )
    demo.add_argument(
        "--quick",
        action="store_true",
        help="a fast smoke run: 600 neurons, 5 folds, few epochs",
    )
    demo.add_argument(
        "--write-swc",
        action="store_true",
        help="write every neuron as an SWC file (default: the first 100)",
    )
    _add_common(demo)
    return parser


def main(argv=None):
    """Run the ``ngep`` command line; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        0 on success, 1 when ``--strict`` and some inputs failed, 2 on a user error.

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    ngep 0.1.0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    from ngep.cli import _commands

    handler = getattr(_commands, f"cmd_{args.command}")
    try:
        return int(handler(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("ngep: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - turned into one line for users
        if args.debug or not _is_user_error(exc):
            raise
        print(f"ngep {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _is_user_error(exc):
    from ngep.exceptions import NgepError

    return isinstance(exc, (CLIError, NgepError, OSError, ValueError, KeyError))


def _one_line(exc):
    text = str(exc).strip().splitlines()
    msg = text[0] if text else type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in msg:
        msg = f"{msg}: {exc.filename}"
    return msg
