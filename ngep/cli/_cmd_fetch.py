# SPDX-License-Identifier: BSD-3-Clause
"""``ngep fetch``: public reconstructions and their metadata, ready for ``ngep fit``."""

import argparse
import sys
import warnings
from pathlib import Path

from ngep.cli._errors import EXIT_OK, CLIError
from ngep.cli._output import atomic_write_csv, ensure_writable_dir

DESCRIPTION = (
    "Download SWC files and their metadata into a local cache "
    "(a rerun downloads only what is missing) and write DIR/metadata.csv "
    "with one row per neuron and its local SWC path."
)

_SOURCES = {"neuromorpho": "NeuroMorpho.org", "allen": "the Allen Cell Types Database"}


def add_arguments(fetch):
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
    return nm, allen  # the sources: the shared options go on them too


def _flatten(table):
    """List cells (NeuroMorpho's brain_region, cell_type) as 'a; b' strings."""
    table = table.copy()
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, (list, tuple))).any():
            table[column] = table[column].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
            )
    return table


def run(args):
    """Download, write ``<out>/metadata.csv`` and say where the SWC files are."""
    from ngep.datasets import fetch_allen_cell_types, fetch_neuromorpho
    from ngep.exceptions import NgepWarning
    from ngep.io import morphology_stem

    if args.max_neurons < 0:
        raise CLIError("--max-neurons must be 0 (all matches) or a positive number")
    if args.retries < 0:
        raise CLIError("--retries must be 0 or more")
    out = ensure_writable_dir(args.out)
    cache = ensure_writable_dir(args.cache_dir or out / "cache")
    common = dict(
        max_neurons=args.max_neurons or None,
        cache_dir=cache,
        base_url=args.base_url,
        retries=args.retries,
        rate_limit=args.rate_limit,
        errors="warn",
        progress=args.progress,
    )
    label = _SOURCES[args.source]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NgepWarning)
        if args.source == "neuromorpho":
            data = fetch_neuromorpho(
                species=args.species,
                brain_region=args.brain_region,
                cell_type=args.cell_type,
                **common,
            )
        else:
            cre = args.cre_line
            data = fetch_allen_cell_types(
                species=args.species,
                cre_line=cre[0] if cre and len(cre) == 1 else cre,
                **common,
            )
    for w in caught:
        if not issubclass(w.category, NgepWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    meta = _flatten(data.metadata)
    meta.insert(0, "swc_id", [morphology_stem(p) for p in data.paths])
    atomic_write_csv(meta, out / "metadata.csv", index=False)
    (out / "DESCR.rst").write_text(data.DESCR, encoding="utf-8")
    if len(data.failed):
        atomic_write_csv(data.failed, out / "failed.csv", index=False)
        first = data.failed.iloc[0]
        print(
            f"ngep fetch: {len(data.failed)} file(s) could not be downloaded "
            f"(first: {first['url']}: {first['error']}); listed in "
            f"{out / 'failed.csv'}",
            file=sys.stderr,
        )
    if not data.paths:
        print(f"ngep: no neurons of {label} match these filters", file=sys.stderr)
    folders = sorted({str(Path(p).parent) for p in data.paths})
    table = out / "metadata.csv"
    print(f"ngep: {len(data.paths)} neurons from {label}; metadata: {table}")
    if len(folders) == 1:
        print(
            f"ngep: SWC files in {folders[0]}; e.g. ngep fit --swc-dir "
            f"{folders[0]} --table {table} --id-column swc_id ..."
        )
    elif folders:
        shown = ", ".join(folders[:3]) + (" ..." if len(folders) > 3 else "")
        print(
            f"ngep: SWC files in {len(folders)} folders ({shown}); "
            "their paths are in the 'path' column"
        )
    print(f"ngep: licence and how to cite: {out / 'DESCR.rst'}")
    return EXIT_OK
