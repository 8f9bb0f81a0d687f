# SPDX-License-Identifier: BSD-3-Clause
"""Saving and loading fitted models: trusted joblib files and pickle-free files.

:func:`save` writes a zip container holding metadata (library versions,
feature names, targets, training size, UTC date), a SHA-256 of the payload and
either a joblib pickle (``format="joblib"``) or JSON + NumPy arrays
(``format="portable"``). :func:`load` checks all of it before returning the
model. Only load joblib files you trust; portable files are never unpickled.
"""

from ngep.persistence._container import FORMAT_VERSION, load, read_metadata, save
from ngep.persistence._portable import portable_classes, register_portable

__all__ = [
    "FORMAT_VERSION",
    "load",
    "portable_classes",
    "read_metadata",
    "register_portable",
    "save",
]
