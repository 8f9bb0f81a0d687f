# SPDX-License-Identifier: BSD-3-Clause
"""Fetchers for public neuron reconstructions: NeuroMorpho.org and Allen Cell Types.

Both query the service's metadata API page by page, then download each SWC file
into a local cache (see :mod:`ngep.datasets._http`): cached files whose sha256
matches the cache index are not downloaded again, every download is validated by
parsing it with :func:`ngep.io.read_swc`, and requests are rate-limited and
retried. Run ``python -m ngep.datasets._fetchers --live-check`` to check both
fetchers against the live services (needs a network; downloads 2 cells each).
"""

import importlib.resources
import os
from numbers import Integral, Real
from urllib.parse import quote, urlencode

import pandas as pd
from sklearn.utils import Bunch

from ngep._compat import Interval, StrOptions, validate_params
from ngep.datasets._http import (
    DownloadError,
    _CacheIndex,
    _Client,
    _download_all,
    _get_json_cached,
    _safe_name,
    get_data_home,
)

__all__ = ["fetch_allen_cell_types", "fetch_neuromorpho"]


_MAX_PAGES = 100_000  # hard bound on any paging loop
_NEUROMORPHO_COLUMNS = (
    "neuron_id", "neuron_name", "archive", "species", "brain_region", "cell_type",
    "physical_Integrity",
)
_ALLEN_COLUMNS = (
    "specimen__id", "line_name", "cell_reporter_status", "structure__acronym",
    "structure__layer", "tag__dendrite_type", "nr__reconstruction_type",
    "nrwkf__id", "donor__species",
)
_COMMON = {
    "cache_dir": [str, os.PathLike, None],
    "rate_limit": [Interval(Real, 0, None, closed="left")],
    "retries": [Interval(Integral, 0, None, closed="left")],
    "timeout": [Interval(Real, 0, None, closed="neither")],
    "backoff": [Interval(Real, 0, None, closed="left")],
    "errors": [StrOptions({"raise", "warn"})],
    "progress": ["boolean"],
    "max_neurons": [Interval(Integral, 1, None, closed="left"), None],
    "page_size": [Interval(Integral, 1, None, closed="left")],
}


def _descr(name):
    return importlib.resources.files("ngep.datasets").joinpath(
        "descr", name
    ).read_text(encoding="utf-8")


def _bunch(table, kept, paths, urls, failed, descr):
    failed = pd.DataFrame(failed, columns=["url", "error"])
    meta = table.iloc[kept].reset_index(drop=True)
    meta["url"] = [urls[i] for i in kept]
    meta["path"] = paths
    return Bunch(paths=paths, metadata=meta, failed=failed, DESCR=descr)


# ---------------------------------------------------------------------------
# NeuroMorpho.org
# ---------------------------------------------------------------------------
def _solr_term(field, value):
    value = str(value).replace("\\", "\\\\").replace('"', '\\"')
    if any(c in value for c in ' :"()'):
        return f'{field}:"{value}"'
    return f"{field}:{value}"


def _neuromorpho_listing(client, base_url, folder, filters, max_neurons,
                         page_size):
    terms = [_solr_term(k, v) for k, v in filters.items() if v is not None]
    size = min(page_size, 500, max_neurons or 500)
    rows, page, n_pages = [], 0, 1
    while page < min(n_pages, _MAX_PAGES):
        params = [("page", page), ("size", size)]
        if terms:
            params = [("q", terms[0])] + [("fq", t) for t in terms[1:]] + params
            url = f"{base_url}/api/neuron/select?{urlencode(params, quote_via=quote)}"
        else:
            url = f"{base_url}/api/neuron?{urlencode(params, quote_via=quote)}"
        data = _get_json_cached(client, url, base_url, folder)
        if "page" not in data:
            raise DownloadError(f"{url}: unexpected answer (no 'page'); has the "
                                "NeuroMorpho.org API changed?")
        n_pages = int(data["page"].get("totalPages", 0))
        rows += data.get("_embedded", {}).get("neuronResources", [])
        if max_neurons is not None and len(rows) >= max_neurons:
            break
        page += 1
    rows = rows[:max_neurons] if max_neurons is not None else rows
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "_links"} for r in rows])
    for column in _NEUROMORPHO_COLUMNS:
        if column not in table:
            table[column] = None
    return table


