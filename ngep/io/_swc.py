# SPDX-License-Identifier: BSD-3-Clause
"""Reading and writing SWC files.

Bytes are parsed into a table by :mod:`ngep.io._parse` (a C parser, a pandas
one and a careful line-by-line one with the final word); this module checks the
structure (ids, parents, cycles, fragments, soma) with vectorised numpy code,
raising :class:`SWCFormatError` with the file, the line, the problem and a fix.
"""

import gzip
import os
import warnings

import numpy as np

from ngep._files import atomic_write
from ngep.exceptions import (
    ConfigurationError,
    FragmentWarning,
    InvalidTypeError,
    SWCFormatError,
)
from ngep.io import _tree
from ngep.io._formats import morphology_stem
from ngep.io._morphology import Morphology
from ngep.io._parse import (
    _COLUMNS,
    _file_contents,
    _parse_careful,
    _parse_fast,
    _parse_native,
    _parse_native_tree,
    _row_lines,
)

__all__ = ["read_swc", "write_swc"]

_MAX_INT = 2**53  # integers beyond this are not exactly representable as float64
_MAX_COORD = 1e12  # |x|, |y|, |z|, radius beyond this are not measurements
_UTF8_BOM = b"\xef\xbb\xbf"
_SMALL_FILE = 2048  # bytes; below this the pure-Python parser is faster than pandas


# ---------------------------------------------------------------------------
# table -> Morphology
# ---------------------------------------------------------------------------
class _Lines:
    """Lazy map from row index to 1-based line number (computed only on error).

    Where a fast parser read the table, the map comes from ``_row_lines`` (numpy
    on the bytes) rather than the careful parser (pure Python, ~100x slower on
    a large file); the careful parser still decides if the two disagree on the
    number of rows, which a table the fast parsers accept never gives.
    """

    def __init__(self, data, path, linenos=None, n_rows=None, length=None):
        self._data, self._path, self._linenos = data, path, linenos
        self._n_rows, self._length = n_rows, length

    def __call__(self, row):
        if self._linenos is None:
            data = self._data
            if self._length is not None:  # a reused buffer (_file_contents)
                data = bytes(data[: self._length])
            linenos = _row_lines(data)
            if linenos.size != self._n_rows:
                linenos = _parse_careful(data, self._path)[1]
            self._linenos = linenos
        return int(self._linenos[row])


def _check_integral(table, lines, path):
    """Integer ids, types and parents; finite-range coordinates; radii >= 0.

    Returns the (n, 3) int64 array of ids, types and parents.
    """
    ints = table[:, (0, 1, 6)]
    lo, hi = table.min(axis=0), table.max(axis=0)  # two passes cover the ranges
    if (
        max(-lo[[0, 1, 6]].min(), hi[[0, 1, 6]].max()) <= _MAX_INT
        and max(-lo[2:5].min(), hi[2:6].max()) <= _MAX_COORD
        and lo[5] >= 0
    ):
        as_int = ints.astype(np.int64)
        if np.array_equal(ints, as_int):
            return as_int  # the common case; details below only on failure
    for col in (0, 1, 6):
        values = table[:, col]
        bad = np.flatnonzero((values != np.round(values)) | (np.abs(values) > _MAX_INT))
        _fail_at_first(
            bad, lines, path, lambda row: (
                f"{_COLUMNS[col]} must be an integer, got {float(values[row])!r}"
            ),
        )
    bad = np.flatnonzero(np.any(np.abs(table[:, 2:6]) > _MAX_COORD, axis=1))
    if bad.size:
        raise _row_error(
            lines, path, bad[0],
            f"coordinate or radius beyond {_MAX_COORD:g} "
            f"({', '.join(f'{v:g}' for v in table[bad[0], 2:6])}); fix the value "
            "or rescale the file",
        )
    bad = np.flatnonzero(table[:, 5] < 0)
    if bad.size:
        raise _row_error(
            lines, path, bad[0],
            f"negative radius {float(table[bad[0], 5])!r}; radii must be >= 0",
        )
    raise AssertionError("unreachable: a check above must have failed")


def _row_error(lines, path, row, message):
    """The error for row ``row`` of the table: its file line, the problem, the fix."""
    return SWCFormatError(message, path=path, line=lines(row))


