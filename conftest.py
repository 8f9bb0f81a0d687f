# SPDX-License-Identifier: BSD-3-Clause
"""Namespace of the docstring examples (``pytest --doctest-modules``).

As in NumPy's, SciPy's and pandas' docstrings, examples assume
``import numpy as np`` and do not repeat it; everything else they import.
"""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_numpy(doctest_namespace):
    doctest_namespace["np"] = np
