# SPDX-License-Identifier: BSD-3-Clause
"""``ngep demo``: the main job on built-in synthetic neurons (see ``_demo.py``)."""

from pathlib import Path

from ngep.cli._errors import EXIT_OK


def add_arguments(parser):
    parser.add_argument("--n-neurons", type=int, default=7500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("ngep-demo"),
        help="output folder (default ngep-demo)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a fast smoke run: 600 neurons, 5 folds, few epochs",
    )
    parser.add_argument(
        "--write-swc",
        action="store_true",
        help="write every neuron as an SWC file (default: the first 100)",
    )


def run(args):
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
