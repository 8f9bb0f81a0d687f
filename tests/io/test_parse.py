# SPDX-License-Identifier: BSD-3-Clause
"""The SWC parsers on bytes that text editors and other tools produce.

The fast parsers (C and pandas) must return exactly what the careful one does,
or decline; these cases are enumerated rather than left to the fuzzer's luck.
"""

import os

import numpy as np
import pytest

from ngep.exceptions import SWCFormatError
from ngep.io import _parse
from ngep.io._parse import _parse_careful, _parse_fast, _parse_native
from ngep.io._swc import _parse_bytes

PARSERS = ["native", "pandas", "careful"]  # each path of _parse_bytes


GOOD = b"1 1 0 0 0 1 -1\n2 3 1 2 3 1 1\n3 3 1 1 1 1 2\n"


def _placements(ch):
    """A control byte inside, before and after fields, on its own and at EOF."""
    return [
        GOOD.replace(b" 1 2 3", b" 1" + ch + b" 2 3"),
        GOOD.replace(b"3 1 1 1", b"3 1" + ch + b"1 1 1"),
        ch + GOOD,
        GOOD + ch + b"\n",
        GOOD.replace(b"\n", ch + b"\n", 1),
        GOOD.replace(b"2 3 1", ch + b"2 3 1"),
        GOOD.rstrip(b"\n") + ch,
        GOOD + b"# a comment " + ch + b"\n",
    ]


@pytest.mark.parametrize("code", [*range(0x00, 0x09), 0x0B, 0x0C,
                                  *range(0x0E, 0x20), 0x7F])
@pytest.mark.parametrize("parse", [_parse_native, _parse_fast])
def test_fast_parsers_agree_on_every_control_byte(code, parse):
    for data in _placements(bytes([code])):
        fast = parse(data)
        try:
            careful = _parse_careful(data, None)[0]
        except SWCFormatError:
            assert fast is None, f"fast parser accepted {data!r}"
            continue
        if fast is not None:
            np.testing.assert_array_equal(fast, careful)


@pytest.mark.parametrize("parser", PARSERS)
def test_utf8_byte_order_mark_is_ignored(parser):
    plain = b"# exported on Windows\r\n" + GOOD.replace(b"\n", b"\r\n")
    m = _parse_bytes(b"\xef\xbb\xbf" + plain, parser=parser)
    ref = _parse_bytes(plain, parser=parser)
    np.testing.assert_array_equal(m.xyz, ref.xyz)
    assert m.ids.tolist() == [1, 2, 3]


@pytest.mark.parametrize("parser", PARSERS)
def test_non_utf8_comments_are_fine(parser):
    data = b"# Universit\xe9 de Gen\xe8ve \xff\n" + GOOD + b"# fin \xe9\n"
    m = _parse_bytes(data, parser=parser)
    assert m.n_nodes == 3


@pytest.mark.parametrize("parser", PARSERS)
def test_non_utf8_byte_in_a_number_names_the_line(parser):
    data = GOOD.replace(b"2 3 1 2", b"2 3 1\xe9 2")
    with pytest.raises(SWCFormatError, match=r"line 2: non-numeric x field"):
        _parse_bytes(data, parser=parser)


# ---------------------------------------------------------------------------
# the C parser (ngep/io/_cswc.c)
# ---------------------------------------------------------------------------
needs_native = pytest.mark.skipif(
    _parse._cswc is None, reason="the C extension ngep.io._cswc is not built"
)


@pytest.mark.skipif(os.environ.get("CI", "").lower() not in ("1", "true"),
                    reason="a user's install may lack a C compiler; CI must not")
def test_c_extensions_are_built_in_ci():
    """The speed-ups are optional for users, not for CI: a build that silently
    dropped one would leave its agreement tests skipped."""
    import importlib

    for name in ("ngep.io._cswc", "ngep.morphometrics._ckernel"):
        importlib.import_module(name)


def test_reader_without_the_extension_reads_the_same(monkeypatch):
    """An install without a C compiler: the Python parsers give the same tree."""
    rows = [f"{i} 3 {i * 0.25:.2f} {i % 7}.5 -{i % 3} 0.5 {i - 1}"
            for i in range(2, 999)]
    data = ("# header\n1 1 0 0 0 5 -1\n" + "\n".join(rows) + "\n").encode()
    with_native = _parse_bytes(data)
    monkeypatch.setattr(_parse, "_cswc", None)
    assert _parse_native(data) is None
    without = _parse_bytes(data)
    np.testing.assert_array_equal(with_native.xyz, without.xyz)
    np.testing.assert_array_equal(with_native.parent, without.parent)


