# SPDX-License-Identifier: BSD-3-Clause
"""Polite, retrying HTTP downloads into a checksummed, resumable file cache.

Standard library only. Three pieces:

* :class:`_Client` sends GET requests with a minimum interval between them
  (rate limit) and retries connection errors, dropped connections, HTTP 429 and
  5xx answers with exponential backoff, honouring ``Retry-After``.
* :class:`_CacheIndex` is a JSON file recording the URL, size and sha256 of every
  cached file; a file whose checksum does not match its record is not trusted.
* :func:`_fetch_file` returns a cached file or downloads it to a temporary file,
  validates it (for SWC: parses it with :func:`ngep.io.read_swc`), and moves it
  into place atomically, so an interrupted run never leaves a partial file and
  the next run continues where it stopped.
"""

import email.utils
import hashlib
import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.request
import warnings
from datetime import datetime, timezone
from pathlib import Path

from ngep._files import atomic_write
from ngep._version import __version__
from ngep.exceptions import DownloadError, NgepWarning

__all__ = ["DownloadError", "get_data_home"]

logger = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_DELAY = 120.0  # never sleep longer than this between attempts, in seconds
_USER_AGENT = f"ngep/{__version__} (Python urllib; neuron morphology research)"


def get_data_home(data_home=None):
    """Return the folder where ngep caches downloaded data, creating it if needed.

    The folder is, in order of precedence: ``data_home`` when given, the
    ``NGEP_DATA`` environment variable when set, else ``~/ngep_data``. ``~`` is
    expanded.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder to use instead of the default.

    Returns
    -------
    pathlib.Path
        The (existing) cache folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ngep.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     home = get_data_home(pathlib.Path(tmp, "cache"))
    ...     print(home.name, home.is_dir())
    cache True
    """
    if data_home is None:
        data_home = os.environ.get("NGEP_DATA", Path("~", "ngep_data"))
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _retry_after(headers):
    """Seconds asked for by a ``Retry-After`` header (number or HTTP date), or None."""
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _Client:
    """GET with a rate limit and retries.

    Parameters
    ----------
    rate_limit : float
        Minimum number of seconds between the starts of two requests.
    retries : int
        Extra attempts after the first one fails with a retryable error.
    timeout : float
        Socket timeout of one request, in seconds.
    backoff : float
        Delay before the first retry; it doubles on each further retry (capped
        at two minutes). A ``Retry-After`` header overrides it.
    """

    def __init__(self, *, rate_limit, retries, timeout, backoff):
        self.rate_limit = rate_limit
        self.retries = retries
        self.timeout = timeout
        self.backoff = backoff
        self.n_requests = 0
        self._last = None

    def _wait_turn(self):
        if self._last is not None and self.rate_limit > 0:
            remaining = self._last + self.rate_limit - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self._last = time.monotonic()

    def get(self, url):
        """Return the body of ``url``; raise :class:`DownloadError` if all fail."""
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.n_requests += 1
            delay = self.backoff * 2**attempt
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRY_STATUS:
                    raise DownloadError(
                        f"{url}: HTTP {exc.code} {exc.reason}; the resource does not "
                        "exist or is not public (check the query or file name)",
                        status=exc.code,
                    ) from exc
                problem, status = f"HTTP {exc.code} {exc.reason}", exc.code
                asked = _retry_after(exc.headers)
                delay = delay if asked is None else asked
                error = exc
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                # refused/reset/dropped connections, truncated bodies, timeouts
                problem = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
                status = None
                error = exc
            if attempt == self.retries:
                break
            delay = min(delay, _MAX_DELAY)
            logger.info("%s: %s; retrying in %.1f s", url, problem, delay)
            time.sleep(delay)
        raise DownloadError(
            f"{url}: {problem} after {self.retries + 1} attempt(s); the service may "
            "be down or rate-limiting: try again later, or raise `retries`/`timeout`",
            status=status,
        ) from error

    def get_json(self, url):
        """Return the decoded JSON body of ``url``."""
        body = self.get(url)
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DownloadError(
                f"{url}: the answer is not JSON ({exc}); the service may be down or "
                "its API may have changed"
            ) from exc


def _get_json_cached(client, url, base_url, folder):
    """GET JSON, keeping the answer; fall back to the kept one if unreachable.

    Metadata queries are always sent, so results follow the service; but when
    it cannot be reached (no answer, 429 or 5xx after every retry) the answer
    kept from the last successful identical query is used, with a warning, so
    a cached dataset still loads offline.
    """
    key = hashlib.sha256(url[len(base_url) :].encode("utf-8")).hexdigest()[:32]
    path = Path(folder) / "queries" / f"{key}.json"
    try:
        data = client.get_json(url)
    except DownloadError as exc:
        if not (path.is_file() and exc.status in (None, *_RETRY_STATUS)):
            raise
        when = datetime.fromtimestamp(path.stat().st_mtime).isoformat(" ", "minutes")
        warnings.warn(
            f"{exc}. Using the metadata kept from the same query on {when} "
            f"({path}); they may be out of date.",
            NgepWarning,
            stacklevel=5,  # user -> validate_params -> fetch_* -> listing -> here
        )
        return json.loads(path.read_text("utf-8"))
    _atomic_write_bytes(path, json.dumps(data).encode("utf-8"))
    return data


