# SPDX-License-Identifier: BSD-3-Clause
"""Exit codes and user errors of the ``ngep`` command, and how errors are printed.

Every command module raises :class:`CLIError` for a user error; ``main`` turns it
(and ngep's own errors, ``OSError`` and ``ValueError``) into one line on stderr and
exit code 2. Nothing here imports a command, so commands and the dispatcher depend
on this module and never on each other.
"""

from ngep.exceptions import NgepError

__all__ = [
    "EXIT_FAILURES",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
    "is_user_error",
    "one_line",
]

EXIT_OK = 0
EXIT_FAILURES = 1  # --strict and some inputs failed
EXIT_USAGE = 2  # user error: bad input, missing file, bad option
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class CLIError(NgepError, ValueError):
    """A user error: printed as one line on stderr, exit code 2."""


def is_user_error(exc):
    """Whether ``exc`` is the user's to fix (one line) rather than a bug (traceback)."""
    return isinstance(exc, (CLIError, NgepError, OSError, ValueError, KeyError))


def one_line(exc):
    """The first line of the error's message, naming the file of an ``OSError``."""
    text = str(exc).strip().splitlines()
    msg = text[0] if text else type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in msg:
        msg = f"{msg}: {exc.filename}"
    return msg
