# SPDX-License-Identifier: BSD-3-Clause
"""Which files are morphologies: the one table of recognised file names.

Everything in ngep that decides whether a path is a neuron (folder scans in the
CLI and the fetchers, the reader's dispatch, the name of a neuron given its
file) asks this module, so adding a format is one row of :data:`FORMATS`.
Suffixes are matched case-insensitively (``CELL.SWC``, ``cell.H5``).
"""

import os
from pathlib import Path

__all__ = [
    "FORMATS",
    "MORPHOLOGY_SUFFIXES",
    "find_morphologies",
    "is_morphology_file",
    "morphology_format",
    "morphology_stem",
]

#: Recognised suffix -> format name, longest suffix first (``.swc.gz`` before
#: ``.gz`` would matter if ``.gz`` alone were ever listed).
FORMATS = {
    ".swc.gz": "swc",
    ".swc": "swc",
    ".asc": "asc",
    ".h5": "h5",
}

#: The suffixes a folder is scanned for, in the order users read them.
MORPHOLOGY_SUFFIXES = tuple(FORMATS)


def _match(name):
    lower = name.lower()
    for suffix, fmt in FORMATS.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return suffix, fmt
    return None, None


def morphology_format(path):
    """The format of a morphology file, from its name.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    {"swc", "asc", "h5"} or None
        None when the name ends in none of :data:`MORPHOLOGY_SUFFIXES`.

    Examples
    --------
    >>> morphology_format("cells/a.swc.gz"), morphology_format("B.ASC")
    ('swc', 'asc')
    >>> morphology_format("notes.txt") is None
    True
    """
    return _match(os.path.basename(os.fspath(path)))[1]


def is_morphology_file(path):
    """Whether ``path`` names a morphology file (by suffix; the file is not read).

    Examples
    --------
    >>> is_morphology_file("cell.h5"), is_morphology_file("cell.csv")
    (True, False)
    """
    return morphology_format(path) is not None


def morphology_stem(path):
    """The neuron's name: the file name without its morphology suffix.

    Only the recognised suffix is removed, so dots inside the name are kept
    (``cell.v2.swc`` is ``cell.v2``, ``a.swc.gz`` is ``a``). A name with no
    recognised suffix is returned whole.

    Examples
    --------
    >>> morphology_stem("data/cell.v2.swc"), morphology_stem("a.swc.gz")
    ('cell.v2', 'a')
    >>> [morphology_stem(p) for p in ("x/y.CNG.swc", "z.ASC", "n.h5", "notes.txt")]
    ['y.CNG', 'z', 'n', 'notes.txt']
    """
    name = os.path.basename(os.fspath(path))
    suffix, _ = _match(name)
    return name if suffix is None else name[: -len(suffix)]


def find_morphologies(folder):
    """The morphology files directly inside ``folder``, sorted by name.

    Subfolders are not searched; hidden files (``.name``) are skipped.

    Parameters
    ----------
    folder : str or os.PathLike

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("b.h5", "a.swc", "c.asc", "d.swc.gz", "notes.txt"):
    ...         _ = pathlib.Path(tmp, name).write_bytes(b"")
    ...     [p.name for p in find_morphologies(tmp)]
    ['a.swc', 'b.h5', 'c.asc', 'd.swc.gz']
    """
    folder = Path(folder)
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith(".") and is_morphology_file(p) and p.is_file()
    )
