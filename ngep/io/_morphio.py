# SPDX-License-Identifier: BSD-3-Clause
"""Neurolucida ``.asc`` and HDF5 ``.h5`` files, read by MorphIO.

MorphIO (an optional dependency: ``pip install "ngep[formats]"``) parses the
file into sections; this module turns them into the node tree an SWC file of
the same neuron would give, so every feature means the same whatever the
format (see the "File formats" page of the user guide):

* the soma's points (a contour in both formats) become a chain of soma nodes,
  the first one the root, as MorphIO's own SWC writer writes them;
* each root section is a neurite whose first point is a child of the first
  soma node;
* a child section's first point, when it repeats its parent section's last
  point (MorphIO's convention in every format), is dropped and the second
  point becomes a child of that last point; a first point elsewhere is kept
  and the gap is a segment of the neurite;
* each node takes its section's type code (2 axon, 3 basal, 4 apical, 5-19
  custom, as in SWC);
* without a soma, each root section starts a separate tree: the largest tree
  is kept and the others are dropped as detached fragments, with SWC's rules.

MorphIO's errors become :class:`~ngep.exceptions.MorphologyFormatError`
(with the line for ``.asc`` files), and its warnings Python warnings of class
:class:`~ngep.exceptions.MorphologyWarning`.
"""

import contextlib
import itertools
import os
import re
import sys
import tempfile
import threading
import warnings

import numpy as np

from ngep.exceptions import (
    FragmentWarning,
    MissingDependencyError,
    MorphologyFormatError,
    MorphologyWarning,
)
from ngep.io._morphology import Morphology

__all__ = ["read_morphio"]

_MAX_COORD = 1e12  # as in SWC: beyond this, not a measurement
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WHERE = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?:error|warning)\s*$")
_STDERR_LOCK = threading.Lock()

# Hints appended to MorphIO's messages: (pattern in the message, what to do).
_HINTS = (
    (r"not an hdf5 file|unable to open file",
     "the file is not HDF5 (a text link or Git LFS pointer saved in its place?); "
     "get the real file"),
    (r"h5v2 is no longer supported",
     "convert it to HDF5 v1 with an older MorphIO or morph-tool"),
    (r"contour with only a single point|soma.*(point|contour)",
     "describe the soma by a contour of at least three points"),
    (r"soma is already defined",
     "keep one CellBody per file: merge the contours or split the neurons "
     "into separate files"),
    (r"iterate past the end",
     "the file ends before a neuron does: is it empty or cut short?"),
    (r"unexpected token|expected:",
     "fix the Neurolucida syntax at that line"),
)


def _import_morphio():
    try:
        import morphio
    except ImportError as exc:
        raise MissingDependencyError(
            "reading .asc and .h5 files needs MorphIO, which is not installed; "
            'install it with: pip install "ngep[formats]" (or pip install morphio)'
        ) from exc
    return morphio


def _clean(text, path):
    """MorphIO's message without colour codes and its own 'file:line' header."""
    line = None
    kept = []
    for raw in _ANSI.sub("", text).splitlines():
        raw = raw.strip()
        match = _WHERE.match(raw)
        if match:
            line = int(match["line"]) or None  # MorphIO says line 0: no line
            continue
        if raw:
            kept.append(raw)
    message = " ".join(kept)
    for label in (f": {path}", f"in {path}", path):
        message = message.replace(label, "")
    message = re.sub(r"\s+", " ", message).replace(" :", ":")
    message = re.sub(r"^(Error|Warning)\b:?\s*", "", message).strip(" :")
    return message or "MorphIO could not read the file", line


def _hint(message):
    lowered = message.lower()
    for pattern, hint in _HINTS:
        if re.search(pattern, lowered):
            return hint
    return "check that the file opens in NeuroM or morph-tool"


@contextlib.contextmanager
def _stderr_to_warnings(path):
    """Catch what C++ writes to file descriptor 2 and re-issue it as warnings.

    HDF5 reads through MorphIO print a note for every file whose points are
    stored as float64 ("higher floating point precision than data on read"):
    MorphIO keeps float32 coordinates, which ngep documents; that note is
    dropped on purpose. Anything else written meanwhile becomes a
    :class:`MorphologyWarning`. When descriptor 2 cannot be duplicated (no
    console), nothing is caught.
    """
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    with _STDERR_LOCK:
        try:
            saved = os.dup(2)
        except OSError:
            yield
            return
        with tempfile.TemporaryFile() as sink:
            try:
                os.dup2(sink.fileno(), 2)
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace")
    for raw in text.splitlines():
        raw = _ANSI.sub("", raw).strip()
        if raw and "floating point precision" not in raw:
            warnings.warn(f"{path}: {raw}", MorphologyWarning, stacklevel=4)


