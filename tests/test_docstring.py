# SPDX-License-Identifier: BSD-3-Clause
"""Shared docstring fragments (ngep._docstring): expanded, never left raw."""

import importlib
import inspect
import pkgutil
import re

import pytest

import ngep
from ngep._docstring import FRAGMENTS, fill_doc
from ngep.exceptions import UnknownNameError

_RAW = re.compile(r"^\s*%\(\w+\)s\s*$", re.MULTILINE)


def _public_objects():
    for info in pkgutil.iter_modules(ngep.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"ngep.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            yield f"ngep.{info.name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if callable(member) and not attr.startswith("_"):
                        yield f"ngep.{info.name}.{name}.{attr}", member


def test_no_public_docstring_keeps_a_placeholder():
    raw = [name for name, obj in _public_objects() if _RAW.search(obj.__doc__ or "")]
    assert not raw, f"add @fill_doc (ngep._docstring) to: {raw}"


def test_fragment_is_indented_like_its_placeholder():
    @fill_doc
    class Thing:
        """A thing.

        Attributes
        ----------
        %(fitted_input_attributes)s
        other_ : int
            Something else.
        """

    lines = inspect.getdoc(Thing).splitlines()
    expected = inspect.cleandoc(FRAGMENTS["fitted_input_attributes"]).splitlines()
    assert lines[4 : 4 + len(expected)] == expected
    assert lines[4 + len(expected)] == "other_ : int"


def test_percent_signs_elsewhere_are_left_alone():
    def f():
        """12 % of cells; %(ax)s inside a sentence is not a placeholder."""

    assert fill_doc(f).__doc__ == f.__doc__
    assert "12 % of cells" in f.__doc__


def test_unknown_placeholder_names_the_known_fragments():
    def f():
        """Doc.

        %(no_such_fragment)s
        """

    with pytest.raises(UnknownNameError, match="no_such_fragment.*'ax'"):
        fill_doc(f)


def test_missing_docstring_is_fine():
    def f():
        pass

    f.__doc__ = None
    assert fill_doc(f) is f
