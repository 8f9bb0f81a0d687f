# SPDX-License-Identifier: BSD-3-Clause
"""``make_neurons``: realistic synthetic neurons whose expression has a known answer."""

import os
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.spatial.transform import Rotation
from sklearn.utils import Bunch, check_random_state

from ngep._compat import Interval, StrOptions, validate_params
from ngep.datasets import _expression
from ngep.datasets._classes import CLASSES, REGION_SHIFTS, SPECIES_SCALE
from ngep.datasets._generate import (
    build_morphologies,
    generate_batch,
    latent_morphology,
    resample,
)
from ngep.exceptions import ConfigurationError
from ngep.io import write_swc

__all__ = ["make_neurons"]

# Neurons per independently seeded batch (fixed: results never depend on n_jobs).
_BATCH = 64
_LATENT = ("dendrite_length", "n_branch_points", "n_stems", "max_path_distance",
           "soma_radius")


def _root_seed(random_state):
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return np.random.SeedSequence(int(random_state))
    rs = check_random_state(random_state)
    return np.random.SeedSequence(rs.randint(0, 2**31 - 1, size=4).tolist())


def _class_weights(class_weights):
    if class_weights is None:
        return np.full(len(CLASSES), 1.0 / len(CLASSES))
    if isinstance(class_weights, Mapping):
        unknown = sorted(set(class_weights) - set(CLASSES))
        if unknown:
            raise ConfigurationError(
                f"class_weights has unknown classes {unknown}; "
                f"use some of {list(CLASSES)}."
            )
        w = np.array([float(class_weights.get(c, 0.0)) for c in CLASSES])
    else:
        w = np.asarray(class_weights, dtype=float).reshape(-1)
        if w.size != len(CLASSES):
            raise ConfigurationError(
                f"class_weights needs {len(CLASSES)} entries, one per class "
                f"{list(CLASSES)}; got {w.size}."
            )
    if np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ConfigurationError("class_weights must be non-negative and not all zero.")
    return w / w.sum()


def _rotation_matrices(rotation, n, rng):
    if isinstance(rotation, str):
        if rotation == "none":
            return None
        return Rotation.random(n, random_state=rng).as_matrix()
    m = np.asarray(rotation, dtype=float)
    if m.shape != (3, 3) or not np.allclose(m @ m.T, np.eye(3), atol=1e-6):
        raise ConfigurationError(
            "rotation must be 'none', 'random' or an orthogonal 3x3 matrix "
            f"(m @ m.T == I); got an array of shape {m.shape} that is not."
        )
    return np.broadcast_to(m, (n, 3, 3))


def _noise(noise, genes):
    if noise is None:
        return {g: _expression.DEFAULT_NOISE[g] for g in genes}
    if isinstance(noise, Real):
        if noise < 0:
            raise ConfigurationError(f"noise must be >= 0, got {noise}.")
        return {g: float(noise) for g in genes}
    unknown = sorted(set(noise) - set(_expression.GENES))
    if unknown:
        raise ConfigurationError(
            f"noise has unknown genes {unknown}; use some of {list(_expression.GENES)}."
        )
    out = {g: float(noise[g]) if g in noise else _expression.DEFAULT_NOISE[g]
           for g in genes}
    if any(v < 0 for v in out.values()):
        raise ConfigurationError("noise standard deviations must be >= 0.")
    return out


def _one_batch(b, seeds, n, weights, region, species, rotation, node_spacing, soma,
               out_dir):
    """Neurons ``b * _BATCH ..`` (the first ``n`` of a full, fixed-size batch)."""
    structure, turn = (np.random.default_rng(s) for s in seeds)
    # Always draw a full batch so a neuron never depends on ``n_neurons``.
    class_index = structure.choice(len(CLASSES), size=_BATCH, p=weights)
    batch = generate_batch(class_index, region, species, structure)
    latent = {k: v[:n] for k, v in latent_morphology(batch, _BATCH).items()}
    class_index = class_index[:n]
    if node_spacing is not None:
        batch = resample(batch, float(node_spacing))
    rotations = _rotation_matrices(rotation, _BATCH, turn)
    names = [f"synthetic_{b * _BATCH + i:06d}" for i in range(n)]
    morphs = build_morphologies(batch, n, soma, rotations, names)
    paths = None
    if out_dir is not None:
        paths = []
        for m, c in zip(morphs, class_index):
            path = os.path.join(out_dir, f"{m.name}.swc")
            write_swc(m, path, header=(
                f"ngep.datasets.make_neurons: class {CLASSES[c]}, region {region}, "
                f"species {species}"))
            paths.append(path)
        morphs = None
    return class_index, latent, morphs, paths


