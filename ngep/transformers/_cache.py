# SPDX-License-Identifier: BSD-3-Clause
"""On-disk cache of per-file feature rows, so an interrupted extraction resumes.

One small JSON file per SWC file and settings. Its name is a SHA-256 of the
file's absolute path, size and modification time (ns) and of a *token* that
encodes everything else the row depends on (feature names, compartment, frame,
ngep version). A changed file or changed settings therefore never hit a stale
entry. Entries are written to a temporary name and renamed (atomic on POSIX and
Windows), so a crash leaves either a complete entry or none; an unreadable
entry counts as a miss and is rewritten.
"""

import hashlib
import json
import os

from ngep._files import atomic_write

__all__ = ["FileCache"]


class FileCache:
    """Per-file feature rows stored as JSON under ``directory``.

    Parameters
    ----------
    directory : str or os.PathLike
        Created when missing.
    token : str
        Settings the rows depend on; part of every key.
    """

    def __init__(self, directory, token):
        self.directory = os.fspath(directory)
        self.token = token
        os.makedirs(self.directory, exist_ok=True)

    def key(self, path, extra=""):
        """Cache key of ``path`` now (plus ``extra`` settings), or None if no stat."""
        try:
            path = os.path.abspath(os.fspath(path))
            st = os.stat(path)
        except OSError:
            return None
        text = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{self.token}\0{extra}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _file(self, key):
        return os.path.join(self.directory, key[:2], f"{key}.json")

    def get(self, key):
        """``(row, warnings)`` stored under ``key``, or None on a miss."""
        if key is None:
            return None
        try:
            with open(self._file(key), encoding="utf-8") as fh:
                entry = json.load(fh)
            row = [float(v) for v in entry["row"]]
            warns = [(str(c), str(m)) for c, m in entry["warnings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return row, warns

    def put(self, key, row, warns):
        """Store a row (list of float) and its warnings ``[(category, message)]``."""
        if key is None:
            return
        with atomic_write(self._file(key), "w", encoding="utf-8") as fh:
            json.dump({"row": [float(v) for v in row], "warnings": warns}, fh)
