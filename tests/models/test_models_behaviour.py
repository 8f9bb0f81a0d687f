# SPDX-License-Identifier: BSD-3-Clause
"""Behaviour of ExpressionRegressor / MarkerClassifier beyond sklearn's checks."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ngep.models import ExpressionRegressor, MarkerClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    Y = np.column_stack([X[:, 0] - X[:, 1], np.sin(X[:, 2])]) * 50 + 100
    return X, Y


def test_regressor_learns_and_outputs_float64_in_target_units(data):
    X, Y = data
    reg = ExpressionRegressor((32,), max_iter=150, random_state=0).fit(X, Y[:, 0])
    pred = reg.predict(X)
    assert pred.dtype == np.float64 and pred.shape == (120,)
    assert reg.score(X, Y[:, 0]) > 0.9  # standardised targets make this easy
    assert reg.y_mean_[0] == pytest.approx(Y[:, 0].mean())


def test_multi_output_one_net(data):
    X, Y = data
    reg = ExpressionRegressor((16,), max_iter=3, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (120, 2)
    assert reg.net_.module_.layers.output.out_features == 2


def test_target_names_recorded_from_dataframe(data):
    pd = pytest.importorskip("pandas")
    X, Y = data
    reg = ExpressionRegressor((4,), max_iter=2, random_state=0)
    reg.fit(X, pd.DataFrame(Y, columns=["Pvalb", "Sst"]))
    assert list(reg.target_names_) == ["Pvalb", "Sst"]


def test_deterministic_and_global_rng_untouched(data):
    torch = pytest.importorskip("torch")
    X, Y = data
    state = torch.random.get_rng_state()
    kwargs = dict(hidden_layer_sizes=(8,), max_iter=4, dropout=0.2, random_state=3)
    p1 = ExpressionRegressor(**kwargs).fit(X, Y).predict(X)
    p2 = ExpressionRegressor(**kwargs).fit(X, Y).predict(X)
    np.testing.assert_array_equal(p1, p2)
    assert torch.equal(state, torch.random.get_rng_state())
    p3 = ExpressionRegressor(**{**kwargs, "random_state": 4}).fit(X, Y).predict(X)
    assert not np.allclose(p1, p3)


def test_torch_threads_set_inside_and_restored(data, monkeypatch):
    torch = pytest.importorskip("torch")
    from ngep.models import _torch_parts

    X, Y = data
    seen = []
    forward = _torch_parts.FeedForward.forward

    def spy(self, X):
        seen.append(torch.get_num_threads())
        return forward(self, X)

    monkeypatch.setattr(_torch_parts.FeedForward, "forward", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        reg = ExpressionRegressor((4,), max_iter=1, torch_threads=1).fit(X, Y)
        reg.predict(X)
        assert set(seen) == {1}
        assert torch.get_num_threads() == 2
        seen.clear()
        ExpressionRegressor((4,), max_iter=1, torch_threads=None).fit(X, Y)
        assert set(seen) == {2}
    finally:
        torch.set_num_threads(before)


def test_early_stopping_uses_internal_split_and_restores_best(data):
    X, Y = data
    reg = ExpressionRegressor(
        (16,),
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=3,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X, Y)
    assert reg.n_iter_ < 300
    assert len(reg.validation_loss_curve_) == reg.n_iter_
    best = int(np.argmin(reg.validation_loss_curve_)) + 1
    assert reg.best_epoch_ == best
    # The internal split is seeded: the same fit gives the same curve.
    again = ExpressionRegressor(**reg.get_params()).fit(X, Y)
    np.testing.assert_array_equal(
        reg.validation_loss_curve_, again.validation_loss_curve_
    )


def test_tol_stops_on_training_loss(data):
    X, Y = data
    reg = ExpressionRegressor(
        (8,), max_iter=500, tol=10.0, n_iter_no_change=2, random_state=0
    ).fit(X, Y)
    assert reg.n_iter_ == 3  # nothing improves by 10: stop after the patience


def test_alpha_shrinks_weights(data):
    X, Y = data
    norms = []
    for alpha in (0.0, 50.0):
        reg = ExpressionRegressor(
            (16,),
            alpha=alpha,
            max_iter=30,
            batch_size=10,
            learning_rate_init=0.01,
            random_state=0,
        ).fit(X, Y)
        norms.append(float(reg.net_.module_.layers.hidden0.weight.detach().norm()))
    assert norms[1] < 0.5 * norms[0]
    # MLPRegressor's scaling: weight_decay = 2 * alpha / batch_size, weights only.
    groups = reg.net_.optimizer_.param_groups
    decays = sorted(g["weight_decay"] for g in groups)
    assert decays == [0.0, pytest.approx(2 * 50.0 / 10)]
    names = {id(p): n for n, p in reg.net_.module_.named_parameters()}
    decayed = [g for g in groups if g["weight_decay"] > 0][0]["params"]
    assert sorted(names[id(p)] for p in decayed) == [
        "layers.hidden0.weight",
        "layers.output.weight",
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(activation="tanh", batch_norm=True, dropout=0.1),
        dict(activation="gelu", batch_size="auto"),
        dict(activation="identity", hidden_layer_sizes=3),
        dict(activation="logistic", batch_size=7),
    ],
)
def test_architectures_fit(data, kwargs):
    X, Y = data
    reg = ExpressionRegressor(max_iter=2, random_state=0, **kwargs).fit(X, Y)
    assert np.isfinite(reg.predict(X)).all()


def test_cuda_error_is_clear(data):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match="CUDA is not available"):
        ExpressionRegressor(device="cuda", max_iter=1).fit(*data)


def test_classifier_string_labels_balanced(data):
    X, _ = data
    y = np.where(X[:, 0] > 1.0, "Pvalb+", "Pvalb-")  # imbalanced, ~16 %
    clf = make_pipeline(
        StandardScaler(),
        MarkerClassifier(
            (16,),
            class_weight="balanced",
            max_iter=40,
            batch_size=16,
            learning_rate_init=0.01,
            random_state=0,
        ),
    ).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"Pvalb+", "Pvalb-"}
    from sklearn.metrics import balanced_accuracy_score

    assert balanced_accuracy_score(y, clf.predict(X)) > 0.85
    weight = clf[-1].net_.criterion_.weight
    assert weight[0] > weight[1]  # the rare class ("Pvalb+") weighs more


def test_classifier_multiclass_early_stopping(data):
    X, _ = data
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    clf = MarkerClassifier((16,), early_stopping=True, max_iter=20, random_state=0).fit(
        X, y
    )
    assert list(clf.classes_) == [0, 1, 2]
    assert clf.predict_proba(X).shape == (120, 3)


def test_grid_search_parallel_is_reproducible(data):
    X, Y = data
    grid = {"expressionregressor__alpha": [1e-4, 1.0]}

    def search():
        pipe = make_pipeline(
            StandardScaler(), ExpressionRegressor((8,), max_iter=3, random_state=0)
        )
        return GridSearchCV(pipe, grid, cv=KFold(3), n_jobs=2).fit(X, Y[:, 0])

    a, b = search(), search()
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    serial = GridSearchCV(
        make_pipeline(
            StandardScaler(), ExpressionRegressor((8,), max_iter=3, random_state=0)
        ),
        grid,
        cv=KFold(3),
        n_jobs=1,
    ).fit(X, Y[:, 0])
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def test_import_does_not_import_torch():
    import subprocess
    import sys

    code = "import ngep.models, sys; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_early_stopping_auto_depends_on_training_size():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=1200)
    params = dict(early_stopping="auto", max_iter=2, hidden_layer_sizes=(4,),
                  random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        small = ExpressionRegressor(**params).fit(X[:200], y[:200])
        large = ExpressionRegressor(**params).fit(X, y)
        clf = MarkerClassifier(**params).fit(X[:200], y[:200] > 0)
    assert small.early_stopping_ is False and small.validation_loss_curve_ is None
    assert large.early_stopping_ is True and len(large.validation_loss_curve_) == 2
    assert clf.early_stopping_ is False
