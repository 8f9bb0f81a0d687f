# SPDX-License-Identifier: BSD-3-Clause
"""Property-based fuzzing of the SWC reader.

Valid SWC trees are generated, then damaged (lines dropped or duplicated, ids
swapped, parents pointing forward, to themselves or to nothing, garbage and huge
numbers, NaN/inf, unicode, truncation, binary junk, empty input). Whatever the
input, the reader must either return a valid :class:`~ngep.io.Morphology` or
raise :class:`~ngep.exceptions.SWCFormatError`, never anything else, and within
a bounded time (the hypothesis deadline). Undamaged trees must be read exactly.

Profiles (registered here, applied per test so other test modules keep theirs):

``ngep-fuzz-ci``
    The default. Derandomised (same examples every run), about 10,000 examples
    over the tests of this module.
``ngep-fuzz-long``
    Used by the ``@pytest.mark.slow`` tests: random seed, 10x more examples
    (``NGEP_FUZZ_FACTOR`` sets another factor); ~15 minutes on 2 loaded cores.
    Run with ``pytest -m slow tests/io/test_fuzz_swc.py``.
"""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngep.exceptions import FragmentWarning, SWCFormatError
from ngep.io import _parse, read_swc
from ngep.io._parse import _parse_careful, _parse_fast, _parse_native, _row_lines
from ngep.io._swc import _parse_bytes