def _atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    with atomic_write(path) as fh:
        fh.write(data)


class _CacheIndex:
    """``index.json`` in a cache folder: relative path -> url, bytes, sha256."""

    #: seconds between index writes while downloading; a file downloaded but
    #: not yet recorded when a run is killed is simply downloaded again
    flush_interval = 2.0

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / "index.json"
        self.entries = {}
        self._dirty = False
        self._written = time.monotonic()
        if self.path.exists():
            try:
                self.entries = dict(json.loads(self.path.read_text("utf-8")))
            except (ValueError, TypeError, UnicodeDecodeError):
                logger.warning("%s is unreadable; re-checking every file", self.path)

    def _key(self, path):
        return Path(path).relative_to(self.folder).as_posix()

    def is_valid(self, path):
        """True if ``path`` exists and its sha256 matches the recorded one."""
        entry = self.entries.get(self._key(path))
        if entry is None or not Path(path).is_file():
            return False
        return _sha256(path) == entry.get("sha256")

    def record(self, path, url, data):
        """Index a file just written with ``data`` (hashed in memory, not re-read)."""
        self.entries[self._key(path)] = {
            "url": url,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        self._dirty = True
        if time.monotonic() - self._written >= self.flush_interval:
            self.flush()

    def flush(self):
        """Write the index (atomically) if anything changed since the last write."""
        if self._dirty:
            text = json.dumps(self.entries, indent=1, sort_keys=True)
            _atomic_write_bytes(self.path, text.encode("utf-8"))
            self._dirty = False
        self._written = time.monotonic()


def _fetch_file(client, index, url, path, validate):
    """Return ``(path, downloaded)``, downloading ``url`` unless validly cached.

    Each download is written to a temporary file, passed to ``validate(tmp)``
    (which raises on bad content), then moved into place and recorded in the
    index. A download that fails validation is tried again, up to
    ``client.retries`` more times; then :class:`DownloadError` is raised and
    nothing is kept.
    """
    path = Path(path)
    if index.is_valid(path):
        return path, False
    for attempt in range(client.retries + 1):
        data = client.get(url)
        try:
            with atomic_write(path, check=validate) as fh:
                fh.write(data)
        except (ValueError, OSError) as exc:  # SWCFormatError is a ValueError
            problem = exc
            logger.info("%s: invalid download (%s), attempt %d", url, exc, attempt + 1)
            continue
        index.record(path, url, data)
        return path, True
    raise DownloadError(
        f"{url}: downloaded {client.retries + 1} time(s) but the content is invalid "
        f"({problem}); the file is corrupt at the source or the transfer is broken"
    ) from problem


def _validate_swc(path):
    from ngep.io import read_swc  # datasets sits above io

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # repairs are the reader's business later
        read_swc(path, on_fragments="ignore")


def _download_all(client, index, jobs, *, errors, progress, desc):
    """Fetch SWC ``(url, path)`` jobs; return kept positions, paths and failures.

    ``errors="raise"`` re-raises the first :class:`DownloadError`; ``"warn"``
    collects failures as ``{"url", "error"}`` dicts and warns once.
    """
    from tqdm.auto import tqdm

    kept, paths, failed, n_new = [], [], [], 0
    try:
        for i, (url, path) in enumerate(tqdm(jobs, desc=desc, disable=not progress)):
            try:
                path, new = _fetch_file(client, index, url, path, _validate_swc)
            except DownloadError as exc:
                if errors == "raise":
                    raise
                failed.append({"url": url, "error": str(exc)})
                continue
            kept.append(i)
            paths.append(str(path))
            n_new += new
    finally:  # also on errors and Ctrl-C: what was downloaded stays usable
        index.flush()
    logger.info(
        "%s: %d downloaded, %d from cache, %d failed",
        desc,
        n_new,
        len(paths) - n_new,
        len(failed),
    )
    if failed:
        warnings.warn(
            f"{len(failed)} of {len(jobs)} {desc} file(s) could not be downloaded "
            "or are not valid SWC and were left out (see the `failed` table of the "
            f"result); first: {failed[0]['error']}",
            NgepWarning,
            stacklevel=4,  # user -> validate_params wrapper -> fetch_* -> here
        )
    return kept, paths, failed


def _safe_name(text):
    """A file-name-safe version of ``text`` (no separators or odd characters)."""
    keep = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in str(text))
    return keep.lstrip(".") or "_"
