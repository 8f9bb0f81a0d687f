# SPDX-License-Identifier: BSD-3-Clause
"""RECIPES: what each shipped pretrained model is, as data.

A :class:`Recipe` names a model and says everything needed to rebuild it: the
label source (which table, which cells are positive and which negative), the
features, the pipeline steps after feature extraction, how it is evaluated
(grouped cross-validation, subsets, other-lab test sets) and what the card says
about its scope. ``python -m ngep.pretrained._build`` turns every recipe into a
model file, a manifest entry and a model card; a test checks that the shipped
files match these recipes. Nothing here trains or reads data.

Every shipped pipeline is::

    extract  MorphologyExtractor(features, compartment, frame)
    domain   DomainCheck(ApplicabilityDomain("range", quantile=domain_quantile))
    *steps   e.g. impute -> scale -> model

so ``ngep predict`` can always say which measurements of a neuron fall outside
the training range.
"""

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["RECIPES", "LabelSource", "Recipe", "Step"]


@dataclass(frozen=True)
class LabelSource:
    """Which cells of a dataset are positive, negative or left out.

    Parameters
    ----------
    dataset : str
        Folder under the build's ``--data`` (e.g. ``"allen-v1-mouse"``); its
        ``cells.csv`` has one row per cell and a ``swc_file`` column.
    positive, negative : mapping of str to tuple
        Column -> accepted values; a cell is positive (negative) when every
        listed column holds one of its values. Cells that are neither are left
        out (unlabelled).
    groups : str or None
        Column of the groups for grouped cross-validation (e.g. donors).
    description : str
        The label source in words, for the model card.
    """

    dataset: str
    positive: MappingProxyType
    negative: MappingProxyType
    groups: str | None
    description: str


@dataclass(frozen=True)
class Step:
    """One pipeline step after extraction: name, public class and parameters."""

    name: str
    cls: str
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Recipe:
    """Everything that defines one shipped model.

    Parameters
    ----------
    name : str
        Public name, ``<marker>-<species>-<region>`` (e.g. ``"pvalb-mouse-cortex"``).
    marker : str
        The gene the label stands for.
    target : str
        The classification target in words (one line, shown by ``ngep models``).
    contrast : str
        What the positives are told apart from, in words.
    train : LabelSource
        The training labels.
    features : tuple of str
        Catalogue names given to :class:`~ngep.transformers.MorphologyExtractor`.
    compartment, frame : str
        Extractor parameters.
    steps : tuple of Step
        The steps after ``extract`` and ``domain``; the last is the model.
    domain_quantile : float
        ``quantile`` of the range domain (1.0: every training neuron inside).
    subsets : mapping of str to mapping
        Named subsets of the training cells (column -> values) on which the
        grouped-CV AUC is also reported (e.g. interneurons only).
    transfer : mapping of str to LabelSource
        Other-lab test sets: the model trained on all ``train`` cells is scored
        on each, beside the baselines.
    species, region : str
        Where the training neurons come from (the model's domain).
    not_for : tuple of str
        What the model is not for, one sentence each (for the card).
    """

    name: str
    marker: str
    target: str
    contrast: str
    train: LabelSource
    features: tuple
    steps: tuple
    compartment: str = "dendrite"
    frame: str = "principal"
    domain_quantile: float = 1.0
    subsets: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    transfer: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    species: str = "mouse (Mus musculus)"
    region: str = "visual cortex (VISp and higher visual areas), layers 1-6"
    not_for: tuple = ()


def _map(**kwargs):
    return MappingProxyType(kwargs)


_ALLEN = "allen-v1-mouse"
_RAT = "bbp-rat-somatosensory"
_INHIBITORY_LINES = ("Pvalb", "Sst", "Htr3a(Vip/Lamp5/Sncg)", "Gad2(pan-GABA)")
_CRE_LABELS = (
    "Cre-line reporter labels (Allen Cell Types Database: a cell is positive when "
    "it is tdTomato-reporter-positive in the {line} line); a proxy for marker "
    "expression, not a measurement of it"
)

# The extended catalogue minus the five measurements that depend on a lab's
# radius convention (diameters, surface, volume, soma size): another lab's radii
# were ~6x larger and its somata ~1.7x, which an MLP extrapolated wildly.
FEATURES_NO_RADIUS = (
    "total_length",
    "n_stems",
    "n_branch_points",
    "n_bifurcations",
    "n_tips",
    "n_sections",
    "max_branch_order",
    "mean_tip_branch_order",
    "mean_section_length",
    "max_section_length",
    "max_path_distance",
    "mean_tip_path_distance",
    "max_radial_distance",
    "mean_tip_radial_distance",
    "mean_contraction",
    "width",
    "height",
    "depth",
    "width_95",
    "height_95",
    "depth_95",
    "length_fraction_above_soma",
    "length_fraction_below_soma",
    "mean_local_bifurcation_angle",
    "mean_remote_bifurcation_angle",
    "mean_partition_asymmetry",
    "sholl_peak_intersections",
    "sholl_peak_radius",
)


