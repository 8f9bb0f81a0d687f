# SPDX-License-Identifier: BSD-3-Clause
"""The default pipeline: SWC paths -> features -> model, end to end."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from ngep.datasets import make_neurons
from ngep.io import write_swc
from ngep.model_selection import BinnedStratifiedKFold
from ngep.persistence import load, save
from ngep.pipeline import make_pipeline


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
    pipe = make_pipeline(max_iter=3)
    assert [n for n, _ in pipe.steps] == [
        "extract",
        "expand",
        "impute",
        "scale",
        "model",
    ]
    assert pipe.get_params()["model__early_stopping"] is True
    assert (
        make_pipeline(early_stopping=False).get_params()["model__early_stopping"]
        is False
    )
    assert "expand" not in make_pipeline(features="extended").named_steps
    clf = make_pipeline(task="classification")
    assert type(clf[-1]).__name__ == "MarkerClassifier"
    with pytest.raises(ValueError, match="task"):
        make_pipeline(task="clustering")
    with pytest.raises(TypeError, match="either a model"):
        make_pipeline(model=object(), max_iter=3)


def test_grid_search_over_swc_paths_with_binned_folds(swc_data):
    paths, y = swc_data
    pipe = make_pipeline(max_iter=5, hidden_layer_sizes=(8,), random_state=0)
    grid = {"model__alpha": [1e-4, 1e-2], "extract__features": ["base"]}
    cv = BinnedStratifiedKFold(n_splits=3, n_bins=4, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=2, error_score="raise")
    search.fit(paths, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(paths[:3]).shape == (3,)


@pytest.mark.parametrize("suffix", [".ngep", ".ngep-portable"])
def test_fitted_pipeline_round_trips_in_both_formats(swc_data, tmp_path, suffix):
    paths, y = swc_data
    pipe = make_pipeline(max_iter=5, hidden_layer_sizes=(8,), random_state=0)
    pipe.fit(paths, y)
    path = tmp_path / f"model{suffix}"
    save(pipe, path)
    again = load(path)
    np.testing.assert_array_equal(again.predict(paths), pipe.predict(paths))
