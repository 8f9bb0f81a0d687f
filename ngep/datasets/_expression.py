# SPDX-License-Identifier: BSD-3-Clause
"""Expression model of the synthetic neurons: class means, morphology, noise.

For gene ``g`` and a neuron of class ``c`` with latent morphology ``x``::

    m = base[g][c] + amplitude[g][c] * expit(score_g(x))     # noiseless level
    y = max(0, m + noise_g * e),  e ~ N(0, 1)                 # observed log1p CPM

``expit`` is the logistic function and ``score_g`` a weighted sum of log-ratios
of the neuron's dendritic quantities to reference values; each gene's
parameters are one :class:`GeneModel` in :data:`GENE_MODELS`. The
reported *signal* is the conditional mean ``E[y | neuron]`` (the censored
Gaussian mean), the best possible prediction of ``y`` from the neuron, and the
*ceiling* of a gene is ``var(signal) / (var(signal) + mean(Var[y | neuron]))``
on the generated neurons: the expected ``var(signal) / var(y)``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

__all__ = [
    "DEFAULT_NOISE", "GENES", "GENE_MODELS", "GeneModel", "ceiling", "expression",
]


@dataclass(frozen=True)
class GeneModel:
    """How one synthetic gene depends on class and morphology.

    Parameters
    ----------
    noise : float
        Default noise standard deviation (log1p CPM).
    base : tuple of float
        Level per class (Pvalb, Sst, Vip, L23_IT, L5_ET), log1p CPM.
    amplitude : tuple of float
        Amplitude of the morphology term per class.
    score : dict
        ``{quantity: (weight, reference)}``: the score is
        ``sum(weight * log(quantity / reference)) - offset``. Quantities are the
        latent morphology's, plus ``branch_density``, (branch points + 1) per mm
        of dendrite.
    offset : float, default=0.0
        Centres the logistic.
    """

    noise: float
    base: tuple
    amplitude: tuple
    score: dict
    offset: float = 0.0

    def level(self, class_index, latent):
        """Noiseless level ``base + amplitude * expit(score)`` of each neuron."""
        quantities = dict(latent)
        quantities["branch_density"] = (
            (latent["n_branch_points"] + 1) / (latent["dendrite_length"] / 1000.0))
        score = np.full(latent["dendrite_length"].shape, -float(self.offset))
        for name, (weight, reference) in self.score.items():
            score += weight * np.log(quantities[name] / reference)
        return (np.asarray(self.base)[class_index]
                + np.asarray(self.amplitude)[class_index] * expit(score))


#: The model of every synthetic gene; a new gene is one entry. Pvalb's noise is
#: calibrated so its ceiling is about 0.45 with the default, balanced class
#: weights. Pvalb is on a quarter of the others' scale (base, amplitude and
#: noise all x 0.25, which leaves every R² unchanged), so a model at the ceiling
#: has the RMSE (~0.67) and MAE (~0.51) of the reference system ngep follows and
#: its reports can be compared directly.
GENE_MODELS = {
    # Compact arbors (short reach), big somata and dense branching, the
    # basket-cell shape: more Pvalb, in every class (so Pvalb is high in
    # Pvalb cells, intermediate in Sst/Vip cells, low in pyramidal cells).
    "Pvalb": GeneModel(
        noise=0.7875, base=(0.625, 0.15, 0.1, 0.0625, 0.0625),
        amplitude=(1.875,) * 5, offset=0.5,
        score={"max_path_distance": (-3.0, 300.0), "soma_radius": (1.0, 11.8),
               "branch_density": (1.0, 7.0)},
    ),
    # Longer reach (Martinotti axon-bearing dendrites towards layer 1): more Sst.
    "Sst": GeneModel(
        noise=1.5, base=(0.8, 5.0, 0.5, 0.3, 0.3), amplitude=(0.0, 3.0, 0.0, 0.0, 0.0),
        score={"max_path_distance": (2.0, 400.0)},
    ),
    # Fewer stems (bipolar shape): more Vip.
    "Vip": GeneModel(
        noise=1.5, base=(0.3, 0.5, 5.0, 0.3, 0.2), amplitude=(0.0, 0.0, 3.0, 0.0, 0.0),
        score={"n_stems": (-2.0, 3.7)},
    ),
    # Larger soma: more Gad1.
    "Gad1": GeneModel(
        noise=1.0, base=(6.5, 6.5, 6.5, 0.8, 0.8), amplitude=(1.5, 1.5, 1.5, 0.0, 0.0),
        score={"soma_radius": (2.0, 11.0)},
    ),
    # An astrocyte marker: flat and low in neurons.
    "Gfap": GeneModel(noise=0.3, base=(0.1,) * 5, amplitude=(0.0,) * 5, score={}),
}

#: Genes with a model, in the order of their noise draws.
GENES = tuple(GENE_MODELS)
#: The default noise standard deviation of each gene (log1p CPM).
DEFAULT_NOISE = {gene: model.noise for gene, model in GENE_MODELS.items()}


def expression(class_index, latent, genes, noise, rng):
    """Observed expression of ``genes``, its conditional mean and variance.

    Parameters
    ----------
    class_index : ndarray of int, shape (n,)
        Index into :data:`~ngep.datasets._classes.CLASSES`.
    latent : dict of ndarray
        Species-normalised latent morphology (see :func:`make_neurons`).
    genes : sequence of str
    noise : dict
        Noise standard deviation per gene.
    rng : numpy.random.Generator

    Returns
    -------
    observed, signal, variance : dict of ndarray
        ``y``, ``E[y | neuron]`` and ``Var[y | neuron]`` per gene.
    """
    observed, signal, variance = {}, {}, {}
    # One row of draws per neuron, one column per known gene: the noise of a
    # neuron does not depend on how many neurons or which genes are asked for.
    draws = rng.standard_normal((class_index.size, len(GENES)))
    for gene in genes:
        level = GENE_MODELS[gene].level(class_index, latent)
        sd = float(noise[gene])
        draw = draws[:, GENES.index(gene)]
        observed[gene] = np.maximum(0.0, level + sd * draw)
        if sd > 0:
            # Moments of max(0, X), X ~ N(level, sd^2).
            t = level / sd
            cdf = ndtr(t)
            density = np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
            signal[gene] = level * cdf + sd * density
            second = (level**2 + sd**2) * cdf + level * sd * density
            variance[gene] = np.maximum(second - signal[gene] ** 2, 0.0)
        else:
            signal[gene] = np.maximum(0.0, level)
            variance[gene] = np.zeros_like(level)
    return observed, signal, variance


def ceiling(signal, variance):
    """Best achievable R² per gene: ``var(signal) / (var(signal) + mean(variance))``.

    The law of total variance with both terms taken from the noiseless model,
    so the ceiling depends on the neurons only (not on the noise draw) and lies
    in [0, 1]. It is 0 for a gene whose signal does not vary.
    """
    out = {}
    for gene, s in signal.items():
        between = 0.0 if np.ptp(s) == 0 else float(np.var(s))  # no round-off
        total = between + float(np.mean(variance[gene]))
        out[gene] = between / total if total > 0 else 0.0
    return out
