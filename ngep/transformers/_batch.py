# SPDX-License-Identifier: BSD-3-Clause
"""Featurise one file or a batch of files; what runs inside joblib workers.

Warnings raised while reading or computing are recorded and sent back with the
row, because warnings raised in worker processes never reach the caller.
"""

import builtins
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ngep import exceptions
from ngep.exceptions import SWCFormatError, SWCWarning
from ngep.io import Morphology, read_morphology
from ngep.morphometrics import FeaturePlan
from ngep.morphometrics._frame import frame_transform, parse_frame, unit_problem
from ngep.transformers._cache import FileCache

__all__ = [
    "Batch", "Plan", "Result", "extract_batch", "extract_one", "label_of", "reemit",
]


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to turn one input into one row, resolved in ``fit``."""

    features: FeaturePlan  # what to compute, into which column
    check_units: str
    errors: str
    cache_dir: str = None
    token: str = ""

    @property
    def n_features(self):
        return len(self.features.names)

    @property
    def needs_frame(self):
        """Whether some column is frame-dependent (the neuron must be rotated)."""
        return not all(f.invariant for f, _ in self.features.columns)


@dataclass
class Result:
    """One row, the failure that replaced it (or None) and recorded warnings."""

    row: np.ndarray
    failure: tuple = None  # (exception type name, message)
    warnings: list = None  # [(category name, message)]


@dataclass
class Batch:
    """The rows of inputs ``start, start + 1, ...`` and what went wrong with them.

    One array and a short list cross the process boundary per batch, instead of
    one object per file: the parent unpickles and copies less while its
    workers are busy.
    """

    start: int
    rows: np.ndarray  # (n_items, n_features), NaN where the file failed
    notes: list  # [(index in X, failure or None, warnings)], rows with either


def label_of(item, index):
    """How a file is named in messages: its path, else the Morphology's source."""
    if isinstance(item, Morphology):
        return item.source or item.name or f"X[{index}]"
    return os.fspath(item)


def _compute(morphology, frame, plan, label):
    if plan.check_units != "ignore":
        problem = unit_problem(morphology)
        if problem is not None:
            if plan.check_units == "raise":
                raise SWCFormatError(problem, path=label)
            warnings.warn(f"{label}: {problem}.", SWCWarning, stacklevel=2)
    if not plan.needs_frame or parse_frame(frame) == "native":
        return plan.features.compute(morphology)
    # the frame as a rotation and offset: the plan rotates nodes where it
    # needs them (in C), instead of the whole neuron up front (to_frame)
    transform = frame_transform(morphology, frame, plan.features.compartments[0])
    return plan.features.compute(morphology, frame=transform)


def _warn_record(caught):
    return [(w.category.__name__, str(w.message)) for w in caught]


def _featurise(item, frame, index, plan, cache, caught):
    """One row and its failure (or None); warnings land in ``caught``."""
    label = label_of(item, index)
    key = None
    if cache is not None and not isinstance(item, Morphology):
        key = cache.key(item, repr(frame))
        hit = cache.get(key)
        if hit is not None:
            return Result(np.asarray(hit[0], dtype=np.float64), None, hit[1])
    seen = len(caught)
    try:
        morphology = item if isinstance(item, Morphology) else read_morphology(item)
        row = _compute(morphology, frame, plan, label)
    except Exception as exc:  # noqa: BLE001 - per-file failure, reported
        if plan.errors == "raise":
            if label not in str(exc) and hasattr(exc, "add_note"):  # 3.11+
                exc.add_note(f"(while featurising {label})")
            raise
        reason = str(exc) or type(exc).__name__
        if label not in reason:
            reason = f"{label}: {reason}"
        nan = np.full(plan.n_features, np.nan)
        return Result(nan, (type(exc).__name__, reason), _warn_record(caught[seen:]))
    record = _warn_record(caught[seen:])
    if key is not None:
        cache.put(key, row.tolist(), record)
    return Result(row, None, record)


def extract_one(item, frame, index, plan, cache=None):
    """Featurise one path or Morphology; a :class:`Result`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        return _featurise(item, frame, index, plan, cache, caught)


def extract_batch(items, frames, start, plan):
    """Featurise ``items`` (indices ``start, start + 1, ...``); a :class:`Batch`.

    Warnings are recorded once for the whole batch (entering
    ``warnings.catch_warnings`` per file cost more than a small file's
    features) and attributed to the file that raised them.
    """
    cache = FileCache(plan.cache_dir, plan.token) if plan.cache_dir else None
    # Rows live in one array per batch: thousands of small per-file arrays kept
    # alive between the parser's large temporary buffers fragment the C heap
    # (peak memory grew ~25 kB per file without this).
    rows = np.empty((len(items), plan.n_features))
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, (item, frame) in enumerate(zip(items, frames)):
            result = _featurise(item, frame, start + i, plan, cache, caught)
            rows[i] = result.row
            if result.failure is not None or result.warnings:
                notes.append((start + i, result.failure, result.warnings or []))
    return Batch(start, rows, notes)


def reemit(record, stacklevel=4):
    """Re-issue recorded ``(category name, message)`` warnings in the caller."""
    for category, message in record:
        cls = getattr(exceptions, category, None) or getattr(builtins, category, None)
        if not (isinstance(cls, type) and issubclass(cls, Warning)):
            cls = UserWarning
        warnings.warn(message, cls, stacklevel=stacklevel)