def _fail_at_first(rows, lines, path, message):
    """Raise the error of the first offending row, if any; ``message(row)``."""
    if rows.size:
        raise _row_error(lines, path, rows[0], message(rows[0]))


def _parent_indices(ids, parent_ids, lines, path):
    """Map parent SWC ids to row indices; -1 for roots."""
    n = ids.size
    is_root = parent_ids < 0
    if ids[-1] - ids[0] == n - 1 and np.all(ids[1:] > ids[:-1]):
        # the common case: ids are consecutive and sorted, the row is id - ids[0]
        pos = parent_ids - ids[0]
        found = (pos >= 0) & (pos < n)
        missing = np.flatnonzero(~is_root & ~found)
        order = None
    else:
        if np.all(ids[1:] > ids[:-1]):  # sorted with gaps: no sort, no duplicates
            order = np.arange(n)
            sorted_ids = ids
            dup = ids[:0]
        else:
            order = np.argsort(ids, kind="stable")
            sorted_ids = ids[order]
            dup = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
        if dup.size:
            first, second = sorted(order[dup[0] : dup[0] + 2])
            raise _row_error(
                lines, path, second,
                f"duplicate id {ids[second]} (first used on line {lines(first)}); "
                "ids must be unique: renumber the node",
            )
        pos = np.searchsorted(sorted_ids, parent_ids)
        pos_clipped = np.minimum(pos, n - 1)
        found = sorted_ids[pos_clipped] == parent_ids
        missing = np.flatnonzero(~is_root & ~found)
    _fail_at_first(
        missing, lines, path, lambda row: (
            f"parent {parent_ids[row]} of node {ids[row]} not found; use the id of "
            "an existing node, or -1 for a root"
        ),
    )
    if order is None:
        parent = np.where(is_root, -1, pos)
    else:
        parent = np.where(is_root, -1, order[pos_clipped])
    selfloop = np.flatnonzero(parent == np.arange(n))
    _fail_at_first(
        selfloop, lines, path, lambda row: (
            f"node {ids[row]} is its own parent (a cycle); use -1 for a root"
        ),
    )
    return parent.astype(np.int64)


def _select_tree(ids, types, parent, lines, path, on_fragments):
    """Keep the soma-connected tree; return (row mask, dropped ids)."""
    n = parent.size
    parents_first = bool(np.all(parent < np.arange(n)))
    if parents_first and np.count_nonzero(parent < 0) == 1:
        return np.ones(n, dtype=bool), ids[:0]  # one sorted tree: nothing to drop
    roots = _tree.find_roots(parent, topological=parents_first)
    cyclic = np.flatnonzero(roots < 0)
    _fail_at_first(
        cyclic, lines, path, lambda row: (
            f"node {ids[row]} is on or below a cycle of parent links; every chain "
            "of parents must end at a root (parent -1)"
        ),
    )
    sizes = np.bincount(roots, minlength=n)  # roots >= 0: no cycle (above)
    root_rows = np.flatnonzero(sizes)  # what np.unique gives, without a sort
    sizes = sizes[root_rows]
    soma_roots = np.unique(roots[types == 1])
    if soma_roots.size > 1:
        rows = [int(np.flatnonzero((roots == r) & (types == 1))[0]) for r in soma_roots]
        where = ", ".join(f"id {ids[r]} (line {lines(r)})" for r in rows[:4])
        raise _row_error(
            lines, path, rows[1],
            f"{soma_roots.size} disconnected somata: {where}; connect the soma "
            "points into one tree or split the file into one neuron per file",
        )
    keep_root = soma_roots[0] if soma_roots.size else root_rows[np.argmax(sizes)]
    keep = roots == keep_root
    dropped = ids[~keep]
    is_dendrite = (types == 3) | (types == 4)
    kept_dend = np.count_nonzero(keep & is_dendrite)
    lost_dend = np.count_nonzero(~keep & is_dendrite)
    if lost_dend > kept_dend:
        raise _row_error(
            lines, path, int(np.flatnonzero(~keep)[0]),
            f"only {kept_dend} dendrite node(s) are connected to the "
            f"{'soma' if soma_roots.size else 'largest tree'} but {lost_dend} "
            f"lie in {root_rows.size - 1} fragment(s) not connected to it; connect "
            "each neurite to the soma (set its first node's parent to the soma id)",
        )
    message = _fragments(keep, dropped, root_rows.size - 1, soma_roots.size > 0,
                         lines, path, on_fragments)
    if message:
        warnings.warn(message, FragmentWarning, stacklevel=5)
    return keep, dropped


