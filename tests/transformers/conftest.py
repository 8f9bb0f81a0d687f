# SPDX-License-Identifier: BSD-3-Clause
"""Generated neurons written to ``tmp_path``: the core suite needs no ../shared."""

import numpy as np
import pytest

from ngep.io import Morphology, write_swc


def random_neuron(seed, n_stems=4, n_sections=12, name=None):
    """A random soma + dendrite tree (types 3 and 4), µm scale, a few hundred nodes."""
    rng = np.random.default_rng(seed)
    xyz, radius, types, parent = [[0.0, 0.0, 0.0]], [8.0], [1], [-1]
    open_ends = []
    for s in range(n_stems):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        xyz.append((8 * d).tolist())
        radius.append(1.5)
        types.append(4 if s == 0 else 3)
        parent.append(0)
        open_ends.append((len(xyz) - 1, d, types[-1]))
    for _ in range(n_sections):
        idx = rng.integers(len(open_ends))
        node, d, t = open_ends.pop(idx)
        for _child in range(2):
            direction = d + 0.6 * rng.normal(size=3)
            direction /= np.linalg.norm(direction)
            prev = node
            for _step in range(rng.integers(2, 6)):
                step = direction + 0.2 * rng.normal(size=3)
                xyz.append((np.asarray(xyz[prev]) + rng.uniform(4, 12) * step).tolist())
                radius.append(max(0.2, radius[prev] * 0.95))
                types.append(t)
                parent.append(prev)
                prev = len(xyz) - 1
            open_ends.append((prev, direction, t))
    return Morphology(xyz, radius, types, parent, name=name)


@pytest.fixture
def swc_paths(tmp_path):
    """Six generated SWC files (as str paths)."""
    paths = []
    for seed in range(6):
        path = tmp_path / f"cell{seed}.swc"
        write_swc(random_neuron(seed), path)
        paths.append(str(path))
    return paths


@pytest.fixture
def make_neuron():
    """The generator ``random_neuron(seed, n_stems=4, n_sections=12)``."""
    return random_neuron
