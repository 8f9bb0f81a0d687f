# SPDX-License-Identifier: BSD-3-Clause
"""The C frame group and frame helpers give the numpy definitions' values.

Group ``"frame"`` of ``ngep.morphometrics._kernel`` computes the 8
frame-dependent features of a compartment from the file coordinates and a
frame's rotation and offset, without building the rotated copy; the catalogue
functions on :func:`~ngep.morphometrics.to_frame`'s copy are the definition.
The frame itself (:func:`~ngep.morphometrics.frame_transform`) and
:func:`~ngep.morphometrics.unit_problem` use C helpers when the kernel is on:
they must give the numpy code's frames and verdicts.

``to_frame`` rotates with BLAS, which may fuse or reorder the three products
of a coordinate: frame coordinates agree to an ulp of their magnitude, hence
an absolute tolerance of 1e-12 times the neuron's extent on top of rtol 1e-12
(a flat neuron's depth is ~1e-14 either way).
"""

import glob

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from test_feature_properties import trees  # this folder is on sys.path
from test_golden_features import cell_y
from test_kernel import _local_files, _read_all, _synthetic

from ngep.exceptions import ConfigurationError
from ngep.io import Morphology, read_swc
from ngep.morphometrics import (
    COMPARTMENT_NAMES,
    EXTENDED_FEATURES,
    FEATURES,
    _frame,
    _kernel,
    feature_plan,
)
from ngep.morphometrics._core import node_mask
from ngep.morphometrics._frame import frame_transform, to_frame, unit_problem

pytestmark = pytest.mark.skipif(
    _kernel._ckernel is None, reason="the C extension is not built"
)

RTOL = 1e-12
NAMES = _kernel.GROUPS["frame"][1]
FRAMES = ["principal", "pia:y", "pia:-z", (1.0, -2.0, 0.5)]


@pytest.fixture
def kernel(monkeypatch):
    """Switch the C kernel on or off for the test: ``kernel(False)``."""

    def switch(on):
        monkeypatch.setattr(_kernel, "ENABLED", on)

    switch(True)
    return switch


def _fresh(m):
    """The same neuron without the caches of earlier calls."""
    return Morphology._from_checked(m.xyz, m.radius, m.types, m.parent, ids=m.ids,
                                    name=m.name, source=m.source)


def _scale(m):
    return max(1.0, float(np.abs(m.xyz).max()))


def assert_frame_group_agrees(m, frame, frame_comp="dendrite"):
    """Group "frame" in ``frame`` against the catalogue on to_frame's copy."""
    matrix, offset = frame_transform(m, frame, frame_comp)
    framed = to_frame(m, frame, frame_comp)
    extra = _kernel.frame_extra(matrix, offset)
    for comp in COMPARTMENT_NAMES:
        mask = node_mask(m, comp)
        if not mask.any():
            continue  # FeaturePlan uses the catalogue's empty values
        got = _kernel.run("frame", m, mask, extra)
        want = [FEATURES[name].func(framed, comp) for name in NAMES]
        for name, g, w in zip(NAMES, got, want):
            assert_allclose(g, w, rtol=RTOL, atol=RTOL * _scale(m), equal_nan=True,
                            err_msg=f"{m.name or m.source} {frame} {comp}__{name}")


# -- the group -------------------------------------------------------------------


@pytest.mark.parametrize("frame", FRAMES)
def test_group_in_frames_on_cell_y_and_synthetic_neurons(frame):
    for m in [cell_y(), *_synthetic()]:
        assert_frame_group_agrees(m, frame)


@pytest.mark.parametrize("frame", FRAMES)
def test_group_in_frames_on_test_files(frame):
    for m in _read_all(_local_files()):
        assert_frame_group_agrees(m, frame)


def _shared_neurons(root, every=1, limit=None):
    """The readable neurons under a ../shared data folder."""
    files = sorted(glob.glob(str(root / "**" / "*.swc*"), recursive=True))
    return _read_all(files[:limit:every])


@pytest.mark.shared
@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("folder, every, limit", [
    ("allen-v1-mouse/swc", 3, None), ("swc-edge-cases/neurom", 1, None),
    ("swc-edge-cases/morphopy", 1, None),
    ("bbp-rat-somatosensory/swc", 1, 40)])  # samples keep the default run short
def test_group_in_frames_on_real_neurons(shared, frame, folder, every, limit):
    for m in _shared_neurons(shared / folder, every, limit):
        assert_frame_group_agrees(m, frame)


def test_native_frame_is_the_file_coordinates():
    # no extra, and the identity with a zero offset: the catalogue on m itself
    for m in [cell_y(), *_synthetic()[:3]]:
        for comp in ("all", "dendrite", "axon"):
            mask = node_mask(m, comp)
            want = [FEATURES[name].func(m, comp) for name in NAMES]
            identity = _kernel.frame_extra(np.eye(3), np.zeros(3))
            assert_allclose(_kernel.run("frame", m, mask), want, rtol=RTOL)
            assert_allclose(_kernel.run("frame", m, mask, identity), want, rtol=RTOL)


