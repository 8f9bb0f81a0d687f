# SPDX-License-Identifier: BSD-3-Clause
"""The catalogue of named morphometric features: one table, no decorators.

A new feature is one function in a small module, one line here and one golden
value in the tests. The user guide's feature table is generated from
:data:`FEATURES` (see :func:`~ngep.morphometrics.feature_table`).
"""

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable

from ngep.morphometrics import (
    _angles,
    _geometry,
    _shape,
    _sholl,
    _size,
    _soma,
    _topology,
)

__all__ = [
    "BASE_FEATURES",
    "COMPARTMENT_NAMES",
    "EXTENDED_FEATURES",
    "FEATURES",
    "Feature",
    "PRESETS",
    "ROBUST_FEATURES",
    "SCALE_FREE_FEATURES",
]

#: The neurite compartments a feature can be computed on.
COMPARTMENT_NAMES = ("all", "dendrite", "basal", "apical", "axon")
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
    scale_free : bool
        True if unchanged by scaling the whole neuron (counts, angles, ratios of
        lengths, normalised distributions): what a model that must not read
        size (another species, another lab's calibration) may use.
    radius_free : bool
        True if it never reads a node radius. Radii are where labs' conventions
        differ most (diameter vs radius, minimum widths, soma drawn as a point,
        three points or a contour); the ``"robust"`` preset keeps only these.
    """

    name: str
    func: Callable
    unit: str
    description: str
    reference: str
    compartments: tuple = _NEURITES
    invariant: bool = True
    scale_free: bool = False
    radius_free: bool = True

    def __post_init__(self):
        comps = tuple(self.compartments)
        if not comps or (comps != _SOMA and not set(comps) <= set(COMPARTMENT_NAMES)):
            raise ValueError(
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
       "Lateral surface of segments as conical frustums.", "NeuroM total_area",
       radius_free=False),
    _F("total_volume", _size.total_volume, "µm³",
       "Volume of segments as conical frustums.", "NeuroM total_volume",
       radius_free=False),
    _F("mean_diameter", _size.mean_diameter, "µm",
       "Mean node diameter.", "L-Measure Diameter", radius_free=False),
    # -- topology ---------------------------------------------------------------
    _F("n_stems", _topology.n_stems, "1",
       "Primary neurites leaving the soma.", "NeuroM number_of_neurites",
       scale_free=True),
    _F("n_branch_points", _topology.n_branch_points, "1",
       "Nodes with two or more children.", "NeuroM number_of_forking_points",
       scale_free=True),
    _F("n_bifurcations", _topology.n_bifurcations, "1",
       "Nodes with exactly two children.", "NeuroM number_of_bifurcations",
       scale_free=True),
    _F("n_tips", _topology.n_tips, "1",
       "Terminal nodes.", "NeuroM number_of_leaves", scale_free=True),
    _F("n_sections", _topology.n_sections, "1",
       "Unbranched sections (branches).", "NeuroM number_of_sections", scale_free=True),
    _F("max_branch_order", _topology.max_branch_order, "1",
       "Most branch points between the soma and a node.",
       "NeuroM section_branch_orders (max)", scale_free=True),
    _F("mean_tip_branch_order", _topology.mean_tip_branch_order, "1",
       "Mean number of branch points above a tip.",
       "NeuroM section_term_branch_orders (mean)", scale_free=True),
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
       "L-Measure Contraction; Allen average_contraction", scale_free=True),
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
       "Allen axon above/below soma", invariant=False, scale_free=True),
    _F("length_fraction_below_soma", _geometry.length_fraction_below_soma, "1",
       "Fraction of length below the soma (y <= y_soma).",
       "Allen axon above/below soma", invariant=False, scale_free=True),
    # -- branching angles and balance --------------------------------------------
    _F("mean_local_bifurcation_angle", _angles.mean_local_bifurcation_angle, "rad",
       "Mean angle between daughters' first segments.",
       "NeuroM local_bifurcation_angles (mean)", scale_free=True),
    _F("mean_remote_bifurcation_angle", _angles.mean_remote_bifurcation_angle,
       "rad", "Mean angle between chords to daughters' ends.",
       "NeuroM remote_bifurcation_angles (mean)", scale_free=True),
    _F("mean_partition_asymmetry", _angles.mean_partition_asymmetry, "1",
       "Mean |n - k| / (n + k) of daughter subtree sizes.",
       "NeuroM partition_asymmetry (mean)", scale_free=True),
    # -- Sholl ------------------------------------------------------------------
    _F("sholl_peak_intersections", _sholl.sholl_peak_intersections, "1",
       "Most crossings of a Sholl sphere (10 µm steps).", "NeuroM sholl_crossings"),
    _F("sholl_peak_radius", _sholl.sholl_peak_radius, "µm",
       "Radius of the first Sholl sphere with the most crossings.",
       "NeuroM sholl_crossings"),
    # -- scale-free shape -------------------------------------------------------
    _F("sholl_peak_fraction", _shape.sholl_peak_fraction, "1",
       "Peak of the Sholl profile on spheres of k R/20 about the soma centroid, "
       "over R (R: largest distance from it).",
       "ngep; Sholl 1953 profile on a scaled radius", scale_free=True),
    _F("sholl_centroid_fraction", _shape.sholl_centroid_fraction, "1",
       "Crossing-weighted mean radius of the scaled Sholl profile, over R.",
       "ngep", scale_free=True),
    _F("sholl_spread_fraction", _shape.sholl_spread_fraction, "1",
       "Crossing-weighted SD of the radius of the scaled Sholl profile, over R.",
       "ngep", scale_free=True),
    _F("sholl_entropy", _shape.sholl_entropy, "1",
       "Normalised entropy of the scaled Sholl profile (1: crossings spread "
       "evenly).", "ngep", scale_free=True),
    _F("length_fraction_within_25", _shape.length_fraction_within_25, "1",
       "Share of length within 0.25 R of the soma centroid (exact on segments).",
       "ngep; length-by-distance profile", scale_free=True),
    _F("length_fraction_within_50", _shape.length_fraction_within_50, "1",
       "Share of length within 0.5 R of the soma centroid (exact on segments).",
       "ngep; length-by-distance profile", scale_free=True),
    _F("length_fraction_within_75", _shape.length_fraction_within_75, "1",
       "Share of length within 0.75 R of the soma centroid (exact on segments).",
       "ngep; length-by-distance profile", scale_free=True),
    _F("tip_path_distance_cv", _shape.tip_path_distance_cv, "1",
       "SD over mean of the tips' path distances.",
       "ngep; NeuroM terminal_path_lengths", scale_free=True),
    _F("tip_path_distance_median_max", _shape.tip_path_distance_median_max, "1",
       "Median over largest tip path distance.",
       "ngep; NeuroM terminal_path_lengths", scale_free=True),
    _F("tip_tortuosity", _shape.tip_tortuosity, "1",
       "Mean tip path distance over mean tip radial distance.",
       "ngep; L-Measure PathDistance / EucDistance", scale_free=True),
    # -- soma -------------------------------------------------------------------
    _F("soma_radius", _soma.soma_radius, "µm",
       "Soma radius per soma type.", "NeuroM soma_radius", compartments=_SOMA,
       radius_free=False),
    _F("soma_surface_area", _soma.soma_surface_area, "µm²",
       "Soma surface area per soma type.", "NeuroM soma_surface_area",
       compartments=_SOMA, radius_free=False),
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

#: The convention-robust preset: what another lab's reconstruction of the same
#: cell should give, in output order. Kept out, with the reason (documented
#: feature by feature in the user guide, "Features that travel between labs"):
#:
#: * radius-dependent (``radius_free=False``): ``total_surface_area``,
#:   ``total_volume``, ``mean_diameter``, ``soma_radius``, ``soma_surface_area``;
#: * frame-dependent (``invariant=False``): extents along axes and the length
#:   above/below the soma depend on the slicing axis and on shrinkage across the
#:   slice;
#: * node-spacing dependent: ``mean_contraction``, ``mean_local_bifurcation_angle``
#:   and ``tip_tortuosity`` read the tracing's jitter between nearby points
#:   (resampling to 5 µm moves them by 0.4-1.1 training SDs);
#: * redundant or coarse: ``n_bifurcations`` and ``n_sections`` (given by the branch
#:   points and stems), ``mean_section_length`` (length over sections: the most
#:   sensitive to untraced short terminal branches), ``sholl_peak_radius`` and
#:   ``sholl_peak_intersections`` (10 µm spheres about the first soma point, which
#:   moves with how the soma is drawn; the scaled Sholl profile about the soma
#:   centroid replaces them).
ROBUST_FEATURES = (
    "total_length",
    "n_stems",
    "n_branch_points",
    "n_tips",
    "max_branch_order",
    "mean_tip_branch_order",
    "max_section_length",
    "max_path_distance",
    "mean_tip_path_distance",
    "max_radial_distance",
    "mean_tip_radial_distance",
    "mean_remote_bifurcation_angle",
    "mean_partition_asymmetry",
    "sholl_peak_fraction",
    "sholl_centroid_fraction",
    "sholl_spread_fraction",
    "sholl_entropy",
    "length_fraction_within_25",
    "length_fraction_within_50",
    "length_fraction_within_75",
    "tip_path_distance_cv",
    "tip_path_distance_median_max",
)

#: The scale-free part of :data:`ROBUST_FEATURES` (``scale_free=True``): for a
#: model that must not read size as class, e.g. across species.
SCALE_FREE_FEATURES = tuple(k for k in ROBUST_FEATURES if FEATURES[k].scale_free)

#: Feature presets by name: what ``features="base"``, ``"extended"``, ``"robust"``
#: mean wherever a preset name is accepted.
PRESETS = MappingProxyType({
    "base": BASE_FEATURES,
    "extended": EXTENDED_FEATURES,
    "robust": ROBUST_FEATURES,
    "scale_free": SCALE_FREE_FEATURES,
})
