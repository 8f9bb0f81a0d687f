# SPDX-License-Identifier: BSD-3-Clause
"""``ngep serve``: the validator page and its JSON API on a local web server."""

import argparse
import ipaddress
import sys

from ngep.cli._errors import EXIT_OK, CLIError

DESCRIPTION = (
    "Serve the validator page: drop SWC files in a browser and read "
    "each model's prediction, out-of-domain flag, a picture and the base "
    "measurements. Loads the models once. Listens on 127.0.0.1 only unless "
    "--host says otherwise; to share it, put a reverse proxy in front (see the "
    "'Web app' page of the documentation). Needs the web extra: "
    "pip install 'ngep[web]'."
)

_MiB = 1024 * 1024


def _positive_mib(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of MiB; got {text!r}"
        )
    return max(1, int(value * _MiB))


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


def add_arguments(parser):
    parser.add_argument(
        "--model",
        action="append",
        default=None,
        metavar="NAME_OR_FILE",
        help="a shipped model name ('ngep models' lists them) or a model file from "
        "'ngep fit'; repeat for several (default: every shipped model)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        help="TCP port (default 8000; 0: any free one)",
    )
    for flag, mib, what in (
        ("--max-file-mb", 25,
         "uploaded file, in MiB (default 25); larger gets HTTP 413"),
        ("--max-request-mb", 100, "request, all files together, in MiB (default 100)"),
    ):
        parser.add_argument(flag, type=_positive_mib, default=mib * _MiB,
                            metavar="MiB", help="largest " + what)
    parser.add_argument(
        "--max-files",
        type=_positive_int,
        default=500,
        help="most files in one request (default 500)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="neurons processed at once in worker threads (default: up to 4)",
    )


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args):
    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port must be between 0 and 65535; got {args.port}")
    try:
        from ngep.web import Limits, load_models, serve
    except ImportError as exc:
        raise CLIError(
            f"'ngep serve' needs the web extra ({exc}); install it with "
            "pip install 'ngep[web]'"
        ) from exc
    limits = Limits(
        max_file_bytes=args.max_file_mb,
        max_request_bytes=max(args.max_request_mb, args.max_file_mb),
        max_files=args.max_files,
        workers=args.workers,
    )
    models = load_models(args.model)
    names = ", ".join(m.name for m in models)
    print(f"ngep serve: {len(models)} model(s) loaded: {names}", file=sys.stderr)
    if not _is_loopback(args.host):
        print(
            f"ngep serve: warning: listening on {args.host}: anyone who can reach this "
            "machine can use the page; prefer 127.0.0.1 behind a reverse proxy",
            file=sys.stderr,
        )
    serve(models, host=args.host, port=args.port, limits=limits)
    return EXIT_OK
