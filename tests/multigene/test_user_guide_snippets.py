# SPDX-License-Identifier: BSD-3-Clause
"""Every ``>>>`` snippet of the panel, group, importance and uncertainty pages runs."""

import doctest
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PAGES = ["gene_panels.rst", "groups.rst", "importance.rst", "uncertainty.rst"]


@pytest.mark.parametrize("page", PAGES)
def test_user_guide_page_runs(page):
    path = REPO / "docs" / "user_guide" / page
    result = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 5
    assert result.failed == 0, f"{result.failed} snippet(s) failed in {page}"