_COMMON = dict(
    database=None,
    deadline=5000,  # ms per example: generous for a loaded 2-core CI machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ngep-fuzz-ci", derandomize=True, **_COMMON)
settings.register_profile("ngep-fuzz-long", derandomize=False, **_COMMON)
CI = settings.get_profile("ngep-fuzz-ci")
LONG = settings.get_profile("ngep-fuzz-long")

# examples per test in the ci profile (sum >= 10,000); the long profile runs LONG_X
LONG_X = int(os.environ.get("NGEP_FUZZ_FACTOR", "10"))
N_VALID, N_MUTATED, N_FAST, N_BYTES, N_TEXT, N_FILES = 2200, 4000, 1000, 1600, 1000, 200


# ---------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------
_SEPS = [" ", "  ", "\t", " \t "]
_EOLS = ["\n", "\r\n"]
_SEP, _EOL = st.sampled_from(_SEPS), st.sampled_from(_EOLS)
_SEEDS, _BOOL = st.integers(0, 2**32 - 1), st.booleans()
_FRAGMENTS = st.sampled_from(["ignore", "warn", "raise"])


@st.composite
def swc_trees(draw, max_nodes=25):
    """A valid neuron: soma root, neurite nodes, unique ids in any order.

    Hypothesis draws the size, a seed and a few knobs; numpy fills in the
    arrays (drawing every coordinate through hypothesis is ~50x slower).
    """
    n = draw(st.integers(1, max_nodes))
    rng = np.random.default_rng(draw(_SEEDS))
    parent = [-1] + (rng.random(n - 1) * np.arange(1, n)).astype(int).tolist()
    if draw(_BOOL):  # a chain: the deepest possible tree
        parent = list(range(-1, n - 1))
    types = [1] + rng.choice([0, 2, 3, 4, 5, 7], size=n - 1).tolist()
    base = int(rng.choice([0, 1, 1000, 2**31]))
    step = int(rng.choice([1, 2, 7]))
    ids = (base + step * rng.permutation(n)).tolist()
    digits = int(rng.choice([0, 3, 6]))
    scale = float(rng.choice([1.0, 1e-3, 1e4]))
    xyz = rng.normal(0, 100, size=(n, 3)) * scale
    radius = rng.uniform(0, 5, size=n)
    if digits:
        xyz, radius = np.round(xyz, digits), np.round(radius, digits)
    order = list(range(n)) if draw(_BOOL) else rng.permutation(n).tolist()
    return dict(n=n, parent=parent, types=types, ids=ids, xyz=xyz.tolist(),
                radius=radius.tolist(), order=order)


def _fmt(x):
    return repr(float(x))


def _lines(tree, sep=" "):
    out = []
    for i in tree["order"]:
        p = tree["parent"][i]
        fields = [tree["ids"][i], tree["types"][i], *map(_fmt, tree["xyz"][i]),
                  _fmt(tree["radius"][i]), -1 if p < 0 else tree["ids"][p]]
        out.append(sep.join(map(str, fields)))
    return out


_GARBAGE = [
    "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e309", "1e308", "1e200",
    "99999999999999999999", "9007199254740993", "-9223372036854775809", "1.5",
    "0.5", "", "abc", "0x10", "1,5", "1_0", "+2", "-0", "\u0661", "\u2212" "1",
    "\u00e9", "\x00", "#", "\"", "'", "1e", ".", "-", "NA", "null", "None",
]


_UNICODE = ["\u00e9", "\u2028", "\x85", "\x0b", "\x0c", "\u00a0", "\ufeff",
            "\U0001f9e0", "\x1c", "\x1e", "\u0000", "\ud7ff", "\u3000"]


def _mutate(lines, sep, op, rng):
    """Apply damage ``op`` (0-11) to a list of text lines, in place."""
    if not lines:
        return
    k = int(rng.integers(len(lines)))
    fields = lines[k].split(sep)
    if op == 0:  # drop a line
        del lines[k]
    elif op == 1:  # duplicate a line
        lines.insert(int(rng.integers(len(lines) + 1)), lines[k])
    elif op == 2:  # swap the ids of two lines
        j = int(rng.integers(len(lines)))
        other = lines[j].split(sep)
        fields[0], other[0] = other[0], fields[0]
        lines[k], lines[j] = sep.join(fields), sep.join(other)
    elif op == 3:  # parent: self / forward / nothing / negative
        if len(fields) >= 7:
            fields[6] = str(rng.choice([fields[0], "10000000", "-1", "-5",
                                        str(rng.integers(-3, 60))]))
            lines[k] = sep.join(fields)
    elif op == 4:  # garbage in a random field
        fields[int(rng.integers(len(fields)))] = str(rng.choice(_GARBAGE))
        lines[k] = sep.join(fields)
    elif op == 5:  # drop or add columns
        extra = rng.choice(["0", "x", "1e3"], size=int(rng.integers(4))).tolist()
        lines[k] = sep.join(fields[: int(rng.integers(9))] + extra)
    elif op == 6:  # random type code
        if len(fields) > 1:
            fields[1] = str(int(rng.integers(-(2**40), 2**40)))
            lines[k] = sep.join(fields)
    elif op == 7:  # huge coordinate or radius
        if len(fields) > 5:
            fields[int(rng.integers(2, 6))] = str(
                rng.choice(["1e15", "-1e300", "3e38", "1e12", "-1e12"]))
            lines[k] = sep.join(fields)
    elif op == 8:  # a comment or blank line
        lines.insert(k, str(rng.choice(["", "   ", "#", "\t# x", "# 1 1 0 0 0 1 -1"])))
    elif op == 9:  # make the node a soma (maybe below a neurite)
        if len(fields) > 1:
            fields[1] = "1"
            lines[k] = sep.join(fields)
    elif op == 10:  # unicode anywhere
        pos = int(rng.integers(len(lines[k]) + 1))
        lines[k] = lines[k][:pos] + str(rng.choice(_UNICODE)) + lines[k][pos:]
    elif k + 1 < len(lines):  # join with the next line
        lines[k : k + 2] = [lines[k] + sep + lines[k + 1]]


_OPS = st.lists(st.integers(0, 11), max_size=4)
_TAILS = st.sampled_from(["none", "none", "truncate", "junk"])


@st.composite
def mutated_swc(draw):
    """A generated tree written as text, damaged 0-4 times; returns bytes.

    Hypothesis draws the tree, the list of damage kinds and a seed; where and
    with what each damage strikes comes from numpy (fast to generate).
    """
    tree = draw(swc_trees())
    sep = draw(_SEP)
    lines = _lines(tree, sep)
    rng = np.random.default_rng(draw(_SEEDS))
    if rng.random() < 0.3:
        lines.insert(0, "# header: id type x y z r parent")
    for op in draw(_OPS):
        _mutate(lines, sep, op, rng)
    eol = draw(_EOL)
    text = eol.join(lines) + (eol if rng.random() < 0.5 else "")
    data = text.encode("utf-8", errors="surrogatepass")
    tail = draw(_TAILS)
    if tail == "truncate":
        data = data[: int(rng.integers(len(data) + 1))]
    elif tail == "junk":
        pos = int(rng.integers(len(data) + 1))
        junk = rng.integers(0, 256, size=int(rng.integers(1, 9)), dtype=np.uint8)
        data = data[:pos] + junk.tobytes() + data[pos:]
    return data


# ---------------------------------------------------------------------------
# the property
# ---------------------------------------------------------------------------
def check_morphology(m):
    """Invariants every Morphology from the reader satisfies."""
    n = m.n_nodes
    assert n >= 1
    for name, shape in (("xyz", (n, 3)), ("radius", (n,)), ("types", (n,)),
                        ("parent", (n,)), ("ids", (n,))):
        assert getattr(m, name).shape == shape, name
    assert m.parent[0] == -1 and np.count_nonzero(m.parent < 0) == 1
    assert np.all(m.parent < np.arange(n)), "parents come before children"
    assert np.unique(m.ids).size == n
    assert np.all(np.isfinite(m.xyz)) and np.all(np.isfinite(m.radius))
    assert np.all(m.radius >= 0)
    assert m.n_children.sum() == n - 1
    assert np.all(np.isfinite(m.path_distance)) and np.all(m.path_distance >= 0)
    assert np.all(m.branch_order >= 0) and np.all(m.branch_order <= n)
    assert np.intersect1d(m.ids, m.dropped_ids).size == 0
    if m.has_soma:
        assert m.is_soma[0]


def read_or_reject(data, on_fragments="ignore", parser="auto"):
    """Read bytes; return the Morphology, or None for an SWCFormatError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FragmentWarning)
            m = _parse_bytes(data, on_fragments=on_fragments, parser=parser)
    except SWCFormatError as err:
        assert str(err).startswith("<swc>")
        assert err.line is None or err.line >= 1
        return None
    check_morphology(m)
    return m


def _outcome(data, parser):
    """What the reader makes of ``data`` along one parser's path."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FragmentWarning)
            m = _parse_bytes(data, on_fragments="ignore", parser=parser)
    except SWCFormatError as err:
        return ("error", str(err))
    return ("ok", m.ids.tolist(), m.parent.tolist(), m.types.tolist(),
            m.xyz.view(np.int64).tolist(), m.radius.view(np.int64).tolist())


def _bits(table):
    return np.ascontiguousarray(table).view(np.int64)


def check_fast_parser_agrees(data):
    """Where a fast parser (C or pandas) returns a table, the careful one agrees.

    Tables must be equal bit for bit (``-0.0`` is not ``0.0``), and the whole
    reader must give the same Morphology, or the same error with the same line,
    whichever parser it starts with.
    """
    for name, parse in (("native", _parse_native), ("pandas", _parse_fast)):
        fast = parse(data)
        if fast is None:
            continue
        try:
            careful, _ = _parse_careful(data, None)
        except SWCFormatError as err:
            raise AssertionError(f"the {name} parser accepted what the careful "
                                 f"one rejects: {err}") from None
        assert fast.shape == careful.shape and fast.flags.f_contiguous
        np.testing.assert_array_equal(_bits(fast), _bits(careful), err_msg=name)
    reference = _outcome(data, "careful")
    for parser in ("native", "pandas", "auto"):
        assert _outcome(data, parser) == reference, parser


def _check_valid_tree(tree, sep, eol):
    data = (eol.join(_lines(tree, sep)) + eol).encode()
    m = read_or_reject(data, on_fragments="raise")
    assert m is not None, "a valid tree was rejected"
    assert m.n_nodes == tree["n"]
    by_id = {tree["ids"][i]: i for i in range(tree["n"])}
    rows = [by_id[i] for i in m.ids.tolist()]
    np.testing.assert_array_equal(m.xyz, np.float64(np.array(tree["xyz"])[rows]))
    np.testing.assert_array_equal(m.types, np.array(tree["types"])[rows])
    expected_parent_ids = [
        -1 if tree["parent"][r] < 0 else tree["ids"][tree["parent"][r]] for r in rows
    ]
    got = np.where(m.parent >= 0, m.ids[np.maximum(m.parent, 0)], -1)
    assert got.tolist() == expected_parent_ids


# ---------------------------------------------------------------------------
# ci profile (default run)
# ---------------------------------------------------------------------------
@settings(CI, max_examples=N_VALID)
@given(swc_trees(), _SEP, _EOL)
def test_valid_trees_are_read_exactly(tree, sep, eol):
    _check_valid_tree(tree, sep, eol)


@settings(CI, max_examples=N_MUTATED)
@given(mutated_swc(), _FRAGMENTS)
def test_damaged_files_read_or_raise_swcformaterror(data, on_fragments):
    read_or_reject(data, on_fragments)


@settings(CI, max_examples=N_FAST)
@given(mutated_swc() | st.binary(max_size=200))
def test_fast_parsers_agree_with_careful_parser(data):
    check_fast_parser_agrees(data)


@settings(CI, max_examples=N_FAST)
@given(mutated_swc(), _FRAGMENTS)
def test_c_tree_path_agrees_with_the_table_path(data, on_fragments):
    # read_tree (parse and checks in C) against the C table and the Python
    # checks: same Morphology, or same error with the same line
    from unittest import mock

    from ngep.io import _swc

    def outcome():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FragmentWarning)
                m = _parse_bytes(data, on_fragments=on_fragments, parser="native")
        except SWCFormatError as err:
            return ("error", str(err))
        return ("ok", m.ids.tolist(), m.parent.tolist(), m.types.tolist(),
                m.xyz.view(np.int64).tolist(), m.radius.view(np.int64).tolist(),
                m.dropped_ids.tolist())

    with_tree = outcome()
    with mock.patch.object(_swc, "_parse_native_tree", lambda data, length=None: None):
        assert outcome() == with_tree


