# SPDX-License-Identifier: BSD-3-Clause
"""``ngep importance``: permutation importance of a saved model on labelled data."""

from pathlib import Path

import numpy as np

from ngep.cli._args import add_dataset, add_saved_model
from ngep.cli._errors import EXIT_OK, CLIError
from ngep.cli._extraction import load_labelled
from ngep.cli._output import atomic_write_csv, ensure_writable_dir


def add_arguments(parser):
    add_saved_model(parser)
    add_dataset(parser)
    parser.add_argument("--n-repeats", type=int, default=10)
    parser.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    parser.add_argument("--plot", type=Path, default=None, help="also write a PNG plot")


def run(args):
    from ngep.cli._report import importance_tables, save_importance_plot
    from ngep.pretrained import load_model

    model = load_model(args.model)
    ensure_writable_dir(args.output.parent)
    if "extract" not in getattr(model, "named_steps", {}):
        raise CLIError(f"{args.model} is not an ngep SWC pipeline (no 'extract' step)")
    _, X, y, _, _ = load_labelled(args, like=model.named_steps["extract"])
    table = importance_tables(model[1:], X, np.asarray(y), n_repeats=args.n_repeats)
    atomic_write_csv(table, args.output, index=False)
    if args.plot is not None:
        save_importance_plot(table, args.plot)
    print(table.to_string(index=False))
    return EXIT_OK
