# SPDX-License-Identifier: BSD-3-Clause
"""Writing outputs atomically, so an interrupted run never leaves a partial file."""

import contextlib
import json
import os
from pathlib import Path

from ngep._files import atomic_write
from ngep.cli._errors import CLIError
from ngep.exceptions import InvalidTypeError


def ensure_writable_dir(path):
    """Create ``path`` if needed and check that files can be written there."""
    path = Path(path) if str(path) else Path(".")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create output folder {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise CLIError(f"output folder {path} is not writable")
    return path


@contextlib.contextmanager
def _text_file(path):
    try:
        with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from exc


def atomic_write_csv(table, path, **kwargs):
    """Write a DataFrame as CSV via a temporary file and a rename."""
    with _text_file(path) as fh:
        table.to_csv(fh, **kwargs)


def atomic_write_json(obj, path):
    """Write JSON via a temporary file and a rename."""
    with _text_file(path) as fh:
        json.dump(obj, fh, indent=2, sort_keys=False, default=_jsonable)
        fh.write("\n")


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise InvalidTypeError(f"not JSON serialisable: {type(value).__name__}")
