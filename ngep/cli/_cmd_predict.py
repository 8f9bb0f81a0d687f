# SPDX-License-Identifier: BSD-3-Clause
"""``ngep predict``: apply a saved or shipped model to morphology files -> CSV."""

import sys
import warnings
from pathlib import Path

from ngep.cli._args import add_saved_model
from ngep.cli._data import collect_morphologies
from ngep.cli._errors import EXIT_OK, CLIError
from ngep.cli._extraction import summarise_warnings
from ngep.cli._output import atomic_write_csv, ensure_writable_dir


def add_arguments(parser):
    add_saved_model(parser, example="pvalb-mouse-cortex")
    parser.add_argument(
        "swc", nargs="+", type=Path,
        help="morphology files (.swc, .swc.gz, .asc, .h5) or folders of them",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="output CSV")


def run(args):
    from ngep.exceptions import FeatureExtractionWarning
    from ngep.pretrained import predict_files

    ensure_writable_dir(args.output.parent)
    paths = collect_morphologies(args.swc)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = predict_files(
                args.model, paths, n_jobs=args.n_jobs, progress=args.progress,
                cache_dir=args.cache_dir,
            )
    except TypeError as exc:  # a model file that is not an SWC pipeline
        raise CLIError(f"{args.model}: {exc}") from exc
    summarise_warnings(caught, FeatureExtractionWarning)
    failed = out["status"] != "ok"
    if failed.any():
        first = out.loc[failed].iloc[0]
        print(
            f"ngep: {int(failed.sum())} of {len(out)} file(s) could not be "
            f"featurised (first: {first['path']}: {first['status'][8:]})",
            file=sys.stderr,
        )
    if "used_axon" in out:
        print(
            f"ngep: {int(out['used_axon'].sum())} of {int((~failed).sum())} "
            "neuron(s) scored with their traced axon (used_axon), the rest from "
            "their dendrites alone",
            file=sys.stderr,
        )
    if "out_of_domain" in out:
        n_out = int(out["out_of_domain"].sum())
        print(
            f"ngep: {n_out} of {int((~failed).sum())} neuron(s) lie outside the "
            "training domain (out_of_domain; the measurements out of range are in "
            "out_of_domain_reason)"
            + ("; treat their predictions with caution" if n_out else ""),
            file=sys.stderr,
        )
    atomic_write_csv(out, args.output, index=False)
    print(
        f"ngep: wrote {int((~failed).sum())} predictions ({int(failed.sum())} "
        f"failed files marked) to {args.output}"
    )
    return EXIT_OK
