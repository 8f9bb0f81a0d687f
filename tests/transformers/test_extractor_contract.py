# SPDX-License-Identifier: BSD-3-Clause
"""The scikit-learn contract of MorphologyExtractor, written out.

sklearn's common checks skip transformers whose input is a list of paths (only
``check_estimator_cloneable`` would run), so the contract is tested here.
"""

import pickle
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from ngep.exceptions import FeatureExtractionWarning, SWCFormatError
from ngep.io import read_swc
from ngep.morphometrics import BASE_FEATURES, compute_features, feature_names
from ngep.transformers import MorphologyExtractor

BASE_NAMES = [
    "dendrite__total_length",
    "dendrite__n_branch_points",
    "dendrite__n_stems",
    "dendrite__max_path_distance",
    "soma__radius",
]


def test_clone_and_params_round_trip():
    est = MorphologyExtractor(
        ["total_length"], compartment="apical", frame="pia:y", n_jobs=2,
        errors="warn", check_units="raise", progress=True, cache_dir="c",
    )
    params = est.get_params()
    twin = clone(est)
    assert twin.get_params() == params
    twin.set_params(features="extended", frame="native")
    assert twin.features == "extended" and twin.frame == "native"
    assert est.features == ["total_length"]


def test_fit_returns_self_and_reads_nothing(tmp_path):
    est = MorphologyExtractor()
    missing = [str(tmp_path / "not-there.swc")]
    assert est.fit(missing) is est  # fit learns names only; files untouched
    assert est.feature_names_ == BASE_NAMES
    assert est.n_features_out_ == 5


def test_not_fitted():
    with pytest.raises(NotFittedError):
        MorphologyExtractor().transform(["a.swc"])
    with pytest.raises(NotFittedError):
        MorphologyExtractor().get_feature_names_out()


def test_base_matches_catalogue(swc_paths):
    est = MorphologyExtractor()
    X = est.fit_transform(swc_paths)
    assert X.dtype == np.float64 and X.shape == (6, 5)
    assert list(est.get_feature_names_out()) == BASE_NAMES
    assert list(feature_names(BASE_FEATURES, "dendrite")) == BASE_NAMES
    for row, path in zip(X, swc_paths):
        assert_array_equal(row, compute_features(read_swc(path), BASE_FEATURES))


def test_paths_and_morphologies_agree(swc_paths):
    est = MorphologyExtractor("extended").fit(swc_paths)
    from_paths = est.transform([Path(p) for p in swc_paths])
    from_objects = est.transform([read_swc(p) for p in swc_paths])
    assert_array_equal(from_paths, from_objects)
    assert from_paths.shape[1] == len(est.get_feature_names_out())


@pytest.mark.parametrize("bare", ["cell.swc", Path("cell.swc")])
def test_single_path_raises_type_error(bare):
    with pytest.raises(TypeError, match="single"):
        MorphologyExtractor().fit([bare]).transform(bare)
    with pytest.raises(TypeError, match="single"):
        MorphologyExtractor().fit(bare)


def test_bad_item_type_names_the_row():
    with pytest.raises(TypeError, match=r"X\[1\] is a int"):
        MorphologyExtractor().fit(["a.swc", 3])


def test_unknown_feature_suggests():
    with pytest.raises(ValueError, match="Did you mean 'total_length'"):
        MorphologyExtractor(["total_lenght"]).fit(["a.swc"])
    with pytest.raises(ValueError, match="dendrite__total_length"):
        MorphologyExtractor(["dendrite__total_lenght"]).fit(["a.swc"])


def test_output_names_accepted_catalogue_order(swc_paths):
    est = MorphologyExtractor(["soma__radius", "dendrite__total_length"])
    X = est.fit_transform(swc_paths)
    # columns follow ngep.morphometrics.feature_names: soma features last
    assert est.feature_names_ == ["dendrite__total_length", "soma__radius"]
    base = MorphologyExtractor().fit_transform(swc_paths)
    assert_array_equal(X, base[:, [0, 4]])