def _select_forest(ids, types, parent, lines, path, on_fragments):
    """``_select_tree`` with its counting in C (``forest`` of ``_ctree.c``).

    For a parents-first forest: the same mask, dropped ids and warning; None
    where it does not apply (a parent after its child, no C extension). The
    errors (several somata, more dendrite in fragments) are left to
    ``_select_tree``, which raises them. Used by the C reader's path only, so
    the fuzz tests compare the two.
    """
    if _tree._ctree is None:
        return None
    tree = np.empty(parent.size, dtype=np.int64)
    counted = _tree._ctree.forest(parent, types, tree)
    if counted is None:
        return None
    root_rows, sizes, somata, dendrites = (
        np.frombuffer(b, dtype=np.int64) for b in counted
    )
    soma_trees = np.flatnonzero(somata)
    keep_tree = soma_trees[0] if soma_trees.size else int(np.argmax(sizes))
    kept_dend = int(dendrites[keep_tree])
    if soma_trees.size > 1 or int(dendrites.sum()) - kept_dend > kept_dend:
        return _select_tree(ids, types, parent, lines, path, on_fragments)  # raises
    keep = tree == keep_tree
    dropped = ids[~keep]
    message = _fragments(keep, dropped, root_rows.size - 1, soma_trees.size > 0,
                         lines, path, on_fragments)
    if message:
        warnings.warn(message, FragmentWarning, stacklevel=5)
    return keep, dropped


def _fragments(keep, dropped, n_fragments, has_soma, lines, path, on_fragments):
    """Raise for dropped fragments (``on_fragments="raise"``), or return the
    warning to issue (``"warn"``); None when nothing is dropped or to say."""
    if not dropped.size:
        return None
    msg = (
        f"{path or '<swc>'}: dropped {dropped.size} node(s) in "
        f"{n_fragments} fragment(s) not connected to the "
        f"{'soma' if has_soma else 'largest tree'} (first dropped id "
        f"{dropped[0]})"
    )
    if on_fragments == "raise":
        raise SWCFormatError(
            msg.split(": ", 1)[1] + "; connect the fragments or pass "
            "on_fragments='warn'",
            path=path,
            line=lines(int(np.flatnonzero(~keep)[0])),
        )
    return msg if on_fragments == "warn" else None


def _check_soma(ids, types, parent, lines, path):
    """Soma nodes must form a chain (or a 3-point soma) at the root."""
    is_soma = types == 1
    n_soma = int(np.count_nonzero(is_soma))
    if n_soma == 0 or (n_soma == 1 and is_soma[0] and parent[0] < 0):
        return  # no soma, or a one-point soma at the root of a sorted tree
    nonroot = parent >= 0
    bad = np.flatnonzero(is_soma & nonroot & ~is_soma[np.maximum(parent, 0)])
    _fail_at_first(
        bad, lines, path, lambda row: (
            f"soma node {ids[row]} has a neurite parent ({ids[parent[row]]}); the "
            "soma must be the root: reparent the soma or fix the type codes"
        ),
    )
    root = int(np.flatnonzero(~nonroot)[0])  # a soma node: checked above
    soma_parents = parent[is_soma & nonroot]
    counts = np.bincount(soma_parents, minlength=ids.size)
    three_point = n_soma == 3 and counts[root] == 2
    forks = np.flatnonzero(counts >= 2)
    if forks.size and not three_point:
        row = forks[0]
        raise _row_error(
            lines, path, row,
            f"bifurcating soma: soma node {ids[row]} has {counts[row]} soma "
            "children; describe the soma as a single point, a 3-point soma or an "
            "unbranched chain of soma points",
        )


