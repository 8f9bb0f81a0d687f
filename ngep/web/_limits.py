# SPDX-License-Identifier: BSD-3-Clause
"""The web app's limits on uploads and work, with their documented defaults."""

import os
from dataclasses import dataclass

from ngep.exceptions import ConfigurationError

__all__ = ["Limits", "format_bytes"]

_MiB = 1024 * 1024


def format_bytes(n):
    """``26214400`` -> ``'25 MiB'``; sizes under 1 MiB in KiB.

    Examples
    --------
    >>> format_bytes(25 * 1024 * 1024), format_bytes(1536)
    ('25 MiB', '1.5 KiB')
    """
    if n >= _MiB:
        return f"{n / _MiB:g} MiB"
    return f"{n / 1024:g} KiB"


@dataclass(frozen=True)
class Limits:
    """Size and concurrency limits of the ``ngep serve`` web app.

    A request over ``max_request_bytes``, with a file over ``max_file_bytes`` or
    with more than ``max_files`` files is answered with HTTP 413 and a message
    naming the limit; reading stops at the first byte past it. A gzip file may
    unpack to at most ``unpack_ratio`` times ``max_file_bytes`` (a "zip bomb"
    gives that file an error entry, not a crash).

    Parameters
    ----------
    max_file_bytes : int, default=25 MiB
        Largest uploaded file, as sent (compressed or not).
    max_request_bytes : int, default=100 MiB
        Largest request body (all files together, with multipart overhead).
    max_files : int, default=500
        Most files in one request.
    workers : int or None, default=None
        Most neurons featurised and predicted at once, in worker threads, so
        the event loop keeps answering; None uses ``min(4, os.cpu_count())``.
    unpack_ratio : int, default=8
        A ``.gz`` upload may unpack to this many times ``max_file_bytes``.

    Examples
    --------
    >>> Limits(max_file_bytes=1024).max_unpacked_bytes
    8192
    """

    max_file_bytes: int = 25 * _MiB
    max_request_bytes: int = 100 * _MiB
    max_files: int = 500
    workers: int | None = None
    unpack_ratio: int = 8

    def __post_init__(self):
        for name in (
            "max_file_bytes",
            "max_request_bytes",
            "max_files",
            "unpack_ratio",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"Limits.{name} must be a positive int, got {value!r}."
                )
        if self.workers is not None and (
            isinstance(self.workers, bool)
            or not isinstance(self.workers, int)
            or self.workers < 1
        ):
            raise ConfigurationError(
                f"Limits.workers must be a positive int or None, got {self.workers!r}."
            )

    @property
    def max_unpacked_bytes(self):
        """Largest size a compressed upload may unpack to."""
        return self.max_file_bytes * self.unpack_ratio

    @property
    def n_workers(self):
        """``workers``, or ``min(4, os.cpu_count())`` when None."""
        return self.workers or min(4, os.cpu_count() or 1)
