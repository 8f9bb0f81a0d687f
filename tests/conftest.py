# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures. Tests that need ``../shared`` data skip cleanly without it."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SHARED = Path(os.environ.get("NGEP_SHARED", REPO.parent / "shared"))


def shared_path(*parts):
    """Path under ../shared, or skip the calling test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared data ({path} not found)")
    return path


@pytest.fixture
def shared():
    """The ../shared/data folder (skips the test when absent)."""
    return shared_path("data")


@pytest.fixture
def allen_dir():
    """Folder of the 222 real Allen Cell Types neurons (skips when absent)."""
    return shared_path("data", "allen-v1-mouse")


@pytest.fixture
def edge_case_dir():
    """Folder of SWC edge cases from NeuroM and MorphoPy (skips when absent)."""
    return shared_path("data", "swc-edge-cases")
