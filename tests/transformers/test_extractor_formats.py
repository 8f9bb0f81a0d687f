# SPDX-License-Identifier: BSD-3-Clause
"""MorphologyExtractor reads every format read_morphology reads, row for row."""

import numpy as np
import pytest

from ngep.exceptions import FeatureExtractionWarning
from ngep.io import read_morphology
from ngep.morphometrics import BASE_FEATURES, compute_features
from ngep.transformers import MorphologyExtractor

pytest.importorskip("morphio")


def test_asc_h5_and_swc_paths_in_one_batch(edge_case_dir, tmp_path):
    formats = edge_case_dir / "neurom-formats"
    paths = [
        formats / "neurolucida" / "bio_neuron-000.asc",
        formats / "h5" / "v1" / "bio_neuron-000.h5",
        edge_case_dir / "neurom" / "Neuron.swc",
        formats / "h5" / "v1" / "Neuron.h5",
        formats / "h5" / "v2" / "Neuron.h5",  # unreadable: HDF5 version 2
    ]
    with pytest.warns(FeatureExtractionWarning, match="h5v2"):
        X = MorphologyExtractor(errors="warn").fit_transform([str(p) for p in paths])
    for row, path in zip(X[:4], paths):
        np.testing.assert_allclose(
            row, compute_features(read_morphology(path), BASE_FEATURES))
    np.testing.assert_allclose(X[0], X[1], rtol=1e-5)  # .asc and .h5 twins
    np.testing.assert_allclose(X[2], X[3], rtol=1e-5)  # .swc and .h5 twins
    assert np.isnan(X[4]).all()