def test_extended_mixes_frames_and_compartments(swc_paths):
    est = MorphologyExtractor("extended", compartment=["dendrite", "axon"],
                              frame="native")
    X = est.fit_transform(swc_paths)
    names = list(est.get_feature_names_out())
    assert names == feature_names(est._keys, ["dendrite", "axon"])
    from ngep.morphometrics import FEATURES

    applicable = [k for k, f in FEATURES.items()
                  if f.is_soma or {"dendrite", "axon"} & set(f.compartments)]
    assert list(est._keys) == applicable  # the preset keeps what applies
    for row, path in zip(X, swc_paths):  # native frame: exactly the catalogue
        assert_array_equal(
            row, compute_features(read_swc(path), est._keys, ["dendrite", "axon"]))


def test_non_native_frame_changes_only_frame_features(swc_paths):
    from ngep.morphometrics import FEATURES

    native = MorphologyExtractor("extended", frame="native")
    principal = MorphologyExtractor("extended")
    A, B = native.fit_transform(swc_paths), principal.fit_transform(swc_paths)
    invariant = {f.column("dendrite"): f.invariant for f in FEATURES.values()}
    frame_cols = [i for i, n in enumerate(native.feature_names_) if not invariant[n]]
    same = [i for i in range(A.shape[1]) if i not in frame_cols]
    assert frame_cols and not np.allclose(A[:, frame_cols], B[:, frame_cols])
    assert_array_equal(A[:, same], B[:, same])


@pytest.mark.parametrize(
    "params",
    [{"errors": "ignore"}, {"n_jobs": "two"}, {"check_units": "yes"},
     {"compartment": "dendrites"}, {"features": "all"}],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParameterError):
        MorphologyExtractor(**params).fit(["a.swc"])


def test_invalid_frame():
    with pytest.raises(ValueError, match="Unknown frame"):
        MorphologyExtractor(frame="pia:w").fit(["a.swc"])


def test_pandas_output(swc_paths):
    est = MorphologyExtractor().set_output(transform="pandas")
    frame = est.fit_transform(swc_paths)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == BASE_NAMES
    assert frame.shape == (6, 5)


def test_pickle_and_joblib_round_trip(swc_paths, tmp_path):
    est = MorphologyExtractor(["total_length", "height"], frame="pia:z").fit(swc_paths)
    expected = est.transform(swc_paths)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.transform(swc_paths), expected)
    joblib.dump(est, tmp_path / "ext.joblib")
    loaded = joblib.load(tmp_path / "ext.joblib")
    assert loaded.get_params() == est.get_params()
    assert_array_equal(loaded.transform(swc_paths), expected)


def test_pipeline_and_grid_search(swc_paths):
    y = np.arange(len(swc_paths), dtype=float)
    pipe = Pipeline([("extract", MorphologyExtractor()), ("ridge", Ridge())])
    pipe.fit(swc_paths, y)
    assert pipe.predict(swc_paths).shape == (6,)
    search = GridSearchCV(
        pipe,
        {"extract__features": ["base", ["total_length", "n_tips"]]},
        cv=KFold(3),
        n_jobs=2,
    )
    search.fit(swc_paths, y)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_estimator_.named_steps["extract"].n_features_out_ in (2, 5)


def test_n_jobs_gives_identical_results(swc_paths):
    one = MorphologyExtractor("extended", n_jobs=1).fit_transform(swc_paths * 3)
    two = MorphologyExtractor("extended", n_jobs=2).fit_transform(swc_paths * 3)
    assert_array_equal(one, two)


def test_errors_warn_nan_row_names_file(swc_paths, tmp_path):
    bad = tmp_path / "broken.swc"
    bad.write_text("1 1 0 0 0 5 -1\n2 3 0 1 0 1 7\n")  # parent 7 missing
    X_in = [swc_paths[0], str(bad), swc_paths[1]]
    est = MorphologyExtractor(errors="warn")
    with pytest.warns(FeatureExtractionWarning, match="broken.swc"):
        X = est.fit_transform(X_in)
    assert np.isnan(X[1]).all() and np.isfinite(X[[0, 2]]).all()
    with pytest.warns(FeatureExtractionWarning, match="broken.swc"):
        X2, failures = est.transform_with_failures(X_in)
    assert_array_equal(X2, X)
    assert failures[["index", "path", "error"]].values.tolist() == [
        [1, str(bad), "SWCFormatError"]
    ]
    with pytest.raises(AttributeError, match="transform_with_failures"):
        est.failures_
    with pytest.raises(SWCFormatError, match="broken.swc"):
        MorphologyExtractor().fit_transform(X_in)