@settings(CI, max_examples=N_FAST)
@given(mutated_swc() | st.binary(max_size=200))
def test_row_lines_map_rows_as_the_careful_parser_does(data):
    # the numpy row -> line map names the lines of errors found after a fast
    # parser read the table; it must be the careful parser's own map
    try:
        _, linenos = _parse_careful(data, None)
    except SWCFormatError:
        return
    np.testing.assert_array_equal(_row_lines(data), linenos)


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_errors_after_a_fast_parse_name_the_careful_parsers_line(eol):
    # a negative radius deep in a file with comments and blank lines: the C
    # parser reads the file, the checks reject the row, and the line they name
    # is the one the careful path names
    lines = ["# header", "1 1 0 0 0 1 -1", "", "  # note", "\t2 3 0 1 0 0.5 1 # c"]
    lines += [f"{i} 3 0 {i} 0 0.5 {i - 1}" for i in range(3, 40)]
    lines += ["", "40 3 0 40 0 -0.25 39", "41 3 0 41 0 0.5 40"]
    data = (eol.join(lines) + eol).encode()
    if _parse._cswc is None:
        pytest.skip("the C parser (ngep.io._cswc) is not built")
    assert _parse_native(data) is not None
    outcomes = {p: _outcome(data, p) for p in ("careful", "native", "auto")}
    assert outcomes["careful"][0] == "error" and "line 44:" in outcomes["careful"][1]
    assert outcomes["native"] == outcomes["careful"] == outcomes["auto"]


