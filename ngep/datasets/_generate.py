# SPDX-License-Identifier: BSD-3-Clause
"""Generate one batch of synthetic neurons as flat numpy arrays.

Each batch draws the neurons from its own ``structure`` random stream; random
rotations come from a second stream and expression noise from a third (in
:mod:`ngep.datasets._synthetic`), so recording conventions (rotation, node
spacing, soma style) never change which neuron is drawn.
"""

import numpy as np

from ngep.datasets._branching import grow_sections, lay_out_nodes
from ngep.datasets._classes import (
    CLASS_PARAMETERS,
    CLASSES,
    REGION_SHIFTS,
    SPECIES_SCALE,
)
from ngep.io import Morphology

__all__ = ["generate_batch"]

_TYPE_CODE = {"basal": 3, "apical": 4, "axon": 2}
# Copula loadings of each quantity on the neuron's latent size.
_LOADING = {"length": 0.8, "branch": 0.7, "stems": 0.4, "soma": 0.3}
_NATIVE_STEP = 5.0  # µm between generated nodes (mouse; scaled with species)


def _lognormal(mean, sd, z):
    """Lognormal with the given mean and sd, from standard normal scores ``z``."""
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    s2 = np.log1p((sd / mean) ** 2)
    return np.exp(np.log(mean) - s2 / 2 + np.sqrt(s2) * z)


def _correlated(size_z, rng, loading):
    return loading * size_z + np.sqrt(1 - loading**2) * rng.standard_normal(size_z.size)


def _draw_groups(class_index, region, rng):
    """One row per (neuron, compartment): stems, branch points, length and shape."""
    shift = REGION_SHIFTS[region]
    n = class_index.size
    size_z = rng.standard_normal(n)
    soma = np.empty(n)
    rows = {k: [] for k in ("neuron", "type", "stems", "branch", "length",
                            "split", "terminal", "spread", "bias_y",
                            "elongation")}
    for ci, name in enumerate(CLASSES):
        idx = np.flatnonzero(class_index == ci)
        if not idx.size:
            continue
        params = CLASS_PARAMETERS[name]
        z = _correlated(size_z[idx], rng, _LOADING["soma"])
        soma[idx] = shift["soma"] * _lognormal(*params["soma"], z)
        for comp in ("basal", "apical", "axon"):
            if comp not in params:
                continue
            p = params[comp]
            zs = size_z[idx] if comp != "axon" else rng.standard_normal(idx.size)
            stems = np.ones(idx.size)
            if p["stems"][1] > 0:
                stems = _lognormal(*p["stems"], _correlated(zs, rng, _LOADING["stems"]))
            branch = _lognormal(p["branch"][0] + 1, p["branch"][1],
                                _correlated(zs, rng, _LOADING["branch"])) - 1
            length = _lognormal(*p["length"], _correlated(zs, rng, _LOADING["length"]))
            rows["neuron"].append(idx)
            rows["type"].append(np.full(idx.size, _TYPE_CODE[comp]))
            rows["stems"].append(np.maximum(1, np.rint(stems)).astype(np.int64))
            rows["branch"].append(
                np.maximum(0, np.rint(branch * shift["branch"])).astype(np.int64))
            rows["length"].append(length * shift["length"])
            for key in ("split", "terminal", "spread", "bias_y", "elongation"):
                rows[key].append(np.full(idx.size, float(p[key])))
    groups = {k: np.concatenate(v) for k, v in rows.items()}
    order = np.lexsort((groups["type"], groups["neuron"]))
    return {k: v[order] for k, v in groups.items()}, soma