def test_errors_raise_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        MorphologyExtractor().fit_transform([str(tmp_path / "nope.swc")])


def test_warnings_from_workers_reach_caller(tmp_path):
    # a detached fragment: read_swc warns (FragmentWarning) inside the worker
    path = tmp_path / "frag.swc"
    path.write_text(
        "1 1 0 0 0 5 -1\n2 3 0 10 0 1 1\n3 3 0 20 0 1 2\n"
        "10 3 50 50 0 1 -1\n11 3 50 60 0 1 10\n"
    )
    for n_jobs in (1, 2):
        with pytest.warns(UserWarning, match="frag"):
            MorphologyExtractor(n_jobs=n_jobs).fit_transform([str(path)] * 2)


def test_progress_bar_on_stderr(swc_paths, capsys):
    MorphologyExtractor(progress=True).fit_transform(swc_paths)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "6/6" in captured.err


def test_empty_input():
    X = MorphologyExtractor().fit_transform([])
    assert X.shape == (0, 5)


def test_sklearn_tags():
    tags = MorphologyExtractor().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_no_warning_on_clean_files(swc_paths):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MorphologyExtractor(errors="warn").fit_transform(swc_paths)


def test_per_file_frames(swc_paths):
    feats = ["height", "width", "total_length"]
    specs = ["pia:y", "pia:-z", [1.0, 0.0, 0.0], "native", "principal", "pia:x"]
    X = MorphologyExtractor(feats, frame=specs).fit_transform(swc_paths)
    for row, path, spec in zip(X, swc_paths, specs):
        alone = MorphologyExtractor(feats, frame=spec).fit_transform([path])
        assert_array_equal(row, alone[0])
    by_stem = {Path(p).stem: s for p, s in zip(swc_paths, specs)}
    assert_array_equal(
        MorphologyExtractor(feats, frame=by_stem).fit_transform(swc_paths), X)
    with pytest.raises(ValueError, match="6 rows"):
        MorphologyExtractor(feats, frame=specs[:2]).fit_transform(swc_paths)
    with pytest.raises(ValueError, match="no entry for"):
        MorphologyExtractor(feats, frame={"x": "native"}).fit_transform(swc_paths)


def test_pia_frame_puts_pia_on_y(make_neuron):
    m = make_neuron(3)
    flipped = m.transformed([[1, 0, 0], [0, 0, -1], [0, 1, 0]])  # file y -> file z
    ext = MorphologyExtractor(["height"], frame="pia:y").fit([])
    moved = MorphologyExtractor(["height"], frame="pia:z").fit([])
    assert_array_equal(ext.transform([m]).round(9), moved.transform([flipped]).round(9))
    native = MorphologyExtractor(["height"], frame="native").fit([])
    assert native.transform([m])[0, 0] == pytest.approx(ext.transform([m])[0, 0])


def test_unit_failure_follows_errors(make_neuron, tmp_path):
    path = tmp_path / "mm.swc"
    from ngep.io import write_swc

    write_swc(make_neuron(1).transformed(scale=1e-3), path)
    est = MorphologyExtractor(check_units="raise", errors="warn")
    with pytest.warns(FeatureExtractionWarning, match="mm.swc.*millimetres"):
        X, failures = est.fit([str(path)]).transform_with_failures([str(path)])
    assert np.isnan(X).all()
    assert failures["error"].tolist() == ["SWCFormatError"]


@pytest.mark.parametrize("errors", ["raise", "warn"])
def test_transform_leaves_the_extractor_unchanged(swc_paths, tmp_path, errors):
    """transform and transform_with_failures are pure: __dict__ is unchanged."""
    import copy
    import pickle

    bad = tmp_path / "broken.swc"
    bad.write_text("1 1 0 0 0 5 -1\n2 3 0 1 0 1 7\n")
    X_in = list(swc_paths[:2]) + ([str(bad)] if errors == "warn" else [])
    est = MorphologyExtractor("extended", errors=errors).fit(X_in)
    before = copy.deepcopy(est.__dict__)
    blob = pickle.dumps(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.transform(X_in)
        est.transform_with_failures(X_in)
    assert est.__dict__.keys() == before.keys()
    assert pickle.dumps(est) == blob