# decimal literals as SWC files hold them, and the corners of the C parser's
# three paths: Clinger's (up to 2**53 as the digits' integer, powers of ten up to
# 22), Eisel-Lemire's (19 significant digits, 128-bit powers of ten) and strtod's
# (more digits, subnormals, halfway points)
_DIGITS = st.text("0123456789", min_size=0, max_size=24)
_EXPONENTS = st.sampled_from(["", "", "e", "E"]).flatmap(
    lambda e: st.just("") if not e else st.builds(
        lambda s, d: e + s + d, st.sampled_from(["", "-", "+"]),
        st.text("0123456789", min_size=0, max_size=4)))
_HARD = [
    "9007199254740992", "9007199254740993", "9007199254740993.0000000000000000001",
    "1e22", "1e23", "1e-22", "1e-23", "4.35", "0.1", "-0", "-0.0", ".5", "5.",
    "00000000000000000000001", "1.00000000000000000000", "123456789012345.6",
    "1234567890123456.7", "370.42720000000003", "18446744073709551615",
    "18446744073709551616", "99999999999999999999", "7.2057594037927933e16",
    "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "2.2250738585072011e-308", "2.2250738585072014e-308", "1.7976931348623157e308",
    "1.7976931348623158e308", "1e-400", "0e99999999", "8.98846567431158e307",
    # halfway between 1 and its successor, and either side of it
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
]


def _significant(n_digits):
    """Literals with n_digits significant digits, point anywhere, any exponent."""
    return st.builds(
        lambda sign, digits, point, exp: sign + digits[:point] + "." + digits[point:]
        + exp,
        st.sampled_from(["", "-", "+"]),
        st.text("0123456789", min_size=n_digits, max_size=n_digits).filter(
            lambda d: d[0] != "0"),
        st.integers(0, n_digits),
        st.integers(-340, 310).map(lambda e: f"e{e}") | st.just(""),
    )


_LITERALS = st.builds(
    lambda sign, whole, dot, frac, exp: sign + whole + dot + frac + exp,
    st.sampled_from(["", "", "-", "+"]), _DIGITS, st.sampled_from([".", "", "."]),
    _DIGITS, _EXPONENTS,
) | st.floats(allow_nan=False, allow_infinity=False).map(repr) | st.sampled_from(
    _HARD) | st.integers(16, 20).flatmap(_significant) | st.floats(
    0, 2.3e-308, allow_subnormal=True).map(repr) | st.builds(
    # halfway between two doubles, written out in full (up to ~770 digits)
    lambda x: _halfway(x), st.floats(1e-300, 1e300))


