# SPDX-License-Identifier: BSD-3-Clause
"""The ``ngep`` command: a table of commands, argument parsing and dispatch.

Each command is a module ``ngep.cli._cmd_<name>`` with ``add_arguments(parser)``
(declares its own options; returns the parsers of its sub-commands, if it has
any: the shared options then go on those too), ``run(args) -> int`` (imports
what it needs when it runs, so ``ngep --help`` loads neither torch nor
matplotlib) and optionally a ``DESCRIPTION`` for its ``--help``. Its name,
one-line help and the shared options it takes
(:data:`ngep.cli._args.COMMON_OPTIONS`) are a row of :data:`COMMANDS`, as in
pip's command table. Adding a command is one module and one row. Exit codes and
error printing live in :mod:`ngep.cli._errors`.
"""

import argparse
import logging
import sys
from types import ModuleType
from typing import NamedTuple

from ngep._version import __version__
from ngep.cli import (
    _cmd_compare,
    _cmd_cv,
    _cmd_demo,
    _cmd_features,
    _cmd_fetch,
    _cmd_fit,
    _cmd_importance,
    _cmd_models,
    _cmd_plot,
    _cmd_predict,
    _cmd_serve,
)
from ngep.cli._args import add_common
from ngep.cli._errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    is_user_error,
    one_line,
)


class Command(NamedTuple):
    """A row of :data:`COMMANDS`: one sub-command."""

    name: str
    module: ModuleType
    help: str
    #: Shared options it takes, keys of ``COMMON_OPTIONS``.
    options: tuple = ("debug",)


#: The shared options of commands that read many files: jobs and progress bars.
BATCH = ("n_jobs", "progress", "debug")
#: ... and of those that featurise files, with a cache of per-file features.
FEATURISE = ("cache_dir", *BATCH)

#: The sub-commands, in the order ``ngep --help`` lists them.
COMMANDS = (
    Command("features", _cmd_features,
            "compute morphometrics of neurons (SWC, ASC, H5) -> CSV",
            FEATURISE),
    Command("fit", _cmd_fit,
            "fit a model on SWC files and a table -> model",
            FEATURISE),
    Command("predict", _cmd_predict,
            "apply a saved or shipped model to neurons (SWC, ASC, H5) -> CSV",
            FEATURISE),
    Command("models", _cmd_models,
            "list the shipped pretrained models, or print one's model card"),
    Command("cv", _cmd_cv,
            "cross-validate the default pipeline on your data",
            FEATURISE),
    Command("importance", _cmd_importance,
            "permutation importance of a saved model on labelled data",
            FEATURISE),
    Command("compare", _cmd_compare,
            "compare groups of neurons feature by feature (effect, p, q, plots)",
            FEATURISE),
    Command("fetch", _cmd_fetch,
            "download public reconstructions (NeuroMorpho.org, Allen Cell Types)",
            ("progress", "debug")),
    Command("demo", _cmd_demo,
            "the main job on built-in synthetic neurons",
            BATCH),
    Command("plot", _cmd_plot,
            "draw neurons (SWC, ASC, H5) -> PNG/SVG"),
    Command("serve", _cmd_serve,
            "a web page (and JSON API) that predicts for uploaded neurons"),
)


def build_parser():
    """The ``ngep`` argument parser, one sub-parser per row of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="ngep",
        description="Predict gene expression of neurons from their 3D morphology.",
    )
    parser.add_argument("--version", action="version", version=f"ngep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command_parser = sub.add_parser(
            command.name,
            help=command.help,
            description=getattr(command.module, "DESCRIPTION", None),
        )
        command_parser.set_defaults(_run=command.module.run)
        # A command with sub-commands (``ngep fetch allen``) returns their
        # parsers: the shared options go before and after the sub-command.
        leaves = command.module.add_arguments(command_parser) or ()
        add_common(command_parser, command.options)
        for leaf in leaves:
            add_common(leaf, command.options, defaults=False)
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
        0 on success, 1 when ``--strict`` and some inputs failed, 2 on a user error,
        130 when interrupted.

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    ngep 0.1.0
    """
    args = build_parser().parse_args(argv)
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        return int(args._run(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("ngep: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - turned into one line for users
        if args.debug or not is_user_error(exc):
            raise
        print(f"ngep {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
