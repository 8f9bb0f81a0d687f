# SPDX-License-Identifier: BSD-3-Clause
"""Counts: stems, branch points, bifurcations, tips, sections, branch order.

Every node belongs to the compartment of its own SWC type (NeuroM's
``process_subtrees=True``). Counts are 0 for an empty compartment; the mean
section length is NaN there.
"""

import numpy as np

from ngep.morphometrics._core import node_mask, sections

__all__ = [
    "max_branch_order",
    "max_section_length",
    "mean_tip_branch_order",
    "mean_section_length",
    "n_bifurcations",
    "n_branch_points",
    "n_sections",
    "n_stems",
    "n_tips",
]


def n_stems(m, compartment):
    """Number of primary neurites: compartment nodes whose parent is a soma node.

    Follows NeuroM ``number_of_neurites``. A neurite that leaves the soma as a
    dendrite and turns into axon counts for the dendrite only. Without a soma,
    0. Also called primary dendrites (L-Measure ``N_stems``).

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> m = Morphology([[0, 0, 0], [0, 10, 0], [0, -10, 0], [5, 0, 0]],
    ...                [5, 1, 1, 1], [1, 3, 3, 2], [-1, 0, 0, 0])
    >>> n_stems(m, "dendrite"), n_stems(m, "axon")
    (2.0, 1.0)
    """
    return float(np.count_nonzero(m.is_stem & node_mask(m, compartment)))


def n_branch_points(m, compartment):
    """Number of nodes with two or more children (NeuroM ``number_of_forking_points``).

    Multifurcations count once; the soma is never a branch point.
    """
    return float(np.count_nonzero(m.is_branch_point & node_mask(m, compartment)))


def n_bifurcations(m, compartment):
    """Number of nodes with exactly two children (NeuroM ``number_of_bifurcations``)."""
    return float(np.count_nonzero((m.n_children == 2) & node_mask(m, compartment)))


def n_tips(m, compartment):
    """Number of terminal compartment nodes (NeuroM ``number_of_leaves``)."""
    return float(np.count_nonzero(m.is_tip & node_mask(m, compartment)))


def _compartment_sections(m, compartment):
    secs = sections(m)
    return secs, node_mask(m, compartment)[secs.start]


def n_sections(m, compartment):
    """Number of unbranched sections (NeuroM ``number_of_sections``).

    A section runs from a stem, branch point or type change to the next branch
    point or tip, as in MorphIO.
    """
    _, in_c = _compartment_sections(m, compartment)
    return float(np.count_nonzero(in_c))


def mean_section_length(m, compartment):
    """Mean section (branch) length (NeuroM ``section_lengths``, averaged; µm).

    NaN for an empty compartment.
    """
    secs, in_c = _compartment_sections(m, compartment)
    if not in_c.any():
        return float("nan")
    return float(secs.length[in_c].mean())


def max_branch_order(m, compartment):
    """Largest number of branch points between the soma and a compartment node.

    Nodes of a stem's first section have order 0 (NeuroM ``section_branch_orders``
    maximum for neurites without type changes). 0 for an empty compartment.
    """
    mask = node_mask(m, compartment)
    if not mask.any():
        return 0.0
    return float(m.branch_order[mask].max())


def max_section_length(m, compartment):
    """Length of the longest section (NeuroM ``section_lengths``, maximum; µm).

    0 for an empty compartment.
    """
    secs, in_c = _compartment_sections(m, compartment)
    return float(secs.length[in_c].max()) if in_c.any() else 0.0


def mean_tip_branch_order(m, compartment):
    """Mean number of branch points between the soma and each tip.

    NeuroM ``section_term_branch_orders``, averaged (for neurites without type
    changes). NaN when there is no tip.
    """
    mask = m.is_tip & node_mask(m, compartment)
    if not mask.any():
        return float("nan")
    return float(m.branch_order[mask].mean())
