# SPDX-License-Identifier: BSD-3-Clause
"""The ``ngep`` command: a table of commands, argument parsing and dispatch.

Each command is a module ``ngep.cli._cmd_<name>`` with ``NAME``,
``add_parser(subparsers)`` (declares its options) and ``run(args) -> int``
(imports what it needs when it runs, so ``ngep --help`` loads neither torch nor
matplotlib). Adding a command is one module and one row in :data:`COMMANDS`.
Exit codes and error printing live in :mod:`ngep.cli._errors`.
"""

import argparse
import logging
import sys

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
from ngep.cli._errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    is_user_error,
    one_line,
)

#: The sub-commands, in the order ``ngep --help`` lists them.
COMMANDS = (
    _cmd_features,
    _cmd_fit,
    _cmd_predict,
    _cmd_models,
    _cmd_cv,
    _cmd_importance,
    _cmd_compare,
    _cmd_fetch,
    _cmd_demo,
    _cmd_plot,
    _cmd_serve,
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
        command.add_parser(sub).set_defaults(_run=command.run)
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
