# SPDX-License-Identifier: BSD-3-Clause
"""Shared, cached intermediates of the morphometric functions.

Every feature function takes a :class:`~ngep.io.Morphology` and a compartment
name. What several features need (compartment masks, sections, subtree sizes,
distances from the soma centre) is computed once per morphology with numpy and
kept in a private dictionary on the morphology (``Morphology`` pickles only its
arrays, so the cache never travels).
"""

from collections import namedtuple

import numpy as np

from ngep.exceptions import InvalidInputError
from ngep.io import _tree

__all__ = [
    "Sections",
    "cached",
    "node_mask",
    "radial_distance",
    "root_point",
    "sections",
    "segment_mask",
    "share_topology",
    "soma_centroid",
    "subtree_sum",
    "xyz_rows",
]

_CACHE_KEY = "_ngep_morphometrics_cache"

#: Per-section arrays, sections ordered by their first node's index.
#:
#: ``start``/``end``: first and last node of each section; ``origin``: the node the
#: section grows from (the parent branch point, or ``start`` itself for the first
#: section of a stem, as in MorphIO where a child section repeats the parent's last
#: point); ``parent``: parent section (-1 for a stem); ``length``: path length;
#: ``n_children``: number of child sections; ``node_section``: section of each node
#: (-1 for soma nodes); ``n_ancestors``: number of ancestor sections.
Sections = namedtuple(
    "Sections",
    "start end origin parent length n_children node_section n_ancestors",
)


def cached(morphology, key, compute):
    """Return ``compute()`` cached on ``morphology`` under ``key``."""
    store = morphology.__dict__.get(_CACHE_KEY)
    if store is None:
        store = morphology.__dict__[_CACHE_KEY] = {}
    try:
        return store[key]
    except KeyError:
        value = store[key] = compute()
        return value


def checked_parent(morphology):
    """``morphology.parent`` as int64, checked to be one tree with parents first.

    :class:`~ngep.io.Morphology` guarantees it, but its attributes can be
    reassigned; the features index by ``parent[i]``, and a second root or a
    cycle there would make the C groups write outside their buffers and the
    numpy ones loop or count wrong. Checked once per neuron (cached).

    Raises
    ------
    ngep.exceptions.InvalidInputError
        ``parent[0] != -1`` or ``parent[i]`` outside ``[0, i)`` for some node.
    """

    def compute():
        parent = np.ascontiguousarray(morphology.parent, dtype=np.int64)
        # one unsigned compare catches -1 and >= i
        n = parent.size
        if n == 0 or parent[0] >= 0 or not np.all(
                parent[1:].view(np.uint64) < np.arange(1, n, dtype=np.uint64)):
            raise InvalidInputError(
                "this Morphology's parent array is not one tree with parents "
                "first (parent[0] == -1, 0 <= parent[i] < i), as "
                "Morphology(xyz, radius, types, parent) makes it: build a new "
                "Morphology rather than reassigning its attributes."
            )
        return parent

    return cached(morphology, "checked_parent", compute)


# What depends on the tree alone, not on coordinates: cached properties of
# Morphology, and the keys of the cache here
_TOPOLOGY = ("is_soma", "n_children", "is_tip", "is_branch_point", "is_stem",
             "_parent_or_self", "neurite_segment", "n_ancestors", "branch_order")
_TOPOLOGY_CACHE = ("node_mask", "segment_mask")


def share_topology(source, target):
    """Give ``target`` (same tree, other coordinates) ``source``'s tree-only caches.

    Used for a neuron moved into another frame: masks, child counts and branch
    orders are the same arrays (read-only), coordinates and lengths are not.
    """
    for key in _TOPOLOGY:
        if key in source.__dict__:
            target.__dict__[key] = source.__dict__[key]
    store = source.__dict__.get(_CACHE_KEY)
    if store:
        target.__dict__[_CACHE_KEY] = {
            k: v for k, v in store.items()
            if isinstance(k, tuple) and k[0] in _TOPOLOGY_CACHE
        }


def xyz_rows(morphology):
    """Coordinates as a (3, n_nodes) array, one contiguous row per axis."""
    return cached(morphology, "xyz_rows",
                  lambda: np.ascontiguousarray(morphology.xyz.T))


def node_mask(morphology, compartment):
    """Neurite nodes of a compartment (soma nodes never belong to one)."""
    return cached(
        morphology,
        ("node_mask", compartment),
        lambda: morphology.compartment_mask(compartment) & ~morphology.is_soma,
    )


