# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx configuration for ngep's documentation.

Build: ``sphinx-build -W -b html docs docs/_build/html``
(needs ``pip install -e ".[docs]"``).
Examples in ``examples/`` are executed by sphinx-gallery during the build.
"""

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import ngep  # noqa: E402

project = "ngep"
author = "ngep developers"
copyright = "2026, ngep developers"  # noqa: A001
release = ngep.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
]
templates_path = ["_templates"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
html_theme = "pydata_sphinx_theme"
html_title = f"ngep {release}"
html_static_path = []
myst_heading_anchors = 3

# Intersphinx needs the network; CI and many clusters have none. Link out when the
# inventories can be reached, otherwise build without cross-project links rather
# than failing a -W build on a fetch error.
_INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "pandas": ("https://pandas.pydata.org/docs", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
    "joblib": ("https://joblib.readthedocs.io/en/stable", None),
}


def _online(host="numpy.org", port=443, timeout=2.0):
    if os.environ.get("NGEP_DOCS_OFFLINE"):
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


intersphinx_mapping = _INTERSPHINX if _online() else {}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "run_stale_examples": True,
}
