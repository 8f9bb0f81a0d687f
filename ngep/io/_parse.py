# SPDX-License-Identifier: BSD-3-Clause
"""SWC bytes -> a (n_nodes, 7) float table, with line-numbered errors.

Three parsers, tried in turn. The careful one (line by line, pure Python)
defines what a valid file is and has the final word. The native one (C,
``ngep/io/_cswc.c``, built when a compiler is present) and the pandas one (its C
parser, used on larger files when the native one is missing or declines) are
used only where they return exactly what the careful one would;
``tests/io/test_fuzz_swc.py`` checks that they do, bit for bit.
"""

import contextlib
import csv
import gzip
import io
import math
import os
import re
import threading
import zlib

import numpy as np

from ngep.exceptions import SWCFormatError

try:
    from ngep.io import _cswc
except ImportError:  # built without a C compiler: the Python parsers serve alone
    _cswc = None

_COLUMNS = ("id", "type", "x", "y", "z", "radius", "parent")
_GZIP_MAGIC = b"\x1f\x8b"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FIELD_SEP = re.compile(r"[ \t]+")
# pandas' float parser skips \v and \f around a number like blanks; the careful
# parser does not (tests/io/test_parse.py checks every control byte)
_SKIPPED_BY_STRTOD = (b"\x0b", b"\x0c")


# ---------------------------------------------------------------------------
# bytes -> table
# ---------------------------------------------------------------------------
def _read_bytes(path):
    with open(path, "rb") as fh:
        data = fh.read()
    return _decompressed(data, path)