def _load(morphio, path, fmt):
    handler = morphio.WarningHandlerCollector()
    # A neuron without a soma is read silently, as in SWC (has_soma is False);
    # any fragments that follow from it are reported by _select_tree.
    handler.set_ignored_warning(morphio.Warning.no_soma_found, True)
    capture = _stderr_to_warnings(path) if fmt == "h5" else contextlib.nullcontext()
    try:
        with capture:
            raw = morphio.Morphology(path, warning_handler=handler)
    except Exception as exc:  # noqa: BLE001 - MorphIO raises many types: all become ours
        message, line = _clean(str(exc), path)
        raise MorphologyFormatError(
            f"{message}; {_hint(message)}", path=path, line=line
        ) from exc
    for item in handler.get_all():
        if item.was_marked_ignore:
            continue
        message, line = _clean(item.warning.msg(), path)
        where = path if line is None else f"{path}, line {line}"
        warnings.warn(f"{where}: {message}", MorphologyWarning, stacklevel=4)
    return raw


def _check_values(path, *pairs):
    """Finite, in range and non-negative, for each (points, diameters) pair."""
    for xyz, diameter in pairs:
        if not xyz.size:
            continue
        lo, hi = float(xyz.min()), float(xyz.max())
        d_lo, d_hi = float(diameter.min()), float(diameter.max())
        if not all(map(np.isfinite, (lo, hi, d_lo, d_hi))):  # NaN propagates
            raise MorphologyFormatError(
                "NaN or infinite coordinate or diameter; fix the value in the file",
                path=path,
            )
        if max(-lo, hi, d_hi / 2) > _MAX_COORD:
            raise MorphologyFormatError(
                f"coordinate or radius beyond {_MAX_COORD:g}; fix the value or "
                "rescale the file",
                path=path,
            )
        if d_lo < 0:
            raise MorphologyFormatError(
                f"negative diameter {d_lo!r}; diameters must be >= 0", path=path
            )


def _section_parents(raw, n_sections):
    parent = np.full(n_sections, -1, dtype=np.int64)
    links = raw.connectivity  # {parent section (-1: soma): [child sections]}
    if links:
        kids = list(links.values())
        counts = np.fromiter(map(len, kids), np.int64, len(kids))
        children = np.fromiter(itertools.chain.from_iterable(kids), np.int64,
                               int(counts.sum()))
        parent[children] = np.repeat(np.fromiter(links, np.int64, len(links)), counts)
    return parent


def _tree(raw, path):
    """The node arrays (xyz, radius, types, parent) of the converted tree."""
    soma_xyz = np.asarray(raw.soma.points, dtype=np.float64).reshape(-1, 3)
    soma_d = np.asarray(raw.soma.diameters, dtype=np.float64).reshape(-1)
    xyz = np.asarray(raw.points, dtype=np.float64).reshape(-1, 3)
    diameter = np.asarray(raw.diameters, dtype=np.float64).reshape(-1)
    _check_values(path, (soma_xyz, soma_d), (xyz, diameter))
    offsets = np.asarray(raw.section_offsets, dtype=np.int64)
    n_sections = offsets.size - 1
    sec_parent = _section_parents(raw, n_sections)
    sec_type = np.asarray(raw.section_types, dtype=np.int64)
    first, last = offsets[:-1], offsets[1:] - 1
    sizes = offsets[1:] - offsets[:-1]
    n_soma = soma_xyz.shape[0]

    # A child's first point that repeats its parent's last point is dropped.
    has_parent = (sec_parent >= 0) & (sizes > 0)
    has_parent &= sizes[np.maximum(sec_parent, 0)] > 0  # ... and a parent point
    dup = np.zeros(n_sections, dtype=bool)
    cand = np.flatnonzero(has_parent)
    if cand.size:
        p_last = last[sec_parent[cand]]
        dup[cand] = np.all(xyz[first[cand]] == xyz[p_last], axis=1)
    keep = np.ones(xyz.shape[0], dtype=bool)
    keep[first[dup]] = False
    new_index = n_soma + np.cumsum(keep) - 1  # node index of each kept point

    # The node a child section hangs from: its parent's last node, walking up
    # past sections left empty (a single repeated point).
    n_kept = sizes - dup
    attach = np.where(sizes > 0, new_index[np.maximum(last, 0)], -1)
    root_attach = 0 if n_soma else -1
    end_node = attach.copy()
    empty = n_kept == 0
    if empty.any():  # rare: walk those in an order where parents come first
        for s in _parents_first(sec_parent):
            if empty[s]:
                p = sec_parent[s]
                end_node[s] = end_node[p] if p >= 0 else root_attach

    point_section = np.repeat(np.arange(n_sections), sizes)
    parent = new_index - 1  # the previous point of the same section ...
    starts = first + dup  # ... except at the first kept point of each section
    starts = starts[n_kept > 0]
    start_sections = np.flatnonzero(n_kept > 0)
    hang = sec_parent[start_sections]
    parent[starts] = np.where(
        hang >= 0, end_node[np.maximum(hang, 0)], root_attach
    )
    parent = parent[keep]
    types = sec_type[point_section[keep]]

    all_xyz = np.vstack([soma_xyz, xyz[keep]])
    radius = np.concatenate([soma_d, diameter[keep]]) / 2.0
    all_types = np.concatenate([np.ones(n_soma, dtype=np.int64), types])
    all_parent = np.concatenate([np.arange(n_soma) - 1, parent])
    gaps = int(np.count_nonzero(has_parent & ~dup))
    return all_xyz, radius, all_types, all_parent, gaps


