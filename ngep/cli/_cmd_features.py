# SPDX-License-Identifier: BSD-3-Clause
"""``ngep features``: morphometrics of morphology files (SWC, ASC, H5) -> CSV."""

import sys
from pathlib import Path

from ngep.cli._args import FEATURE_HELP
from ngep.cli._data import collect_morphologies
from ngep.cli._errors import EXIT_FAILURES, EXIT_OK
from ngep.cli._extraction import extract
from ngep.cli._output import atomic_write_csv, ensure_writable_dir


def add_arguments(parser):
    parser.add_argument(
        "swc", nargs="+", type=Path,
        help="morphology files (.swc, .swc.gz, .asc, .h5) or folders of them"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    parser.add_argument("--features", default="base", help=FEATURE_HELP)
    parser.add_argument(
        "--compartment",
        default="dendrite",
        choices=("dendrite", "basal", "apical", "axon", "all"),
    )
    parser.add_argument(
        "--failures",
        type=Path,
        default=None,
        help="CSV report of files that failed (default: "
        "<output>.failures.csv when any fail)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any file fails (rows are NaN either way)",
    )


def run(args):
    paths = collect_morphologies(args.swc)
    ensure_writable_dir(args.output.parent)
    _, X, failures = extract(
        paths, args, compartment=args.compartment
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