@validate_params(
    {
        "species": [str, None],
        "brain_region": [str, None],
        "cell_type": [str, None],
        "base_url": [str],
        **_COMMON,
    },
    prefer_skip_nested_validation=True,
)
def fetch_neuromorpho(
    species=None,
    brain_region=None,
    cell_type=None,
    max_neurons=100,
    cache_dir=None,
    *,
    base_url="https://neuromorpho.org",
    page_size=500,
    rate_limit=0.5,
    retries=4,
    timeout=60.0,
    backoff=1.0,
    errors="warn",
    progress=False,
):
    """Download standardised reconstructions and metadata from NeuroMorpho.org.

    Queries NeuroMorpho.org's REST API (``/api/neuron/select``, Solr syntax)
    page by page, then downloads each neuron's standardised SWC file
    (``CNG version``) into ``cache_dir/neuromorpho/<archive>/``. Files already
    in the cache with a matching sha256 are not downloaded again, so an
    interrupted call resumes where it stopped. Each download is checked by
    parsing it with :func:`ngep.io.read_swc`; a corrupt one is downloaded again
    and, if it stays corrupt, reported (never kept).

    Read more in the :ref:`User Guide <fetching>`. The data are CC-BY: cite
    NeuroMorpho.org and the original publication of each neuron (``DESCR``).

    Parameters
    ----------
    species, brain_region, cell_type : str, default=None
        Filters on these NeuroMorpho.org fields, combined with AND, e.g.
        ``species="mouse", brain_region="neocortex", cell_type="pyramidal"``.
        ``None`` means no filter on that field.
    max_neurons : int or None, default=100
        At most this many neurons (the first ones the API lists); ``None``
        fetches all matches.
    cache_dir : str or path-like, default=None
        Cache folder; default :func:`get_data_home` (``$NGEP_DATA`` or
        ``~/ngep_data``).
    base_url : str, default="https://neuromorpho.org"
        Root of the service (tests point it at a local server).
    page_size : int, default=500
        Neurons per metadata request (the API allows at most 500).
    rate_limit : float, default=0.5
        Minimum seconds between two requests to the service.
    retries : int, default=4
        Extra attempts after a connection error, a dropped connection, HTTP 429
        or 5xx, or an invalid SWC download.
    timeout : float, default=60.0
        Seconds before one request is abandoned (and retried).
    backoff : float, default=1.0
        Seconds before the first retry, doubled at each further one; a
        ``Retry-After`` header from the server takes precedence.
    errors : {"warn", "raise"}, default="warn"
        What to do when a neuron's SWC cannot be downloaded or is invalid after
        all retries: ``"warn"`` leaves it out, lists it in ``failed`` and issues
        one :class:`~ngep.exceptions.NgepWarning`; ``"raise"`` raises
        :class:`~ngep.datasets.DownloadError`.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``paths`` (list of str, local SWC files), ``metadata`` (DataFrame, one
        row per path: ``neuron_id``, ``neuron_name``, ``archive``, ``species``,
        ``brain_region`` and ``cell_type`` (lists), ``physical_Integrity``, the
        other fields of the API, ``url`` and ``path``), ``failed`` (DataFrame of
        ``url``, ``error``) and ``DESCR`` (licence and how to cite).

    Raises
    ------
    DownloadError
        The metadata query failed after all retries, or (``errors="raise"``)
        a file did.

    See Also
    --------
    fetch_allen_cell_types : Allen Cell Types reconstructions with Cre lines.

    Examples
    --------
    >>> from ngep.datasets import fetch_neuromorpho
    >>> data = fetch_neuromorpho("mouse", "neocortex", max_neurons=5)  # doctest: +SKIP
    >>> data.metadata[["neuron_name", "archive"]].shape  # doctest: +SKIP
    (5, 2)
    """
    base_url = base_url.rstrip("/")
    client = _Client(rate_limit=rate_limit, retries=retries, timeout=timeout,
                     backoff=backoff)
    folder = get_data_home(cache_dir) / "neuromorpho"
    filters = {"species": species, "brain_region": brain_region,
               "cell_type": cell_type}
    table = _neuromorpho_listing(client, base_url, folder, filters, max_neurons,
                                 page_size)
    urls, jobs = [], []
    for archive, name in zip(table["archive"], table["neuron_name"]):
        archive = str(archive).lower()
        url = (f"{base_url}/dableFiles/{quote(archive)}/CNG%20version/"
               f"{quote(str(name))}.CNG.swc")
        urls.append(url)
        jobs.append((url, folder / _safe_name(archive) / f"{_safe_name(name)}.CNG.swc"))
    index = _CacheIndex(folder)
    kept, paths, failed = _download_all(client, index, jobs, errors=errors,
                                        progress=progress, desc="NeuroMorpho.org")
    return _bunch(table, kept, paths, urls, failed, _descr("neuromorpho.rst"))


