# SPDX-License-Identifier: BSD-3-Clause
"""ngep pipelines on a real ``distributed`` cluster give the same results as locally.

A two-process ``LocalCluster`` stands in for a remote scheduler: the tasks are
pickled, shipped to other processes and their results sent back, exactly as
with ``Client("tcp://scheduler:8786")``. Skipped when ``distributed`` is not
installed (``pip install ngep[dask]``).
"""

import os
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ngep.io import Morphology, write_swc

distributed = pytest.importorskip("distributed")

# Starting two worker processes that import scikit-learn takes ~10 s on an idle
# 2-core machine and up to a minute on a loaded one; it runs in the default suite
# because distributed runs are a promise of the package.


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def _grid_search(X, y, n_jobs):
    pipe = make_pipeline(StandardScaler(), Ridge())
    grid = [
        {"ridge": [Ridge()], "ridge__alpha": [0.1, 10.0]},
        {
            "ridge": [
                MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
            ],
            "ridge__alpha": [1e-4, 1e-2],
        },
    ]
    search = GridSearchCV(
        pipe, grid, cv=KFold(3, shuffle=True, random_state=0), n_jobs=n_jobs
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(X, y)


def test_grid_search_on_dask_matches_local(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(45, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=45)
    local = _grid_search(X, y, n_jobs=None)  # sequential reference
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            remote = _grid_search(X, y, n_jobs=2)
    assert len(stream.data) >= 12  # the 4 candidates x 3 folds ran on the cluster
    assert remote.best_params_["ridge__alpha"] == local.best_params_["ridge__alpha"]
    assert_allclose(
        remote.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    assert_allclose(remote.predict(X), local.predict(X), rtol=1e-12)


def _cell(k):
    angles = np.linspace(0, np.pi, 6 + k)
    xyz = np.vstack(
        [
            [0, 0, 0],
            np.c_[np.cos(angles), np.sin(angles), np.zeros_like(angles)] * (10 + 3 * k),
        ]
    )
    n = len(xyz)
    parent = np.r_[-1, np.arange(n - 1)]
    parent[3:] = np.where(np.arange(3, n) % 2 == 0, 1, np.arange(2, n - 1))
    return Morphology(
        xyz, np.r_[5.0, np.ones(n - 1)], np.r_[1, np.full(n - 1, 3)], parent
    )


@pytest.mark.filterwarnings("ignore::ngep.exceptions.FragmentWarning")
def test_extraction_on_dask_matches_local(client, tmp_path, request):
    from ngep.transformers import MorphologyExtractor

    paths = []
    for k in range(6):
        path = tmp_path / f"cell_{k}.swc"
        write_swc(_cell(k), path)
        paths.append(str(path))
    shared = Path(
        os.environ.get("NGEP_SHARED", request.config.rootpath.parent / "shared")
    )
    allen = sorted((shared / "data" / "allen-v1-mouse" / "swc").glob("*.swc"))
    paths += [str(p) for p in allen[:4]]  # real cells too, when ../shared exists
    local = MorphologyExtractor(n_jobs=1).fit_transform(paths)
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            extractor = MorphologyExtractor(n_jobs=2).fit(paths)
            remote = extractor.transform(paths)
    assert len(stream.data) > 0  # the extraction ran on the workers
    assert remote.shape == (len(paths), len(extractor.get_feature_names_out()))
    assert_array_equal(remote, local)
