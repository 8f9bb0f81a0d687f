# SPDX-License-Identifier: BSD-3-Clause
"""BinnedStratifiedKFold: balance, partition, determinism, refusals, sklearn use."""

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.utils._param_validation import InvalidParameterError

from ngep.model_selection import BinnedStratifiedKFold, bin_target


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(X[:, 0] + rng.normal(scale=0.5, size=n))  # skewed, like expression
    return X, y


def _spread(cv, X, y):
    return np.std([y[test].mean() for _, test in cv.split(X, y)])


def test_folds_better_balanced_than_kfold():
    X, y = _data()
    seeds = range(40)
    binned = np.array(
        [
            _spread(BinnedStratifiedKFold(10, shuffle=True, random_state=s), X, y)
            for s in seeds
        ]
    )
    plain = np.array(
        [_spread(KFold(10, shuffle=True, random_state=s), X, y) for s in seeds]
    )
    wins = int(np.sum(binned < plain))
    # sign test: under "no better than KFold" p(win) <= 1/2
    assert binomtest(wins, len(binned), 0.5, alternative="greater").pvalue < 1e-6
    # the top bin of a skewed target keeps some spread; still clearly below KFold
    assert np.median(binned / plain) < 0.8


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_in_exactly_one_test_fold(shuffle):
    X, y = _data(97)
    rs = 3 if shuffle else None
    cv = BinnedStratifiedKFold(7, n_bins=5, shuffle=shuffle, random_state=rs)
    tests = [test for _, test in cv.split(X, y)]
    assert len(tests) == cv.get_n_splits() == 7
    assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(97))
    for train, test in cv.split(X, y):
        assert not np.intersect1d(train, test).size
        assert train.size + test.size == 97


def test_deterministic_with_random_state():
    X, y = _data()
    a = [
        t for _, t in BinnedStratifiedKFold(5, shuffle=True, random_state=1).split(X, y)
    ]
    b = [
        t for _, t in BinnedStratifiedKFold(5, shuffle=True, random_state=1).split(X, y)
    ]
    c = [
        t for _, t in BinnedStratifiedKFold(5, shuffle=True, random_state=2).split(X, y)
    ]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))


def test_bins_capped_and_ties_dropped():
    y = np.arange(30.0)
    assert np.bincount(bin_target(y, n_bins=10, min_bin_size=10)).tolist() == [
        10,
        10,
        10,
    ]
    tied = np.r_[np.zeros(25), np.arange(1.0, 6.0)]
    labels = bin_target(tied, n_bins=10, min_bin_size=5)
    assert np.bincount(labels).min() >= 5
    assert np.unique(labels[:25]).size == 1
    # heavy ties still give a valid split without warnings
    X = np.zeros((30, 1))
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("error")
        assert len(list(BinnedStratifiedKFold(5).split(X, tied))) == 5


def test_refuses_nonsense():
    X, y = _data(40)
    with pytest.raises(InvalidParameterError, match="n_bins"):
        BinnedStratifiedKFold(n_bins=1)
    with pytest.raises(InvalidParameterError, match="n_bins"):
        BinnedStratifiedKFold(n_bins=2.5)
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        BinnedStratifiedKFold(n_splits=1)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        next(BinnedStratifiedKFold(50).split(X, y))
    with pytest.raises(ValueError, match="at least 2 \\* n_splits = 50"):
        next(BinnedStratifiedKFold(25).split(X, y))
    y_bad = y.copy()
    y_bad[7] = np.nan
    with pytest.raises(ValueError, match="non-finite.*index 7"):
        next(BinnedStratifiedKFold(5).split(X, y_bad))
    with pytest.raises(ValueError, match="pass the target"):
        next(BinnedStratifiedKFold(5).split(X, None))
    with pytest.raises(ValueError, match="one target"):
        next(BinnedStratifiedKFold(5).split(X, np.c_[y, y]))


def test_repr_and_sklearn_integration():
    X, y = _data(80)
    cv = BinnedStratifiedKFold(4, n_bins=5, shuffle=True, random_state=0)
    assert repr(cv) == (
        "BinnedStratifiedKFold(n_bins=5, n_splits=4, random_state=0, shuffle=True)"
    )
    res = cross_validate(Ridge(), X, y, cv=cv)
    assert res["test_score"].shape == (4,)
    assert cross_val_predict(Ridge(), X, y, cv=cv).shape == (80,)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=cv).fit(X, y)
    assert search.n_splits_ == 4