def generate_batch(class_index, region, species, rng):
    """Sections and nodes of a batch of neurons (species-scaled, unrotated).

    Returns a dict of flat arrays; see :func:`build_morphologies`.
    """
    scale = SPECIES_SCALE[species]
    groups, soma = _draw_groups(class_index, region, rng)
    soma = soma * np.sqrt(scale)
    sec = grow_sections(groups["stems"], groups["branch"], groups["split"], rng)
    g = sec["group"]
    # Section lengths: lognormal weights, terminal sections longer, rescaled so
    # each compartment has exactly its drawn total length.
    w = rng.lognormal(0.0, 0.5, g.size) * np.where(sec["terminal"],
                                                   groups["terminal"][g], 1.0)
    total_w = np.bincount(g, weights=w, minlength=groups["neuron"].size)
    length = scale * groups["length"][g] * w / total_w[g]
    # Stem directions: uniform on the sphere, pulled by the compartment's bias;
    # apical dendrites point to the pia (+y).
    stem_sec = np.flatnonzero(sec["parent"] < 0)
    sg = g[stem_sec]
    d = rng.standard_normal((stem_sec.size, 3))
    d[:, 1] *= groups["elongation"][sg]
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    d[:, 1] += 2.0 * groups["bias_y"][sg]
    d[groups["type"][sg] == 4] = [0.0, 1.0, 0.0] + 0.15 * d[groups["type"][sg] == 4]
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    bias = np.zeros((groups["neuron"].size, 3))
    bias[:, 1] = groups["bias_y"]
    node_section, node_xyz, node_arc, sec_start, sec_path = lay_out_nodes(
        sec, length, d, bias, groups["spread"], rng, step=_NATIVE_STEP * scale)
    # Stems start on the soma surface.
    neuron = groups["neuron"][g]
    origin = np.zeros((g.size, 3))
    origin[stem_sec] = d * soma[neuron[stem_sec], None]
    origin = origin[sec["root"]]
    return {
        "scale": scale,
        "soma_radius": soma,
        "groups": groups,
        "sections": sec,
        "section_neuron": neuron,
        "section_type": groups["type"][g],
        "section_length": length,
        "section_start": sec_start + origin,
        "section_path": sec_path,
        "node_section": node_section,
        "node_xyz": node_xyz + origin[node_section],
        "node_arc": node_arc,
    }


def latent_morphology(batch, n_neurons):
    """Species-normalised dendritic quantities of each neuron (expression inputs)."""
    sec = batch["sections"]
    neuron = batch["section_neuron"]
    dend = np.isin(batch["section_type"], (3, 4))
    scale = batch["scale"]
    length = np.bincount(neuron[dend], weights=batch["section_length"][dend],
                         minlength=n_neurons)
    branch = np.bincount(neuron[dend & ~sec["terminal"]], minlength=n_neurons)
    stems = np.bincount(neuron[dend & (sec["parent"] < 0)], minlength=n_neurons)
    reach = batch["section_path"] + batch["section_length"]
    path = np.zeros(n_neurons)
    np.maximum.at(path, neuron[dend], reach[dend])
    return {
        "dendrite_length": length / scale,
        "n_branch_points": branch.astype(np.float64),
        "n_stems": stems.astype(np.float64),
        "max_path_distance": path / scale,
        "soma_radius": batch["soma_radius"] / np.sqrt(scale),
    }


def resample(batch, spacing):
    """Nodes every ``spacing`` µm along each section (ends kept), same sections."""
    sec = batch["sections"]
    length = batch["section_length"]
    is_stem = sec["parent"] < 0
    n_sec = length.size
    # Polyline of a section: its start point, then its nodes.
    ns = batch["node_section"]
    pts_sec = np.concatenate([np.arange(n_sec), ns])
    order = np.argsort(pts_sec, kind="stable")
    pts_sec = pts_sec[order]
    pts_xyz = np.concatenate([batch["section_start"], batch["node_xyz"]])[order]
    pts_arc = np.concatenate([np.zeros(n_sec), batch["node_arc"]])[order]
    offset = np.cumsum(length + 1.0) - (length + 1.0)
    xp = offset[pts_sec] + pts_arc
    # New samples: k * spacing for k = 1 .. ceil(L / s) - 1, then L; stems also 0.
    n_new = np.maximum(1, np.ceil(length / spacing - 1e-9).astype(np.int64))
    n_new = n_new + is_stem
    new_sec = np.repeat(np.arange(n_sec), n_new)
    first = np.cumsum(n_new) - n_new
    k = np.arange(new_sec.size) - first[new_sec] + (~is_stem)[new_sec]
    arc = np.minimum(k * spacing, length[new_sec])
    x = offset[new_sec] + arc
    xyz = np.column_stack([np.interp(x, xp, pts_xyz[:, j]) for j in range(3)])
    out = dict(batch)
    out.update(node_section=new_sec, node_xyz=xyz, node_arc=arc)
    return out


