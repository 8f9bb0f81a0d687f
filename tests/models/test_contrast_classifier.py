# SPDX-License-Identifier: BSD-3-Clause
"""ContrastClassifier: one class against all cells and against its peers.

Expected failures of ``check_estimator`` with ``positive`` set (listed in
``CONTRAST_EXPECTED_FAILURES``): the classifier then answers a binary question
(``classes_ == [0, 1]``) about multi-class labels, so the common checks that
compare predictions with ``y``'s own classes (train accuracy, the classes seen,
dtypes of the predictions) or that fit on one sample, one class or one
feature's fixed-label data cannot pass by design. With its default parameters
(``positive=None``) it is a plain wrapper and passes every check.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_estimator

from ngep.models import ContrastClassifier
from ngep.persistence import load, save

CONTRAST_EXPECTED_FAILURES = {
    "check_estimators_dtypes": "y of the check has no positive=1/peers=[0] class mix",
    "check_classifier_data_not_an_array": "binary output for multi-class y",
    "check_classifiers_one_label": "a contrast needs negatives",
    "check_classifiers_classes": "classes_ is [0, 1], not y's classes",
    "check_classifiers_train": "binary output for multi-class y",
    "check_fit2d_1sample": "a contrast needs negatives",
    "check_fit2d_1feature": "the check's y lacks the peer class",
}


def _data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["Pvalb", "Sst", "Htr3a", "excitatory"], [30, 25, 20, 80])
    centres = {"Pvalb": [2, 2], "Sst": [2, -1], "Htr3a": [1, -2], "excitatory": [-2, 0]}
    X = np.array([centres[c] for c in y]) + rng.normal(size=(len(y), 2))
    return X, y


def test_check_estimator_default():
    check_estimator(ContrastClassifier())


def test_check_estimator_contrast_fails_only_where_expected():
    results = check_estimator(ContrastClassifier(positive=1, peers=[0]),
                              on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed <= set(CONTRAST_EXPECTED_FAILURES), failed - set(
        CONTRAST_EXPECTED_FAILURES)


def test_average_of_the_two_contrasts():
    X, y = _data()
    clf = ContrastClassifier(positive="Pvalb", peers=["Sst", "Htr3a"],
                             weight=0.3).fit(X, y)
    assert_array_equal(clf.classes_, [0, 1])
    all_cells = LogisticRegression(max_iter=1000).fit(X, y == "Pvalb")
    inter = np.isin(y, ["Pvalb", "Sst", "Htr3a"])
    peers = LogisticRegression(max_iter=1000).fit(X[inter], y[inter] == "Pvalb")
    expected = (0.7 * all_cells.predict_proba(X)[:, 1]
                + 0.3 * peers.predict_proba(X)[:, 1])
    assert_allclose(clf.predict_proba(X)[:, 1], expected)
    assert_allclose(clf.predict_proba(X).sum(1), 1.0)
    assert set(clf.predict(X)) <= {0, 1}


def test_subclass_method_reads_off_the_positive_class():
    X, y = _data()
    clf = ContrastClassifier(positive="Sst", method="subclass").fit(X, y)
    ref = LogisticRegression(max_iter=1000).fit(X, y)
    col = list(ref.classes_).index("Sst")
    assert_array_equal(clf.classes_, [0, 1])
    assert_allclose(clf.predict_proba(X)[:, 1], ref.predict_proba(X)[:, col])


def test_weight_zero_or_no_peers_is_the_all_cell_model():
    X, y = _data()
    a = ContrastClassifier(positive="Pvalb", peers=["Sst"], weight=0.0).fit(X, y)
    b = ContrastClassifier(positive="Pvalb").fit(X, y)
    assert len(a.estimators_) == len(b.estimators_) == 1
    assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_without_positive_it_is_the_estimator():
    X, y = _data()
    clf = ContrastClassifier().fit(X, y)
    ref = LogisticRegression(max_iter=1000).fit(X, y)
    assert_array_equal(clf.classes_, ref.classes_)
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X))


@pytest.mark.parametrize(("params", "match"), [
    ({"positive": "Vip"}, "positive='Vip' is not a label"),
    ({"positive": "Pvalb", "peers": ["Vip"]}, r"peers \['Vip'\] are not labels"),
    ({"positive": "Pvalb", "method": "gate"}, "'method' parameter"),
])
def test_errors_name_the_parameter(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        ContrastClassifier(**params).fit(X, y)


def test_pickle_free_round_trip(tmp_path):
    X, y = _data()
    clf = ContrastClassifier(positive="Pvalb", peers=["Sst", "Htr3a"]).fit(X, y)
    save(clf, tmp_path / "c.ngep", format="portable")
    back = load(tmp_path / "c.ngep")
    assert_allclose(back.predict_proba(X), clf.predict_proba(X))