# ---------------------------------------------------------------------------
# Allen Cell Types Database
# ---------------------------------------------------------------------------
def _rma_value(value):
    return "'" + str(value).replace("'", "") + "'"


def _allen_listing(client, base_url, folder, species, cre_line, max_neurons,
                   page_size):
    criteria = f"[donor__species$eq{_rma_value(species)}]"
    if cre_line is not None:
        lines = [cre_line] if isinstance(cre_line, str) else list(cre_line)
        criteria += f"[line_name$in{','.join(_rma_value(v) for v in lines)}]"
    rows, start, total = [], 0, None
    for _ in range(_MAX_PAGES):
        query = (f"model::ApiCellTypesSpecimenDetail,rma::criteria,{criteria},"
                 f"rma::options[num_rows$eq{page_size}][start_row$eq{start}]"
                 "[order$eq'specimen__id']")
        query = quote(query, safe=":,$[]()")
        url = f"{base_url}/api/v2/data/query.json?criteria={query}"
        data = _get_json_cached(client, url, base_url, folder)
        if not data.get("success", False) or not isinstance(data.get("msg"), list):
            raise DownloadError(f"{url}: the Allen API reported an error: "
                                f"{data.get('msg')!r}; check `species` and `cre_line`")
        batch = data["msg"]
        total = int(data.get("total_rows", 0))
        # only cells with a reconstruction (a well-known SWC file id)
        rows += [r for r in batch if r.get("nrwkf__id") not in (None, "")]
        start += len(batch)
        if not batch or start >= total:
            break
        if max_neurons is not None and len(rows) >= max_neurons:
            break
    rows = rows[:max_neurons] if max_neurons is not None else rows
    table = pd.DataFrame(rows)
    for column in _ALLEN_COLUMNS:
        if column not in table:
            table[column] = None
    return table


