# SPDX-License-Identifier: BSD-3-Clause
"""Property-based check of the MorphIO conversion: SWC and HDF5 give one neuron.

A random tree (a soma contour of 3-6 points, neurites of mixed and custom types,
multifurcations, type changes along a branch, zero-length segments) is written
as SWC by :func:`ngep.io.write_swc` and as HDF5 by MorphIO's own writer
(``morphio.mut``); both files read with :func:`ngep.io.read_morphology` must
give the same tree and every catalogue feature must agree. The same holds for
Neurolucida files written by MorphIO, on trees whose neurites each have one
type among axon, basal and apical dendrite (all that format can say). Coordinates are
multiples of 1/4 so that MorphIO's float32 storage holds them exactly.

The default profile runs 60 examples per format (a few seconds); ``pytest -m
slow`` runs 1,000 per format with a random seed.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ngep.io import Morphology, read_morphology, write_swc
from ngep.morphometrics import FEATURES, compute_features

morphio = pytest.importorskip("morphio")

_COMMON = dict(database=None, deadline=None,
               suppress_health_check=[HealthCheck.too_slow,
                                      HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=60, derandomize=True, **_COMMON)
LONG = settings(max_examples=1000, derandomize=False, **_COMMON)
ALL = sorted(FEATURES)
COMPARTMENTS = ["all", "dendrite", "basal", "apical", "axon"]
_QUARTERS = st.integers(-800, 800).map(lambda v: v / 4.0)


@st.composite
def neurons(draw, one_type_per_neurite=False):
    """A Morphology whose neurites all hang from its first soma point.

    MorphIO cannot write a root section of one point, so the first node of a
    stem always has exactly one child, of its own type. Neurolucida files give
    a type to a whole neurite (axon, dendrite, apical) and nothing else:
    ``one_type_per_neurite`` draws such neurons.
    """
    stem_types = [2, 3, 4] if one_type_per_neurite else [2, 3, 4, 5, 7]
    n_soma = draw(st.integers(3, 6))
    n_neurite = draw(st.integers(2, 60))
    n = n_soma + n_neurite
    xyz = draw(st.lists(st.tuples(_QUARTERS, _QUARTERS, _QUARTERS),
                        min_size=n, max_size=n))
    radius = draw(st.lists(st.integers(0, 40).map(lambda v: v / 4.0),
                           min_size=n, max_size=n))
    parent = list(range(-1, n_soma - 1))
    types = [1] * n_soma
    open_nodes = []  # neurite nodes that may take more children
    node = n_soma
    while node < n:
        if not open_nodes or (node + 1 < n and draw(st.integers(0, 4)) == 0):
            t = draw(st.sampled_from(stem_types))  # a new stem: two nodes
            parent += [0, node]
            types += [t, t]
            open_nodes.append(node + 1)
            node += 2
            continue
        p = draw(st.sampled_from(open_nodes))
        t = types[p]
        if not one_type_per_neurite and not draw(st.integers(0, 4)):
            t = draw(st.sampled_from([2, 3, 4]))  # the type changes on the way
        if draw(st.integers(0, 9)) == 0:  # a zero-length segment
            xyz[node] = xyz[p]
        parent.append(p)
        types.append(t)
        open_nodes.append(node)
        node += 1
    return Morphology(xyz[:n], radius[:n], types[:n], parent[:n])


def _sections(m):
    """Cut the tree into MorphIO sections: at the soma, forks and type changes."""
    soma = m.is_soma
    kids = [[] for _ in range(m.n_nodes)]
    for node, p in enumerate(m.parent.tolist()):
        if p >= 0 and not soma[node]:
            kids[p].append(node)

    def starts_section(node):
        p = m.parent[node]
        return soma[p] or len(kids[p]) != 1 or m.types[p] != m.types[node]

    def chain(node):
        nodes = [node]
        while len(kids[nodes[-1]]) == 1 and not starts_section(kids[nodes[-1]][0]):
            nodes.append(kids[nodes[-1]][0])
        return nodes

    return kids, starts_section, chain


def write_morphio(m, path):
    """Write ``m`` with MorphIO's writer, as ``.h5`` or ``.asc`` by the suffix
    (each child section repeats its parent's last point, MorphIO's convention)."""
    kids, _, chain = _sections(m)
    mut = morphio.mut.Morphology()
    soma = np.flatnonzero(m.is_soma)
    mut.soma.points = m.xyz[soma]
    mut.soma.diameters = 2 * m.radius[soma]
    mut.soma.type = morphio.SomaType.SOMA_SIMPLE_CONTOUR

    def add(section_parent, node):
        nodes = chain(node)
        p = m.parent[node]
        pts = ([] if m.is_soma[p] else [p]) + nodes
        level = morphio.PointLevel(m.xyz[pts].tolist(), (2 * m.radius[pts]).tolist())
        kind = morphio.SectionType(int(m.types[node]))
        if section_parent is None:
            section = mut.append_root_section(level, kind)
        else:
            section = section_parent.append_section(level, kind)
        for child in kids[nodes[-1]]:
            add(section, child)

    for stem in kids[0]:
        add(None, stem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mut.write(str(path))


def _check(m, tmp_path, suffix=".h5"):
    swc, other = tmp_path / "cell.swc", tmp_path / f"cell{suffix}"
    write_swc(m, swc)
    write_morphio(m, other)
    a, b = read_morphology(swc), read_morphology(other)
    assert a.n_nodes == b.n_nodes == m.n_nodes
    # the same tree up to node order: compare sorted (xyz, type, parent xyz) rows
    def rows(x):
        pxyz = x.xyz[np.maximum(x.parent, 0)]
        return np.array(sorted(map(tuple, np.column_stack(
            [x.xyz, x.radius, x.types, pxyz, x.parent < 0]))))
    assert_array_equal(rows(a), rows(b))
    assert_allclose(compute_features(a, ALL, COMPARTMENTS),
                    compute_features(b, ALL, COMPARTMENTS),
                    rtol=1e-9, atol=1e-9, equal_nan=True)


@FAST
@given(m=neurons())
def test_swc_and_h5_give_the_same_neuron(m, tmp_path):
    _check(m, tmp_path)


@FAST
@given(m=neurons(one_type_per_neurite=True))
def test_swc_and_asc_give_the_same_neuron(m, tmp_path):
    _check(m, tmp_path, ".asc")


@pytest.mark.slow
@LONG
@given(m=neurons())
def test_swc_and_h5_give_the_same_neuron_long(m, tmp_path):
    _check(m, tmp_path)


@pytest.mark.slow
@LONG
@given(m=neurons(one_type_per_neurite=True))
def test_swc_and_asc_give_the_same_neuron_long(m, tmp_path):
    _check(m, tmp_path, ".asc")
