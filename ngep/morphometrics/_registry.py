# SPDX-License-Identifier: BSD-3-Clause
"""The catalogue of named morphometric features: one table, no decorators.

A new feature is one function in a small module, one line here and one golden
value in the tests. The user guide's feature table is generated from
:data:`FEATURES` (see :func:`~ngep.morphometrics.feature_table`).
"""

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable

from ngep.exceptions import ConfigurationError
from ngep.io import COMPARTMENTS
from ngep.morphometrics import _angles, _geometry, _sholl, _size, _soma, _topology

__all__ = [
    "BASE_FEATURES",
    "COMPARTMENT_NAMES",
    "EXTENDED_FEATURES",
    "FEATURES",
    "Feature",
]

#: The neurite compartments a feature can be computed on: the names of
#: :data:`ngep.io.COMPARTMENTS`, in its order (one list, defined there).
COMPARTMENT_NAMES = tuple(COMPARTMENTS)
_NEURITES = COMPARTMENT_NAMES
_SOMA = ("soma",)


@dataclass(frozen=True)
class Feature:
    """One named morphometric.

    Parameters
    ----------
    name : str
        Catalogue name, snake case (``"total_length"``). Soma features start
        with ``soma_``.
    func : callable
        ``func(morphology, compartment) -> float``.
    unit : str
        ``"µm"``, ``"µm²"``, ``"µm³"``, ``"rad"`` or ``"1"`` (counts, ratios).
    description : str
        One sentence for the feature table.
    reference : str
        Whose definition it follows (``"NeuroM total_length"``, ``"L-Measure"``).
    compartments : tuple of str
        Compartments it applies to: a subset of :data:`COMPARTMENT_NAMES`, or
        ``("soma",)`` for soma features.
    invariant : bool
        True if unchanged by rotating the neuron about its soma; False if it
        depends on the frame (extents along axes, length above the soma).
    """

    name: str
    func: Callable
    unit: str
    description: str
    reference: str
    compartments: tuple = _NEURITES
    invariant: bool = True

    def __post_init__(self):
        comps = tuple(self.compartments)
        if not comps or (comps != _SOMA and not set(comps) <= set(COMPARTMENT_NAMES)):
            raise ConfigurationError(
                f"Feature {self.name!r}: compartments must be ('soma',) or a "
                f"non-empty subset of {COMPARTMENT_NAMES}, got {self.compartments!r}."
            )
        object.__setattr__(self, "compartments", comps)

    @property
    def is_soma(self):
        """Whether this is a soma feature (computed once, not per compartment)."""
        return self.compartments == _SOMA

    def column(self, compartment):
        """Output column name: ``"<compartment>__<name>"``, or ``"soma__<rest>"``.

        Examples
        --------
        >>> FEATURES["total_length"].column("axon")
        'axon__total_length'
        >>> FEATURES["soma_radius"].column("dendrite")
        'soma__radius'
        """
        if self.is_soma:
            return "soma__" + self.name.removeprefix("soma_")
        return f"{compartment}__{self.name}"


