# SPDX-License-Identifier: BSD-3-Clause
"""The two SWC parsers on bytes that text editors and other tools produce.

The fast parser (pandas) must return exactly what the careful one does, or
decline; these cases are enumerated rather than left to the fuzzer's luck.
"""

import numpy as np
import pytest

from ngep.exceptions import SWCFormatError
from ngep.io._parse import _parse_careful, _parse_fast
from ngep.io._swc import _parse_bytes

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
def test_fast_parser_agrees_on_every_control_byte(code):
    for data in _placements(bytes([code])):
        fast = _parse_fast(data)
        try:
            careful = _parse_careful(data, None)[0]
        except SWCFormatError:
            assert fast is None, f"fast parser accepted {data!r}"
            continue
        if fast is not None:
            np.testing.assert_array_equal(fast, careful)


@pytest.mark.parametrize("careful_below", [0, 10**9])  # fast path / careful path
def test_utf8_byte_order_mark_is_ignored(careful_below):
    plain = b"# exported on Windows\r\n" + GOOD.replace(b"\n", b"\r\n")
    m = _parse_bytes(b"\xef\xbb\xbf" + plain, careful_below=careful_below)
    ref = _parse_bytes(plain, careful_below=careful_below)
    np.testing.assert_array_equal(m.xyz, ref.xyz)
    assert m.ids.tolist() == [1, 2, 3]


@pytest.mark.parametrize("careful_below", [0, 10**9])
def test_non_utf8_comments_are_fine(careful_below):
    data = b"# Universit\xe9 de Gen\xe8ve \xff\n" + GOOD + b"# fin \xe9\n"
    m = _parse_bytes(data, careful_below=careful_below)
    assert m.n_nodes == 3


@pytest.mark.parametrize("careful_below", [0, 10**9])
def test_non_utf8_byte_in_a_number_names_the_line(careful_below):
    data = GOOD.replace(b"2 3 1 2", b"2 3 1\xe9 2")
    with pytest.raises(SWCFormatError, match=r"line 2: non-numeric x field"):
        _parse_bytes(data, careful_below=careful_below)


@pytest.mark.parametrize("data", [
    GOOD * 200,
    GOOD.replace(b"\n", b" \n") * 200,  # trailing blanks: an 8th, empty column
    GOOD.replace(b" ", b"  ") * 200,  # runs of spaces: the regex separator
    GOOD.replace(b" ", b"\t") * 200,
    b"# header\n" + GOOD.replace(b"\n", b" # note\n") * 200,
    GOOD.replace(b"1 1 -1", b"1 1 x") * 200,  # non-numeric: declined
    b"",
])
def test_public_pandas_path_agrees_with_the_engine_path(monkeypatch, data):
    from ngep.io import _parse

    fast = _parse_fast(data)
    monkeypatch.setattr(_parse, "_engine_columns", lambda reader: None)
    public = _parse_fast(data)
    if fast is None:
        assert public is None
    else:
        np.testing.assert_array_equal(fast, public)
        assert fast.flags.f_contiguous and public.flags.f_contiguous


def test_engine_path_is_used_with_this_pandas(monkeypatch):
    """A pandas release that changes the internal interface shows up here."""
    from ngep.io import _parse

    calls = []
    real = _parse._engine_columns
    monkeypatch.setattr(_parse, "_engine_columns",
                        lambda reader: calls.append(real(reader)) or calls[-1])
    assert _parse_fast(GOOD * 200) is not None
    assert calls and calls[0] is not None
