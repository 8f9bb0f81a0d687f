# SPDX-License-Identifier: BSD-3-Clause
"""The C feature groups give the catalogue functions' values.

``ngep.morphometrics._kernel`` computes groups of features in C; the catalogue
functions are the definition. Every group is compared with them on hand-made,
synthetic and (where ../shared is present) real neurons, on every compartment:
counts exactly, real values to 1e-12 relative (the C loops add in node order,
numpy in pairs: the last bits of a sum may differ).
"""

import glob
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from test_golden_features import cell_y  # this folder is on sys.path

from ngep.datasets import make_neurons
from ngep.io import read_swc
from ngep.morphometrics import (
    COMPARTMENT_NAMES,
    EXTENDED_FEATURES,
    FEATURES,
    _kernel,
    feature_plan,
)
from ngep.morphometrics._core import node_mask

DATA = Path(__file__).resolve().parents[1] / "data"
SHARED = Path(os.environ.get("NGEP_SHARED", Path(__file__).resolve().parents[2].parent
                             / "shared"))

pytestmark = pytest.mark.skipif(
    _kernel._ckernel is None, reason="the C extension is not built"
)

RTOL = 1e-12


def _reference(m, comp, names):
    return np.array([FEATURES[name].func(m, comp) for name in names])


def assert_group_agrees(m, group):
    _, names = _kernel.GROUPS[group]
    for comp in COMPARTMENT_NAMES:
        mask = node_mask(m, comp)
        if not mask.any():
            continue  # FeaturePlan uses the catalogue's empty values
        got = _kernel.run(group, m, mask)
        want = _reference(m, comp, names)
        for name, g, w in zip(names, got, want):
            assert_allclose(g, w, rtol=RTOL, atol=1e-12, equal_nan=True,
                            err_msg=f"{m.name or m.source} {comp}__{name}")


def _synthetic():
    data = make_neurons(12, random_state=0, node_spacing=None)
    return data.morphologies


def _local_files():
    return sorted(glob.glob(str(DATA / "swc" / "*.swc")))


def _read_all(paths):
    out = []
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(read_swc(path))
        except Exception:  # noqa: BLE001 - the edge-case files that do not read
            continue
    return out


@pytest.mark.parametrize("group", sorted(_kernel.GROUPS))
def test_group_on_cell_y(group):
    assert_group_agrees(cell_y(), group)


@pytest.mark.parametrize("group", sorted(_kernel.GROUPS))
def test_group_on_synthetic_neurons(group):
    for m in _synthetic():
        assert_group_agrees(m, group)


@pytest.mark.parametrize("group", sorted(_kernel.GROUPS))
def test_group_on_test_files(group):
    for m in _read_all(_local_files()):
        assert_group_agrees(m, group)


@pytest.mark.shared
@pytest.mark.parametrize("group", sorted(_kernel.GROUPS))
@pytest.mark.parametrize("folder", [
    "allen-v1-mouse/swc", "swc-edge-cases/neurom", "swc-edge-cases/morphopy",
    "bbp-rat-somatosensory/swc"])
def test_group_on_real_neurons(group, folder):
    root = SHARED / "data" / folder
    if not root.exists():
        pytest.skip(f"needs ../shared data ({root} not found)")
    paths = sorted(glob.glob(str(root / "**" / "*.swc*"), recursive=True))
    if folder.startswith("bbp"):
        paths = paths[:150]  # 1,168 files: a sample keeps the default run short
    for m in _read_all(paths):
        assert_group_agrees(m, group)


def test_plan_with_and_without_kernel(monkeypatch):
    plan = feature_plan(EXTENDED_FEATURES, COMPARTMENT_NAMES)
    for m in [cell_y(), *_synthetic()[:4]]:
        fast = plan.compute(m)
        monkeypatch.setattr(_kernel, "ENABLED", False)
        slow = plan.compute(m)
        monkeypatch.setattr(_kernel, "ENABLED", True)
        assert_allclose(fast, slow, rtol=RTOL, atol=1e-12, equal_nan=True)


def test_section_ending_at_a_soma_node():
    # A hand-built tree may hang a soma node below a neurite node (read_swc
    # rejects such files): the section 1-2 ends at node 2, for both paths.
    from ngep.io import Morphology

    m = Morphology([[0, 0, 0], [0, 10, 0], [0, 20, 0], [0, 30, 0], [5, 40, 0],
                    [-5, 40, 0]], [5, 1, 1, 1, 1, 1], [1, 3, 3, 1, 3, 3],
                   [-1, 0, 1, 2, 3, 3])
    assert FEATURES["n_sections"].func(m, "dendrite") == 3
    assert FEATURES["mean_contraction"].func(m, "dendrite") == 1.0
    assert_group_agrees(m, "tree")


@pytest.mark.parametrize("kernel", [True, False], ids=["C", "numpy"])
@pytest.mark.parametrize("parent", [[-1, 0, -1, 2], [-1, 0, 3, 1], [0, -1, 1, 2]])
def test_reassigned_parent_is_refused_not_indexed(parent, kernel, monkeypatch):
    # Morphology's attributes can be reassigned; the C groups index by
    # parent[i] unchecked, and a second root (-1 at node 2) made k_tree write
    # before its malloc'd block (heap corruption, then an abort), while the
    # numpy functions looped forever on the cycle (node 2 below node 3 below
    # node 1). The parents are checked once per neuron: a clear error.
    from ngep.exceptions import InvalidInputError
    from ngep.io import Morphology

    monkeypatch.setattr(_kernel, "ENABLED", kernel and _kernel.ENABLED)
    m = Morphology([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]], [1, 1, 1, 1],
                   [1, 3, 3, 3], [-1, 0, 1, 2])
    m.parent = np.array(parent)
    plan = feature_plan(EXTENDED_FEATURES, COMPARTMENT_NAMES)
    with pytest.raises(InvalidInputError, match="not one tree with parents first"):
        plan.compute(m)
    if kernel and _kernel.ENABLED:
        with pytest.raises(InvalidInputError, match="build a new Morphology"):
            _kernel.helper("units", m, m.is_soma)


def test_one_node_neurons_agree(monkeypatch):
    # The smallest trees a Morphology accepts: one node, soma or neurite.
    from ngep.io import Morphology

    plan = feature_plan(EXTENDED_FEATURES, COMPARTMENT_NAMES)
    for t in (1, 3, 7):
        m = Morphology([[1.0, 2.0, 3.0]], [0.0], [t], [-1])
        fast = plan.compute(m)
        monkeypatch.setattr(_kernel, "ENABLED", False)
        slow = plan.compute(Morphology(m.xyz, m.radius, m.types, m.parent))
        monkeypatch.setattr(_kernel, "ENABLED", True)
        assert_allclose(fast, slow, rtol=RTOL, atol=1e-12, equal_nan=True)


def test_pickled_plan_uses_the_groups_where_it_is_loaded(monkeypatch):
    import pickle

    plan = feature_plan(EXTENDED_FEATURES)
    assert plan._batches
    blob = pickle.dumps(plan)
    monkeypatch.setattr(_kernel, "GROUPS", {})  # an install without the groups
    loaded = pickle.loads(blob)
    assert loaded == plan and loaded._batches == () and len(loaded._rest) == len(
        plan.columns)
    m = cell_y()
    monkeypatch.setattr(_kernel, "ENABLED", False)
    assert_allclose(loaded.compute(m), plan.compute(m), equal_nan=True)