@validate_params(
    {
        "n_neurons": [Interval(Integral, 1, None, closed="left")],
        "class_weights": ["array-like", dict, None],
        "region": [StrOptions(set(REGION_SHIFTS))],
        "species": [StrOptions(set(SPECIES_SCALE))],
        "genes": ["array-like"],
        "noise": [Interval(Real, 0, None, closed="left"), dict, None],
        "out_dir": [str, os.PathLike, None],
        "rotation": [StrOptions({"none", "random"}), "array-like"],
        "node_spacing": [Interval(Real, 0, None, closed="neither"), None],
        "soma": [StrOptions({"point", "three_point", "contour"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state", np.random.SeedSequence],
    },
    prefer_skip_nested_validation=True,
)
def make_neurons(n_neurons=1000, *, class_weights=None, region="cortex",
                 species="mouse", genes=_expression.GENES, noise=None, out_dir=None,
                 rotation="none", node_spacing=None, soma="point", n_jobs=None,
                 random_state=None):
    """Generate neurons of five mouse cortical classes with known expression.

    Each neuron is drawn from a stochastic branching process whose class
    parameters follow published morphometry of mouse neocortical neurons
    (Pvalb basket, Sst Martinotti, Vip bipolar, layer 2/3 IT and layer 5 ET
    pyramidal cells), and its expression of a few marker genes is a known
    function of its class and morphology plus Gaussian noise, so the best
    achievable score of a model is known.

    Read more in the :ref:`User Guide <synthetic_data>`.

    Parameters
    ----------
    n_neurons : int, default=1000
        Number of neurons.
    class_weights : dict or array-like of shape (5,), default=None
        Relative frequency of each class (``"Pvalb", "Sst", "Vip", "L23_IT",
        "L5_ET"``); missing dict keys count as 0. None gives 20 % each, the
        balanced design of targeted Patch-seq surveys;
        :data:`CORTICAL_PROPORTIONS` approximates the cortex.
    region : {"cortex", "hippocampus", "cerebellum"}, default="cortex"
        Brain region: recorded in the metadata and shifts lengths, branch
        points and soma size mildly (:data:`REGION_SHIFTS`).
    species : {"mouse", "rat", "human"}, default="mouse"
        Lengths and extents are multiplied by 1, 1.3 or 2 (soma radius by the
        square root); topology and expression are unchanged.
    genes : sequence of str, default=("Pvalb", "Sst", "Vip", "Gad1", "Gfap")
        Genes to simulate, a subset of the default.
    noise : float or dict, default=None
        Noise standard deviation (log1p CPM) of all genes, or per gene
        (missing genes keep their default). None uses the calibrated defaults.
    out_dir : str or path-like, default=None
        If given, write one SWC file per neuron there (created if needed;
        files ``synthetic_<neuron_id>.swc``, overwritten if present) and return
        ``paths`` instead of ``morphologies``.
    rotation : {"none", "random"} or array-like of shape (3, 3), default="none"
        Orientation convention: as generated (pia along +y), a uniformly random
        rotation per neuron, or one orthogonal matrix applied to all.
    node_spacing : float, default=None
        Resample every section with nodes this many µm apart (section ends
        kept). None keeps the generated spacing of about 5 µm.
    soma : {"point", "three_point", "contour"}, default="point"
        Soma convention: one node, the three-point NeuroMorpho.Org soma, or a
        16-point contour.
    n_jobs : int, default=None
        Parallel jobs over batches of 64 neurons (joblib). Results do not
        depend on it.
    random_state : int, RandomState instance or None, default=None
        Seed. The same seed gives the same neurons for any ``rotation``,
        ``node_spacing``, ``soma``, ``out_dir`` and ``n_jobs``, and the first
        ``k`` neurons do not depend on ``n_neurons``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``morphologies`` (list of :class:`~ngep.io.Morphology`) or ``paths``
        (list of str) when ``out_dir`` is set; ``metadata`` (DataFrame:
        ``neuron_id``, ``name``, ``class``, ``region``, ``species`` and
        ``path`` when written); ``targets`` (DataFrame, one column per gene,
        observed log1p CPM); ``signal`` (DataFrame, the noiseless expected
        expression ``E[y | neuron]``); ``ceiling`` (dict gene -> best
        achievable R² on these neurons, ``var(signal) / (var(signal) +
        mean(Var[y | neuron]))``, the expected ``var(signal) /
        var(targets)``, computed from the noiseless model); ``latent``
        (DataFrame of the mouse-scale dendritic quantities the expression
        depends on) and ``DESCR``.

    See Also
    --------
    CLASS_PARAMETERS : the morphology parameters of each class.

    Notes
    -----
    Expression of gene ``g`` in a neuron of class ``c`` is
    ``y = max(0, base[g, c] + amp[g, c] * expit(score_g) + noise_g * e)``,
    ``e ~ N(0, 1)``, where ``score_g`` is a weighted sum of log-ratios of the
    neuron's dendritic length, branch points, stems, maximal path distance and
    soma radius to reference values. Pvalb is highest in compact, densely
    branched cells with a large soma (basket-cell shape), and its class mean is
    highest in Pvalb cells; Gfap is a constant (a negative control whose ceiling
    is 0). See the User Guide for every constant.

    References
    ----------
    .. [1] Scala F. et al. (2021). Phenotypic variation of transcriptomic cell
       types in mouse motor cortex. Nature 598, 144-150.
    .. [2] Gouwens N. W. et al. (2019). Classification of electrophysiological
       and morphological neuron types in the mouse visual cortex. Nat Neurosci
       22, 1182-1195.
    .. [3] Gouwens N. W. et al. (2020). Integrated morphoelectric and
       transcriptomic classification of cortical GABAergic cells. Cell 183,
       935-953.

    Examples
    --------
    >>> from ngep.datasets import make_neurons
    >>> data = make_neurons(10, random_state=0)
    >>> len(data.morphologies), data.targets.shape
    (10, (10, 5))
    >>> data.metadata.columns.tolist()
    ['neuron_id', 'name', 'class', 'region', 'species']
    >>> sorted(data.ceiling)
    ['Gad1', 'Gfap', 'Pvalb', 'Sst', 'Vip']
    """
    genes = list(genes)
    unknown = [g for g in genes if g not in _expression.GENES]
    if unknown or not genes:
        raise ConfigurationError(
            f"genes {unknown} have no expression model; use some of "
            f"{list(_expression.GENES)}."
        )
    weights = _class_weights(class_weights)
    noise = _noise(noise, genes)
    if not isinstance(rotation, str):
        _rotation_matrices(rotation, 1, None)  # validate early
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        out_dir = os.fspath(out_dir)
    root = _root_seed(random_state)
    expression_seed, *batch_seeds = root.spawn(1 + -(-n_neurons // _BATCH))
    sizes = [min(_BATCH, n_neurons - b * _BATCH) for b in range(len(batch_seeds))]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_one_batch)(b, s.spawn(2), n, weights, region, species, rotation,
                            node_spacing, soma, out_dir)
        for b, (s, n) in enumerate(zip(batch_seeds, sizes))
    )
    class_index = np.concatenate([r[0] for r in results])
    latent = {k: np.concatenate([r[1][k] for r in results]) for k in _LATENT}
    observed, signal, variance = _expression.expression(
        class_index, latent, genes, noise, np.random.default_rng(expression_seed))
    names = [f"synthetic_{i:06d}" for i in range(n_neurons)]
    metadata = pd.DataFrame({
        "neuron_id": np.arange(n_neurons),
        "name": names,
        "class": pd.Categorical(np.asarray(CLASSES)[class_index], categories=CLASSES),
        "region": region,
        "species": species,
    })
    out = Bunch(
        metadata=metadata,
        targets=pd.DataFrame(observed, columns=genes),
        signal=pd.DataFrame(signal, columns=genes),
        ceiling=_expression.ceiling(signal, variance),
        latent=pd.DataFrame(latent, columns=list(_LATENT)),
        DESCR=_DESCR,
    )
    if out_dir is None:
        out["morphologies"] = [m for r in results for m in r[2]]
    else:
        out["paths"] = [p for r in results for p in r[3]]
        metadata["path"] = out["paths"]
    return out


_DESCR = """\
Synthetic mouse cortical neurons (ngep.datasets.make_neurons)
-------------------------------------------------------------

Neurons of five classes (Pvalb basket, Sst Martinotti, Vip bipolar, layer 2/3
IT and layer 5 ET pyramidal cells) grown by a stochastic branching process whose
class parameters (stems, branch points, dendritic and axonal length, soma size)
follow mouse neocortical reconstructions (Scala et al. 2021; Gouwens et al.
2019, 2020). Pyramidal cells carry an apical dendrite (SWC type 4) and a cut
axon stub. Expression (log1p CPM) of Pvalb, Sst, Vip, Gad1 and Gfap is a class
mean plus a smooth function of the dendritic morphology plus Gaussian noise,
censored at 0; ``signal`` is the noiseless expected expression and ``ceiling``
the best R² any model can reach on these neurons (the expected
var(signal) / var(targets), from the noiseless model).
Gfap does not depend on the neuron: its ceiling is 0 (a negative control).
"""
