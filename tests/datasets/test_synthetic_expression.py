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
    observed, signal, variance = expression(cls, tiled, ["Pvalb"], DEFAULT_NOISE,
                                            np.random.default_rng(0))
    y = observed["Pvalb"].reshape(reps, 3)
    np.testing.assert_allclose(y.mean(axis=0), signal["Pvalb"][:3], atol=0.08)
    np.testing.assert_allclose(y.var(axis=0), variance["Pvalb"][:3], rtol=0.05)
    assert np.all(signal["Pvalb"] > 0)


def test_ceiling_is_the_expected_variance_ratio(data):
    # Against var(signal) / var(y) over many noise draws on the same neurons.
    latent = {k: data.latent[k].to_numpy() for k in data.latent}
    cls = data.metadata["class"].cat.codes.to_numpy()
    ratios = []
    for seed in range(10):
        observed, signal, _ = expression(cls, latent, ["Pvalb"], DEFAULT_NOISE,
                                         np.random.default_rng(seed))
        ratios.append(np.var(signal["Pvalb"]) / np.var(observed["Pvalb"]))
    assert data.ceiling["Pvalb"] == pytest.approx(np.mean(ratios), abs=0.01)
    assert ceiling({"a": np.ones(3)}, {"a": np.ones(3)}) == {"a": 0.0}
    assert ceiling({"a": np.array([0.0, 2.0])}, {"a": np.zeros(2)}) == {"a": 1.0}


def test_noise_parameter():
    quiet = make_neurons(64, noise=0.0, random_state=0)
    for gene in quiet.targets:
        np.testing.assert_allclose(quiet.targets[gene], quiet.signal[gene])
    mixed = make_neurons(64, noise={"Pvalb": 0.125}, genes=["Pvalb", "Sst"],
                         random_state=0)
    assert mixed.targets.columns.tolist() == ["Pvalb", "Sst"]
    assert mixed.ceiling["Pvalb"] > 0.8
    with pytest.raises(ValueError, match="unknown genes"):
        make_neurons(2, noise={"Snap25": 1.0})
