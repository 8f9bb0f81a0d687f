# SPDX-License-Identifier: BSD-3-Clause
"""One entry point for every morphology format: :func:`read_morphology`."""

import os

from ngep.io._formats import morphology_format, morphology_stem
from ngep.io._swc import read_swc

__all__ = ["read_morphology"]


def read_morphology(path, *, on_fragments="warn"):
    """Read a neuron from an SWC, Neurolucida or HDF5 file into a :class:`Morphology`.

    The format is chosen by the file name (case-insensitive):

    * ``.asc`` (Neurolucida) and ``.h5`` (HDF5, version 1) are read by MorphIO,
      an optional dependency (``pip install "ngep[formats]"``), and converted to
      the tree the same neuron gives as SWC: see the "File formats" page of the
      user guide for what is kept, what is dropped and how somata map;
    * any other name (``.swc``, ``.swc.gz``, ...) is read by ngep's own SWC
      reader, :func:`read_swc`, exactly as before.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    on_fragments : {"warn", "ignore", "raise"}, default="warn"
        What to do with parts not connected to the soma's tree, as in
        :func:`read_swc`. In ``.asc`` and ``.h5`` files every neurite belongs
        to the soma; only a file without a soma can have such parts.

    Returns
    -------
    Morphology
        Named after the file without its suffix (``cell.v2.h5`` -> ``cell.v2``).

    Raises
    ------
    MorphologyFormatError
        The file is malformed (:class:`~ngep.exceptions.SWCFormatError`, a
        subclass, for SWC files). MorphIO's errors arrive as this class, with
        the line number when MorphIO gives one.
    MissingDependencyError
        An ``.asc`` or ``.h5`` file and MorphIO is not installed.
    FileNotFoundError, PermissionError
        The file cannot be opened.

    Warns
    -----
    MorphologyWarning
        MorphIO's warnings about the file, and sections that do not start at
        their parent's last point.
    FragmentWarning
        Parts not connected to the soma's tree were dropped.

    See Also
    --------
    read_swc : The SWC reader, with every SWC policy.
    ngep.io.MORPHOLOGY_SUFFIXES : The file names a folder is scanned for.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ngep.io import Morphology, write_swc
    >>> m = Morphology([[0, 0, 0], [0, 5, 0]], [3, 1], [1, 3], [-1, 0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_swc(m, pathlib.Path(tmp, "cell.v2.swc"))
    ...     read_morphology(pathlib.Path(tmp, "cell.v2.swc"))
    <Morphology 'cell.v2': 2 nodes, soma>
    """
    if on_fragments not in ("warn", "ignore", "raise"):
        raise ValueError(
            f"on_fragments must be 'warn', 'ignore' or 'raise', got {on_fragments!r}."
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            "read_morphology expects a path (str or os.PathLike), got "
            f"{type(path).__name__}."
        )
    path = os.fspath(path)
    fmt = morphology_format(path)
    if fmt in (None, "swc"):
        morphology = read_swc(path, on_fragments=on_fragments)
        morphology.name = morphology_stem(path)
        return morphology
    with open(path, "rb"):  # FileNotFoundError / PermissionError, as for SWC
        pass
    from ngep.io._morphio import read_morphio  # MorphIO is imported on first use

    return read_morphio(
        path, fmt, name=morphology_stem(path), on_fragments=on_fragments
    )