def _parents_first(sec_parent):
    """Section indices ordered so that every parent comes before its children."""
    n = sec_parent.size
    if np.all(sec_parent < np.arange(n)):
        return range(n)  # MorphIO numbers sections depth-first: the usual case
    children = [[] for _ in range(n)]
    for s, p in enumerate(sec_parent.tolist()):
        if p >= 0:
            children[p].append(s)
    order, stack = [], [int(s) for s in np.flatnonzero(sec_parent < 0)[::-1]]
    while stack:
        s = stack.pop()
        order.append(s)
        stack.extend(children[s][::-1])
    return order


def _select_tree(xyz, radius, types, parent, path, on_fragments):
    """Without a soma, keep the largest tree; the others are fragments (as SWC)."""
    roots = np.flatnonzero(parent < 0)
    n = parent.size
    ids = np.arange(1, n + 1)
    if roots.size <= 1:
        return xyz, radius, types, parent, ids, ids[:0]
    tree = np.empty(n, dtype=np.int64)  # parents come first: label by the root
    tree[roots] = np.arange(roots.size)
    for i in np.flatnonzero(parent >= 0):
        tree[i] = tree[parent[i]]
    sizes = np.bincount(tree, minlength=roots.size)
    kept_tree = int(np.argmax(sizes))
    keep = tree == kept_tree
    dendrite = (types == 3) | (types == 4)
    kept_d = int(np.count_nonzero(keep & dendrite))
    lost_d = int(np.count_nonzero(~keep & dendrite))
    dropped = ids[~keep]
    if lost_d > kept_d:
        raise MorphologyFormatError(
            f"the file has no soma and {roots.size} separate trees; only {kept_d} "
            f"dendrite point(s) are in the largest tree but {lost_d} in the "
            "others; add the soma (a CellBody contour) so the trees are its neurites",
            path=path,
        )
    msg = (
        f"no soma: dropped {dropped.size} point(s) in {roots.size - 1} tree(s) "
        "not connected to the largest tree"
    )
    if on_fragments == "raise":
        raise MorphologyFormatError(
            f"{msg}; add the soma or pass on_fragments='warn'", path=path
        )
    if on_fragments == "warn":
        warnings.warn(f"{path}: {msg}", FragmentWarning, stacklevel=4)
    new_index = np.cumsum(keep) - 1
    kept_parent = parent[keep]
    kept_parent = np.where(kept_parent >= 0, new_index[np.maximum(kept_parent, 0)], -1)
    return xyz[keep], radius[keep], types[keep], kept_parent, ids[keep], dropped


def read_morphio(path, fmt, *, name=None, on_fragments="warn"):
    """Read an ``.asc`` or ``.h5`` file with MorphIO into a :class:`Morphology`.

    Parameters
    ----------
    path : str
        The file (already checked to exist).
    fmt : {"asc", "h5"}
        Its format, from its suffix (MorphIO also goes by the suffix).
    name : str, default=None
        The neuron's name.
    on_fragments : {"warn", "ignore", "raise"}, default="warn"
        As in :func:`~ngep.io.read_swc`; only files without a soma can have
        fragments.

    Returns
    -------
    Morphology
    """
    morphio = _import_morphio()
    raw = _load(morphio, path, fmt)
    xyz, radius, types, parent, gaps = _tree(raw, path)
    if xyz.shape[0] == 0:
        raise MorphologyFormatError(
            "no soma and no neurite points: the file holds no neuron", path=path
        )
    if gaps:
        warnings.warn(
            f"{path}: {gaps} section(s) do not start at their parent's last point; "
            "each gap is kept as a segment (NeuroM leaves it out of lengths)",
            MorphologyWarning,
            stacklevel=3,
        )
    xyz, radius, types, parent, ids, dropped = _select_tree(
        xyz, radius, types, parent, path, on_fragments
    )
    return Morphology._from_checked(
        xyz, radius, types, parent, ids=ids, name=name,
        source=path, dropped_ids=dropped,
    )
