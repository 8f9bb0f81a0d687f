# SPDX-License-Identifier: BSD-3-Clause
"""AxonSwitchClassifier: the axon model where the axon is traced, else dendrites."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_estimator

from ngep.models import AxonSwitchClassifier, ContrastClassifier
from ngep.persistence import load, save


def _data(seed=0, n=120):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    traced = np.arange(n) % 3 == 0
    X = pd.DataFrame({
        "dendrite__n_tips": rng.normal(size=n) + 0.5 * y,
        "dendrite__total_length": rng.normal(size=n),
        "axon__total_length": np.where(traced, 4000.0, 150.0),
        "axon__n_tips": np.where(traced, rng.normal(size=n) + 4 * y, 0.0),
    })
    return X, y, traced


def test_check_estimator():
    check_estimator(AxonSwitchClassifier())


def test_switches_per_neuron():
    X, y, traced = _data()
    clf = AxonSwitchClassifier().fit(X, y)
    assert clf.n_axon_cells_ == traced.sum()
    assert_array_equal(clf.uses_axon(X), traced)
    dendrite = LogisticRegression(max_iter=1000).fit(X.iloc[:, :2].to_numpy(), y)
    axon = LogisticRegression(max_iter=1000).fit(X[traced].to_numpy(), y[traced])
    expected = dendrite.predict_proba(X.iloc[:, :2].to_numpy())
    expected[traced] = axon.predict_proba(X[traced].to_numpy())
    assert_allclose(clf.predict_proba(X), expected)
    # the axon separates the classes: the traced neurons are ranked better
    from sklearn.metrics import roc_auc_score

    p = clf.predict_proba(X)[:, 1]
    d = dendrite.predict_proba(X.iloc[:, :2].to_numpy())[:, 1]
    assert roc_auc_score(y[traced], p[traced]) > roc_auc_score(y[traced], d[traced])


def test_too_few_axons_means_dendrite_model_for_all():
    X, y, traced = _data()
    clf = AxonSwitchClassifier(min_axon_cells=traced.sum() + 1).fit(X, y)
    assert clf.axon_estimator_ is None
    assert not clf.uses_axon(X).any()


def test_without_names_it_is_the_estimator():
    X, y, _ = _data()
    clf = AxonSwitchClassifier().fit(X.to_numpy(), y)
    ref = LogisticRegression(max_iter=1000).fit(X.to_numpy(), y)
    assert clf.axon_estimator_ is None
    assert_allclose(clf.predict_proba(X.to_numpy()), ref.predict_proba(X.to_numpy()))


def test_missing_indicator_is_an_error():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="indicator column 'axon__total_length'"):
        AxonSwitchClassifier().fit(X.drop(columns="axon__total_length"), y)


def test_with_contrast_model_and_pickle_free(tmp_path):
    X, y, traced = _data()
    labels = np.where(y == 1, "Pvalb", np.where(np.arange(len(y)) % 2, "Sst",
                                                "excitatory"))
    clf = AxonSwitchClassifier(ContrastClassifier(positive="Pvalb", peers=["Sst"]),
                               min_axon_cells=5).fit(X, labels)
    assert_array_equal(clf.classes_, [0, 1])
    save(clf, tmp_path / "a.ngep", format="portable")
    back = load(tmp_path / "a.ngep")
    assert_allclose(back.predict_proba(X), clf.predict_proba(X))
    assert_array_equal(back.uses_axon(X), clf.uses_axon(X))
