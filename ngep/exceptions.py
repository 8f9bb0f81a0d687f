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
    "ModelFileError",
    "ModelVersionWarning",
    "NgepError",
    "NgepWarning",
    "SWCFormatError",
    "SWCWarning",
    "UnknownModelError",
]


class NgepError(Exception):
    """Base class of every error raised by ngep."""


class SWCFormatError(NgepError, ValueError):
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

    def __init__(self, message, path=None, line=None):
        self.problem = message
        self.path = None if path is None else str(path)
        self.line = line
        where = self.path if self.path is not None else "<swc>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return (type(self), (self.problem, self.path, self.line))


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


class SWCWarning(NgepWarning):
    """An SWC file was read, but something in it was dropped or repaired."""


class FragmentWarning(SWCWarning):
    """Nodes not connected to the soma's tree were dropped while reading."""


class FeatureExtractionWarning(NgepWarning):
    """A file could not be featurised and gave a row of NaN (``errors="warn"``)."""


class ModelVersionWarning(NgepWarning):
    """A model was saved with other versions of ngep or its dependencies."""
