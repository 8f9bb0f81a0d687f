# SPDX-License-Identifier: BSD-3-Clause
"""ngep._compat: the only module that names private internals of dependencies.

Two kinds of test: a scan of the package's source that fails when any other
module names a private name of scikit-learn, torch, pandas, skorch, numpy,
scipy or joblib; and one test per entry of ``ngep._compat`` that fails loudly,
naming the entry, when an installed release no longer behaves as ngep relies on.
"""

import ast
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge

import ngep
from ngep import _compat

PACKAGE = Path(ngep.__file__).parent
THIRD_PARTY = {"joblib", "numpy", "pandas", "scipy", "skorch", "sklearn", "torch"}

# Private names still used outside the compat module, each with the reason it
# cannot move there yet. Empty: the pandas engine and torch's fused-Adam kernel
# gave way to public read_csv and torch.optim.adam.adam(fused=True).
PENDING = {}


def _private(dotted):
    return any(p.startswith("_") and not p.startswith("__") for p in dotted.split("."))


def _own_private_names():
    """Private names ngep defines itself (methods, attributes, functions)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if _private(n)}


def private_uses(source, own=frozenset()):
    """Private third-party names a module's source imports or reads, sorted.

    Names read by ``getattr``/``hasattr``/``setattr`` with a literal private
    name that ngep does not define itself (``own``) count too.
    """
    tree = ast.parse(source)
    found, aliases = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in THIRD_PARTY:
                    if _private(a.name):
                        found.add(a.name)
                    aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in THIRD_PARTY:
                for a in node.names:
                    dotted = f"{node.module}.{a.name}"
                    if _private(dotted):
                        found.add(dotted)
                    aliases[a.asname or a.name] = dotted
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr", "setattr"}
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value) and node.args[1].value not in own
        ):
            found.add(f"{node.func.id}:{node.args[1].value}")
        if isinstance(node, ast.Attribute):
            parts, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                dotted = ".".join([aliases[inner.id], *reversed(parts)])
                if _private(dotted):
                    found.add(dotted)
    return sorted(found)


def test_scanner_finds_private_names():
    src = (
        "import torch\nimport sklearn.utils._testing\n"
        "from sklearn.base import _fit_context, clone\n"
        "from pandas.io.parsers import readers as r\n"
        "import numpy as np\n"
        "torch._foreach_add_(x, 1)\nr._engine\nnp.linalg.norm(x)\nself._private\n"
        "getattr(reader, '_engine', None)\ngetattr(est, '_ours', None)\n"
    )
    assert private_uses(src, own={"_ours"}) == [
        "getattr:_engine",
        "pandas.io.parsers.readers._engine",
        "sklearn.base._fit_context",
        "sklearn.utils._testing",
        "torch._foreach_add_",
    ]


def test_no_private_names_outside_compat():
    offenders, own = {}, _own_private_names()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "_compat.py":
            continue
        found = set(private_uses(path.read_text(encoding="utf-8"), own))
        found -= PENDING.get(rel, set())
        if found:
            offenders[rel] = sorted(found)
    assert not offenders, (
        "private names of dependencies outside ngep/_compat.py (import them from "
        f"there, with the versions they were checked against): {offenders}"
    )


# -- each entry of the compat module on the installed releases ------------------
class _Tiny(BaseEstimator):
    _parameter_constraints = {
        "alpha": [_compat.Interval(Real, 0, None, closed="left")],
        "kind": [_compat.StrOptions({"a", "b"})],
        "model": [_compat.HasMethods(["fit"]), None],
    }

    def __init__(self, alpha=1.0, kind="a", model=None):
        self.alpha = alpha
        self.kind = kind
        self.model = model

    @_compat.fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        self.fitted_ = True
        return self


def test_fit_context_and_constraints():
    assert _Tiny(model=Ridge()).fit([[0.0]]).fitted_
    for bad in ({"alpha": -1.0}, {"kind": "c"}, {"model": 3}):
        with pytest.raises(_compat.InvalidParameterError, match=next(iter(bad))):
            _Tiny(**bad).fit([[0.0]])
    assert issubclass(_compat.InvalidParameterError, (ValueError, TypeError))
    _compat.validate_parameter_constraints(
        _Tiny._parameter_constraints, {"alpha": 0.0, "kind": "b", "model": None},
        caller_name="_Tiny",
    )


def test_validate_params():
    @_compat.validate_params(
        {"n": [_compat.Interval(Integral, 1, None, closed="left")]},
        prefer_skip_nested_validation=True,
    )
    def twice(n):
        return 2 * n

    assert twice(2) == 4
    with pytest.raises(_compat.InvalidParameterError, match="'n' parameter"):
        twice(0)


def test_safe_indexing_and_num_samples():
    frame = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 11, 12])
    assert _compat.safe_indexing(frame, [2, 0])["a"].tolist() == [3, 1]
    assert _compat.safe_indexing(["x.swc", "y.swc"], [1]) == ["y.swc"]
    assert _compat.safe_indexing(np.arange(4), [3]).tolist() == [3]
    assert _compat.num_samples(["a.swc", "b.swc"]) == 2
    assert _compat.num_samples(np.zeros((5, 2))) == 5


def test_base_composition_routes_params():
    class Panel(_compat.BaseComposition):
        def __init__(self, estimators):
            self.estimators = estimators

        def get_params(self, deep=True):
            return self._get_params("estimators", deep=deep)

        def set_params(self, **params):
            self._set_params("estimators", **params)
            return self

    panel = Panel([("Pvalb", Ridge())]).set_params(Pvalb__alpha=3.0)
    assert panel.get_params()["Pvalb__alpha"] == 3.0
    with pytest.raises(ValueError, match="__"):
        panel._validate_names(["a__b"])


def test_base_kfold():
    class Folds(_compat.BaseKFold):
        def __init__(self, n_splits=3):
            super().__init__(n_splits=n_splits, shuffle=False, random_state=None)

        def _iter_test_indices(self, X, y=None, groups=None):
            yield from np.array_split(np.arange(len(X)), self.n_splits)

    folds = Folds(n_splits=3)
    assert folds.get_n_splits() == 3
    assert [len(t) for _, t in folds.split(np.zeros((7, 1)))] == [3, 2, 2]
    with pytest.raises(ValueError):
        Folds(n_splits=1)


def test_checked_versions_cover_the_supported_minimum():
    import configparser

    from sklearn import __version__ as installed

    cfg = configparser.ConfigParser()
    cfg.read(PACKAGE.parent / "setup.cfg")
    requires = cfg["options"]["install_requires"]
    oldest, _newest = _compat.CHECKED_VERSIONS["scikit-learn"]
    assert f"scikit-learn>={oldest}" in requires
    version = tuple(map(int, installed.split(".")[:2]))
    assert version >= tuple(map(int, oldest.split(".")))


def test_runs_module_hooks():
    torch = pytest.importorskip("torch")
    layer = torch.nn.Linear(2, 2)
    assert not _compat.runs_module_hooks(layer)
    handle = layer.register_forward_hook(lambda m, i, o: None)
    assert _compat.runs_module_hooks(layer)
    handle.remove()
    handle = layer.register_forward_pre_hook(lambda m, i: None)
    assert _compat.runs_module_hooks(layer)
    handle.remove()
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda m, i, o: None
    )
    try:
        assert _compat.runs_module_hooks(layer)  # a global hook counts
    finally:
        handle.remove()
    assert not _compat.runs_module_hooks(layer)
