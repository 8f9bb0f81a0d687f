# SPDX-License-Identifier: BSD-3-Clause
"""Features that survive a change of lab: orientation, sampling and units.

- Rigid motions (random 3-D rotation + translation) leave every feature marked
  ``invariant=True`` unchanged to rtol 1e-9; frame-dependent features computed
  in the principal-axis or pia frame are unchanged to rtol 1e-7.
- Resampling (points inserted along neurite segments; collinear intermediate
  points removed again) leaves lengths, path and radial distances and extents
  unchanged to rtol 1e-9 (1e-7 in the principal frame) and topology counts
  exactly unchanged.
- A neuron written in millimetres is flagged.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.transform import Rotation

from ngep.exceptions import SWCFormatError, SWCWarning
from ngep.io import Morphology, read_swc, write_swc
from ngep.morphometrics import FEATURES, compute_features
from ngep.morphometrics._frame import frame_transform, to_frame, unit_problem
from ngep.transformers import MorphologyExtractor

INVARIANT = sorted(k for k, f in FEATURES.items() if f.invariant)
FRAME_DEPENDENT = sorted(
    k for k, f in FEATURES.items() if not f.invariant and "dendrite" in f.compartments
)
EXTENTS = ["depth", "height", "width"]  # of all nodes: resampling cannot move them
# Catalogue features that resampling must not change (those present are tested).
TOPOLOGY = {"n_branch_points", "n_tips", "n_stems", "max_branch_order",
            "n_bifurcations", "n_sections", "n_terminal_sections"}
GEOMETRY = {"total_length", "max_path_distance", "max_radial_distance",
            "soma_radius", "radius", "extent_x", "extent_y", "extent_z",
            "width", "height", "depth", "total_surface_area", "total_volume"}
ALLEN = ("313862167.swc", "313862306.swc", "313862373.swc")


def _neuron(seed):
    rng = np.random.default_rng(seed)
    xyz, radius, types, parent = [[0.0, 0.0, 0.0]], [7.0], [1], [-1]
    ends = []
    for s in range(5):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        xyz.append((7 * d).tolist())
        radius.append(1.0)
        types.append((4, 3, 3, 2, 3)[s])
        parent.append(0)
        ends.append((len(xyz) - 1, d))
    for _ in range(15):
        node, d = ends.pop(rng.integers(len(ends)))
        for _child in range(2):
            d2 = d + 0.7 * rng.normal(size=3)
            d2 /= np.linalg.norm(d2)
            prev = node
            for _ in range(rng.integers(1, 5)):
                xyz.append((np.asarray(xyz[prev]) + rng.uniform(3, 15) * d2).tolist())
                radius.append(0.5)
                types.append(types[prev])
                parent.append(prev)
                prev = len(xyz) - 1
            ends.append((prev, d2))
    return Morphology(xyz, radius, types, parent, name=f"gen{seed}")


@pytest.fixture(params=["gen0", "gen1", "gen2", *ALLEN])
def neuron(request):
    if request.param.startswith("gen"):
        return _neuron(int(request.param[3:]))
    allen = request.getfixturevalue("allen_dir")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some Allen files carry fragments
        return read_swc(allen / "swc" / request.param)


def _rigid(seed):
    rng = np.random.default_rng(seed)
    return Rotation.random(random_state=rng).as_matrix(), rng.uniform(-500, 500, 3)


@pytest.mark.parametrize("compartment", ["dendrite", "all"])
def test_rigid_motion_leaves_invariant_features(neuron, compartment):
    keys = [k for k in INVARIANT if compartment in FEATURES[k].compartments
            or FEATURES[k].compartments == ("soma",)]
    before = compute_features(neuron, keys, compartment)
    for seed in range(3):
        matrix, offset = _rigid(seed)
        after = compute_features(neuron.transformed(matrix, offset), keys, compartment)
        assert_allclose(after, before, rtol=1e-9, atol=1e-9)


def test_principal_frame_coordinates_are_rigid_invariant(neuron):
    base = to_frame(neuron, "principal").xyz
    for seed in range(3):
        matrix, offset = _rigid(seed)
        moved = to_frame(neuron.transformed(matrix, offset), "principal").xyz
        assert_allclose(moved, base, atol=1e-6 * np.abs(base).max())
    frame, _ = frame_transform(neuron)
    assert_allclose(frame @ frame.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(frame) == pytest.approx(1.0)  # a rotation, no mirror


def test_frame_dependent_features_in_principal_and_pia_frames(neuron):
    if not FRAME_DEPENDENT:
        pytest.skip("the catalogue has no frame-dependent feature")
    ext = MorphologyExtractor(FRAME_DEPENDENT, frame="principal").fit([])
    pia = MorphologyExtractor(FRAME_DEPENDENT, frame="pia:y").fit([])
    before, before_pia = ext.transform([neuron]), pia.transform([neuron])
    for seed in range(3):
        matrix, offset = _rigid(seed)
        moved = neuron.transformed(matrix, offset)
        assert_allclose(ext.transform([moved]), before, rtol=1e-7)
        pia_moved = pia.set_params(frame=matrix @ [0.0, 1.0, 0.0]).fit([])
        assert_allclose(pia_moved.transform([moved]), before_pia, rtol=1e-7)
        pia.set_params(frame="pia:y").fit([])


def _upsample(m, k=3):
    """Insert ``k - 1`` points evenly along every neurite segment."""
    child = np.flatnonzero(m.neurite_segment)
    par = m.parent[child]
    n, s = m.n_nodes, child.size
    t = (np.arange(1, k) / k)[None, :, None]  # (1, k-1, 1)
    new_xyz = m.xyz[par][:, None] + t * (m.xyz[child] - m.xyz[par])[:, None]
    dr = (m.radius[child] - m.radius[par])[:, None]
    new_r = m.radius[par][:, None] + t[..., 0] * dr
    new_index = n + np.arange(s * (k - 1)).reshape(s, k - 1)
    new_parent = np.column_stack([par, new_index[:, :-1]])
    parent = m.parent.copy()
    parent[child] = new_index[:, -1]
    return Morphology(
        np.vstack([m.xyz, new_xyz.reshape(-1, 3)]),
        np.concatenate([m.radius, new_r.ravel()]),
        np.concatenate([m.types, np.repeat(m.types[child], k - 1)]),
        np.concatenate([parent, new_parent.ravel()]),
    )


def _drop_collinear(m, tol=1e-9):
    """Remove neurite points with one child that lie on their parent-child line
    with the linearly interpolated radius (points that carry no information)."""
    n = m.n_nodes
    only_child = np.full(n, -1)
    nonroot = np.flatnonzero(m.parent >= 0)
    only_child[m.parent[nonroot]] = nonroot  # exact where n_children == 1
    i = np.flatnonzero((m.n_children == 1) & (m.parent >= 0) & ~m.is_soma)
    i = i[~m.is_soma[m.parent[i]]]
    c = only_child[i]
    same = m.types[i] == m.types[c]  # a segment's compartment is its child's type
    i, c = i[same], c[same]
    a, b = m.xyz[m.parent[i]], m.xyz[c]
    ab2 = np.einsum("ij,ij->i", b - a, b - a)
    cross = np.linalg.norm(np.cross(m.xyz[i] - a, b - a), axis=1)
    t = np.einsum("ij,ij->i", m.xyz[i] - a, b - a) / np.maximum(ab2, 1e-300)
    r = m.radius[m.parent[i]] + t * (m.radius[c] - m.radius[m.parent[i]])
    redundant = (cross <= tol * ab2) & (t > 0) & (t < 1) & (
        np.abs(m.radius[i] - r) <= tol * (1 + np.abs(r)))
    keep = np.ones(n, dtype=bool)
    keep[i[redundant]] = False
    anc = m.parent.copy()
    while True:  # pointer jumping to the nearest kept ancestor
        skip = (anc >= 0) & ~keep[np.maximum(anc, 0)]
        if not skip.any():
            break
        anc[skip] = m.parent[anc[skip]]
    index = np.cumsum(keep) - 1
    parent = np.where(anc[keep] >= 0, index[np.maximum(anc[keep], 0)], -1)
    return Morphology(m.xyz[keep], m.radius[keep], m.types[keep], parent)


def test_resampling(neuron):
    topo = sorted(TOPOLOGY & set(FEATURES))
    geom = sorted(GEOMETRY & set(FEATURES) & set(INVARIANT))
    assert {"n_branch_points", "n_stems", "total_length", "max_path_distance"} <= (
        set(topo) | set(geom))
    dense = _upsample(neuron)
    sparse = _drop_collinear(dense)
    # generated neurons have collinear points of their own, so sparse can be smaller
    assert dense.n_nodes > neuron.n_nodes >= sparse.n_nodes
    for compartment in ("dendrite", "all"):
        ref_t = compute_features(neuron, topo, compartment)
        ref_g = compute_features(neuron, geom, compartment)
        for other in (dense, sparse):
            assert_array_equal(compute_features(other, topo, compartment), ref_t)
            assert_allclose(compute_features(other, geom, compartment), ref_g,
                            rtol=1e-9, atol=1e-9)
    if set(EXTENTS) <= set(FEATURES):
        ext = MorphologyExtractor(EXTENTS, frame="principal").fit([])
        assert_allclose(ext.transform([dense]), ext.transform([neuron]), rtol=1e-7)


def test_millimetre_neuron_is_flagged(neuron, tmp_path):
    assert unit_problem(neuron) is None  # real and generated neurons are in µm
    path = tmp_path / "in_mm.swc"
    write_swc(neuron.transformed(scale=1e-3), path)
    assert "multiply" in unit_problem(read_swc(path))
    with pytest.warns(SWCWarning, match=r"in_mm.swc.*millimetres"):
        X = MorphologyExtractor().fit_transform([str(path)])
    assert np.isfinite(X).all()  # "warn" still computes
    with pytest.raises(SWCFormatError, match="in_mm.swc.*multiply .* by 1000"):
        MorphologyExtractor(check_units="raise").fit_transform([str(path)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MorphologyExtractor(check_units="ignore").fit_transform([str(path)])


# -- scale-free shape and radius-free features ---------------------------------------
SCALE_FREE = sorted(k for k, f in FEATURES.items() if f.scale_free and f.invariant)
RADIUS_FREE = sorted(k for k, f in FEATURES.items() if f.radius_free)
# Scale-free shape features measured exactly on segments: resampling-invariant.
SHAPE = sorted(k for k in SCALE_FREE if FEATURES[k].func.__module__.endswith("_shape"))


def test_scale_free_features_survive_uniform_scaling(neuron):
    assert len(SHAPE) >= 8
    for compartment in ("dendrite", "all"):
        before = compute_features(neuron, SCALE_FREE, compartment)
        for scale in (0.5, 2.0, 6.0):
            moved = neuron.transformed(scale=scale, offset=[100.0, -50.0, 3.0])
            after = compute_features(moved, SCALE_FREE, compartment)
            assert_allclose(after, before, rtol=1e-9, atol=1e-12)


def test_scale_dependent_features_are_not_tagged_scale_free(neuron):
    for key in ("total_length", "max_path_distance", "sholl_peak_intersections",
                "soma_radius"):
        assert not FEATURES[key].scale_free


def test_radius_free_features_ignore_radii(neuron):
    before = compute_features(neuron, RADIUS_FREE, "all")
    for factor in (0.5, 6.0):
        other = Morphology(neuron.xyz, neuron.radius * factor, neuron.types,
                           neuron.parent)
        assert_array_equal(compute_features(other, RADIUS_FREE, "all"), before)
    changed = [k for k in FEATURES if not FEATURES[k].radius_free]
    other = Morphology(neuron.xyz, neuron.radius * 3, neuron.types, neuron.parent)
    for key in changed:
        comp = FEATURES[key].compartments[0]
        assert FEATURES[key].func(other, comp) != FEATURES[key].func(neuron, comp), key


def test_scale_free_shape_survives_resampling(neuron):
    dense = _upsample(neuron)
    sparse = _drop_collinear(dense)
    for compartment in ("dendrite", "all"):
        ref = compute_features(neuron, SHAPE, compartment)
        for other in (dense, sparse):
            assert_allclose(compute_features(other, SHAPE, compartment), ref,
                            rtol=1e-9, atol=1e-12)


def test_scale_free_shape_ignores_how_the_soma_is_drawn(neuron):
    """A contour soma about the same centre leaves the shape features unchanged."""
    soma = np.flatnonzero(neuron.is_soma)
    centre = neuron.xyz[soma].mean(axis=0)
    angle = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = centre + 6.0 * np.column_stack([np.cos(angle), np.sin(angle),
                                           np.zeros(16)])
    rest = np.setdiff1d(np.arange(neuron.n_nodes), soma)
    index = np.full(neuron.n_nodes, -1)
    index[rest] = 16 + np.arange(rest.size)
    index[soma] = 0
    parent = np.where(neuron.parent[rest] >= 0,
                      index[np.maximum(neuron.parent[rest], 0)], -1)
    contour = Morphology(
        np.vstack([ring, neuron.xyz[rest]]),
        np.concatenate([np.zeros(16), neuron.radius[rest]]),
        np.concatenate([np.ones(16, dtype=int), neuron.types[rest]]),
        np.concatenate([np.arange(-1, 15), parent]))
    for compartment in ("dendrite", "all"):
        assert_allclose(compute_features(contour, SHAPE, compartment),
                        compute_features(neuron, SHAPE, compartment),
                        rtol=1e-9, atol=1e-12)