@needs_native
@pytest.mark.parametrize("data", [
    GOOD,
    GOOD.rstrip(b"\n"),  # no final line end
    GOOD.replace(b"\n", b"\r\n"),
    GOOD.replace(b"\n", b"\r"),  # classic Mac OS line ends
    GOOD.replace(b" ", b" \t  "),
    b"  # header\n\n\t\n" + GOOD.replace(b"\n", b"   # note\n"),
    GOOD.replace(b"\n", b"#x\n"),  # a comment right after a number
    GOOD.replace(b" -1\n", b" -1 0.5 extra,col \xe9\x00 x\n"),  # ignored columns
    GOOD.replace(b" 2 3 1 ", b" +2 3.0 1. "),
    b"1 1 .5 -.5 +0.25e+01 1E-2 -1\n",
    GOOD.replace(b"0 0 0", b"0 1e23 0"),  # beyond Clinger's path: Eisel-Lemire
    GOOD.replace(b"0 0 0", b"0 0.12345678901234567 0"),  # 17 digits
    GOOD.replace(b"0 0 0", b"0 9007199254740993 0"),  # 2**53 + 1: a halfway point
    GOOD.replace(b"0 0 0", b"0 4.9406564584124654e-324 0"),  # subnormal: strtod
    GOOD.replace(b"0 0 0", b"0 1.00000000000000011102230246251565404236316680908203125"
                 b" 0"),  # halfway between 1 and its successor: ties to even
    GOOD.replace(b"0 0 0", b"0 00000000000000000000000001.5 0"),  # leading zeros
    GOOD.replace(b"0 0 0", b"0 1e-400 0"),  # underflows to 0, as float() does
])
def test_native_parser_reads_what_the_careful_parser_reads(data):
    table = _parse_native(data)
    careful = _parse_careful(data, None)[0]
    assert table is not None and table.flags.f_contiguous
    np.testing.assert_array_equal(table.view(np.int64), careful.view(np.int64))


@needs_native
@pytest.mark.parametrize("data", [
    b"",
    b"# only a comment\n\n",
    GOOD.replace(b" -1\n", b"\n"),  # 6 columns
    GOOD.replace(b"1 2 3 1 1", b"1 2 3,5 1 1"),  # decimal comma
    GOOD.replace(b"0 0 0", b"0 nan 0"),
    GOOD.replace(b"0 0 0", b"0 1e400 0"),  # overflows: the careful parser says so
    GOOD.replace(b"0 0 0", b"0 0x10 0"),
    GOOD.replace(b"0 0 0", b"0 1e 0"),
    GOOD.replace(b"0 0 0", b"0 . 0"),
    GOOD.replace(b"0 0 0", b"0 1_0 0"),
    GOOD.replace(b"0 0 0", b"0\x0b0 0"),  # vertical tab is not a separator
    GOOD.replace(b"0 0 0", b"0 \xd9\xa1 0"),  # an Arabic-Indic digit
])
def test_native_parser_declines_what_it_must_not_decide(data):
    assert _parse_native(data) is None


@needs_native
def test_native_parser_takes_bytes_like_objects_only():
    from ngep.io import _cswc

    for obj in (GOOD, bytearray(GOOD), memoryview(GOOD)):
        buf, n = _cswc.parse_table(obj)
        assert n == 3 and len(buf) == 3 * 7 * 8
    with pytest.raises(TypeError):
        _cswc.parse_table("1 1 0 0 0 1 -1")  # text, not bytes


@pytest.mark.parametrize("data", [
    GOOD * 200,
    GOOD.replace(b"\n", b" \n") * 200,  # trailing blanks: an 8th, empty column
    GOOD.replace(b" ", b"  ") * 200,  # runs of spaces: the regex separator
    GOOD.replace(b" ", b"\t") * 200,
    b"# header\n" + GOOD.replace(b"\n", b" # note\n") * 200,
])
def test_pandas_path_agrees_with_the_c_parser(data):
    from ngep.io import _parse

    if _parse._cswc is None:
        pytest.skip("the C extension is not built")
    fast = _parse_fast(data)
    assert fast is not None and fast.flags.f_contiguous
    np.testing.assert_array_equal(fast[:, :7], _parse._parse_native(data)[:, :7])


@pytest.mark.parametrize("inflater", ["default", "zlib"])
def test_gunzip_gives_gzip_decompress_bytes_and_errors(monkeypatch, inflater):
    # one zlib/ISA-L call on the bytes read; anything but one clean member
    # (several members, trailing bytes, truncated or corrupt data) is
    # gzip.decompress's, with its own errors
    import gzip
    import zlib

    from ngep.io import _parse

    if inflater == "zlib":
        monkeypatch.setattr(_parse, "_INFLATE", zlib)
    data = b"1 1 0 0 0 1 -1\n2 3 0 1 0 0.5 1\n" * 500
    packed = gzip.compress(data, mtime=0)
    corrupt = packed[:12] + b"\xff" * 30 + packed[42:]
    for blob in (packed, packed + packed, packed + b"\0\0", packed[:-3], packed[:20],
                 packed + b"junk", corrupt):
        try:
            expected = ("ok", gzip.decompress(blob))
        except Exception as exc:  # noqa: BLE001 - the outcome is compared
            expected = (type(exc), str(exc))
        try:
            got = ("ok", _parse._gunzip(blob))
        except Exception as exc:  # noqa: BLE001
            got = (type(exc), str(exc))
        assert got == expected
