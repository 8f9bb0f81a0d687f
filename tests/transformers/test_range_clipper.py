# SPDX-License-Identifier: BSD-3-Clause
"""RangeClipper bounds each feature at its training mean +- bound SDs."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import check_estimator

from ngep.persistence import load, save
from ngep.transformers import RangeClipper


def test_check_estimator():
    check_estimator(RangeClipper())


def test_bounds_are_mean_plus_minus_bound_sd():
    rng = np.random.default_rng(0)
    X = rng.normal([10.0, -3.0], [2.0, 0.5], size=(200, 2))
    clip = RangeClipper(bound=2.5).fit(X)
    assert_allclose(clip.lower_, X.mean(0) - 2.5 * X.std(0))
    assert_allclose(clip.upper_, X.mean(0) + 2.5 * X.std(0))
    far = np.array([[1e6, -1e6], [10.0, -3.0]])
    out = clip.transform(far)
    assert_allclose(out[0], [clip.upper_[0], clip.lower_[1]])
    assert_array_equal(out[1], far[1])  # inside: unchanged
    assert_array_equal(clip.clipped(far), [[True, True], [False, False]])


def test_nan_passes_through_and_constant_feature_is_held():
    X = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, 5.0]])
    clip = RangeClipper().fit(X)
    out = clip.transform([[np.nan, 7.0]])
    assert np.isnan(out[0, 0]) and out[0, 1] == 5.0
    assert not clip.clipped([[np.nan, 5.0]]).any()


def test_infinite_bound_is_the_identity():
    X = np.array([[0.0, 1.0], [1.0, 1.0]])
    clip = RangeClipper(bound="inf").fit(X)
    assert_array_equal(clip.transform([[1e9, -1e9]]), [[1e9, -1e9]])


def test_transform_does_not_mutate_and_keeps_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [5.0, 6.0, 7.0]})
    clip = RangeClipper(bound=1.0).set_output(transform="pandas").fit(X)
    before = (clip.lower_.copy(), clip.upper_.copy())
    out = clip.transform(X * 100)
    assert list(out.columns) == ["a", "b"]
    assert_array_equal(clip.lower_, before[0])
    assert_array_equal(clip.upper_, before[1])


def test_pickle_free_round_trip(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    clip = RangeClipper(bound=1.5).fit(X)
    save(clip, tmp_path / "clip.ngep", format="portable")
    back = load(tmp_path / "clip.ngep")
    assert_array_equal(back.transform(X * 3), clip.transform(X * 3))