def segment_mask(morphology, compartment):
    """Neurite segments (node-to-parent edges) whose child node is in ``compartment``.

    The segment from the soma to the first point of a stem never counts (NeuroM,
    MorphIO and TMD convention).
    """
    return cached(
        morphology,
        ("segment_mask", compartment),
        lambda: morphology.neurite_segment & node_mask(morphology, compartment),
    )


# Two soma centres, named for what they are. Radial distances are measured
# from the root point (as NeuroM does); the principal/pia frame is centred on
# the centroid, the middle of a contour soma.


def root_point(morphology):
    """The root node: the first soma point (NeuroM's soma centre for SWC).

    Single-point, three-point and cylinder-chain somata all use the first soma
    point in NeuroM; without a soma, the root node. Radial distances and
    Sholl-like measures are taken from it.
    """
    return morphology.xyz[0]


def soma_centroid(morphology):
    """The mean of the soma points (the root node when there is no soma).

    The centre of a contour or multi-point soma; coordinate frames
    (``frame="principal"``, ``"pia:..."``) are centred on it.
    """
    if morphology.has_soma:
        return morphology.xyz[morphology.is_soma].mean(axis=0)
    return morphology.xyz[0].copy()


def radial_distance(morphology):
    """Euclidean distance of every node from :func:`root_point`."""

    def compute():
        d = morphology.xyz - root_point(morphology)
        return np.sqrt(np.einsum("ij,ij->i", d, d))

    return cached(morphology, "radial_distance", compute)


def sections(morphology):
    """Split the neurites into unbranched sections (cached :class:`Sections`).

    A section starts at a neurite node whose parent is a soma node, a branch
    point (two or more children) or a node of another SWC type (MorphIO starts a
    new section where the type changes), and runs down to a tip, a branch point
    or the last node before a type change.
    """
    return cached(morphology, "sections", lambda: _build_sections(morphology))


def _build_sections(m):
    n = m.n_nodes
    parent = m.parent
    neurite = ~m.is_soma
    has_parent = parent >= 0
    p = np.where(has_parent, parent, 0)
    parent_neurite = has_parent & ~m.is_soma[p]
    is_start = neurite & (
        ~parent_neurite | (m.n_children[p] >= 2) | (m.types[p] != m.types)
    )
    start = np.flatnonzero(is_start)
    node_section = np.full(n, -1, dtype=np.int64)
    inner = neurite & ~is_start
    idx = np.arange(n)
    if np.array_equal(parent[inner], idx[inner] - 1):
        # Sections stored contiguously (SWC files written depth-first): number
        # them by counting section starts.
        node_section[neurite] = (np.cumsum(is_start) - 1)[neurite]
    else:
        # Pointer jumping: every node learns the first node of its section.
        jump = np.where(is_start | ~neurite, idx, p)
        while True:
            nxt = jump[jump]
            if np.array_equal(nxt, jump):
                break
            jump = nxt
        node_section[neurite] = np.searchsorted(start, jump[neurite])
    # A section ends at the node no child continues: a tip, a branch point, a
    # node whose only child starts a new section (type change) or is soma.
    is_end = neurite & (np.bincount(parent[inner], minlength=n) == 0)
    ends = np.flatnonzero(is_end)
    end = np.empty(start.size, dtype=np.int64)
    end[node_section[ends]] = ends
    origin = np.where(parent_neurite[start], p[start], start)
    parent_section = np.where(parent_neurite[start], node_section[p[start]], -1)
    seg = np.where(m.neurite_segment, m.segment_length, 0.0)
    length = np.bincount(node_section[neurite], weights=seg[neurite],
                         minlength=start.size)
    n_children = np.bincount(parent_section[parent_section >= 0],
                             minlength=start.size)
    n_anc = _tree.n_ancestors(parent_section) if start.size else np.zeros(0, np.int64)
    return Sections(start, end, origin, parent_section, length, n_children,
                    node_section, n_anc)


def subtree_sum(secs, values):
    """Sum per-section ``values`` over each section's subtree (itself included).

    Loops over levels of the section tree (a section's number of ancestors; the
    maximal branch order, tens at most), vectorised within each level.
    """
    total = np.array(values, dtype=np.float64, copy=True)
    if total.size == 0:
        return total
    order = np.argsort(secs.n_ancestors, kind="stable")[::-1]
    levels = secs.n_ancestors[order]
    for level in range(int(levels[0]), 0, -1):
        idx = order[levels == level]
        np.add.at(total, secs.parent[idx], total[idx])
    return total
