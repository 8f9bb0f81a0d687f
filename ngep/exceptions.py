# SPDX-License-Identifier: BSD-3-Clause
"""The exceptions and warnings ngep raises.

Every error is a subclass of :class:`NgepError`; concrete errors also inherit
the builtin exception that callers already catch (``ValueError``, ``TypeError``,
``OSError``), so ``except ValueError`` keeps working, as skorch's
``NotInitializedError(SkorchException, NotFittedError)`` does::

    NgepError
    ├── InvalidInputError (ValueError)    data that cannot be used as given
    │   ├── MorphologyFormatError         a malformed morphology file
    │   │   └── SWCFormatError            a malformed SWC file
    │   └── ComparisonError               groups that cannot be compared as asked
    ├── InvalidTypeError (TypeError)      an argument of a type ngep cannot use
    ├── ConfigurationError (ValueError)   parameter values that do not fit together
    │   └── UnknownNameError              a feature, compartment, frame... name
    │       └── UnknownModelError         a pretrained model name
    ├── MissingDependencyError (ImportError)  an optional package is not installed
    ├── ModelFileError (ValueError)       an unreadable saved model
    └── DownloadError (OSError)           a download that failed after retries

Invalid constructor parameters are reported by scikit-learn's parameter
validation (``InvalidParameterError``, a ``ValueError`` and ``TypeError``), so
the messages read as in every scikit-learn estimator.
"""

import difflib

__all__ = [
    "ComparisonError",
    "ConfigurationError",
    "DownloadError",
    "FeatureExtractionWarning",
    "FragmentWarning",
    "InvalidInputError",
    "InvalidTypeError",
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
    "UnknownNameError",
]


class NgepError(Exception):
    """Base class of every error raised by ngep."""


class InvalidInputError(NgepError, ValueError):
    """Data passed to ngep cannot be used as given.

    ``X``, ``y``, groups, a table or a morphology's arrays; the message says
    what is wrong and how to fix it.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> try:
    ...     Morphology([[0, 0, 0]], [-1.0], [1], [-1])
    ... except ValueError as err:  # also an NgepError
    ...     print(type(err).__name__)
    InvalidInputError
    """


class InvalidTypeError(NgepError, TypeError):
    """An argument is of a type ngep cannot use.

    For instance a single path where a list of paths is expected.
    """


class ConfigurationError(NgepError, ValueError):
    """Parameter values that do not fit together, or do not fit the data.

    Checked in ``fit`` or when a function is called, beyond what scikit-learn's
    parameter constraints express.
    """


class UnknownNameError(ConfigurationError):
    """A name (feature, compartment, frame, gene, column, step) is not known.

    The message lists the accepted names or suggests the closest ones
    ("did you mean ...?"). :meth:`among` is ngep's one way to build it.

    Parameters
    ----------
    message : str
        What is unknown and what to use instead.
    name : str or None, default=None
        The unknown name.
    suggestions : sequence of str, default=()
        The closest known names, best first.

    Examples
    --------
    >>> err = UnknownNameError.among("feature", "total_lenght",
    ...                              ["total_length", "n_tips"])
    >>> str(err)
    "Unknown feature 'total_lenght'. Did you mean 'total_length'?"
    >>> err.suggestions
    ('total_length',)
    """

    def __init__(self, message, name=None, suggestions=()):
        super().__init__(message)
        self.name = name
        self.suggestions = tuple(suggestions)

    def __reduce__(self):
        return (type(self), (str(self), self.name, self.suggestions))

    @classmethod
    def among(cls, kind, name, known, *, see=None, n=3, list_all=False):
        """The error for ``name`` not being one of ``known``, with suggestions.

        Parameters
        ----------
        kind : str
            What the name names, for the message (``"feature"``).
        name : object
            The unknown name.
        known : iterable of str
            The accepted names.
        see : str or None, default=None
            Where to look them up, appended as ``"See <see>."``.
        n : int, default=3
            At most this many suggestions ("did you mean 'a' or 'b'?").
        list_all : bool, default=False
            List every accepted name instead of suggesting (for short lists).

        Returns
        -------
        UnknownNameError
            The error, to raise.
        """
        known = list(known)
        close = difflib.get_close_matches(str(name), sorted(set(known)), n=n)
        message = f"Unknown {kind} {name!r}"
        if list_all:
            message += f"; use one of {known}."
        elif close:
            message += f". Did you mean {' or '.join(map(repr, close))}?"
        else:
            message += "."
        if see:
            message += f" See {see}."
        return cls(message, name=name, suggestions=close)


class MorphologyFormatError(InvalidInputError):
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

    Parameters and attributes as for :class:`MorphologyFormatError`; a message
    without a file starts with ``<swc>``.

    Examples
    --------
    >>> err = SWCFormatError("parent 40 not found", path="a.swc", line=12)
    >>> print(err, isinstance(err, MorphologyFormatError), sep="; ")
    a.swc, line 12: parent 40 not found; True
    """

    _unnamed = "<swc>"


class MissingDependencyError(NgepError, ImportError):
    """An optional dependency is needed and not installed.

    The message names the package and the extra that installs it, e.g.
    ``pip install "ngep[formats]"``.
    """


class ComparisonError(InvalidInputError):
    """Groups of neurons cannot be compared as asked.

    A group has fewer than 3 neurons, a column is unknown or not numeric, or
    donors are shared between the groups compared; the message says which and
    how to fix it.
    """


class ModelFileError(NgepError, ValueError):
    """A saved model file is corrupted, truncated, of the wrong type or unreadable."""


class UnknownModelError(UnknownNameError):
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
