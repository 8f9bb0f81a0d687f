# SPDX-License-Identifier: BSD-3-Clause
"""The exceptions and warnings ngep raises.

Every error is a subclass of :class:`NgepError`; concrete errors also inherit
the builtin exception that callers already catch (``ValueError``, ``OSError``),
so ``except ValueError`` keeps working.
"""

__all__ = [
    "DownloadError",
    "FeatureExtractionWarning",
    "FragmentWarning",
    "MissingDependencyError",
    "ModelFileError",
    "ModelVersionWarning",
    "MorphologyFormatError",
    "MorphologyWarning",
    "NgepError",
    "NgepWarning",
    "SWCFormatError",
    "SWCWarning",
    "UnknownModelError",
]


class NgepError(Exception):
    """Base class of every error raised by ngep."""


class MorphologyFormatError(NgepError, ValueError):
    """A morphology file (SWC, Neurolucida ``.asc``, HDF5 ``.h5``) is malformed.

    The message names the file, the line (where one is to blame and the format
    has lines), the problem and how to fix it. The same details are available
    as attributes. Errors in SWC files are the subclass :class:`SWCFormatError`.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str or None, default=None
        The file, when reading from a file.
    line : int or None, default=None
        1-based line number in the file, when one line is to blame.

    Examples
    --------
    >>> err = MorphologyFormatError("a soma is already defined", path="a.asc", line=9)
    >>> str(err)
    'a.asc, line 9: a soma is already defined'
    >>> isinstance(err, ValueError)
    True
    """

    _unnamed = "<morphology>"

    def __init__(self, message, path=None, line=None):
        self.problem = message
        self.path = None if path is None else str(path)
        self.line = line
        where = self.path if self.path is not None else self._unnamed
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return (type(self), (self.problem, self.path, self.line))


class SWCFormatError(MorphologyFormatError):
    """An SWC file is malformed.

    The message names the file, the line (where one is to blame), the problem and
    how to fix it. The same details are available as attributes.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str or None, default=None
        The file, when reading from a file.
    line : int or None, default=None
        1-based line number in the file, when one line is to blame.

    Examples
    --------
    >>> err = SWCFormatError("parent 40 not found", path="a.swc", line=12)
    >>> str(err)
    'a.swc, line 12: parent 40 not found'
    >>> isinstance(err, ValueError)
    True
    """

    _unnamed = "<swc>"


class MissingDependencyError(NgepError, ImportError):
    """An optional dependency is needed and not installed.

    The message names the package and the extra that installs it, e.g.
    ``pip install "ngep[formats]"``.
    """


class ModelFileError(NgepError, ValueError):
    """A saved model file is corrupted, truncated, of the wrong type or unreadable."""


class UnknownModelError(NgepError, ValueError):
    """No shipped pretrained model has this name.

    The message lists the shipped models and the closest names
    ("did you mean ...?"); :func:`ngep.pretrained.list_pretrained` lists them.
    """


class DownloadError(NgepError, OSError):
    """A file or query could not be downloaded, or what came back is unusable.

    Raised after every retry failed. The message names the URL, what went wrong
    and what to try.

    Parameters
    ----------
    message : str
        What went wrong and what to try.
    status : int or None, default=None
        The HTTP status of the last answer; ``None`` when no answer came
        (connection refused, dropped or timed out) or the content was invalid.
    """

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status

    def __reduce__(self):
        return (type(self), (str(self), self.status))


class NgepWarning(UserWarning):
    """Base class of every warning issued by ngep."""


class MorphologyWarning(NgepWarning):
    """A morphology file was read, but something in it was odd, dropped or repaired.

    MorphIO's own warnings about ``.asc`` and ``.h5`` files arrive as this class.
    """


class SWCWarning(MorphologyWarning):
    """An SWC file was read, but something in it was dropped or repaired."""


class FragmentWarning(SWCWarning):
    """Nodes not connected to the soma's tree were dropped while reading."""


class FeatureExtractionWarning(NgepWarning):
    """A file could not be featurised and gave a row of NaN (``errors="warn"``)."""


class ModelVersionWarning(NgepWarning):
    """A model was saved with other versions of ngep or its dependencies."""