@validate_params(
    {
        "species": [str],
        "cre_line": [str, list, tuple, None],
        "base_url": [str],
        **_COMMON,
    },
    prefer_skip_nested_validation=True,
)
def fetch_allen_cell_types(
    species="Mus musculus",
    cre_line=None,
    max_neurons=100,
    cache_dir=None,
    *,
    base_url="https://api.brain-map.org",
    page_size=2000,
    rate_limit=0.5,
    retries=4,
    timeout=60.0,
    backoff=1.0,
    errors="warn",
    progress=False,
):
    """Download reconstructions, Cre lines and metadata from Allen Cell Types.

    Queries the Allen Brain Map API model ``ApiCellTypesSpecimenDetail`` page by
    page (``start_row``/``num_rows``), keeps the cells that have a neuron
    reconstruction, and downloads each SWC file
    (``/api/v2/well_known_file_download/<nrwkf__id>``) into
    ``cache_dir/allen_cell_types/``, with the same cache, checksums, validation
    and retries as :func:`fetch_neuromorpho`.

    Read more in the :ref:`User Guide <fetching>`. The data are under the Allen
    Institute Terms of Use (free for research, citation required; ``DESCR``).

    Parameters
    ----------
    species : str, default="Mus musculus"
        Donor species as the API spells it (``"Mus musculus"``,
        ``"Homo Sapiens"``).
    cre_line : str or list of str, default=None
        Keep only these transgenic driver lines (``line_name``), e.g.
        ``"Pvalb-IRES-Cre"``; ``None`` keeps all.
    max_neurons : int or None, default=100
        At most this many reconstructed cells, in order of specimen id;
        ``None`` fetches all.
    cache_dir : str or path-like, default=None
        Cache folder; default :func:`get_data_home`.
    base_url : str, default="https://api.brain-map.org"
        Root of the service (tests point it at a local server).
    page_size : int, default=2000
        Rows per metadata request.
    rate_limit, retries, timeout, backoff, errors, progress
        As in :func:`fetch_neuromorpho`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``paths`` (list of str), ``metadata`` (DataFrame, one row per path, with
        the API's column names: ``specimen__id``, ``line_name`` (Cre line),
        ``cell_reporter_status``, ``structure__acronym``, ``structure__layer``,
        ``tag__dendrite_type``, ``nr__reconstruction_type``, ... plus ``url``
        and ``path``), ``failed`` and ``DESCR``.

    Raises
    ------
    DownloadError
        The metadata query failed after all retries or the API reported an
        error, or (``errors="raise"``) a file could not be downloaded.

    See Also
    --------
    fetch_neuromorpho : Reconstructions from NeuroMorpho.org.

    Examples
    --------
    >>> from ngep.datasets import fetch_allen_cell_types
    >>> data = fetch_allen_cell_types(cre_line="Pvalb-IRES-Cre",
    ...                               max_neurons=3)  # doctest: +SKIP
    >>> data.metadata["line_name"].unique().tolist()  # doctest: +SKIP
    ['Pvalb-IRES-Cre']
    """
    base_url = base_url.rstrip("/")
    client = _Client(rate_limit=rate_limit, retries=retries, timeout=timeout,
                     backoff=backoff)
    folder = get_data_home(cache_dir) / "allen_cell_types"
    table = _allen_listing(client, base_url, folder, species, cre_line, max_neurons,
                           page_size)
    urls, jobs = [], []
    for specimen, file_id in zip(table["specimen__id"], table["nrwkf__id"]):
        url = f"{base_url}/api/v2/well_known_file_download/{int(float(file_id))}"
        urls.append(url)
        jobs.append((url, folder / f"{_safe_name(specimen)}.swc"))
    index = _CacheIndex(folder)
    kept, paths, failed = _download_all(client, index, jobs, errors=errors,
                                        progress=progress, desc="Allen Cell Types")
    return _bunch(table, kept, paths, urls, failed, _descr("allen_cell_types.rst"))


def _live_check(argv=None):
    """Fetch 2 cells from each live service into a temporary folder (manual check)."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m ngep.datasets._fetchers")
    parser.add_argument("--live-check", action="store_true", required=True,
                        help="download 2 cells from each live service")
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for fetch, kwargs in ((fetch_neuromorpho, {"species": "mouse"}),
                              (fetch_allen_cell_types, {})):
            data = fetch(max_neurons=2, cache_dir=tmp, errors="raise", **kwargs)
            again = fetch(max_neurons=2, cache_dir=tmp, errors="raise", **kwargs)
            assert again.paths == data.paths, "cache returned other files"
            print(f"{fetch.__name__}: OK, {len(data.paths)} files, columns "
                  f"{list(data.metadata.columns)[:6]}...")
    return 0


if __name__ == "__main__":  # pragma: no cover - needs the internet
    raise SystemExit(_live_check())
