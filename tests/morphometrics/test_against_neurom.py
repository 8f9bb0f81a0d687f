# SPDX-License-Identifier: BSD-3-Clause
"""Every feature NeuroM 4.0.6 also computes matches it on real neurons (rtol 1e-6).

NeuroM is loaded with ``process_subtrees=True`` so that it types neurites per
node as ngep does. MorphIO stores coordinates and radii as float32, so ngep is
given the same float32-rounded numbers (otherwise sums differ by ~1e-7).

Files are compared as follows (each exclusion is a documented difference):

* files NeuroM rejects are skipped;
* files from which ngep's reader drops fragments not connected to the soma
  are skipped (NeuroM keeps the fragments as extra neurites);
* where a neurite changes type (an axon leaving a dendrite), NeuroM starts the
  new subtree with a copy of the last point of the other type and does not count
  the mixed node as a forking point of either type; only features unaffected by
  this are compared (``SUBTREE_SAFE``);
* without a soma NeuroM reports soma radius 0 and counts the root neurite as a
  stem; ngep gives NaN and 0 (no stem leaves a missing soma);
* NeuroM gives soma radius 0 for a soma of radius 0, ngep NaN;
* NeuroM sums soma frustums between points consecutive in the file, ngep along
  the soma's tree edges (``SOMA_OUT_OF_FILE_ORDER`` lists files where they differ);
* NeuroM gives angle 0 at a bifurcation with a zero-length daughter section,
  ngep leaves such undefined angles out of the mean;
* NeuroM's max radial distance uses section end points only and its Sholl
  radii start at the soma radius, so those features are not compared.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest

from ngep.exceptions import FragmentWarning
from ngep.io import Morphology, read_swc
from ngep.morphometrics import FEATURES

neurom = pytest.importorskip("neurom")
NT = neurom.NeuriteType

TYPES = {
    "all": NT.all,
    "dendrite": [NT.basal_dendrite, NT.apical_dendrite],
    "basal": NT.basal_dendrite,
    "apical": NT.apical_dendrite,
    "axon": NT.axon,
}


def _mean(v):
    return float(np.mean(v)) if len(v) else np.nan


def _max(v):
    return float(np.max(v)) if len(v) else 0.0


#: ngep feature -> (NeuroM feature, reduction of NeuroM's per-item values).
NEUROM = {
    "total_length": ("total_length", float),
    "total_surface_area": ("total_area", float),
    "total_volume": ("total_volume", float),
    "n_stems": ("number_of_neurites", float),
    "n_branch_points": ("number_of_forking_points", float),
    "n_bifurcations": ("number_of_bifurcations", float),
    "n_tips": ("number_of_leaves", float),
    "n_sections": ("number_of_sections", float),
    "max_branch_order": ("section_branch_orders", _max),
    "mean_section_length": ("section_lengths", _mean),
    "max_section_length": ("section_lengths", _max),
    "mean_tip_branch_order": ("section_term_branch_orders", _mean),
    "mean_tip_radial_distance": ("section_term_radial_distances", _mean),
    "max_path_distance": ("section_path_distances", _max),
    "mean_tip_path_distance": ("terminal_path_lengths", _mean),
    "width": ("total_width", float),
    "height": ("total_height", float),
    "depth": ("total_depth", float),
    "mean_local_bifurcation_angle": ("local_bifurcation_angles", _mean),
    "mean_remote_bifurcation_angle": ("remote_bifurcation_angles", _mean),
    "mean_partition_asymmetry": ("partition_asymmetry", _mean),
    "soma_radius": ("soma_radius", float),
    "soma_surface_area": ("soma_surface_area", float),
}
SUBTREE_SAFE = {"total_length", "total_surface_area", "total_volume", "n_tips",
                "n_sections", "mean_section_length", "max_section_length",
                "max_path_distance",
                "mean_tip_path_distance", "soma_radius", "soma_surface_area"}
SOMA = {"soma_radius", "soma_surface_area"}
SOMA_OUT_OF_FILE_ORDER = {"split_soma_two_neurites.swc",
                          "non_increasing_trunk_off_1_16pt.swc"}
ANGLES = {"mean_local_bifurcation_angle", "mean_remote_bifurcation_angle"}


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
#: Files above this size are compared only in the slow run (NeuroM takes ~5 s each).
SMALL_BYTES = 60_000


def _files(pattern, small):
    paths = sorted(SHARED.glob(pattern))
    return [p.relative_to(SHARED).as_posix() for p in paths
            if (p.stat().st_size <= SMALL_BYTES) == small]


def _allen_files():
    return sorted(p.relative_to(SHARED).as_posix()
                  for p in SHARED.glob("allen-v1-mouse/swc/*.swc"))


def _load_both(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = neurom.load_morphology(str(path), process_subtrees=True)
        except Exception as exc:  # noqa: BLE001 - NeuroM's errors vary by file
            pytest.skip(f"NeuroM rejects {path.name}: {type(exc).__name__}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", FragmentWarning)
                m = read_swc(path)
        except FragmentWarning:
            pytest.skip(f"{path.name} has fragments (NeuroM keeps them)")
        except ValueError as exc:
            pytest.skip(f"ngep rejects {path.name}: {exc}")
    m32 = Morphology(m.xyz.astype(np.float32), m.radius.astype(np.float32),
                     m.types, m.parent)
    return m32, ref


def _compare(path):
    m, ref = _load_both(path)
    pt = m.types[np.maximum(m.parent, 0)]
    mixed = bool(np.any((m.parent >= 0) & ~m.is_soma & (pt != 1) & (pt != m.types)))
    zero_sections = bool(np.any(m.segment_length[m.neurite_segment] == 0))
    checked, failures = 0, []
    for name, (nm_name, reduce) in NEUROM.items():
        feature = FEATURES[name]
        if mixed and name not in SUBTREE_SAFE:
            continue
        if not m.has_soma and name in SOMA | {"n_stems"}:
            continue
        if name in SOMA and path.name in SOMA_OUT_OF_FILE_ORDER:
            continue
        if zero_sections and name in ANGLES:
            continue
        for c in feature.compartments if not feature.is_soma else ("soma",):
            kwargs = {} if feature.is_soma else {"neurite_type": TYPES[c]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    expected = reduce(neurom.get(nm_name, ref, **kwargs))
                except ValueError:  # NeuroM cannot type a basal+apical subtree
                    assert mixed
                    continue
            ours = feature.func(m, c)
            if feature.is_soma and expected == 0:
                assert np.isnan(ours), "a soma of size 0 must give NaN"
                continue
            checked += 1
            if not np.isclose(ours, expected, rtol=1e-6, atol=1e-9, equal_nan=True):
                failures.append(f"{c}__{name}: ngep {ours!r} != NeuroM {expected!r}")
    assert checked > 0
    assert not failures, f"{path.name}: " + "; ".join(failures)


@pytest.mark.parametrize("relpath", _files("swc-edge-cases/*/*.swc", small=True))
def test_matches_neurom_on_small_edge_case_cells(relpath, shared):
    _compare(shared / relpath)


@pytest.mark.slow
@pytest.mark.parametrize("relpath", _files("swc-edge-cases/*/*.swc", small=False))
def test_matches_neurom_on_large_edge_case_cells(relpath, shared):
    _compare(shared / relpath)


@pytest.mark.parametrize("relpath", _allen_files()[:4])
def test_matches_neurom_on_allen_cells(relpath, shared):
    _compare(shared / relpath)


@pytest.mark.slow
@pytest.mark.parametrize("relpath", _allen_files()[4:])
def test_matches_neurom_on_all_allen_cells(relpath, shared):
    _compare(shared / relpath)