def _decompressed(data, path):
    """``data`` as read from ``path``, inflated if it is gzip data."""
    if data[:2] == _GZIP_MAGIC:
        try:
            data = _gunzip(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise SWCFormatError(
                f"corrupt or truncated gzip data ({exc}); re-download or re-compress "
                "the file",
                path=path,
            ) from exc
    return data


class _ReadBuffer(threading.local):
    """The buffer a thread reads plain SWC files into, reused from file to file.

    A fresh ``bytes`` per file is fresh memory: on a large file the kernel's
    page faults on it (and on the arrays that follow) cost as much as a third
    of parsing, because the C library hands the memory back between files.
    One buffer per thread, as large as the largest file read so far (up to
    ``_REUSE_LIMIT``), is faulted in once. ``busy`` makes a nested read in the
    same thread (a warning hook that reads a file) use bytes of its own.
    """

    buffer = None
    busy = False


_READ_BUFFER = _ReadBuffer()
_REUSE_LIMIT = 16 * 2**20  # bytes; larger files are read into bytes of their own


@contextlib.contextmanager
def _file_contents(path):
    """The contents of the file at ``path``, decompressed, as ``(data, length)``.

    With the C extension, a plain file is read into the thread's reused
    buffer: ``data`` is that bytearray, ``length`` the file's size, and
    ``data[length]`` a NUL byte (the C reader's sentinel). Valid inside the
    ``with`` block only. Otherwise (gzip, a file over ``_REUSE_LIMIT``, no C
    extension, a nested read) ``data`` is ``bytes`` and ``length`` None.
    """
    state = _READ_BUFFER
    if _cswc is None or state.busy:
        yield _read_bytes(path), None
        return
    state.busy = True
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            buffer = state.buffer
            if size >= _REUSE_LIMIT:
                data, length = fh.read(), None
            else:
                if buffer is None or len(buffer) < size + 2:
                    buffer = state.buffer = bytearray(size + 2 + size // 8)
                with memoryview(buffer) as view, view[: size + 1] as part:
                    length = fh.readinto(part)  # one byte more: a file that grew
                data = buffer
                if length > size:
                    data, length = bytes(buffer[:length]) + fh.read(), None
        if length is not None and buffer[:2] == _GZIP_MAGIC:
            data, length = bytes(buffer[:length]), None
        if length is None:
            data = _decompressed(data, path)
        else:
            buffer[length] = 0
        yield data, length
    finally:
        state.busy = False


def _inflate_module():
    """``isal.isal_zlib`` where the optional ``isal`` is installed, else ``zlib``.

    ISA-L inflates ~4x faster than zlib (the gzip styles of
    ``benchmarks/bench_styles.py``); the bytes are the same, deflate being a
    format with one decoding. Imported on the first gzip file only.
    """
    global _INFLATE
    if _INFLATE is None:
        try:
            from isal import isal_zlib as module
        except ImportError:
            module = zlib
        _INFLATE = module
    return _INFLATE


_INFLATE = None


def _gunzip(data):
    """The decompressed bytes of gzip ``data``, in one call on the bytes read.

    With ``wbits=31`` the inflater reads the gzip header, inflates and checks
    the CRC in C, in one call; ``gzip.decompress`` does the same work plus a
    Python header parse and a second pass over the output for the CRC. Anything
    that is not exactly one complete gzip member (several members, trailing
    bytes, truncated or corrupt data) goes to ``gzip.decompress``, so results
    and error messages stay its own.
    """
    module = _inflate_module()
    inflater = module.decompressobj(31)
    try:
        out = inflater.decompress(data)
    except module.error:
        return gzip.decompress(data)
    if inflater.eof and not inflater.unused_data:
        return out
    return gzip.decompress(data)


_READ_CSV = dict(
    comment="#",
    header=None,
    dtype=np.float64,
    quoting=csv.QUOTE_NONE,
    low_memory=False,
    engine="c",
)


def _parse_native(data):
    """Parse with the C extension; a (n, 7) column-major float array, or None.

    None where the extension is not built, or where it declines: anything the
    careful parser would reject (which the careful parser then names). It
    converts every decimal literal exactly as ``float()`` does, whatever its
    number of digits or exponent (see the notes at the top of ``_cswc.c``), so
    a well-formed file is read here alone. Where it returns a table, that table
    is the careful parser's, bit for bit.
    """
    if _cswc is None:
        return None
    parsed = _cswc.parse_table(data)
    if parsed is None:
        return None
    buffer, n = parsed
    return np.frombuffer(buffer, dtype=np.float64).reshape(len(_COLUMNS), n).T


def _parse_native_tree(data, length=None):
    """Parse and check with the C extension; the node arrays, or None.

    ``(xyz, radius, ids, types, parent, one_tree, simple_soma, keep_rows)``: what
    ``_swc._checked`` makes of the table once ``_check_integral`` and
    ``_parent_indices`` pass (float64 xyz of shape (n, 3) and radius; int64
    ids, types and parent row indices), as fresh C-contiguous views of one
    buffer that nothing else holds. ``one_tree``: one root, parents before
    children (nothing for ``_select_tree`` to do); ``simple_soma``: the soma
    passes ``_check_soma`` (decided in C for somata of up to 64 points).
    ``keep_rows(keep)`` packs the rows where ``keep`` in place and returns
    their five arrays (the fragment filter of ``_swc._assemble``, without new
    arrays). ``length``: parse ``data[:length]`` only (``data[length]`` is 0;
    see ``_file_contents``). None where the extension is not built, or where
    ``parse_table`` and those checks must decide: the caller then takes the
    table path, whose errors are unchanged.
    """
    if _cswc is None:
        return None
    parsed = _cswc.read_tree(data) if length is None else _cswc.read_tree(data, length)
    if parsed is None:
        return None
    block, n, stride, one_tree, simple_soma = parsed

    def keep_rows(keep):
        """The arrays of the rows where ``keep``, packed in place in the block."""
        kept = _cswc.keep_rows(block, n, stride, np.ascontiguousarray(keep, bool))
        return _tree_arrays(block, kept, kept)

    return (*_tree_arrays(block, n, stride), one_tree, simple_soma, keep_rows)


def _tree_arrays(block, n, stride):
    """xyz, radius, ids, types and parent: views of ``read_tree``'s block."""
    floats = np.frombuffer(block, dtype=np.float64)
    ints = floats.view(np.int64)
    return (
        floats[: 3 * n].reshape(n, 3),
        floats[3 * stride : 3 * stride + n],
        ints[4 * stride : 4 * stride + n],
        ints[5 * stride : 5 * stride + n],
        ints[6 * stride : 6 * stride + n],
    )


def _pandas_table(data, sep):
    """pandas' C parser on ``data``: a column-major (n, k) float64 array.

    Only the public ``read_csv``: since the C parser reads every well-formed
    file, this path serves files it declines and installs without the C
    extension, where the DataFrame it builds (~0.4 ms per file) does not matter.
    """
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(data), sep=sep, **_READ_CSV)
    return np.asfortranarray(frame.to_numpy(dtype=np.float64))


def _parse_fast(data):
    """Parse with pandas; return a (n, 7) float array or None if anything is odd.

    Tables are column-major (as pandas holds them), so the per-column checks
    that follow read contiguous memory.

    A single-space separator is tried first: it is about twice as fast as a
    whitespace regex and covers most files written by software. With ``sep=" "``
    every run of spaces gives an empty field (NaN), so a file with runs of spaces,
    inline comments or leading blanks is detected and parsed again with ``\\s+``.
    Tabs and carriage returns go straight to the regex separator. Whatever fails
    here is left to the careful line-by-line parser, which has the final word.
    """
    if not data.strip() or any(c in data for c in _SKIPPED_BY_STRTOD):
        return None  # the careful parser judges
    seps = (r"\s+",) if (b"\t" in data or b"\r" in data) else (" ", r"\s+")
    for sep in seps:
        try:
            table = _pandas_table(data, sep)
        except Exception:  # noqa: BLE001 - any failure: try the next parser
            continue
        if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] < 7:
            continue
        table = table[:, :7]
        if np.all(np.isfinite(table)):
            return np.asfortranarray(table)  # pandas' own (column) order: no copy
    return None