def _halfway(x):
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 1100
        up = Decimal(np.nextafter(x, np.inf))
        return str((Decimal(x) + up) / 2)


@settings(CI, max_examples=N_FAST // 2)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.integers(0, 8)), min_size=7,
                max_size=7), _SEP)
def test_native_parser_takes_the_decimals_swc_files_hold(values, sep):
    """Fixed-point numbers of up to 8 decimals (what tracing tools write)."""
    if _parse._cswc is None:
        pytest.skip("the C extension ngep.io._cswc is not built")
    fields = [f"{v:.{d}f}" for v, d in values]
    table = _parse_native((sep.join(fields) + "\n").encode())
    assert table is not None, fields
    expected = np.array([float(f) for f in fields])
    np.testing.assert_array_equal(table[0].view(np.int64), expected.view(np.int64))


@settings(CI, max_examples=N_FAST)
@given(st.lists(_LITERALS, min_size=7, max_size=7), _SEP)
def test_native_parser_converts_literals_as_python_does(fields, sep):
    """Each literal gives exactly ``float(literal)``.

    Only what is not a literal of the grammar ("", ".", "1e") or not finite is
    declined.
    """
    if _parse._cswc is None:
        pytest.skip("the C extension ngep.io._cswc is not built")
    line = sep.join(fields).encode()
    table = _parse_native(line + b"\n" + line)
    valid = all(_parse._NUMBER.fullmatch(f) for f in fields)
    expected = np.array([float(f) if valid else np.nan for f in fields])
    if not np.all(np.isfinite(expected)):
        assert table is None
        return
    assert table is not None, fields
    for row in table:
        np.testing.assert_array_equal(row.view(np.int64), expected.view(np.int64))


@settings(CI, max_examples=N_FAST // 2)
@given(st.lists(st.floats(-1e5, 1e5), min_size=7, max_size=7), _SEP)
def test_native_parser_takes_full_precision_files(values, sep):
    """``repr`` of doubles (up to 17 digits), as full-precision writers produce."""
    if _parse._cswc is None:
        pytest.skip("the C extension ngep.io._cswc is not built")
    table = _parse_native((sep.join(map(repr, values)) + "\n").encode())
    assert table is not None
    np.testing.assert_array_equal(table[0].view(np.int64),
                                  np.array(values).view(np.int64))


@settings(CI, max_examples=N_BYTES)
@given(st.binary(max_size=300))
def test_random_bytes_read_or_raise_swcformaterror(data):
    read_or_reject(data)


@settings(CI, max_examples=N_TEXT)
@given(st.lists(st.lists(st.sampled_from(
    ["1", "-1", "0", "2", "3", "1.5", "1e3", "nan", "x", "#", "", "\t"]),
    max_size=9).map(" ".join), max_size=12).map("\n".join))
def test_token_soup_reads_or_raises(text):
    read_or_reject(text.encode())


@settings(CI, max_examples=N_FILES)
@given(data=mutated_swc(), gz=st.booleans())
def test_real_files_read_or_raise(tmp_path_factory, data, gz):
    import gzip

    path = tmp_path_factory.getbasetemp() / ("fuzz.swc.gz" if gz else "fuzz.swc")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FragmentWarning)
            m = read_swc(path)
    except SWCFormatError as err:
        assert err.path == str(path)
        return
    check_morphology(m)
    assert m.name == "fuzz"


# ---------------------------------------------------------------------------
# long profile (pytest -m slow)
# ---------------------------------------------------------------------------
@pytest.mark.slow
@settings(LONG, max_examples=LONG_X * N_VALID)
@given(swc_trees(max_nodes=200), _SEP, _EOL)
def test_valid_trees_are_read_exactly_long(tree, sep, eol):
    _check_valid_tree(tree, sep, eol)


@pytest.mark.slow
@settings(LONG, max_examples=LONG_X * N_MUTATED)
@given(mutated_swc(), _FRAGMENTS)
def test_damaged_files_long(data, on_fragments):
    read_or_reject(data, on_fragments)


@pytest.mark.slow
@settings(LONG, max_examples=LONG_X * N_FAST)
@given(mutated_swc() | st.binary(max_size=2000))
def test_fast_parser_agrees_long(data):
    check_fast_parser_agrees(data)


@pytest.mark.slow
@settings(LONG, max_examples=LONG_X * N_BYTES)
@given(st.binary(max_size=2000))
def test_random_bytes_long(data):
    read_or_reject(data)