_F = Feature
_CATALOGUE = (
    # -- size -------------------------------------------------------------------
    _F("total_length", _size.total_length, "µm",
       "Sum of neurite segment lengths (soma-to-stem segments excluded).",
       "NeuroM total_length"),
    _F("total_surface_area", _size.total_surface_area, "µm²",
       "Lateral surface of segments as conical frustums.", "NeuroM total_area"),
    _F("total_volume", _size.total_volume, "µm³",
       "Volume of segments as conical frustums.", "NeuroM total_volume"),
    _F("mean_diameter", _size.mean_diameter, "µm",
       "Mean node diameter.", "L-Measure Diameter"),
    # -- topology ---------------------------------------------------------------
    _F("n_stems", _topology.n_stems, "1",
       "Primary neurites leaving the soma.", "NeuroM number_of_neurites"),
    _F("n_branch_points", _topology.n_branch_points, "1",
       "Nodes with two or more children.", "NeuroM number_of_forking_points"),
    _F("n_bifurcations", _topology.n_bifurcations, "1",
       "Nodes with exactly two children.", "NeuroM number_of_bifurcations"),
    _F("n_tips", _topology.n_tips, "1",
       "Terminal nodes.", "NeuroM number_of_leaves"),
    _F("n_sections", _topology.n_sections, "1",
       "Unbranched sections (branches).", "NeuroM number_of_sections"),
    _F("max_branch_order", _topology.max_branch_order, "1",
       "Most branch points between the soma and a node.",
       "NeuroM section_branch_orders (max)"),
    _F("mean_tip_branch_order", _topology.mean_tip_branch_order, "1",
       "Mean number of branch points above a tip.",
       "NeuroM section_term_branch_orders (mean)"),
    _F("mean_section_length", _topology.mean_section_length, "µm",
       "Mean section (branch) length.", "NeuroM section_lengths (mean)"),
    _F("max_section_length", _topology.max_section_length, "µm",
       "Length of the longest section.", "NeuroM section_lengths (max)"),
    # -- geometry ---------------------------------------------------------------
    _F("max_path_distance", _geometry.max_path_distance, "µm",
       "Longest path from the first stem point to a node.",
       "NeuroM max_path_distance"),
    _F("mean_tip_path_distance", _geometry.mean_tip_path_distance, "µm",
       "Mean path distance from the soma to the tips.",
       "NeuroM terminal_path_lengths (mean)"),
    _F("max_radial_distance", _geometry.max_radial_distance, "µm",
       "Largest Euclidean distance from the soma centre to any node.",
       "L-Measure EucDistance (max); NeuroM uses section ends only"),
    _F("mean_tip_radial_distance", _geometry.mean_tip_radial_distance, "µm",
       "Mean Euclidean distance from the soma centre to the tips.",
       "NeuroM section_term_radial_distances (mean)"),
    _F("mean_contraction", _geometry.mean_contraction, "1",
       "Mean section end-to-end distance over section length.",
       "L-Measure Contraction; Allen average_contraction"),
    _F("width", _geometry.width, "µm", "Extent of the nodes along x.",
       "NeuroM total_width", invariant=False),
    _F("height", _geometry.height, "µm", "Extent of the nodes along y.",
       "NeuroM total_height", invariant=False),
    _F("depth", _geometry.depth, "µm", "Extent of the nodes along z.",
       "NeuroM total_depth", invariant=False),
    _F("width_95", _geometry.width_95, "µm",
       "2.5th to 97.5th percentile of node x.", "Allen-style 95 % extent",
       invariant=False),
    _F("height_95", _geometry.height_95, "µm",
       "2.5th to 97.5th percentile of node y.", "Allen-style 95 % extent",
       invariant=False),
    _F("depth_95", _geometry.depth_95, "µm",
       "2.5th to 97.5th percentile of node z.", "Allen-style 95 % extent",
       invariant=False),
    _F("length_fraction_above_soma", _geometry.length_fraction_above_soma, "1",
       "Fraction of length above the soma (y > y_soma).",
       "Allen axon above/below soma", invariant=False),
    _F("length_fraction_below_soma", _geometry.length_fraction_below_soma, "1",
       "Fraction of length below the soma (y <= y_soma).",
       "Allen axon above/below soma", invariant=False),
    # -- branching angles and balance --------------------------------------------
    _F("mean_local_bifurcation_angle", _angles.mean_local_bifurcation_angle, "rad",
       "Mean angle between daughters' first segments.",
       "NeuroM local_bifurcation_angles (mean)"),
    _F("mean_remote_bifurcation_angle", _angles.mean_remote_bifurcation_angle,
       "rad", "Mean angle between chords to daughters' ends.",
       "NeuroM remote_bifurcation_angles (mean)"),
    _F("mean_partition_asymmetry", _angles.mean_partition_asymmetry, "1",
       "Mean |n - k| / (n + k) of daughter subtree sizes.",
       "NeuroM partition_asymmetry (mean)"),
    # -- Sholl ------------------------------------------------------------------
    _F("sholl_peak_intersections", _sholl.sholl_peak_intersections, "1",
       "Most crossings of a Sholl sphere (10 µm steps).", "NeuroM sholl_crossings"),
    _F("sholl_peak_radius", _sholl.sholl_peak_radius, "µm",
       "Radius of the first Sholl sphere with the most crossings.",
       "NeuroM sholl_crossings"),
    # -- soma -------------------------------------------------------------------
    _F("soma_radius", _soma.soma_radius, "µm",
       "Soma radius per soma type.", "NeuroM soma_radius", compartments=_SOMA),
    _F("soma_surface_area", _soma.soma_surface_area, "µm²",
       "Soma surface area per soma type.", "NeuroM soma_surface_area",
       compartments=_SOMA),
)

#: Every feature by name (read-only).
FEATURES = MappingProxyType({f.name: f for f in _CATALOGUE})

#: The five base measurements, in output order.
BASE_FEATURES = (
    "total_length",
    "n_branch_points",
    "n_stems",
    "max_path_distance",
    "soma_radius",
)

#: Every catalogue feature, in catalogue order.
EXTENDED_FEATURES = tuple(FEATURES)
