# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn's common checks for every public ngep estimator.

Estimators are discovered from the ``__all__`` of ngep's subpackages (anything
that subclasses :class:`~sklearn.base.BaseEstimator`), as scikit-learn's and
imbalanced-learn's ``test_common.py`` do, so a new public estimator is checked
without editing this file; one with a required parameter (a meta-estimator)
needs one row in ``REQUIRED_ARGS``, and the test says so when it is missing.

Three suites:

- ``parametrize_with_checks`` on every estimator, with each expected failure
  listed in ``EXPECTED_FAILED_CHECKS`` next to its reason;
- ``check_param_validation``, which ``parametrize_with_checks`` does not run;
- the contract of transformers whose input is a list of file paths
  (``input_tags.two_d_array`` is False): sklearn only runs
  ``check_estimator_cloneable`` on them, so the contract is written out here.
"""

import importlib
import inspect
import pickle
import pkgutil
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

import ngep


def all_estimators():
    """``(name, class)`` of every public estimator, sorted by name."""
    found = {}
    for info in pkgutil.iter_modules(ngep.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"ngep.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                found[name] = obj
    return sorted(found.items())


# Required constructor arguments of meta-estimators: a small default inside.
REQUIRED_ARGS = {
    "ConformalRegressor": lambda: {"estimator": Ridge()},
    "GenePanelClassifier": lambda: {"estimators": [("Pvalb", LogisticRegression())]},
    "GenePanelRegressor": lambda: {"estimators": [("Pvalb", Ridge())]},
    "GroupwiseClassifier": lambda: {"estimator": LogisticRegression()},
    "GroupwiseRegressor": lambda: {"estimator": Ridge()},
}

# Parameters that keep the checks fast, or that make the default runnable on
# the anonymous arrays the checks build.
_FAST_MLP = dict(
    hidden_layer_sizes=(8,), max_iter=5, tol=1e-2, n_iter_no_change=2,
    random_state=0,
)
FAST_PARAMS = {
    "ApplicabilityDomain": {"random_state": 0},
    "ConformalRegressor": {"cv": 3},
    "ExpressionRegressor": _FAST_MLP,
    "MarkerClassifier": _FAST_MLP,
    # the default scale is the named column 'max_path_distance'; the checks'
    # arrays have no names, so scale by column 0 and normalise column 1
    "SizeNormalizer": {"scale": 0, "features": [1]},
}

# More configurations of the same estimators that take other code paths.
EXTRA_CONFIGURATIONS = {
    "ConformalRegressor": [{"method": "cv_plus"}],
    "GenePanelRegressor": [
        {"estimators": [("Pvalb", make_pipeline(StandardScaler(), Ridge()))]}
    ],
}


def _instance(name, cls, **extra):
    if name not in REQUIRED_ARGS and any(
        p.default is p.empty and p.kind is not p.VAR_KEYWORD
        for p in inspect.signature(cls).parameters.values()
    ):
        raise AssertionError(
            f"{name} has a required parameter; add a small default for it to "
            "REQUIRED_ARGS in tests/test_common.py."
        )
    params = {**REQUIRED_ARGS.get(name, dict)(), **FAST_PARAMS.get(name, {})}
    return cls(**{**params, **extra})


def _instances():
    for name, cls in all_estimators():
        yield _instance(name, cls)
        for extra in EXTRA_CONFIGURATIONS.get(name, ()):
            yield _instance(name, cls, **extra)


ESTIMATORS = list(_instances())
PATH_TRANSFORMERS = [
    e for e in ESTIMATORS if not e.__sklearn_tags__().input_tags.two_d_array
]

_FIXED_COLUMNS = (
    "the check builds its own X with a number of columns other than 5; "
    "FeatureExpander expands exactly the 5 named base measurements and refuses "
    "other shapes with a ValueError naming them (tests/transformers/"
    "test_expander.py runs the same contract on 5-column data)"
)
EXPECTED_FAILED_CHECKS = {
    "FeatureExpander": dict.fromkeys(
        (
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_1sample",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ),
        _FIXED_COLUMNS,
    ),
}


def _id(estimator):
    return type(estimator).__name__


def test_discovery_finds_every_estimator():
    names = {name for name, _ in all_estimators()}
    assert {
        "DomainCheck", "ExpressionRegressor", "FeatureExpander", "GenePanelRegressor",
        "MorphologyExtractor", "SizeNormalizer",
    } <= names
    assert set(EXPECTED_FAILED_CHECKS) <= names  # no stale entries
    assert set(REQUIRED_ARGS) | set(FAST_PARAMS) <= names


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(_id(est), {}),
)
def test_estimators(estimator, check):
    check(estimator)


@pytest.mark.slow  # ~40 checks x 100 trees: about a minute on 2 busy cores
@parametrize_with_checks(
    [
        _instance(
            "ApplicabilityDomain", ngep.uncertainty.ApplicabilityDomain,
            method="isolation_forest",
        )
    ]
)
def test_estimators_slow_configurations(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_param_validation(estimator):
    # not run by parametrize_with_checks; it fits on a 2-D array, so estimators
    # whose input is a list of paths get their parameters checked on paths below
    if estimator in PATH_TRANSFORMERS:
        pytest.skip("path input: see test_path_transformer_invalid_params")
    check_param_validation(_id(estimator), estimator)


# -- transformers whose input is a list of file paths --------------------------
@pytest.fixture(scope="module")
def swc_files(tmp_path_factory):
    """Eight synthetic SWC files and a target per file."""
    from ngep.datasets import make_neurons

    folder = tmp_path_factory.mktemp("swc")
    data = make_neurons(8, out_dir=folder, random_state=0)
    y = np.arange(len(data.paths), dtype=float)
    return list(data.paths), y


path_transformers = pytest.mark.parametrize("estimator", PATH_TRANSFORMERS, ids=_id)


@path_transformers
def test_path_transformer_clone_and_params(estimator):
    params = estimator.get_params()
    twin = clone(estimator)
    assert twin is not estimator
    assert twin.get_params() == params
    assert clone(twin).get_params() == params


@path_transformers
def test_path_transformer_fit_returns_self(estimator, swc_files):
    paths, y = swc_files
    est = clone(estimator)
    assert est.fit(paths, y) is est
    assert est.fit(paths) is est


@path_transformers
def test_path_transformer_not_fitted(estimator, swc_files):
    paths, _ = swc_files
    with pytest.raises(NotFittedError):
        clone(estimator).transform(paths)
    with pytest.raises(NotFittedError):
        clone(estimator).get_feature_names_out()


@path_transformers
def test_path_transformer_names_match_columns(estimator, swc_files):
    paths, _ = swc_files
    est = clone(estimator)
    X = est.fit_transform(paths)
    names = est.get_feature_names_out()
    assert X.shape == (len(paths), len(names))
    assert X.dtype == np.float64
    frame = clone(estimator).set_output(transform="pandas").fit_transform(paths)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(names)
    assert_array_equal(frame.to_numpy(), X)


@path_transformers
@pytest.mark.parametrize("bare", ["cell.swc", Path("cell.swc")], ids=["str", "Path"])
def test_path_transformer_bare_path_raises_type_error(estimator, bare, swc_files):
    paths, _ = swc_files
    with pytest.raises(TypeError):
        clone(estimator).fit(bare)
    with pytest.raises(TypeError):
        clone(estimator).fit(paths).transform(bare)


@path_transformers
def test_path_transformer_transform_leaves_dict_unchanged(estimator, swc_files):
    paths, _ = swc_files
    est = clone(estimator).fit(paths)
    before = pickle.dumps(est.__dict__)
    keys = dict(est.__dict__)
    est.transform(paths)
    changed = {
        k for k in set(keys) | set(est.__dict__)
        if k not in keys or k not in est.__dict__
        or pickle.dumps(keys[k]) != pickle.dumps(est.__dict__[k])
    }
    assert not changed, f"transform changed {sorted(changed)}"
    assert pickle.dumps(est.__dict__) == before


@path_transformers
def test_path_transformer_pickle_and_joblib(estimator, swc_files, tmp_path):
    paths, _ = swc_files
    est = clone(estimator).fit(paths)
    expected = est.transform(paths)
    again = pickle.loads(pickle.dumps(est))
    assert again.get_params() == est.get_params()
    assert_array_equal(again.transform(paths), expected)
    joblib.dump(est, tmp_path / "est.joblib")
    loaded = joblib.load(tmp_path / "est.joblib")
    assert loaded.get_params() == est.get_params()
    assert_array_equal(loaded.transform(paths), expected)


@path_transformers
def test_path_transformer_pipeline_and_grid_search(estimator, swc_files):
    paths, y = swc_files
    pipe = Pipeline([("extract", clone(estimator)), ("model", LinearRegression())])
    assert pipe.fit(paths, y).predict(paths).shape == (len(paths),)
    search = GridSearchCV(
        Pipeline([("extract", clone(estimator)), ("model", Ridge())]),
        {"model__alpha": [0.1, 1.0]},
        cv=KFold(2),
        n_jobs=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(paths, y)
    assert len(search.cv_results_["params"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@path_transformers
def test_path_transformer_invalid_params(estimator, swc_files):
    # check_param_validation's idea on path input: every constrained parameter
    # refuses a value of no accepted type at fit time, naming the parameter
    # (sklearn's InvalidParameterError is both a ValueError and a TypeError)
    paths, _ = swc_files

    class _Unusable:
        pass

    for param in getattr(estimator, "_parameter_constraints", {}):
        est = clone(estimator).set_params(**{param: _Unusable()})
        with pytest.raises(ValueError, match=f"'{param}' parameter"):
            est.fit(paths)