def _soma_nodes(style, radius):
    """Soma points (relative to the centre), radii and parents for one neuron."""
    if style == "point":
        return np.zeros((1, 3)), np.array([radius]), np.array([-1])
    if style == "three_point":  # NeuroMorpho.Org convention
        xyz = np.array([[0.0, 0.0, 0.0], [0.0, -radius, 0.0], [0.0, radius, 0.0]])
        return xyz, np.full(3, radius), np.array([-1, 0, 0])
    # contour: a closed ring of 16 points in the xy plane, chained.
    angle = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    xyz = radius * np.column_stack([np.cos(angle), np.sin(angle), np.zeros(16)])
    return xyz, np.zeros(16), np.arange(-1, 15)


_RADIUS = {2: (0.4, 0.25, 1e9), 3: (1.2, 0.3, 250.0), 4: (2.0, 0.4, 600.0)}


def build_morphologies(batch, n_neurons, soma_style, rotations, names):
    """One :class:`~ngep.io.Morphology` per neuron from a (resampled) batch."""
    sec = batch["sections"]
    neuron = batch["section_neuron"]
    n_sec = neuron.size
    ns = batch["node_section"]
    n_nodes = np.bincount(ns, minlength=n_sec)
    sec_first = np.cumsum(n_nodes) - n_nodes
    sec_last = sec_first + n_nodes - 1
    # Parent (global node index, -2 = the soma root) of every node.
    parent = np.arange(ns.size) - 1
    is_first = np.zeros(ns.size, dtype=bool)
    is_first[sec_first] = True
    psec = sec["parent"][ns[is_first]]
    parent[is_first] = np.where(psec >= 0, sec_last[np.maximum(psec, 0)], -2)
    # Radii taper with path distance.
    stype = batch["section_type"]
    r0, rmin, lam = (np.array([_RADIUS[t][i] for t in (2, 3, 4)])
                     for i in range(3))
    ti = np.searchsorted([2, 3, 4], stype[ns])
    path = batch["section_path"][ns] + batch["node_arc"]
    scale = batch["scale"]
    radius = scale * np.maximum(rmin[ti], r0[ti] * np.exp(-path / (scale * lam[ti])))
    # Reorder nodes so each neuron's nodes are contiguous (sections keep their
    # parents-first order within a neuron).
    sec_order = np.argsort(neuron, kind="stable")
    counts = n_nodes[sec_order]
    new_first = np.cumsum(counts) - counts
    order = np.repeat(sec_first[sec_order] - new_first, counts) + np.arange(ns.size)
    node_neuron = neuron[ns]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    per_neuron = np.bincount(node_neuron, minlength=n_neurons)
    start = np.cumsum(per_neuron) - per_neuron
    gparent = parent[order]
    local_parent = np.where(gparent >= 0, inverse[np.maximum(gparent, 0)], -2)
    own_start = start[node_neuron[order]]
    local_parent = local_parent - np.where(local_parent >= 0, own_start, 0)
    xyz_all = batch["node_xyz"][order]
    rad_all = radius[order]
    type_all = stype[ns][order]
    out = []
    for i in range(n_neurons):
        a, b = start[i], start[i] + per_neuron[i]
        s_xyz, s_rad, s_par = _soma_nodes(soma_style, batch["soma_radius"][i])
        k = s_xyz.shape[0]
        p = local_parent[a:b]
        p = np.where(p == -2, 0, p + k)
        xyz = np.concatenate([s_xyz, xyz_all[a:b]])
        if rotations is not None:
            xyz = xyz @ rotations[i].T
        out.append(Morphology(
            xyz,
            np.concatenate([s_rad, rad_all[a:b]]),
            np.concatenate([np.ones(k, dtype=np.int64), type_all[a:b]]),
            np.concatenate([s_par, p]),
            name=names[i],
        ))
    return out
