# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures. Tests that need ``../shared`` data skip cleanly without it."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property-based tests draw the same examples on every run by default, so CI
# cannot fail at random: a rare failing case is found by the slow tests (random
# seeds) or on purpose with ``pytest --hypothesis-profile=ngep-random`` (or
# NGEP_HYPOTHESIS_PROFILE=ngep-random), then fixed and pinned with @example.
# A test's own @settings keep whatever they set (the slow tests set
# derandomize=False).
settings.register_profile("ngep-ci", derandomize=True, database=None)
settings.register_profile("ngep-random", derandomize=False)
settings.load_profile(os.environ.get("NGEP_HYPOTHESIS_PROFILE", "ngep-ci"))

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