def _chain(x, soma=False):
    """A chain of nodes along the given x values (y, z from a fixed draw)."""
    n = len(x)
    rng = np.random.default_rng(n)
    xyz = np.column_stack([x, rng.normal(size=n) * 30, rng.normal(size=n) * 5])
    types = [1 if soma else 3] + [3] * (n - 1)
    return Morphology(xyz, np.ones(n), types, np.arange(n) - 1)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 39, 40, 41, 128, 129, 130, 1000, 4001])
def test_percentiles_of_every_size(n):
    # below and above the sampled path (more than 128 nodes) and at the ranks'
    # edges (the virtual index is an integer every 40 nodes)
    rng = np.random.default_rng(n)
    assert_frame_group_agrees(_chain(rng.normal(size=n) * 100), "principal", "all")
    assert_frame_group_agrees(_chain(rng.normal(size=n) * 100), "pia:x", "all")


@pytest.mark.parametrize("kind", ["sorted", "reversed", "ties", "constant",
                                  "organ-pipe", "decoy-sample"])
def test_percentiles_of_awkward_orders(kind):
    n = 2001
    i = np.arange(n, dtype=float)
    x = {
        "sorted": i,
        "reversed": -i,
        "ties": np.floor(i / 400),  # five values: thresholds fall on ties
        "constant": np.zeros(n),  # no two distinct thresholds: full selection
        "organ-pipe": np.minimum(i, n - i),
        "decoy-sample": i + 1000.0,
    }[kind]
    if kind == "decoy-sample":
        # the positions the C code samples hold the extremes: its thresholds
        # keep too few values and it must select among all of them
        step = n // 32
        for j in range(32):
            x[(j * n) // 32 + step // 2] = -1.0 - j if j % 2 else 1e6 + j
    m = _chain(x)
    want = [FEATURES[name].func(m, "all") for name in NAMES]
    got = _kernel.run("frame", m, node_mask(m, "all"))
    assert_allclose(got, want, rtol=RTOL)


def test_no_soma_zero_length_and_multifurcations():
    # root is a neurite node; a zero-length segment; a trifurcation; a type
    # change along a section; a segment flat at the root's height
    xyz = [[0, 0, 0], [0, 5, 0], [0, 5, 0], [3, 9, 1], [-3, 9, -1], [0, 12, 0],
           [4, 0, 0], [8, 0, 0], [8, -6, 2]]
    types = [3, 3, 3, 3, 3, 4, 3, 2, 2]
    parent = [-1, 0, 1, 2, 2, 2, 0, 6, 7]
    m = Morphology(xyz, np.ones(9), types, parent)
    for frame in [*FRAMES, "native"]:
        for comp in ("dendrite", "axon", "all"):
            assert_frame_group_agrees(m, frame, comp)


def test_unsorted_ids_are_reordered_first(tmp_path):
    path = tmp_path / "unsorted.swc"
    path.write_text("5 3 10 20 0 1 4\n1 1 0 0 0 5 -1\n4 3 5 12 2 1 2\n"
                    "2 3 0 4 0 1 1\n3 2 0 -6 1 1 1\n6 3 -4 15 -2 1 4\n")
    m = read_swc(path)
    for frame in FRAMES:
        assert_frame_group_agrees(m, frame, "all")


@settings(max_examples=30, deadline=None)
@given(trees(), st.sampled_from(FRAMES))
def test_group_on_random_trees(m, frame):
    assert_frame_group_agrees(m, frame, "all")


def test_bad_parameters_are_an_error():
    m = cell_y()
    with pytest.raises(ValueError, match="frame"):
        _kernel.run("frame", m, node_mask(m, "all"), np.zeros(5))


# -- frame_transform and unit_problem with and without C -----------------------


def _conditioning(m, frame, comp):
    """Smallest relative eigenvalue gap and |skewness| behind the numpy frame.

    Where either is tiny, the frame is decided by rounding (e.g. a compartment
    of one segment: its x axis is any perpendicular), with or without C.
    """
    segs = _frame._Segments(m, comp)
    if segs.size == 0:
        return np.inf, np.inf
    cov = segs.covariance()
    spec = _frame.parse_frame(frame)
    if spec == "principal":
        vals, vecs = np.linalg.eigh(cov)
        axes = vecs[:, [1, 2]].T
        gap = min(vals[2] - vals[1], vals[1] - vals[0]) / max(vals[2], 1e-300)
    else:
        y = np.asarray(spec)
        e1 = np.cross(y, np.eye(3)[np.argmin(np.abs(y))])
        e1 /= np.linalg.norm(e1)
        basis = np.vstack([e1, np.cross(y, e1)])
        vals, vecs = np.linalg.eigh(basis @ cov @ basis.T)
        axes = np.atleast_2d(vecs[:, 1] @ basis)
        gap = (vals[1] - vals[0]) / max(vals[1], 1e-300)
    var, third, total = segs.spread(axes)
    skew = (third / total) / np.maximum(var / total, 1e-12) ** 1.5
    return gap, float(np.min(np.abs(skew)))


def assert_frames_agree(m, kernel):
    for frame in FRAMES:
        for comp in ("dendrite", "axon", None):
            kernel(True)
            fast = frame_transform(_fresh(m), frame, comp)
            kernel(False)
            slow = frame_transform(_fresh(m), frame, comp)
            gap, skew = _conditioning(_fresh(m), frame, comp)
            if gap < 1e-6 or skew < 1e-6:
                continue  # decided by rounding either way
            assert_allclose(fast[0], slow[0], rtol=0, atol=1e-12,
                            err_msg=f"{m.name or m.source} {frame} {comp}")
            assert_allclose(fast[1], slow[1], rtol=0, atol=1e-12 * _scale(m))


def test_frames_with_and_without_kernel(kernel):
    for m in [cell_y(), *_synthetic(), *_read_all(_local_files())]:
        assert_frames_agree(m, kernel)


@pytest.mark.shared
def test_frames_with_and_without_kernel_on_real_neurons(kernel, allen_dir):
    for m in _shared_neurons(allen_dir / "swc", every=4):
        assert_frames_agree(m, kernel)


def test_frame_helpers_degenerate_cases(kernel):
    # a soma alone: no segments, the frame is only translated
    lone = Morphology([[1, 2, 3], [1, 2, 4]], [1, 1], [1, 1], [-1, 0])
    # no dendrite: the axon defines the frame
    axon = Morphology([[0, 0, 0], [0, 5, 0], [1, 20, 0], [2, 21, 3]], [1] * 4,
                      [1, 2, 2, 2], [-1, 0, 1, 2])
    for m in (lone, axon):
        for frame in FRAMES:
            kernel(True)
            fast = frame_transform(_fresh(m), frame)
            kernel(False)
            slow = frame_transform(_fresh(m), frame)
            assert_allclose(fast[0], slow[0], atol=1e-12)
            assert_allclose(fast[1], slow[1], atol=1e-12)


def test_unit_problem_with_and_without_kernel(kernel):
    neurons = [cell_y(), *_synthetic(), *_read_all(_local_files())]
    no_soma = Morphology([[0, 0, 0], [0, 0.2, 0]], [0.004, 0.001], [3, 3], [-1, 0])
    for m in [*neurons, no_soma]:
        for scaled in (m, m.transformed(scale=1e-3)):
            kernel(True)
            fast = unit_problem(_fresh(scaled))
            kernel(False)
            assert fast == unit_problem(_fresh(scaled))
    assert unit_problem(no_soma) is not None


# -- FeaturePlan and the extractor ---------------------------------------------


@pytest.mark.parametrize("on", [True, False])
def test_plan_takes_the_frame_as_a_transform(kernel, on):
    kernel(on)
    plan = feature_plan(EXTENDED_FEATURES, COMPARTMENT_NAMES)
    for m in [cell_y(), *_synthetic()[:4]]:
        for frame in FRAMES:
            transform = frame_transform(m, frame)
            framed = to_frame(m, frame)
            got = plan.compute(m, frame=transform)
            assert_allclose(got, plan.compute(m, framed=framed), rtol=RTOL,
                            atol=RTOL * _scale(m), equal_nan=True)
            kernel(False)
            want = plan.compute(_fresh(m), framed=to_frame(_fresh(m), frame))
            kernel(on)
            assert_allclose(got, want, rtol=RTOL, atol=RTOL * _scale(m),
                            equal_nan=True)


def test_plan_refuses_framed_and_frame_and_bad_frames(kernel):
    m = cell_y()
    plan = feature_plan(["width"])
    with pytest.raises(ConfigurationError, match="framed or frame"):
        plan.compute(m, framed=to_frame(m), frame=frame_transform(m))
    for bad in [np.eye(3), (np.eye(3), np.zeros(2)), (np.eye(2), np.zeros(3)), "x"]:
        with pytest.raises(ConfigurationError, match=r"\(matrix, offset\)"):
            plan.compute(m, frame=bad)
    # lists are arrays enough
    matrix, offset = frame_transform(m)
    assert_allclose(plan.compute(m, frame=(matrix.tolist(), list(offset))),
                    plan.compute(m, frame=(matrix, offset)))


def test_extractor_with_and_without_kernel(kernel, tmp_path):
    from ngep.io import write_swc
    from ngep.transformers import MorphologyExtractor

    paths = []
    for i, m in enumerate([cell_y(), *_synthetic()[:5]]):
        paths.append(tmp_path / f"n{i}.swc")
        write_swc(m, paths[-1])
    for frame in ["principal", "pia:y", "native"]:
        rows = []
        for on in (True, False):
            kernel(on)
            ext = MorphologyExtractor(features="extended", frame=frame,
                                      check_units="warn")
            rows.append(ext.fit_transform(paths))
        assert_allclose(rows[0], rows[1], rtol=1e-10, atol=1e-10, equal_nan=True)
