# SPDX-License-Identifier: BSD-3-Clause
"""The default pipeline: SWC paths -> features -> model, end to end."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from ngep.datasets import make_neurons
from ngep.io import write_swc
from ngep.model_selection import BinnedStratifiedKFold
from ngep.persistence import load, save
from ngep.pipeline import make_default_pipeline


@pytest.fixture(scope="module")
def swc_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipe")
    data = make_neurons(48, random_state=1)
    paths = []
    for m in data.morphologies:
        write_swc(m, root / f"{m.name}.swc")
        paths.append(str(root / f"{m.name}.swc"))
    return paths, data.targets["Pvalb"].to_numpy()


def test_steps_and_param_routing():
    pipe = make_default_pipeline(max_iter=3)
    assert [n for n, _ in pipe.steps] == [
        "extract",
        "expand",
        "impute",
        "scale",
        "model",
    ]
    assert pipe.get_params()["model__early_stopping"] is True
    assert (
        make_default_pipeline(early_stopping=False)
        .get_params()["model__early_stopping"]
        is False
    )
    assert "expand" not in make_default_pipeline(features="extended").named_steps
    clf = make_default_pipeline(task="classification")
    assert type(clf[-1]).__name__ == "MarkerClassifier"
    with pytest.raises(ValueError, match="task"):
        make_default_pipeline(task="clustering")
    with pytest.raises(TypeError, match="either a model"):
        make_default_pipeline(model=object(), max_iter=3)


def test_grid_search_over_swc_paths_with_binned_folds(swc_data):
    paths, y = swc_data
    pipe = make_default_pipeline(max_iter=5, hidden_layer_sizes=(8,), random_state=0)
    grid = {"model__alpha": [1e-4, 1e-2], "extract__features": ["base"]}
    cv = BinnedStratifiedKFold(n_splits=3, n_bins=4, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=2, error_score="raise")
    search.fit(paths, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(paths[:3]).shape == (3,)


@pytest.mark.parametrize("suffix", [".ngep", ".ngep-portable"])
def test_fitted_pipeline_round_trips_in_both_formats(swc_data, tmp_path, suffix):
    paths, y = swc_data
    pipe = make_default_pipeline(max_iter=5, hidden_layer_sizes=(8,), random_state=0)
    pipe.fit(paths, y)
    path = tmp_path / f"model{suffix}"
    save(pipe, path)
    again = load(path)
    np.testing.assert_array_equal(again.predict(paths), pipe.predict(paths))


def test_make_pipeline_is_a_deprecated_alias():
    # sklearn.pipeline.make_pipeline chains given steps; ngep's builder has its
    # own name, and the old one warns for one release
    import ngep
    from ngep.pipeline import make_pipeline

    with pytest.warns(FutureWarning, match="make_default_pipeline"):
        pipe = make_pipeline(max_iter=3, random_state=0)
    fresh = make_default_pipeline(max_iter=3, random_state=0)
    assert [n for n, _ in pipe.steps] == [n for n, _ in fresh.steps]
    assert ngep.make_default_pipeline is make_default_pipeline
    assert ngep.make_pipeline is make_pipeline


def test_renamed_table_methods_warn(tmp_path):
    from sklearn.linear_model import Ridge

    from ngep.model_selection import cross_validate_report
    from ngep.multigene import GenePanelRegressor

    X = np.random.default_rng(0).normal(size=(30, 2))
    panel = GenePanelRegressor([("a", Ridge())]).fit(X, X[:, 0])
    with pytest.warns(FutureWarning, match="predict_table"):
        old = panel.predict_frame(X)
    assert old.equals(panel.predict_table(X))
    report = cross_validate_report(Ridge(), X, X[:, 0], cv=3)
    with pytest.warns(FutureWarning, match="summary_table"):
        old = report.summary_frame()
    assert old.equals(report.summary_table())