def read_swc(path, *, on_fragments="warn"):
    """Read an SWC file into a :class:`Morphology`.

    Accepts plain and gzip-compressed files (``.swc.gz``). Comments (``#``, also
    at the end of a line), blank lines, CRLF line ends, tabs or runs of spaces,
    extra trailing columns, ids in any order and non-contiguous ids are all
    handled. See the "Reading SWC" page of the user guide for every policy.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    on_fragments : {"warn", "ignore", "raise"}, default="warn"
        What to do with nodes not connected to the soma's tree (detached
        fragments): they are always dropped from the returned tree; ``"warn"``
        issues a :class:`~ngep.exceptions.FragmentWarning`, ``"raise"`` raises
        :class:`~ngep.exceptions.SWCFormatError` instead. Dropped ids are kept
        in :attr:`Morphology.dropped_ids`.

    Returns
    -------
    Morphology
        The soma-connected tree (the largest tree if the file has no soma).

    Raises
    ------
    SWCFormatError
        The file is malformed: wrong column count, non-numeric field, NaN or
        infinite value, coordinate or radius beyond 1e12, non-integer id, type
        or parent, negative radius, duplicate id, missing parent, cycle, no
        nodes, several disconnected somata, a soma below a neurite, a
        bifurcating soma, fragments holding more dendrite than the soma's tree,
        or corrupt gzip data.
    FileNotFoundError, PermissionError
        The file cannot be opened.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = '''# soma and one branching dendrite
    ... 1 1 0 0 0 5 -1
    ... 2 3 0 10 0 1 1
    ... 3 3 0 20 0 1 2
    ... 4 3 5 30 0 0.5 3
    ... 5 3 -5 30 0 0.5 3
    ... '''
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp, "cell.swc")
    ...     _ = p.write_text(text)
    ...     m = read_swc(p)
    >>> m
    <Morphology 'cell': 5 nodes, soma>
    >>> m.n_children.tolist()
    [1, 1, 2, 0, 0]
    """
    if on_fragments not in ("warn", "ignore", "raise"):
        raise ConfigurationError(
            f"on_fragments must be 'warn', 'ignore' or 'raise', got {on_fragments!r}."
        )
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidTypeError(
            f"read_swc expects a path (str or os.PathLike), got {type(path).__name__}."
        )
    path = os.fspath(path)
    with _file_contents(path) as (data, length):
        return _parse_bytes(data, path=path, on_fragments=on_fragments, length=length)


# _parse_bytes(parser=...): the fast parsers tried, in order, before the careful
# one; "auto" and "python" skip pandas below _SMALL_FILE bytes, where the line
# parser beats its fixed cost
_PARSER_CHAINS = {
    "auto": ("native", "pandas-large"),
    "python": ("pandas-large",),  # what an install without the C extension does
    "native": ("native",),
    "pandas": ("pandas",),
    "careful": (),
}


def _parse_bytes(data, *, path=None, on_fragments="warn", parser="auto",
                 length=None):
    """Parse the (decompressed) bytes of an SWC file; ``path`` only labels errors.

    ``read_swc`` without the disk: used by the fuzz tests and by callers that
    hold SWC text in memory. ``parser`` picks the fast parsers tried before the
    careful line parser, which takes whatever they decline (see
    ``_PARSER_CHAINS``): ``"auto"`` is the C parser, then pandas' on inputs of
    2 kB or more; the others force one path, for tests and benchmarks.
    ``length``: the text is ``data[:length]`` of a buffer with a NUL byte after
    it (see ``_parse._file_contents``), which the C tree path reads in place.
    """
    if length is not None and (data[:3] == _UTF8_BOM
                               or "native" not in _PARSER_CHAINS[parser]):
        data, length = bytes(data[:length]), None  # the other paths read bytes
    if data.startswith(_UTF8_BOM):  # written by some Windows editors
        data = data[len(_UTF8_BOM):]
    table = None
    for name in _PARSER_CHAINS[parser]:
        if name == "native":
            tree = _parse_native_tree(data, length)  # parsed and checked in C
            if tree is not None:
                *arrays, one_tree, simple_soma, keep_rows = tree
                lines = _Lines(data, path, n_rows=arrays[0].shape[0], length=length)
                return _assemble(*arrays, lines, path, on_fragments,
                                 one_tree=one_tree, simple_soma=simple_soma,
                                 owned=True, keep_rows=keep_rows)
            if length is not None:
                data, length = bytes(data[:length]), None
            table = _parse_native(data)  # the C path declined: errors come next
        elif name == "pandas" or len(data) >= _SMALL_FILE:
            table = _parse_fast(data)
        if table is not None:
            break
    if table is None:
        table, linenos = _parse_careful(data, path)
        lines = _Lines(data, path, linenos)
    else:
        lines = _Lines(data, path, n_rows=table.shape[0])
    # _assemble is called from here on both paths: FragmentWarning's stacklevel
    # counts read_swc -> _parse_bytes -> _assemble -> _select_tree
    return _assemble(*_checked(table, lines, path), lines, path, on_fragments)


