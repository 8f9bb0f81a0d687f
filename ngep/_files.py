# SPDX-License-Identifier: BSD-3-Clause
"""The one way ngep writes a file: atomically, through a temporary file.

Every writer of ngep (SWC files, saved models, the feature cache, downloads,
the command line's tables) goes through :func:`atomic_write`, so a crash, an
error or a full disk never leaves a truncated file under the final name.
"""

import contextlib
import os
import tempfile

__all__ = ["atomic_write"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path, mode="wb", *, encoding=None, newline=None, fsync=False,
                 check=None):
    """Open a temporary file next to ``path``; move it into place on success.

    The temporary file is created in the target's folder (so the final
    ``os.replace`` is atomic on POSIX and Windows), with the permissions a
    plain ``open`` would give, and removed when the block raises.

    Parameters
    ----------
    path : str or path-like
        Final file name. Its folder is created when missing.
    mode : {"wb", "w"}, default="wb"
        Binary or text mode.
    encoding, newline : str or None, default=None
        As for :func:`open`, in text mode.
    fsync : bool, default=False
        Flush the file to disk before the rename (for files that must survive a
        power cut: saved models).
    check : callable or None, default=None
        Called with the temporary file's path once it is written and closed;
        an exception it raises cancels the write (the temporary file is removed
        and the exception propagates).

    Yields
    ------
    file object
        The open temporary file.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_write(target, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("done\\n")
    >>> open(target).read()
    'done\\n'
    >>> sorted(os.listdir(os.path.dirname(target)))  # no temporary file left
    ['out.txt']
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if check is not None:
            check(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp gives 0600; open() would not
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
