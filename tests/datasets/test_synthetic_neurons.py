# SPDX-License-Identifier: BSD-3-Clause
"""make_neurons: reproducibility, class statistics, SWC output, conventions, species."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from ngep.datasets import CLASSES, CORTICAL_PROPORTIONS, make_neurons
from ngep.datasets._branching import grow_sections
from ngep.io import read_swc

# Published means (Scala et al. 2021; Gouwens et al. 2019, 2020): dendrite length
# (apical included), dendritic stems, dendritic branch points, soma radius.
REFERENCE = {
    "Pvalb": (1900, 5.8, 12, 11.8),
    "Sst": (2700, 6.2, 17, 12.3),
    "Vip": (2200, 3.7, 18, 9.9),
    "L23_IT": (4600, 7.3, 30, 11.1),
    "L5_ET": (8000, 8.6, 49, 12.9),
}
AXON = {"Pvalb": (16700, 177), "Sst": (16600, 150), "Vip": (5100, 52)}


def dendrite_summary(m):
    """Dendrite length (no soma-to-stem segments), stems, branch points, soma radius."""
    d = m.compartment_mask("dendrite")
    return np.array([
        m.segment_length[d & m.neurite_segment].sum(),
        np.count_nonzero(m.is_stem & d),
        np.count_nonzero(m.is_branch_point & d),
        m.radius[0],
    ])


def axon_summary(m):
    a = m.compartment_mask("axon")
    return np.array([m.segment_length[a & m.neurite_segment].sum(),
                     np.count_nonzero(m.is_branch_point & a)])


@pytest.fixture(scope="module")
def sample():
    return make_neurons(1500, random_state=0)


def _same_neurons(a, b):
    for m1, m2 in zip(a, b, strict=True):
        np.testing.assert_array_equal(m1.xyz, m2.xyz)
        np.testing.assert_array_equal(m1.parent, m2.parent)
        np.testing.assert_array_equal(m1.types, m2.types)
        np.testing.assert_array_equal(m1.radius, m2.radius)


def test_seeded_reproducibility_and_prefix_stability():
    a = make_neurons(70, random_state=7)
    b = make_neurons(70, random_state=7)
    _same_neurons(a.morphologies, b.morphologies)
    np.testing.assert_array_equal(a.targets, b.targets)
    # The first neurons do not depend on how many are asked for.
    c = make_neurons(10, random_state=7)
    _same_neurons(c.morphologies, a.morphologies[:10])
    d = make_neurons(10, random_state=8)
    assert not np.array_equal(d.morphologies[0].xyz, c.morphologies[0].xyz)


@pytest.mark.slow  # starts joblib worker processes
def test_n_jobs_does_not_change_the_neurons():
    a = make_neurons(70, random_state=1, n_jobs=1)
    b = make_neurons(70, random_state=1, n_jobs=2)
    _same_neurons(a.morphologies, b.morphologies)
    np.testing.assert_array_equal(a.targets, b.targets)


def test_structure_of_each_neuron(sample):
    for m, cls in zip(sample.morphologies[:100], sample.metadata["class"]):
        assert m.types[0] == 1 and m.parent[0] == -1
        assert np.all(m.parent[1:] < np.arange(1, m.n_nodes))
        assert set(np.unique(m.types)) == (
            {1, 2, 3, 4} if cls in ("L23_IT", "L5_ET") else {1, 2, 3})
        assert np.count_nonzero(m.is_stem & (m.types == 4)) == (
            1 if cls in ("L23_IT", "L5_ET") else 0)
        assert np.count_nonzero(m.is_stem & (m.types == 2)) == 1
        # Binary branching only.
        assert m.n_children[~m.is_soma].max() <= 2


@pytest.mark.parametrize("cls", CLASSES)
def test_class_statistics_match_the_literature(sample, cls):
    mask = (sample.metadata["class"] == cls).to_numpy()
    assert mask.sum() > 200
    morphs = [m for m, k in zip(sample.morphologies, mask) if k]
    stats = np.array([dendrite_summary(m) for m in morphs]).mean(axis=0)
    np.testing.assert_allclose(stats, REFERENCE[cls], rtol=0.3)
    axon = np.array([axon_summary(m) for m in morphs]).mean(axis=0)
    if cls in AXON:
        np.testing.assert_allclose(axon, AXON[cls], rtol=0.3)
    else:  # pyramidal axons are cut: a short stub
        assert 100 < axon[0] < 600


def test_latent_matches_the_morphologies(sample):
    measured = np.array([dendrite_summary(m) for m in sample.morphologies[:50]])
    latent = sample.latent.iloc[:50]
    np.testing.assert_allclose(measured[:, 0], latent["dendrite_length"], rtol=1e-9)
    np.testing.assert_array_equal(measured[:, 1], latent["n_stems"])
    np.testing.assert_array_equal(measured[:, 2], latent["n_branch_points"])
    np.testing.assert_allclose(measured[:, 3], latent["soma_radius"])
    path = [m.path_distance[m.compartment_mask("dendrite")].max()
            for m in sample.morphologies[:50]]
    np.testing.assert_allclose(path, latent["max_path_distance"], rtol=1e-9)


def test_swc_files_read_back_identically(tmp_path):
    mem = make_neurons(5, random_state=3)
    disk = make_neurons(5, random_state=3, out_dir=tmp_path / "swc")
    assert "morphologies" not in disk
    assert disk.metadata["path"].tolist() == disk.paths
    for m, path in zip(mem.morphologies, disk.paths, strict=True):
        r = read_swc(path)
        np.testing.assert_allclose(r.xyz, m.xyz, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(r.radius, m.radius, rtol=1e-9)
        np.testing.assert_array_equal(r.types, m.types)
        np.testing.assert_array_equal(r.parent, m.parent)
    np.testing.assert_array_equal(mem.targets, disk.targets)


@pytest.mark.parametrize("convention", [
    {"rotation": "random"},
    {"rotation": [[0, -1, 0], [1, 0, 0], [0, 0, 1]]},
    {"soma": "three_point"},
    {"soma": "contour"},
])
def test_conventions_keep_the_neuron(convention):
    ref = make_neurons(8, random_state=5)
    alt = make_neurons(8, random_state=5, **convention)
    np.testing.assert_array_equal(alt.targets, ref.targets)
    for m1, m2 in zip(ref.morphologies, alt.morphologies, strict=True):
        np.testing.assert_allclose(dendrite_summary(m2)[:3], dendrite_summary(m1)[:3],
                                   rtol=1e-9)
        # Soma-to-stem segments depend on the soma style; neurite segments do not.
        n1, n2 = m1.neurite_segment, m2.neurite_segment
        np.testing.assert_allclose(m2.segment_length[n2], m1.segment_length[n1],
                                   rtol=1e-9, atol=1e-9)
        # Soma centre: the mean of the soma points, at the origin.
        np.testing.assert_allclose(m2.xyz[m2.is_soma].mean(axis=0), 0, atol=1e-9)
        if "rotation" in convention:
            assert not np.allclose(m2.xyz, m1.xyz)


def test_rotation_random_draws_proper_rotations():
    ref = make_neurons(3, random_state=2)
    alt = make_neurons(3, random_state=2, rotation="random")
    for m1, m2 in zip(ref.morphologies, alt.morphologies):
        r, *_ = np.linalg.lstsq(m1.xyz, m2.xyz, rcond=None)
        np.testing.assert_allclose(r.T @ r, np.eye(3), atol=1e-8)
        assert np.linalg.det(r) == pytest.approx(1.0)


@pytest.mark.parametrize("spacing", [1.0, 10.0])
def test_node_spacing_resamples_the_same_neuron(spacing):
    ref = make_neurons(8, random_state=4)
    alt = make_neurons(8, random_state=4, node_spacing=spacing)
    np.testing.assert_array_equal(alt.targets, ref.targets)
    for m1, m2 in zip(ref.morphologies, alt.morphologies):
        s1, s2 = dendrite_summary(m1), dendrite_summary(m2)
        np.testing.assert_array_equal(s2[1:], s1[1:])  # stems, branch points, soma
        np.testing.assert_allclose(s2[0], s1[0], rtol=0.02)
        seg = m2.segment_length[m2.neurite_segment]
        assert seg.max() <= spacing * (1 + 1e-6)
        # Branch points (section ends) sit at the same places.
        np.testing.assert_allclose(np.sort(m2.xyz[m2.is_branch_point], axis=0),
                                   np.sort(m1.xyz[m1.is_branch_point], axis=0),
                                   atol=1e-9)
    with pytest.raises(InvalidParameterError, match="node_spacing"):
        make_neurons(2, node_spacing=0)


def test_one_neuron_and_coarse_spacing():
    ref = make_neurons(1, random_state=12).morphologies[0]
    coarse = make_neurons(1, random_state=12, node_spacing=50.0).morphologies[0]
    assert coarse.n_nodes < ref.n_nodes
    np.testing.assert_array_equal(dendrite_summary(coarse)[1:],
                                  dendrite_summary(ref)[1:])
    assert dendrite_summary(coarse)[0] <= dendrite_summary(ref)[0]


@pytest.mark.parametrize(("species", "factor"), [("rat", 1.3), ("human", 2.0)])
def test_species_scales_lengths_and_extents(species, factor):
    mouse = make_neurons(6, random_state=9)
    other = make_neurons(6, random_state=9, species=species)
    for m1, m2 in zip(mouse.morphologies, other.morphologies):
        s1, s2 = dendrite_summary(m1), dendrite_summary(m2)
        assert s2[0] == pytest.approx(factor * s1[0], rel=1e-9)
        np.testing.assert_array_equal(s2[1:3], s1[1:3])
        assert s2[3] == pytest.approx(np.sqrt(factor) * s1[3], rel=1e-9)
        ext1 = np.ptp(m1.xyz[m1.compartment_mask("dendrite")], axis=0)
        ext2 = np.ptp(m2.xyz[m2.compartment_mask("dendrite")], axis=0)
        # Arbors scale exactly; only stem origins move less (soma radius scales
        # with the square root).
        np.testing.assert_allclose(ext2, factor * ext1, rtol=0.05)
    assert (other.metadata["species"] == species).all()
    np.testing.assert_allclose(other.signal, mouse.signal, rtol=1e-9)


def test_region_is_recorded_and_shifts_lengths():
    cortex = make_neurons(128, random_state=6)
    hippo = make_neurons(128, random_state=6, region="hippocampus")
    assert (hippo.metadata["region"] == "hippocampus").all()
    assert (hippo.metadata["class"] == cortex.metadata["class"]).all()
    length = "dendrite_length"
    ratio = hippo.latent[length].sum() / cortex.latent[length].sum()
    assert ratio == pytest.approx(1.15, rel=1e-6)


def test_class_weights():
    data = make_neurons(40, class_weights={"Vip": 1.0, "L5_ET": 1.0}, random_state=0)
    assert set(data.metadata["class"]) == {"Vip", "L5_ET"}
    data = make_neurons(20, class_weights=[0, 0, 0, 1, 0], random_state=0)
    assert set(data.metadata["class"]) == {"L23_IT"}
    data = make_neurons(64, class_weights=CORTICAL_PROPORTIONS, random_state=0)
    assert (data.metadata["class"] == "L23_IT").mean() > 0.4
    with pytest.raises(ValueError, match="unknown classes"):
        make_neurons(2, class_weights={"Chandelier": 1.0})
    with pytest.raises(ValueError, match="needs 5 entries"):
        make_neurons(2, class_weights=[1, 1])
    with pytest.raises(ValueError, match="non-negative"):
        make_neurons(2, class_weights=[0, 0, 0, 0, 0])


def test_invalid_parameters_are_named():
    with pytest.raises(InvalidParameterError, match="region"):
        make_neurons(2, region="moon")
    with pytest.raises(InvalidParameterError, match="soma"):
        make_neurons(2, soma="sphere")
    with pytest.raises(ValueError, match="orthogonal 3x3"):
        make_neurons(2, rotation=np.eye(3) * 2)
    with pytest.raises(ValueError, match="no expression model"):
        make_neurons(2, genes=["Pvalb", "Snap25"])


def test_grow_sections_spends_each_budget_exactly():
    rng = np.random.default_rng(0)
    stems = np.array([1, 3, 6, 2])
    branch = np.array([0, 5, 40, 17])
    sec = grow_sections(stems, branch, np.array([0.5, 0.9, 0.3, 0.6]), rng)
    assert np.all(sec["parent"] < np.arange(sec["parent"].size))
    g = sec["group"]
    np.testing.assert_array_equal(np.bincount(g[sec["parent"] < 0]), stems)
    np.testing.assert_array_equal(np.bincount(g[~sec["terminal"]], minlength=4), branch)
    np.testing.assert_array_equal(np.bincount(g), stems + 2 * branch)
    children = np.bincount(sec["parent"][sec["parent"] >= 0], minlength=g.size)
    np.testing.assert_array_equal(children, np.where(sec["terminal"], 0, 2))
