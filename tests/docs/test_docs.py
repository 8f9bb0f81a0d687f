# SPDX-License-Identifier: BSD-3-Clause
"""The documentation covers the public API, and the site builds without warnings."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ngep

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
API = DOCS / "api.rst"

# Subpackages and modules whose ``__all__`` is public API (``ngep._SUBMODULES``).
PUBLIC_MODULES = sorted(f"ngep.{name}" for name in ngep._SUBMODULES)


def _api_sections():
    """Map module name -> text of its section in docs/api.rst."""
    text = API.read_text(encoding="utf-8")
    parts = re.split(r"^\.\. automodule:: (\S+)\s*$", text, flags=re.M)
    # parts = [preamble, mod1, body1, mod2, body2, ...]
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_public_module_has_an_api_section():
    sections = _api_sections()
    missing = [m for m in PUBLIC_MODULES if m not in sections]
    assert not missing, (
        f"add a section with '.. automodule:: <module>' to {API}: {missing}"
    )


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_in_the_api_reference(module_name):
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    assert names, f"{module_name} has no __all__"
    section = _api_sections().get(module_name, "")
    # A name counts when listed as a whole word (autosummary entry, or a
    # reference to where a re-exported name is documented).
    missing = [
        n for n in names if not re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", section)
    ]
    assert not missing, (
        f"{module_name}.__all__ names missing from its {API.name} section: {missing}; "
        "add them to an autosummary list there."
    )


def test_api_lists_only_existing_names():
    # An autosummary entry for a name that no longer exists would build a page
    # for nothing (and warn); catch it without building.
    stale = []
    for module_name, body in _api_sections().items():
        module = importlib.import_module(module_name)
        blocks = re.findall(r"^\.\. autosummary::\n((?:   .*\n|\n)+)", body, flags=re.M)
        for block in blocks:
            for line in block.splitlines():
                entry = line.strip()
                if entry and not entry.startswith(":") and not hasattr(module, entry):
                    stale.append(f"{module_name}.{entry}")
    assert not stale, f"{API.name} lists names that do not exist: {stale}"


def test_benchmarks_page_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "collect.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_sphinx_build_has_no_warnings(tmp_path):
    for module in (
        "sphinx",
        "numpydoc",
        "sphinx_gallery",
        "myst_parser",
        "pydata_sphinx_theme",
    ):
        pytest.importorskip(module)
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        OMP_NUM_THREADS="1",
        MPLBACKEND="Agg",
        NGEP_DOCS_OFFLINE="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(tmp_path / "doctrees"),
        str(DOCS),
        str(tmp_path / "html"),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    html = tmp_path / "html"
    assert (html / "api.html").is_file()
    assert (html / "generated" / "ngep.transformers.MorphologyExtractor.html").is_file()
    assert (html / "auto_examples" / "plot_quick_start.html").is_file()
