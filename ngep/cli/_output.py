# SPDX-License-Identifier: BSD-3-Clause
"""Writing outputs atomically, so an interrupted run never leaves a partial file."""

import json
import os
from pathlib import Path

from ngep.cli._errors import CLIError


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


def _atomic(path, write):
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_csv(frame, path, **kwargs):
    """Write a DataFrame as CSV via a temporary file and a rename."""
    _atomic(path, lambda tmp: frame.to_csv(tmp, **kwargs))


def atomic_write_json(obj, path):
    """Write JSON via a temporary file and a rename."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, sort_keys=False, default=_jsonable)
            fh.write("\n")

    _atomic(path, write)


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
