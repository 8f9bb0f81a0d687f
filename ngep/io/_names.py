# SPDX-License-Identifier: BSD-3-Clause
"""The one rule for naming a neuron after its SWC file."""

import os

__all__ = ["is_swc_name", "swc_stem"]

_GZ, _SWC = ".gz", ".swc"


def swc_stem(path):
    """A neuron's name from its file: the file name less ``.swc`` and ``.gz``.

    Only those two suffixes go (in any case, ``.gz`` first); other dots are part
    of the name, so NeuroMorpho.Org's ``cell.CNG.swc`` is ``cell.CNG`` and
    ``cell.v2.swc`` is ``cell.v2``. ``read_swc`` names morphologies with it,
    a per-file ``frame`` dict of ``MorphologyExtractor`` is keyed by it, and
    the command line matches target-table ids with it.

    Parameters
    ----------
    path : str or path-like
        File path or name.

    Returns
    -------
    str
        The stem.

    Examples
    --------
    >>> [swc_stem(p) for p in ["a/cell.v2.swc", "b.CNG.swc", "c.SWC.gz", "d.txt"]]
    ['cell.v2', 'b.CNG', 'c', 'd.txt']
    """
    name = os.path.basename(os.fspath(path))
    for suffix in (_GZ, _SWC):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def is_swc_name(path):
    """Whether ``path`` (str or path-like) names a ``.swc`` or ``.swc.gz`` file.

    The suffixes :func:`swc_stem` removes, in any case.

    Examples
    --------
    >>> [is_swc_name(p) for p in ["a.swc", "a.SWC.gz", "a.gz", "a.txt"]]
    [True, True, False, False]
    """
    name = os.path.basename(os.fspath(path)).lower()
    return name.endswith(_SWC) or name.endswith(_SWC + _GZ)
