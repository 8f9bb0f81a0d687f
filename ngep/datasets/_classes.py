# SPDX-License-Identifier: BSD-3-Clause
"""Class, region and species parameters of the synthetic neuron generator.

Morphology targets are means ± standard deviations of mouse neocortical neurons
(Scala et al. 2021, M1; Gouwens et al. 2019 and 2020, V1; slice
reconstructions). Where the sources give whole-dendrite numbers for pyramidal
cells, the split into basal and apical parts is ours and documented here.
"""

from types import MappingProxyType

__all__ = [
    "CLASSES",
    "CLASS_PARAMETERS",
    "CORTICAL_PROPORTIONS",
    "REGION_SHIFTS",
    "SPECIES_SCALE",
]

#: The five classes, in the order used throughout.
CLASSES = ("Pvalb", "Sst", "Vip", "L23_IT", "L5_ET")

# Each compartment: stems, branch points (bifurcations) and total length as
# (mean, sd); ``split``: probability that an open section bifurcates at a level
# (near 1: bushy and shallow, below 0.5: a main path with side branches);
# ``terminal``: length weight of terminal sections relative to internal ones;
# ``spread``: how much a child's direction departs from its parent's;
# ``bias_y``: pull of every section towards +y (pia) or -y (white matter);
# ``elongation``: stretch of stem directions along the pial axis y (bipolar
# Vip cells > 1, flat pyramidal basal skirts < 1).
_AXON_STUB = {"stems": (1, 0), "branch": (1, 1), "length": (300, 100),
              "split": 0.5, "terminal": 1.0, "spread": 0.5, "bias_y": -0.4,
              "elongation": 1.0}


def _p(**kw):
    return MappingProxyType(kw)


#: Per class: soma radius (µm) and one entry per compartment (see module notes).
CLASS_PARAMETERS = MappingProxyType({
    "Pvalb": _p(
        soma=(11.8, 4.3),
        basal=_p(stems=(5.8, 2.6), branch=(12, 11), length=(1900, 1400),
                 split=0.75, terminal=1.6, spread=1.3, bias_y=0.0, elongation=1.0),
        axon=_p(stems=(1, 0), branch=(177, 87), length=(16700, 6500),
                split=0.62, terminal=1.3, spread=0.9, bias_y=0.12, elongation=1.0),
    ),
    "Sst": _p(
        soma=(12.3, 6.5),
        basal=_p(stems=(6.2, 2.1), branch=(17, 9), length=(2700, 1200),
                 split=0.62, terminal=1.6, spread=1.3, bias_y=0.05, elongation=1.3),
        axon=_p(stems=(1, 0), branch=(150, 86), length=(16600, 6700),
                split=0.6, terminal=1.3, spread=0.9, bias_y=0.2, elongation=1.0),
    ),
    "Vip": _p(
        soma=(9.9, 4.2),
        basal=_p(stems=(3.7, 1.4), branch=(18, 10), length=(2200, 800),
                 split=0.62, terminal=1.4, spread=0.9, bias_y=0.0, elongation=3.0),
        axon=_p(stems=(1, 0), branch=(52, 28), length=(5100, 2900),
                split=0.55, terminal=1.3, spread=0.9, bias_y=-0.15, elongation=1.0),
    ),
    "L23_IT": _p(
        soma=(11.1, 4.1),
        basal=_p(stems=(6.3, 2.4), branch=(20, 10), length=(2200, 1200),
                 split=0.6, terminal=1.8, spread=1.0, bias_y=-0.1, elongation=0.7),
        apical=_p(stems=(1, 0), branch=(10, 5), length=(2400, 1100),
                  split=0.3, terminal=3.0, spread=1.0, bias_y=0.3, elongation=1.0),
        axon=_AXON_STUB,
    ),
    "L5_ET": _p(
        soma=(12.9, 3.3),
        basal=_p(stems=(7.6, 2.6), branch=(27, 10), length=(3000, 1200),
                 split=0.6, terminal=1.8, spread=1.0, bias_y=-0.1, elongation=0.7),
        apical=_p(stems=(1, 0), branch=(22, 7), length=(5000, 1300),
                  split=0.25, terminal=3.5, spread=1.0, bias_y=0.4, elongation=1.0),
        axon=_AXON_STUB,
    ),
})

#: Approximate share of each class among these five in mouse neocortex:
#: about 80 % excitatory and 20 % GABAergic neurons, of which ~40 % Pvalb,
#: ~30 % Sst and ~15 % Vip (Tremblay et al. 2016); the excitatory share is
#: split between the two pyramidal classes in proportion to their abundance in
#: the cortical column (IT neurons far outnumber ET neurons). Renormalised.
CORTICAL_PROPORTIONS = MappingProxyType({
    "Pvalb": 0.08, "Sst": 0.06, "Vip": 0.03, "L23_IT": 0.63, "L5_ET": 0.20,
})

#: Mild, illustrative shifts of total length, branch points and soma radius by
#: brain region (multipliers). Not fitted to data: they exist so that a region
#: covariate changes morphology in a known way.
REGION_SHIFTS = MappingProxyType({
    "cortex": _p(length=1.0, branch=1.0, soma=1.0),
    "hippocampus": _p(length=1.15, branch=1.1, soma=1.05),
    "cerebellum": _p(length=0.8, branch=0.9, soma=0.9),
})

#: Multiplier of lengths and extents by species (soma radius scales with its
#: square root; topology is unchanged).
SPECIES_SCALE = MappingProxyType({"mouse": 1.0, "rat": 1.3, "human": 2.0})
