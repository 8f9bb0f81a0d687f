# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx configuration for ngep's documentation.

Build: ``sphinx-build -W -b html docs docs/_build/html``
(needs ``pip install -e ".[docs]"``).
Examples in ``examples/`` are executed by sphinx-gallery during the build.
"""

import inspect
import os
import re
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from docutils import nodes  # noqa: E402
from sphinx.util.docutils import SphinxDirective  # noqa: E402

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
    # Generated tables: only included from pages, never pages themselves.
    "_gen",
    # Benchmark section files are assembled into benchmarks.md by
    # benchmarks/collect.py; rendering them too would duplicate every table.
    "benchmarks",
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
    "doc_module": ("ngep",),
    "reference_url": {"ngep": None},
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 1,
    "matplotlib_animations": False,
}


# -- Pages generated from the code at build time ---------------------------------
# Tables and usage text come from the objects that define them, so the docs cannot
# drift from the code. They go to docs/_gen/ (excluded above, pulled in with
# ``.. include::``) and are rewritten only when their content changes, so an
# incremental build does not re-read every page that includes them.

GEN = Path(__file__).resolve().parent / "_gen"


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _cli_usage_rst():
    """One section per ``ngep`` sub-command with its ``--help`` text."""
    import argparse

    from ngep.cli import build_parser

    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal width
    parser = build_parser()
    parts = [
        ".. code-block:: text",
        "",
        *("   " + line for line in parser.format_help().splitlines()),
        "",
    ]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                title = f"``ngep {name}``"
                parts += [f".. _cli_{name}:", "", title, "~" * len(title), ""]
                parts += [".. code-block:: text", ""]
                parts += [
                    "   " + line if line else ""
                    for line in sub.format_help().splitlines()
                ]
                parts += [""]
    return "\n".join(parts)


def _generate(app=None):
    from ngep.morphometrics import feature_table_rst
    from ngep.transformers import expansion_table

    _write_if_changed(GEN / "features.rst", feature_table_rst() + "\n")
    _write_if_changed(GEN / "expansion.rst", expansion_table(format="rst") + "\n")
    from ngep.transformers._expander import _inputs_rst

    _write_if_changed(GEN / "expansion_inputs.rst", _inputs_rst() + "\n")
    _write_if_changed(GEN / "cli_usage.rst", _cli_usage_rst() + "\n")


_SHAPE_NAME = re.compile(r"\b([A-Za-z]\w*)_(?=[,)])")


def _escape_shape_names(app, what, name, obj, options, lines):
    # Shapes in sklearn style, ``ndarray of shape (n_features_in_,)``, put an
    # attribute name with a trailing underscore in a type field, where
    # reStructuredText reads ``n_features_in_`` as a link to a target of that
    # name. Escape the underscore there only (before numpydoc sees the lines).
    for i, line in enumerate(lines):
        if "shape (" in line:
            head, sep, tail = line.partition("shape (")
            lines[i] = head + sep + _SHAPE_NAME.sub(r"\1\\_", tail)


def _plain(value):
    """Mappings (read-only ones included) as plain dicts, for printing."""
    from types import MappingProxyType

    if isinstance(value, (dict, MappingProxyType)):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _printable(value):
    if isinstance(value, dict):
        return all(map(_printable, value.values()))
    if isinstance(value, (tuple, list, frozenset, set)):
        return all(map(_printable, value))
    return value is None or isinstance(value, (str, int, float, bool))


class ConstantDirective(SphinxDirective):
    """``.. ngep-constant:: module.NAME``: the constant's value, pretty-printed.

    Module-level constants are re-exported from private modules, where autodoc
    cannot find their comments and prints their repr on one line; this shows
    the type and the value laid out for reading instead.
    """

    required_arguments = 1

    def run(self):
        import importlib
        import pprint

        module_name, _, name = self.arguments[0].rpartition(".")
        value = getattr(importlib.import_module(module_name), name)
        value = _plain(value)
        kind = type(getattr(importlib.import_module(module_name), name)).__name__
        if isinstance(value, dict) and not all(map(_printable, value.values())):
            # e.g. FEATURES: objects holding functions, whose repr has addresses.
            inner = {type(v).__name__ for v in value.values()}
            what = f"{kind} of {len(value)} {', '.join(sorted(inner))} objects. Keys:"
            value = list(value)
        else:
            what = f"{kind}. Value:"
        text = pprint.pformat(value, width=82, sort_dicts=False, compact=True)
        intro = nodes.paragraph(text=f"Type: {what}")
        block = nodes.literal_block(text, text, language="python")
        return [intro, block]


def _drop_type_docstring(app, what, name, obj, options, lines):
    # A constant without a documentation comment gets its *type's* docstring
    # from autodoc ("int([x]) -> integer ..."); that says nothing about it.
    doc = type(obj).__doc__
    if what == "data" and doc and "\n".join(lines).strip() == inspect.cleandoc(doc):
        lines.clear()


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates ``set_<method>_request`` for metadata routing on
    # every estimator; their docstrings link into sklearn's own glossary.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.add_directive("ngep-constant", ConstantDirective)
    app.connect("builder-inited", _generate)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _escape_shape_names, priority=100)
    app.connect("autodoc-process-docstring", _drop_type_docstring, priority=100)
