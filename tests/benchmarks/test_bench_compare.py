# SPDX-License-Identifier: BSD-3-Clause
"""The simulation benchmark of compare_groups counts what it says it counts."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ngep.datasets import make_neurons

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_compare", REPO / "benchmarks" / "bench_compare.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_population_delta_is_cliffs_delta(bench):
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 6, 40).astype(float), rng.integers(0, 7, 30).astype(float)
    a[3] = np.nan  # ignored
    brute = np.mean([np.sign(y - x) for x in a[~np.isnan(a)] for y in b])
    assert bench.population_delta(a, b) == pytest.approx(brute)


def test_error_rates_count_false_discoveries_among_true_nulls(bench):
    truth = {"length": False, "stems": True, "angle": True}
    rep1 = pd.DataFrame({"feature": ["length", "stems", "angle"],
                         "q_value": [0.01, 0.02, 0.5], "p_holm": [0.01, 0.2, 1.0]})
    rep2 = pd.DataFrame({"feature": ["length", "stems", "angle"],
                         "q_value": [0.5, 0.5, 0.5], "p_holm": [1.0, 1.0, 1.0]})
    fdr, any_bh, any_holm, hits = bench.error_rates([rep1, rep2], truth)
    assert fdr == pytest.approx((1 / 2 + 0) / 2)  # no discovery counts as 0
    assert (any_bh, any_holm) == (0.5, 0.0)
    assert hits.tolist() == [[True, True, False], [False, False, False]]


def test_scaling_leaves_counts_unchanged_and_lengths_scaled(bench):
    # the benchmark's truth under "enlarged": invariant features are true nulls
    ms = make_neurons(5, class_weights={"Pvalb": 1}, random_state=0).morphologies
    base, big = bench.features(ms), bench.features(ms, 1.3)
    np.testing.assert_array_equal(base["dendrite__n_tips"], big["dendrite__n_tips"])
    np.testing.assert_allclose(big["dendrite__total_length"],
                               1.3 * base["dendrite__total_length"])
    per_neuron = bench.features(ms, [1.0, 1.3, 1.0, 1.0, 1.0])
    assert per_neuron["dendrite__total_length"].iloc[1] == pytest.approx(
        big["dendrite__total_length"].iloc[1])
