# SPDX-License-Identifier: BSD-3-Clause
"""Finding morphology files and matching them to a table of targets.

Which names are neurons (``.swc``, ``.swc.gz``, ``.asc``, ``.h5``) and a
neuron's name given its file are decided by :mod:`ngep.io` (one table).
"""

from pathlib import Path

import numpy as np

from ngep.cli._errors import CLIError
from ngep.io import MORPHOLOGY_SUFFIXES, find_morphologies, morphology_stem

_KINDS = ", ".join(MORPHOLOGY_SUFFIXES)


def collect_morphologies(inputs):
    """Expand files and folders into morphology paths.

    A folder gives its files named ``*.swc``, ``*.swc.gz``, ``*.asc`` or ``*.h5``
    (sorted, not recursive); a file is taken whatever its name.
    """
    paths = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found = find_morphologies(item)
            if not found:
                raise CLIError(f"no morphology files ({_KINDS}) in folder {item}")
            paths.extend(found)
        elif item.exists():
            paths.append(item)
        else:
            raise CLIError(f"no such file or folder: {item}")
    return paths


collect_swc = collect_morphologies  # the name commands used before ngep 0.2


def read_table(path):
    """Read the user's CSV (or TSV) table."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"table not found: {path}")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        return pd.read_csv(path, sep=sep)
    except Exception as exc:  # noqa: BLE001 - pandas raises many types
        raise CLIError(f"cannot read table {path}: {exc}") from exc


def match_dataset(swc_dir, table_path, id_column, targets, *, groups_column=None):
    """Pair every table row that has targets with its morphology file.

    Returns
    -------
    paths : list of Path
    frame : DataFrame
        The matched rows, in the same order as ``paths``.
    """
    table = read_table(table_path)
    id_column = id_column or table.columns[0]
    needed = [id_column, *(targets or [])] + ([groups_column] if groups_column else [])
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise CLIError(
            f"column(s) {', '.join(map(repr, missing))} not in {table_path}; "
            f"available: {', '.join(map(str, table.columns[:12]))}"
            + (" ..." if len(table.columns) > 12 else "")
        )
    swc_dir = Path(swc_dir)
    if not swc_dir.is_dir():
        raise CLIError(f"morphology folder not found: {swc_dir}")
    by_stem = {}
    for p in find_morphologies(swc_dir):
        other = by_stem.setdefault(morphology_stem(p), p)
        if other != p:
            raise CLIError(
                f"two files for neuron {morphology_stem(p)!r} in {swc_dir}: "
                f"{other.name} and {p.name}; keep one"
            )
    if not by_stem:
        raise CLIError(f"no morphology files ({_KINDS}) in folder {swc_dir}")
    frame = table
    if targets:
        frame = frame.dropna(subset=list(targets))
        if frame.empty:
            raise CLIError(f"no rows of {table_path} have values for {targets}")
    keys = frame[id_column].map(_key)
    unmatched = [k for k in keys if k not in by_stem]
    if unmatched:
        raise CLIError(
            f"{len(unmatched)} of {len(keys)} ids in column {id_column!r} have no "
            f"morphology file in {swc_dir} (first: {unmatched[0]!r}; expected "
            f"{unmatched[0]}.swc, .swc.gz, .asc or .h5); check --id-column"
        )
    paths = [by_stem[k] for k in keys]
    return paths, frame.reset_index(drop=True)


def _key(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return str(value)


def infer_task(y, task):
    """'classification' for binary/categorical targets when task='auto'."""
    if task != "auto":
        return task
    import pandas as pd

    y = pd.Series(np.asarray(y).ravel())
    if y.dtype == object or y.dtype == bool:
        return "classification"
    values = y.dropna().unique()
    if len(values) <= 10 and np.all(np.equal(np.mod(values, 1), 0)):
        return "classification"
    return "regression"