def _row_lines(data):
    """1-based line numbers of the lines that hold fields, in file order.

    The careful parser's row-to-line map (its second result) computed with
    numpy on the bytes: lines end at ``\\n``, ``\\r\\n`` or ``\\r``, ``#`` starts
    a comment, and a line holds fields where anything but spaces and tabs is
    left before its comment. Used to name the line of a row that a fast parser
    read but the checks reject, without parsing the file again in Python.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    if not arr.size:
        return np.zeros(0, dtype=np.int64)
    lf, cr = arr == 10, arr == 13
    ends = lf.copy()
    ends[:-1] |= cr[:-1] & ~lf[1:]  # a lone \r ends a line; \r\n ends at \n
    ends[-1:] |= cr[-1:]
    line = np.cumsum(ends)  # line index (0-based) of the byte after each byte
    line = np.concatenate(([0], line[:-1]))  # ... and of each byte itself
    hashes = np.cumsum(arr == 35)
    starts = np.flatnonzero(np.concatenate(([True], ends[:-1])))
    before = np.concatenate(([0], hashes))[starts]  # '#'s before each line
    in_comment = hashes - before[line] > 0
    content = ~(in_comment | lf | cr | (arr == 32) | (arr == 9))
    has_fields = np.zeros(int(line[-1]) + 1, dtype=bool)
    has_fields[line[content]] = True
    return np.flatnonzero(has_fields).astype(np.int64, copy=False) + 1


def _fix_hint(token):
    if "," in token:
        return (
            "; the file seems to use decimal commas or comma separators: SWC needs "
            "'.' as decimal mark and whitespace between columns"
        )
    return ""


def _number(token, col, path, lineno):
    """The float value of one field, or SWCFormatError.

    Only ASCII decimal literals are numbers (what C's ``strtod`` and pandas
    read); Python's ``float`` would also take ``1_000`` or non-ASCII digits.
    """
    if _NUMBER.fullmatch(token):
        value = float(token)
        if math.isfinite(value):
            return value
    if _NUMBER.fullmatch(token) or token.lower().lstrip("+-") in (
        "nan", "inf", "infinity"
    ):
        raise SWCFormatError(
            f"{col} is {token[:30]!r}; every field must be a finite number "
            "(fix or remove the node)",
            path=path,
            line=lineno,
        )
    raise SWCFormatError(
        f"non-numeric {col} field {token[:30]!r}{_fix_hint(token)}",
        path=path,
        line=lineno,
    )


def _parse_careful(data, path):
    """Parse line by line; return (table, line_numbers) or raise SWCFormatError.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; fields are separated by spaces
    and tabs; ``#`` starts a comment. This parser defines what a valid file is:
    the fast parser's result is used only where it agrees (the fuzz tests check
    that it does).
    """
    text = data.decode("utf-8", errors="replace")
    rows = []
    linenos = []
    for lineno, raw in enumerate(_LINE_BREAK.split(text), start=1):
        content = raw.split("#", 1)[0].strip(" \t")
        if not content:
            continue
        tokens = _FIELD_SEP.split(content)
        if len(tokens) < 7:
            raise SWCFormatError(
                f"expected 7 columns (id type x y z radius parent), found "
                f"{len(tokens)}: {content[:60]!r}{_fix_hint(content)}",
                path=path,
                line=lineno,
            )
        values = [
            _number(token, col, path, lineno) for col, token in zip(_COLUMNS, tokens)
        ]
        rows.append(values)
        linenos.append(lineno)
    if not rows:
        raise SWCFormatError(
            "no nodes: the file is empty or holds only comments; expected lines "
            "of 'id type x y z radius parent'",
            path=path,
        )
    table = np.asfortranarray(np.asarray(rows, dtype=np.float64))
    return table, np.asarray(linenos, dtype=np.int64)
