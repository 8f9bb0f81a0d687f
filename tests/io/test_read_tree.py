# SPDX-License-Identifier: BSD-3-Clause
"""The C reader's tree path (``_cswc.read_tree``) against the Python checks.

``read_tree`` parses the bytes and does in C what ``_check_integral``,
``_parent_indices`` and (where it can decide) ``_select_tree`` and
``_check_soma`` do on the table. Wherever it returns arrays they must be the
Python path's, bit for bit, and wherever that path raises, it must decline (so
the error and its line stay the Python path's). Each test compares the reader
with the tree path on and with it switched off (the table path of the C
parser); ``tests/io/test_fuzz_swc.py`` compares both with the careful parser
and, on damaged files, with each other.
"""

import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngep.exceptions import FragmentWarning, SWCFormatError
from ngep.io import _parse, _swc
from ngep.io._parse import _parse_careful, _parse_native_tree

pytestmark = pytest.mark.skipif(
    _parse._cswc is None, reason="the C extension ngep.io._cswc is not built"
)
SETTINGS = settings(derandomize=True, database=None, deadline=5000, max_examples=400,
                    suppress_health_check=[HealthCheck.too_slow])


def _outcome(data, on_fragments="ignore"):
    """What ``_parse_bytes`` (C parser first) makes of ``data``."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FragmentWarning)
            m = _swc._parse_bytes(data, on_fragments=on_fragments, parser="native")
    except SWCFormatError as err:
        return ("error", str(err))
    return ("ok", m.ids.view(np.int64).tolist(), m.parent.tolist(), m.types.tolist(),
            m.xyz.view(np.int64).tolist(), m.radius.view(np.int64).tolist(),
            m.dropped_ids.tolist(), m.name, [str(w.message) for w in caught])


def check_agrees(data, on_fragments="ignore"):
    """The reader gives the same result or error with and without read_tree."""
    with_tree = _outcome(data, on_fragments)
    with mock.patch.object(_swc, "_parse_native_tree", lambda data, length=None: None):
        without = _outcome(data, on_fragments)
    assert with_tree == without
    return with_tree


def _text(rows, eol="\n"):
    return (eol.join(" ".join(map(str, row)) for row in rows) + eol).encode()


def _chain(n, first_id=1, soma=1):
    """A soma of ``soma`` points in a chain, then a dendrite: parents first."""
    return [[first_id + i, 1 if i < soma else 3, i, 0.5 * i, -i, 1.0,
             first_id + i - 1 if i else -1] for i in range(n)]


# ---------------------------------------------------------------------------
# what read_tree returns
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("comments", [0, 1, 50])
def test_arrays_are_the_table_paths(eol, comments):
    rows = _chain(40)
    lines = [f"# comment {i}" for i in range(comments)]
    lines += [" ".join(map(str, row)) for row in rows]
    data = (eol.join(lines) + eol).encode()
    tree = _parse_native_tree(data)
    assert tree is not None
    xyz, radius, ids, types, parent, one_tree, simple_soma, _ = tree
    table = _parse_careful(data, None)[0]
    np.testing.assert_array_equal(xyz.view(np.int64), table[:, 2:5].view(np.int64))
    np.testing.assert_array_equal(radius.view(np.int64), table[:, 5].view(np.int64))
    assert ids.dtype == types.dtype == parent.dtype == np.int64
    assert ids.tolist() == list(range(1, 41)) and types.tolist() == table[:, 1].tolist()
    assert parent.tolist() == list(range(-1, 39))
    assert one_tree and simple_soma
    assert all(a.flags.c_contiguous for a in (xyz, radius, ids, types, parent))
    check_agrees(data)


def test_mixed_line_ends_are_all_counted():
    # \r\n counts once, lone \r and \n once each: the rows always fit
    lines = [" ".join(map(str, row)) for row in _chain(30)]
    data = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    assert _parse_native_tree(data.encode()) is not None
    check_agrees(data.encode())


def test_morphology_keeps_the_buffer_read_only():
    m = _swc._parse_bytes(_text(_chain(20)), path="cell.swc")
    for name in ("xyz", "radius", "ids", "types", "parent"):
        array = getattr(m, name)
        assert not array.flags.writeable and array.flags.c_contiguous, name
        with pytest.raises(ValueError):
            array[0] = 0
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(again.xyz, m.xyz)
    assert again.n_children.tolist() == m.n_children.tolist()


@pytest.mark.parametrize("rows, one_tree, simple_soma", [
    (_chain(10), True, True),
    (_chain(10, soma=0), True, True),  # no soma
    (_chain(10, soma=5), True, True),  # an unbranched soma chain
    (_chain(10, first_id=0), True, True),  # ids from 0
    (_chain(10, soma=3)[:1] + [[2, 1, 1, 0, 0, 1, 1], [3, 1, -1, 0, 0, 1, 1]]
     + [[4, 3, 0, 2, 0, 1, 1]], True, True),  # 3-point soma: two children of the root
    (_chain(10)[::-1], False, True),  # children first
    (_chain(10) + [[11, 3, 5, 5, 5, 1, -1], [12, 3, 6, 5, 5, 1, 11]], False, True),
])
def test_flags(rows, one_tree, simple_soma):
    tree = _parse_native_tree(_text(rows))
    assert tree is not None and tree[5:7] == (one_tree, simple_soma)
    check_agrees(_text(rows))


@pytest.mark.parametrize("rows", [
    _chain(5) + [[5, 3, 0, 0, 0, 1, 4]],  # duplicate id
    _chain(5) + [[6, 3, 0, 0, 0, 1, 9]],  # parent not found
    _chain(5) + [[6, 3, 0, 0, 0, 1, 6]],  # its own parent
    _chain(5) + [[6.5, 3, 0, 0, 0, 1, 5]],  # id not an integer
    _chain(5) + [[6, 3, 0, 0, 0, 1, 5.5]],  # parent not an integer
    _chain(5) + [[2**53 + 2, 3, 0, 0, 0, 1, 5]],  # beyond 2**53
    _chain(5) + [[6, 3, 2e12, 0, 0, 1, 5]],  # coordinate beyond 1e12
    _chain(5) + [[6, 3, 0, 0, 0, -0.5, 5]],  # negative radius
    _chain(5) + [[6, 3, 0, 0, 0, 1e13, 5]],  # radius beyond 1e12
])
def test_declines_what_the_checks_reject(rows):
    data = _text(rows)
    assert _parse_native_tree(data) is None
    assert _parse._parse_native(data) is not None  # the table path decides
    assert check_agrees(data)[0] == "error"


def test_edge_values_the_checks_accept():
    rows = _chain(5) + [[6, 3, -1e12, 1e12, -0.0, 1e12, 5],
                        [2**53, -0.0, 0, 0, 0, -0.0, 6]]
    assert _parse_native_tree(_text(rows)) is not None
    assert check_agrees(_text(rows))[0] == "ok"


@pytest.mark.parametrize("ids", ["consecutive", "gaps", "shuffled", "huge-range"])
def test_ids_to_rows_in_every_layout(ids):
    rng = np.random.default_rng(7)
    n = 300
    parent = [-1] + [int(rng.integers(0, i)) for i in range(1, n)]
    order = rng.permutation(n) if ids in ("shuffled", "huge-range") else np.arange(n)
    values = {"consecutive": np.arange(n) + 10, "gaps": np.arange(n) * 3 + 1,
              "shuffled": rng.permutation(n) * 2 + 5,
              "huge-range": rng.permutation(n) * 2**40 + 1}[ids]
    rows = [[values[i], 1 if i == 0 else 3, i, 0, 0, 1,
             values[parent[i]] if parent[i] >= 0 else -1] for i in order]
    assert _parse_native_tree(_text(rows)) is not None
    out = check_agrees(_text(rows))
    assert out[0] == "ok" and sorted(out[1]) == sorted(values.tolist())


@pytest.mark.parametrize("order", ["parents-first", "reversed", "shuffled"])
@pytest.mark.parametrize("n_fragment", [1, 3, 40, 60, 61, 150])
def test_fragments_dropped_in_place_as_numpy_drops_them(order, n_fragment):
    # keep_rows packs the kept rows in the C reader's buffer, which the
    # Morphology keeps (kept >= half) or copies (fewer): the same Morphology
    rng = np.random.default_rng(n_fragment)
    rows = _chain(60, soma=3)
    rows += [[100 + i, 2, i, 1, 1, 0.5, -1 if i == 0 else 100 + int(rng.integers(i))]
             for i in range(n_fragment)]
    rows = {"parents-first": rows, "reversed": rows[::-1],
            "shuffled": [rows[i] for i in rng.permutation(len(rows))]}[order]
    data = _text(rows)
    out = check_agrees(data)
    assert out[0] == "ok" and len(out[1]) == 60 and len(out[6]) == n_fragment
    m = _swc._parse_bytes(data, on_fragments="ignore")
    base = m.xyz
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    # kept (parents first: no reordering) where at least half the rows are kept
    assert isinstance(base, memoryview) == (order == "parents-first"
                                            and n_fragment <= 60)


def test_keep_rows_checks_its_input():
    block, n, stride = _parse._cswc.read_tree(_text(_chain(5)))[:3]
    with pytest.raises(ValueError, match="keep_rows"):
        _parse._cswc.keep_rows(block, n, stride, b"\x01" * (n - 1))
    with pytest.raises(ValueError, match="keep_rows"):
        _parse._cswc.keep_rows(block, stride + 1, stride, b"\x01" * (stride + 1))


# ---------------------------------------------------------------------------
# somata: the C decision against _check_soma
# ---------------------------------------------------------------------------
@st.composite
def somata(draw):
    """Trees whose first nodes are soma points wired in any way (chains, forks,
    3-point somata, somata below neurites, several roots), up to 70 points."""
    n_soma = draw(st.integers(0, 70))
    n = n_soma + draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    wiring = draw(st.sampled_from(["chain", "three", "random", "mixed", "late"]))
    parent = [-1] + [int(rng.integers(0, i)) for i in range(1, n)]
    if wiring == "chain":
        parent[:n_soma] = range(-1, n_soma - 1)
    elif wiring == "three" and n_soma >= 3:
        parent[1:3] = [0, 0]
    types = [1 if i < n_soma else 3 for i in range(n)]
    if wiring == "mixed":  # soma points among the neurites, extra roots
        for i in rng.choice(n, size=min(n, 3), replace=False):
            types[int(i)] = 1
        if rng.random() < 0.5:
            parent[int(rng.integers(n))] = -1
    rows = [[i + 1, types[i], i, 0, 0, 1, parent[i] + 1 if parent[i] >= 0 else -1]
            for i in range(n)]
    if wiring == "late":  # a neurite root before the soma's
        rows.insert(0, [n + 1, 3, 0, 0, 0, 1, -1])
    if draw(st.booleans()):
        rows = rows[::-1]
    return _text(rows)


@pytest.mark.parametrize("on_fragments", ["ignore", "raise"])
def test_three_soma_points_forking_below_a_later_root(on_fragments):
    # _check_soma allows a fork in a 3-point soma only at the first root (here a
    # neurite's): the C decision must leave it to Python, which raises
    rows = [[1, 3, 9, 0, 0, 1, -1], [2, 1, 0, 0, 0, 5, -1], [3, 1, 1, 0, 0, 5, 2],
            [4, 1, -1, 0, 0, 5, 2], [5, 3, 0, 9, 0, 1, 2], [6, 3, 0, 8, 0, 1, 5]]
    assert _parse_native_tree(_text(rows))[5:7] == (False, False)
    outcome = check_agrees(_text(rows), on_fragments)
    assert outcome[0] == "error"
    assert ("bifurcating soma" in outcome[1]) == (on_fragments == "ignore")


@SETTINGS
@given(somata(), st.sampled_from(["ignore", "warn", "raise"]))
def test_somata_agree(data, on_fragments):
    check_agrees(data, on_fragments)



# ---------------------------------------------------------------------------
# the reused read buffer (_parse._file_contents)
# ---------------------------------------------------------------------------
def _files(tmp_path):
    """Files that follow one another through the same buffer: large then small
    (stale bytes after the small one), gzip, a BOM, an error deep in a file."""
    import gzip

    big, small = _text(_chain(400)), _text(_chain(3))
    bad = _text(_chain(50)).replace(b"\n30 3 ", b"\n30.5 3 ")  # line 30
    files = {"big.swc": big, "small.swc": small, "bom.swc": b"\xef\xbb\xbf" + small,
             "cell.swc.gz": gzip.compress(big, mtime=0), "bad.swc": bad,
             "tiny.swc": b"1 1 0 0 0 1 -1", "empty.swc": b"", "gz-like.swc": b"\x1f"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return files


def _read(path):
    try:
        m = _swc.read_swc(path)
    except SWCFormatError as err:
        return ("error", str(err))
    return ("ok", m.xyz.tolist(), m.parent.tolist(), m.ids.tolist(), m.name)


def test_reused_buffer_reads_as_bytes_do(tmp_path):
    files = _files(tmp_path)
    for name in [*files, *reversed(files), "big.swc", "tiny.swc", "bad.swc"]:
        path = tmp_path / name
        with mock.patch.object(_parse, "_READ_BUFFER", _parse._ReadBuffer()) as state:
            state.busy = True  # the path without the buffer
            expected = _read(path)
        assert _read(path) == expected, name
    assert _read(tmp_path / "bad.swc")[1].endswith("line 30: id must be an integer, "
                                                   "got 30.5")


def test_files_over_the_limit_get_bytes_of_their_own(tmp_path, monkeypatch):
    files = _files(tmp_path)
    expected = {name: _read(tmp_path / name) for name in files}
    monkeypatch.setattr(_parse, "_REUSE_LIMIT", 100)
    monkeypatch.setattr(_parse, "_READ_BUFFER", _parse._ReadBuffer())
    assert {name: _read(tmp_path / name) for name in files} == expected
    assert len(_parse._READ_BUFFER.buffer) < 100


def test_a_read_inside_a_read_gets_bytes_of_its_own(tmp_path):
    # a warning hook reads another file while the first is being checked; the
    # error found after the warning must still name the first file's line
    files = _files(tmp_path)
    soma = [[1, 1, 0, 0, 0, 5, -1]] + [[i, 1, i, 0, 0, 5, 1] for i in (2, 3, 4)]
    rows = soma + [[5, 3, 0, 9, 0, 1, 1], [6, 3, 0, 9, 1, 1, 5], [7, 3, 0, 9, 2, 1, 6],
                   [31, 3, 5, 5, 5, 1, -1], [32, 3, 6, 5, 5, 1, 31]]
    (tmp_path / "frag.swc").write_bytes(b"# a\n# b\n# c\n" + _text(rows))
    inner = []

    def hook(message, category, filename, lineno, file=None, line=None):
        inner.append(_read(tmp_path / "big.swc"))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = hook
        with pytest.raises(SWCFormatError, match="line 4: bifurcating soma"):
            _swc.read_swc(tmp_path / "frag.swc", on_fragments="warn")
    assert inner == [_read(tmp_path / "big.swc")]
    assert inner[0][0] == "ok" and not _parse._READ_BUFFER.busy
    assert files  # written


def test_threads_read_with_buffers_of_their_own(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    files = _files(tmp_path)
    names = [name for name in files for _ in range(5)]
    expected = [_read(tmp_path / name) for name in names]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda name: _read(tmp_path / name), names))
    assert got == expected


def test_read_tree_length_must_end_at_a_nul_byte():
    data = bytearray(_text(_chain(5)) + b"\0junk")
    n = data.index(0)
    assert _parse._cswc.read_tree(data, n)[1] == 5
    for length in (n - 1, len(data), len(data) + 5):
        with pytest.raises(ValueError, match="NUL"):
            _parse._cswc.read_tree(data, length)


@pytest.mark.parametrize("parser", ["auto", "careful"])
def test_fragment_warning_points_at_the_caller(tmp_path, parser):
    rows = _chain(30) + [[31, 3, 5, 5, 5, 1, -1], [32, 3, 6, 5, 5, 1, 31]]
    path = tmp_path / "frag.swc"
    path.write_bytes(_text(rows))
    with mock.patch.dict(_swc._PARSER_CHAINS, auto=_swc._PARSER_CHAINS[parser]):
        with pytest.warns(FragmentWarning) as caught:
            _swc.read_swc(path, on_fragments="warn")
    assert caught[0].filename == __file__