def _checked(table, lines, path):
    """xyz, radius, ids, types and parent row indices of a table that passes
    ``_check_integral`` and ``_parent_indices``."""
    ints = _check_integral(table, lines, path)
    ids, types, parent_ids = ints[:, 0], ints[:, 1], ints[:, 2]
    parent = _parent_indices(ids, parent_ids, lines, path)
    return table[:, 2:5], table[:, 5], ids, types, parent


def _assemble(xyz, radius, ids, types, parent, lines, path, on_fragments, *,
              one_tree=False, simple_soma=False, owned=False, keep_rows=None):
    """The Morphology of checked node arrays (parent as row indices).

    ``one_tree`` (one root, parents before children) and ``simple_soma`` (a
    soma that passes ``_check_soma``), where the C reader knows them, skip
    ``_select_tree`` and ``_check_soma``, which would find nothing to do.
    ``owned``: the arrays are fresh and held nowhere else, so the Morphology
    may keep them rather than copies. ``keep_rows(keep)``: the arrays of the
    kept rows, packed in place (the C reader's buffer); the Morphology keeps
    them where at least half the rows are kept (its buffer is then at most
    twice what it needs) and copies them otherwise.
    """
    if one_tree:
        dropped = ids[:0]
    else:
        selected = None
        if keep_rows is not None:  # the C reader's path: counting in C
            selected = _select_forest(ids, types, parent, lines, path, on_fragments)
        if selected is None:
            selected = _select_tree(ids, types, parent, lines, path, on_fragments)
        keep, dropped = selected
    if not simple_soma:
        _check_soma(ids, types, parent, lines, path)
    if not one_tree and not keep.all():
        if keep_rows is not None:
            xyz, radius, ids, types, parent = keep_rows(keep)
            owned = owned and 2 * ids.size >= keep.size
        else:
            new_index = np.cumsum(keep) - 1
            parent = np.where(
                parent[keep] >= 0, new_index[np.maximum(parent[keep], 0)], -1
            )
            xyz, radius, ids, types = xyz[keep], radius[keep], ids[keep], types[keep]
    name = None if path is None else morphology_stem(path)
    return Morphology._from_checked(
        xyz,
        radius,
        types,
        parent,
        ids=ids,
        name=name,
        source=path,
        dropped_ids=dropped,
        owned=owned,
        parents_first=one_tree or None,
    )


def write_swc(morphology, path, *, header=None):
    """Write a :class:`Morphology` as an SWC file (gzip if the name ends in ``.gz``).

    Nodes are written in stored (topological) order with their original ids.
    The file is written to a temporary name and renamed, so a crash never leaves
    a half-written file.

    Parameters
    ----------
    morphology : Morphology
    path : str or os.PathLike
    header : str, default=None
        Comment text for the top of the file (``#`` is added to each line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = Morphology([[0, 0, 0], [0, 5, 0]], [3, 1], [1, 3], [-1, 0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp, "x.swc")
    ...     write_swc(m, p, header="example")
    ...     print(p.read_text())
    # example
    # id type x y z radius parent
    1 1 0 0 0 3 -1
    2 3 0 5 0 1 1
    <BLANKLINE>
    """
    path = os.fspath(path)
    ids = morphology.ids
    parent = morphology.parent
    parent_ids = np.where(parent >= 0, ids[np.maximum(parent, 0)], -1)
    lines = []
    if header:
        lines.extend(f"# {line}" for line in str(header).splitlines())
    lines.append("# id type x y z radius parent")
    xyz, radius = morphology.xyz, morphology.radius
    body = [
        f"{i} {t} {x:.10g} {y:.10g} {z:.10g} {r:.10g} {p}"
        for i, t, (x, y, z), r, p in zip(
            ids.tolist(), morphology.types.tolist(), xyz.tolist(), radius.tolist(),
            parent_ids.tolist(),
        )
    ]
    text = "\n".join(lines + body) + "\n"
    payload = text.encode("utf-8")
    if path.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    with atomic_write(path) as fh:
        fh.write(payload)