def _steps(seed=0):
    return (
        Step(
            "impute",
            "sklearn.impute.SimpleImputer",
            _map(strategy="median", keep_empty_features=True),
        ),
        Step("scale", "sklearn.preprocessing.StandardScaler"),
        Step(
            "model",
            "ngep.models.MarkerClassifier",
            _map(
                hidden_layer_sizes=(32,),
                alpha=1e-2,
                max_iter=150,
                class_weight="balanced",
                random_state=seed,
            ),
        ),
    )


_NOT_FOR = (
    "Other species and other brain regions: untested (the training neurons are "
    "adult mouse visual cortex).",
    "Reading expression levels: Cre-line reporter labels say which line a cell "
    "was labelled in, not how much of the marker it expresses.",
    "Dendrite-only is how it was trained: the features describe dendrites (the "
    "axon is not used), so a reconstruction without dendrites, or with damaged "
    "or partial dendrites, is outside what it has seen.",
)

_INTERNEURONS = _map(tag__dendrite_type=("aspiny", "sparsely spiny"))


def _marker_labels(column, line):
    return LabelSource(
        dataset=_ALLEN,
        positive=_map(**{column: (1,)}),
        negative=_map(**{column: (0,)}),
        groups="donor__id",
        description=_CRE_LABELS.format(line=line)
        + "; negatives are reporter-positive cells of the other inhibitory lines "
        "and all spiny (excitatory) cells; aspiny cells of unknown subclass are "
        "left out",
    )


_RAT_PV = LabelSource(
    dataset=_RAT,
    positive=_map(pv_like_label=(1,)),
    negative=_map(pv_like_label=(0,)),
    groups=None,
    description="Blue Brain Project rat somatosensory interneurons; expert m-types: "
    "basket and chandelier cells (Pvalb-like) vs other typed interneurons",
)
_RAT_GABA = LabelSource(
    dataset=_RAT,
    positive=_map(inhibitory_label=(1,)),
    negative=_map(inhibitory_label=(0,)),
    groups=None,
    description="Blue Brain Project rat somatosensory neurons; expert m-types: "
    "interneurons vs excitatory cells",
)


def _recipe(name, marker, column, line, **kwargs):
    return Recipe(
        name=name,
        marker=marker,
        target=f"{marker}+ (Cre-line reporter) vs other cells",
        contrast=f"{marker}-line reporter-positive cells vs every other labelled "
        "cell (the other inhibitory lines and excitatory cells)",
        train=_marker_labels(column, line),
        features=FEATURES_NO_RADIUS,
        steps=_steps(),
        subsets=_map(interneurons=_INTERNEURONS),
        not_for=_NOT_FOR,
        **kwargs,
    )


RECIPES = MappingProxyType(
    {
        r.name: r
        for r in (
            _recipe(
                "pvalb-mouse-cortex",
                "Pvalb",
                "pvalb_label_clean",
                "Pvalb-IRES-Cre",
                transfer=_map(**{"rat Pvalb-like among interneurons": _RAT_PV}),
            ),
            _recipe("sst-mouse-cortex", "Sst", "sst_label_clean", "Sst-IRES-Cre"),
            _recipe(
                "htr3a-mouse-cortex",
                "Htr3a",
                "htr3a_label_clean",
                "Htr3a-Cre (Vip/Lamp5/Sncg family)",
            ),
            Recipe(
                name="gad1-mouse-cortex",
                marker="Gad1",
                target="GABAergic interneuron vs excitatory neuron",
                contrast="aspiny or sparsely spiny reporter-positive cells of the "
                "inhibitory lines (Pvalb, Sst, Htr3a, Gad2) vs spiny "
                "reporter-positive cells of the excitatory lines",
                train=LabelSource(
                    dataset=_ALLEN,
                    positive=_map(
                        cre_marker_class=_INHIBITORY_LINES,
                        cell_reporter_status=("positive",),
                        tag__dendrite_type=("aspiny", "sparsely spiny"),
                    ),
                    negative=_map(
                        cre_marker_class=("excitatory_cre_line",),
                        cell_reporter_status=("positive",),
                        tag__dendrite_type=("spiny",),
                    ),
                    groups="donor__id",
                    description=_CRE_LABELS.format(line="inhibitory (Gad1+)")
                    + " where the dendrite type agrees (aspiny or sparsely spiny "
                    "for the inhibitory lines, spiny for the excitatory lines); "
                    "the two cells where they disagree and reporter-negative "
                    "cells are left out",
                ),
                features=FEATURES_NO_RADIUS,
                steps=_steps(),
                transfer=_map(**{"rat interneurons vs excitatory": _RAT_GABA}),
                not_for=_NOT_FOR,
            ),
        )
    }
)
