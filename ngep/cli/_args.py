# SPDX-License-Identifier: BSD-3-Clause
"""Arguments shared by several ``ngep`` commands, and what they build.

Declaring an option here once keeps its name, default and help text the same in
every command that takes it.
"""

import argparse
from pathlib import Path

from ngep.cli._errors import CLIError

FEATURE_HELP = (
    "feature set: 'base' (5), 'extended' (all), 'robust' (convention-robust), "
    "'scale_free' (size-free part of robust) or comma-separated names"
)
# ngep.morphometrics.PRESETS, spelled out so that --help imports no catalogue
FEATURE_PRESETS = ("base", "extended", "robust", "scale_free")


def coverage(text):
    """argparse type: a fraction strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a fraction strictly between 0 and 1, e.g. 0.9; got {text!r}"
        )
    return value


def parse_features(text):
    """``--features`` text -> a preset name or a list of feature names."""
    if text in FEATURE_PRESETS:
        return text
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise CLIError(
            f"--features is empty; use {' or '.join(map(repr, FEATURE_PRESETS))} "
            "or comma-separated names"
        )
    return names


#: The options several commands share, by name: flags and ``add_argument``
#: keywords. Which command takes which is a column of the command table
#: (:data:`ngep.cli._main.COMMANDS`), so each is declared once.
COMMON_OPTIONS = {
    "cache_dir": (("--cache-dir",), {
        "type": Path, "default": None,
        "help": "cache per-file features here; a rerun reads only new or changed "
        "files"}),
    "n_jobs": (("--n-jobs",), {
        "type": int, "default": None,
        "help": "parallel jobs for feature extraction (default: 1)"}),
    "progress": (("--no-progress",), {
        "dest": "progress", "action": "store_false", "help": "hide progress bars"}),
    "debug": (("--debug",), {
        "action": "store_true", "help": "show full tracebacks on errors"}),
}


def add_common(parser, options, *, defaults=True):
    """Add the shared options named in ``options`` (keys of COMMON_OPTIONS).

    ``defaults=False`` for a sub-command's parser (``ngep fetch allen``) when
    its command's parser has them too: argparse copies every attribute of a
    sub-command's namespace over its parent's, so an option given before the
    sub-command would be reset by the sub-command's default.
    """
    for name in options:
        flags, kwargs = COMMON_OPTIONS[name]
        if not defaults:
            kwargs = {**kwargs, "default": argparse.SUPPRESS}
        parser.add_argument(*flags, **kwargs)


def add_dataset(parser, *, target_required=True):
    """SWC folder and table of targets (``fit``, ``cv``, ``importance``)."""
    parser.add_argument(
        "--swc-dir",
        type=Path,
        required=True,
        help="folder of morphology files (.swc, .swc.gz, .asc, .h5)",
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
        help="column holding the file name without suffix (default: first column)",
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
    parser.add_argument("--features", default="base", help=FEATURE_HELP)
    parser.add_argument(
        "--groups-column",
        default=None,
        help="column of groups (e.g. donor) for grouped CV",
    )


def add_model(parser):
    """The default model's hyperparameters (``fit``, ``cv``)."""
    parser.add_argument(
        "--hidden",
        default="64,64",
        help="hidden layer sizes, comma-separated (default 64,64)",
    )
    parser.add_argument("--max-iter", type=int, default=200, help="training epochs")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--seed", type=int, default=0, help="random seed")


def add_saved_model(parser, *, example=""):
    """The positional ``model``: a saved model file or a shipped model's name."""
    parser.add_argument(
        "model",
        help="model file from 'ngep fit', or the name of a shipped model "
        "(see 'ngep models')" + (f", e.g. {example}" if example else ""),
    )


def model_pipeline(args, task, features):
    """The default pipeline (from a feature table) with the ``add_model`` options."""
    from ngep.pipeline import make_default_pipeline

    hidden = tuple(int(h) for h in str(args.hidden).split(",") if h.strip())
    return make_default_pipeline(
        task=task,
        features=features,
        extract=False,
        hidden_layer_sizes=hidden,
        max_iter=args.max_iter,
        alpha=args.alpha,
        random_state=args.seed,
    )
