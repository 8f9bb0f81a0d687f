# SPDX-License-Identifier: BSD-3-Clause
"""make_neurons: the expression model, its signal and its ceiling."""

import numpy as np
import pytest

from ngep.datasets import make_neurons
from ngep.datasets._expression import DEFAULT_NOISE, ceiling, expression


@pytest.fixture(scope="module")
def data():
    return make_neurons(2000, random_state=11)


def test_targets_shape_and_columns(data):
    genes = ["Pvalb", "Sst", "Vip", "Gad1", "Gfap"]
    assert data.targets.shape == (2000, 5)
    assert data.targets.columns.tolist() == genes
    assert data.signal.columns.tolist() == genes
    assert sorted(data.ceiling) == sorted(genes)
    assert np.all(data.targets.to_numpy() >= 0)
    assert data.metadata["neuron_id"].tolist() == list(range(2000))
    assert "Pvalb" in data.DESCR


def test_pvalb_ceiling_is_calibrated(data):
    assert data.ceiling["Pvalb"] == pytest.approx(0.45, abs=0.05)


def test_gfap_is_a_negative_control(data):
    gfap = data.targets["Gfap"]
    assert gfap.mean() < 0.3
    assert data.ceiling["Gfap"] == 0.0
    assert np.ptp(data.signal["Gfap"]) == 0.0


def test_class_means_follow_the_markers(data):
    means = data.targets.groupby(data.metadata["class"], observed=True).mean()
    assert means["Pvalb"].idxmax() == "Pvalb"
    assert means["Sst"].idxmax() == "Sst"
    assert means["Vip"].idxmax() == "Vip"
    inter = means.loc[["Pvalb", "Sst", "Vip"], "Gad1"]
    pyr = means.loc[["L23_IT", "L5_ET"], "Gad1"]
    assert inter.min() > pyr.max() + 3


def test_pvalb_depends_on_morphology_within_pvalb_cells(data):
    pv = (data.metadata["class"] == "Pvalb").to_numpy()
    signal = data.signal["Pvalb"][pv]
    path = data.latent["max_path_distance"][pv]
    soma = data.latent["soma_radius"][pv]
    assert np.corrcoef(signal, np.log(path))[0, 1] < -0.5
    # Holding reach fixed, a bigger soma means more Pvalb.
    design = np.column_stack([np.ones(pv.sum()), np.log(path), np.log(soma)])
    coef, *_ = np.linalg.lstsq(design, signal, rcond=None)
    assert coef[1] < 0 < coef[2]


def test_signal_is_the_conditional_mean():
    # Three neurons, each repeated many times: the mean observation converges
    # to the reported signal (the censored Gaussian mean, not the raw level).
    reps = 20000
    latent = {"dendrite_length": np.full(3, 2000.0),
              "n_branch_points": np.full(3, 12.0),
              "n_stems": np.full(3, 6.0),
              "max_path_distance": np.array([150.0, 300.0, 900.0]),
              "soma_radius": np.full(3, 12.0)}
    tiled = {k: np.tile(v, reps) for k, v in latent.items()}
    cls = np.tile([0, 1, 3], reps)
    observed, signal = expression(cls, tiled, ["Pvalb"], DEFAULT_NOISE,
                                  np.random.default_rng(0))
    mean = observed["Pvalb"].reshape(reps, 3).mean(axis=0)
    np.testing.assert_allclose(mean, signal["Pvalb"][:3], atol=0.08)
    assert np.all(signal["Pvalb"] > 0)


def test_ceiling_is_variance_ratio():
    observed = {"a": np.array([0.0, 1.0, 2.0, 3.0])}
    signal = {"a": np.array([0.5, 0.5, 2.5, 2.5])}
    assert ceiling(observed, signal)["a"] == pytest.approx(1.0 / 1.25)


def test_noise_parameter():
    quiet = make_neurons(64, noise=0.0, random_state=0)
    for gene in quiet.targets:
        np.testing.assert_allclose(quiet.targets[gene], quiet.signal[gene])
    mixed = make_neurons(64, noise={"Pvalb": 0.5}, genes=["Pvalb", "Sst"],
                         random_state=0)
    assert mixed.targets.columns.tolist() == ["Pvalb", "Sst"]
    assert mixed.ceiling["Pvalb"] > 0.8
    with pytest.raises(ValueError, match="unknown genes"):
        make_neurons(2, noise={"Snap25": 1.0})
