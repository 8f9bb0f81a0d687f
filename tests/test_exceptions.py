# SPDX-License-Identifier: BSD-3-Clause
"""ngep.exceptions: every error ngep raises is an NgepError and a builtin."""

import ast
import builtins
import inspect
import pickle
from pathlib import Path

import pytest

import ngep
from ngep import exceptions

PACKAGE = Path(ngep.__file__).parent
# AssertionError marks an internal invariant (a bug in ngep), not an error a
# caller handles, so it stays builtin.
BUILTIN_ERRORS = {
    name for name, obj in vars(builtins).items()
    if inspect.isclass(obj) and issubclass(obj, Exception)
} - {"AssertionError"}


def bare_builtin_raises(source):
    """``(line, name)`` of each ``raise`` of a builtin exception in ``source``.

    A module's ``__getattr__`` raising ``AttributeError`` is Python's module
    protocol (PEP 562) and is not counted.
    """
    tree = ast.parse(source)
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            exempt.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None or id(node) in exempt:
            continue
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(exc, ast.Name) and exc.id in BUILTIN_ERRORS:
            found.append((node.lineno, exc.id))
    return found


def test_scanner():
    src = (
        "def f():\n    raise ValueError('x')\n"
        "def g():\n    raise TypeError\n"
        "def h():\n    raise InvalidInputError('x')\n"
        "def __getattr__(name):\n    raise AttributeError(name)\n"
        "def k():\n    try:\n        pass\n    except OSError:\n        raise\n"
    )
    assert bare_builtin_raises(src) == [(2, "ValueError"), (4, "TypeError")]


def test_ngep_raises_no_bare_builtin_exception():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = bare_builtin_raises(path.read_text(encoding="utf-8"))
        if found:
            offenders[path.relative_to(PACKAGE).as_posix()] = found
    assert not offenders, (
        "raise a subclass of ngep.exceptions.NgepError that also subclasses the "
        f"builtin callers catch (InvalidInputError, InvalidTypeError, ...): {offenders}"
    )


ERRORS = [
    obj for obj in vars(exceptions).values()
    if inspect.isclass(obj) and issubclass(obj, BaseException)
    and not issubclass(obj, Warning)
]


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_is_an_ngep_error_and_a_builtin(cls):
    assert issubclass(cls, exceptions.NgepError)
    if cls is not exceptions.NgepError:
        builtin = [getattr(builtins, b) for b in BUILTIN_ERRORS - {"Exception"}]
        assert any(issubclass(cls, b) for b in builtin), (
            f"{cls.__name__} should also subclass the builtin callers catch"
        )


def test_hierarchy():
    assert issubclass(exceptions.SWCFormatError, exceptions.InvalidInputError)
    assert issubclass(exceptions.UnknownNameError, exceptions.ConfigurationError)
    assert issubclass(exceptions.InvalidTypeError, TypeError)
    assert sorted(exceptions.__all__) == exceptions.__all__


def test_errors_raised_by_the_api_are_ngep_errors(tmp_path):
    from ngep.io import Morphology
    from ngep.transformers import MorphologyExtractor

    with pytest.raises(exceptions.InvalidInputError, match="radius"):
        Morphology([[0, 0, 0]], [-1.0], [1], [-1])
    with pytest.raises(exceptions.UnknownNameError, match="Did you mean"):
        MorphologyExtractor(["total_lenght"]).fit([])
    with pytest.raises(exceptions.InvalidTypeError, match="single"):
        MorphologyExtractor().fit("cell.swc")


def test_one_did_you_mean_resolver():
    # every "did you mean" goes through UnknownNameError.among
    users = sorted(
        p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
        if "get_close_matches" in p.read_text(encoding="utf-8")
    )
    assert users == ["exceptions.py"]
    err = exceptions.UnknownNameError.among("gene", "Pvlab", ["Pvalb", "Sst"])
    assert err.suggestions == ("Pvalb",) and err.name == "Pvlab"
    assert "Did you mean 'Pvalb'?" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.suggestions == err.suggestions
    listed = exceptions.UnknownNameError.among("x", "c", ["a", "b"], list_all=True)
    assert str(listed) == "Unknown x 'c'; use one of ['a', 'b']."
