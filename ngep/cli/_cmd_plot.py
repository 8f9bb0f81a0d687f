# SPDX-License-Identifier: BSD-3-Clause
"""``ngep plot``: pictures of neurons (SWC, ASC, H5) -> PNG, SVG or PDF."""

import sys
import warnings
from pathlib import Path

from ngep.cli._data import collect_morphologies
from ngep.cli._errors import EXIT_FAILURES, EXIT_OK, CLIError
from ngep.cli._output import ensure_writable_dir

DESCRIPTION = (
    "Draw one neuron, or many side by side at one scale, as a 2D "
    "projection with its soma, compartments in colour and a scale bar."
)

_FORMATS = (".png", ".svg", ".pdf")
_PROJECTIONS = ("xy", "xz", "yz", "yx", "zx", "zy")
_COLOR_BY = ("compartment", "branch_order", "path_distance", "none")


def add_arguments(parser):
    parser.add_argument(
        "files", nargs="+", type=Path,
        help="morphology files (.swc, .swc.gz, .asc, .h5) or folders of them",
    )
    parser.add_argument(
        "-o", "--output", type=Path, required=True,
        help="image file: .png, .svg or .pdf",
    )
    parser.add_argument(
        "--projection", choices=_PROJECTIONS, default="xy",
        help="the two axes drawn (default xy)",
    )
    parser.add_argument(
        "--color-by", choices=_COLOR_BY, default="compartment",
        help="segment colours (default compartment)",
    )
    parser.add_argument(
        "--ncols", type=int, default=None,
        help="panels per row when drawing several neurons",
    )
    parser.add_argument(
        "--own-scale", action="store_true",
        help="scale each neuron to its panel (default: one scale for all)",
    )
    parser.add_argument("--title", default=None, help="figure title")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution")
    parser.add_argument(
        "--strict", action="store_true",
        help="exit 1 when any file cannot be read (it is skipped either way)",
    )


def _read_all(paths):
    """Read every file; unreadable ones are reported and skipped."""
    from ngep.exceptions import NgepError
    from ngep.io import read_morphology

    cells, failed = [], []
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a picture, not an analysis
                cells.append(read_morphology(path))
        except (NgepError, OSError, ValueError) as exc:
            failed.append(path)
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            if str(path) not in reason:
                reason = f"{path}: {reason}"
            print(f"ngep plot: skipped {reason}", file=sys.stderr)
    return cells, failed


def run(args):
    suffix = args.output.suffix.lower()
    if suffix not in _FORMATS:
        raise CLIError(
            f"--output must end in {', '.join(_FORMATS)}; got {args.output.name!r}"
        )
    if args.ncols is not None and args.ncols < 1:
        raise CLIError(f"--ncols must be at least 1, got {args.ncols}")
    paths = collect_morphologies(args.files)
    ensure_writable_dir(args.output.parent)
    cells, failed = _read_all(paths)
    if not cells:
        raise CLIError(f"none of the {len(paths)} file(s) could be read")

    try:
        import matplotlib

        matplotlib.use("Agg", force=False)  # files only: no window
    except ImportError:
        pass  # ngep.plot raises MissingDependencyError, naming the extra
    from ngep.plot import gallery, morphology
    from ngep.plot._morphology import _pyplot

    plt = _pyplot()

    color_by = None if args.color_by == "none" else args.color_by
    if len(cells) == 1:
        ax = morphology(cells[0], projection=args.projection, color_by=color_by,
                        title=args.title or cells[0].name,
                        legend=color_by == "compartment")
        fig = ax.figure
        fig.tight_layout()
    else:
        fig = gallery(cells, ncols=args.ncols, projection=args.projection,
                      color_by=color_by, same_scale=not args.own_scale,
                      suptitle=args.title)
    tmp = args.output.with_name(f".{args.output.stem}.tmp{suffix}")
    try:
        fig.savefig(tmp, dpi=args.dpi)
        tmp.replace(args.output)
    except OSError as exc:
        raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)
        if tmp.exists():
            tmp.unlink()
    print(f"ngep: drew {len(cells)} neuron(s) to {args.output}")
    return EXIT_FAILURES if (args.strict and failed) else EXIT_OK
