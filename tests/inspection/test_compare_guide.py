# SPDX-License-Identifier: BSD-3-Clause
"""Every ``>>>`` snippet of the "Comparing populations" page runs."""

import doctest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_comparing_populations_page_runs():
    path = REPO / "docs" / "user_guide" / "comparing.rst"
    result = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 10
    assert result.failed == 0, f"{result.failed} snippet(s) failed"
