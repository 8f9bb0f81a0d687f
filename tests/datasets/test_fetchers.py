# SPDX-License-Identifier: BSD-3-Clause
"""Fetchers against a local imitation of NeuroMorpho.org and the Allen API.

No test touches the internet: ``fake_data_services.FakeServices`` answers on
127.0.0.1 and counts requests, so caching and retries are checked by counting.
"""

import hashlib
import json
import time
from email.utils import formatdate
from pathlib import Path

import numpy as np
import pytest
from fake_data_services import FakeServices
from sklearn.utils._param_validation import InvalidParameterError

from ngep.datasets import (
    DownloadError,
    fetch_allen_cell_types,
    fetch_neuromorpho,
    get_data_home,
)
from ngep.datasets._http import _retry_after
from ngep.exceptions import NgepWarning
from ngep.io import Morphology, read_swc, write_swc

FAST = {"rate_limit": 0, "backoff": 0, "retries": 2, "timeout": 10}
SWC_DIR = "/dableFiles/"
ALLEN_FILE = "/api/v2/well_known_file_download/"


def _swc_bytes(tmp_path, k):
    """A small valid SWC (soma + a 3-node dendrite), different for every k."""
    m = Morphology(
        xyz=[[0, 0, 0], [0, 10 + k, 0], [0, 20 + k, 0], [5, 30 + k, 0]],
        radius=[5, 1, 1, 0.5], types=[1, 3, 3, 3], parent=[-1, 0, 1, 2],
    )
    path = tmp_path / f"src_{k}.swc"
    write_swc(m, path)
    return path.read_bytes()


@pytest.fixture
def services(tmp_path):
    with FakeServices() as srv:
        for k in range(9):
            species = "rat" if k >= 7 else "mouse"
            region = ["neocortex", "layer 5"] if k % 2 == 0 else ["neocortex"]
            name = f"cell {k}" if k == 3 else f"cell_{k}"  # one name with a space
            srv.neurons.append({
                "neuron_id": 100 + k, "neuron_name": name, "archive": "Smith Lab",
                "species": species, "brain_region": region,
                "cell_type": ["pyramidal", "principal cell"],
                "physical_Integrity": "Dendrites Complete",
            })
            srv.files[f"/dableFiles/smith lab/CNG version/{name}.CNG.swc"] = (
                _swc_bytes(tmp_path, k))
        lines = ["Pvalb-IRES-Cre", "Sst-IRES-Cre", "Cux2-CreERT2"]
        for k in range(8):
            has_swc = k != 2  # specimen 2 has no reconstruction
            srv.allen_rows.append({
                "specimen__id": 500 + k, "line_name": lines[k % 3],
                "cell_reporter_status": "positive", "donor__species": "Mus musculus",
                "structure__acronym": "VISp5", "structure__layer": "5",
                "tag__dendrite_type": "aspiny" if k % 3 < 2 else "spiny",
                "nr__reconstruction_type": "full" if has_swc else None,
                "nrwkf__id": 900 + k if has_swc else None,
            })
            srv.files[f"{ALLEN_FILE}{900 + k}"] = _swc_bytes(tmp_path, 20 + k)
        srv.allen_rows.append(dict(srv.allen_rows[0], specimen__id=499,
                                   donor__species="Homo Sapiens", nrwkf__id=899))
        srv.files[f"{ALLEN_FILE}899"] = _swc_bytes(tmp_path, 19)
        yield srv


def _nm(services, tmp_path, **kwargs):
    kwargs = {**FAST, **kwargs}
    return fetch_neuromorpho(cache_dir=tmp_path / "cache", base_url=services.base_url,
                             **kwargs)


def _allen(services, tmp_path, **kwargs):
    kwargs = {**FAST, **kwargs}
    return fetch_allen_cell_types(cache_dir=tmp_path / "cache",
                                  base_url=services.base_url, **kwargs)


# ---------------------------------------------------------------------------
# NeuroMorpho.org
# ---------------------------------------------------------------------------
def test_neuromorpho_pages_filters_and_metadata(services, tmp_path):
    data = _nm(services, tmp_path, species="mouse", brain_region="neocortex",
               max_neurons=None, page_size=3)
    assert services.count("/api/neuron/select") == 3  # 7 mouse cells, 3 per page
    meta = data.metadata
    assert meta["neuron_id"].tolist() == list(range(100, 107))
    for column in ("neuron_id", "neuron_name", "archive", "species", "brain_region",
                   "cell_type", "physical_Integrity", "url", "path"):
        assert column in meta
    assert "_links" not in meta
    assert meta["brain_region"][0] == ["neocortex", "layer 5"]
    assert meta["path"].tolist() == data.paths
    assert data.failed.empty
    assert "CC BY" in data.DESCR and "Ascoli" in data.DESCR
    # every file is the one served, parsed, in the archive folder
    for path, url in zip(data.paths, meta["url"]):
        assert Path(path).parent.name == "smith_lab"
        assert "/dableFiles/smith%20lab/CNG%20version/" in url
        served = services.files[url.split(services.base_url)[1].replace("%20", " ")]
        assert Path(path).read_bytes() == served
        assert read_swc(path).n_nodes == 4
    # values with spaces are quoted for Solr; the second filter goes in fq
    first = [r for r in services.requests if r.startswith("/api/neuron/select")][0]
    assert "q=species:mouse" in first and "fq=brain_region:neocortex" in first
    layer5 = _nm(services, tmp_path, brain_region="layer 5", max_neurons=None)
    last = [r for r in services.requests if r.startswith("/api/neuron/select")][-1]
    assert 'q=brain_region:"layer 5"' in last and "fq" not in last
    assert layer5.metadata["neuron_id"].tolist() == [100, 102, 104, 106, 108]


def test_neuromorpho_max_neurons_limits_requests(services, tmp_path):
    data = _nm(services, tmp_path, species="mouse", max_neurons=4, page_size=3)
    assert len(data.paths) == 4 and len(data.metadata) == 4
    assert services.count("/api/neuron/select") == 2
    assert services.count(SWC_DIR) == 4


def test_neuromorpho_no_filter_and_no_match(services, tmp_path):
    data = _nm(services, tmp_path, max_neurons=None)
    assert len(data.paths) == 9 and services.count("/api/neuron?") == 1
    empty = _nm(services, tmp_path, species="zebrafish")
    assert empty.paths == [] and len(empty.metadata) == 0
    assert "neuron_name" in empty.metadata


def test_cache_second_call_downloads_nothing(services, tmp_path):
    first = _nm(services, tmp_path, species="mouse", max_neurons=None)
    n_swc = services.count(SWC_DIR)
    assert n_swc == 7
    second = _nm(services, tmp_path, species="mouse", max_neurons=None)
    assert services.count(SWC_DIR) == n_swc  # no SWC request at all
    assert second.paths == first.paths
    index = json.loads((tmp_path / "cache" / "neuromorpho" / "index.json").read_text())
    assert len(index) == 7
    for path in first.paths:
        key = Path(path).relative_to(tmp_path / "cache" / "neuromorpho").as_posix()
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        assert index[key]["sha256"] == digest


def test_cache_checksum_mismatch_and_missing_file_are_refetched(services, tmp_path):
    data = _nm(services, tmp_path, species="mouse", max_neurons=3)
    Path(data.paths[0]).write_bytes(b"1 1 0 0 0 1 -1\n")  # valid SWC, wrong bytes
    Path(data.paths[1]).unlink()
    before = services.count(SWC_DIR)
    again = _nm(services, tmp_path, species="mouse", max_neurons=3)
    assert services.count(SWC_DIR) - before == 2
    assert read_swc(again.paths[0]).n_nodes == 4


def test_interrupted_run_resumes(services, tmp_path):
    services.fail("/dableFiles/smith lab/CNG version/cell_4", "404")
    with pytest.raises(DownloadError, match="HTTP 404"):
        _nm(services, tmp_path, species="mouse", max_neurons=None, errors="raise")
    assert services.count(SWC_DIR) == 5  # cells 0-3 kept, cell 4 failed
    data = _nm(services, tmp_path, species="mouse", max_neurons=None, errors="raise")
    assert services.count(SWC_DIR) == 5 + 3  # only cells 4, 5, 6
    assert len(data.paths) == 7
    assert not list((tmp_path / "cache").rglob(".*.tmp"))


def test_ctrl_c_keeps_finished_files_and_no_partial_one(services, tmp_path,
                                                        monkeypatch):
    from ngep.datasets import _http

    calls, validate = [], _http._validate_swc

    def interrupt_third(path):  # Ctrl-C while the third file is being written
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        validate(path)

    monkeypatch.setattr(_http, "_validate_swc", interrupt_third)
    with pytest.raises(KeyboardInterrupt):
        _nm(services, tmp_path, species="mouse", max_neurons=4)
    folder = tmp_path / "cache" / "neuromorpho"
    assert len(json.loads((folder / "index.json").read_text())) == 2
    assert not list(folder.rglob(".*.tmp"))
    monkeypatch.undo()
    data = _nm(services, tmp_path, species="mouse", max_neurons=4)
    assert services.count(SWC_DIR) == 3 + 2 and len(data.paths) == 4


@pytest.mark.parametrize("fault", ["500", "429", "drop", "truncate"])
def test_retries_transient_failures(services, tmp_path, fault):
    services.fail("/api/neuron/select", fault)
    services.fail("/dableFiles/smith lab/CNG version/cell_0", fault, fault)
    data = _nm(services, tmp_path, species="mouse", max_neurons=2)
    assert len(data.paths) == 2
    assert services.count("/api/neuron/select") == 2
    assert services.count(SWC_DIR) == 2 + 2
    assert read_swc(data.paths[0]).n_nodes == 4


def test_gives_up_after_retries(services, tmp_path):
    services.fail("/api/neuron/select", *["500"] * 10)
    with pytest.raises(DownloadError, match=r"HTTP 500.*after 3 attempt"):
        _nm(services, tmp_path, species="mouse")
    assert services.count("/api/neuron/select") == 3


def test_offline_uses_kept_metadata_and_cached_files(services, tmp_path):
    online = _allen(services, tmp_path, max_neurons=3, page_size=2)
    n_files = services.count(ALLEN_FILE)
    services.fail("/api/v2/data/query.json", *["drop"] * 6)  # 2 pages x 3 tries
    with pytest.warns(NgepWarning, match="Using the metadata kept"):
        offline = _allen(services, tmp_path, max_neurons=3, page_size=2)
    assert offline.paths == online.paths
    assert offline.metadata.equals(online.metadata)
    assert services.count(ALLEN_FILE) == n_files  # no file requested again
    # a query never made before, or a 404, is an error, not a silent fallback
    services.fail("/api/v2/data/query.json", *["500"] * 3)
    with pytest.raises(DownloadError, match="HTTP 500") as info:
        _allen(services, tmp_path, cre_line="Sst-IRES-Cre")
    assert info.value.status == 500
    _nm(services, tmp_path, species="mouse", max_neurons=1)  # answer kept
    services.fail("/api/neuron/select", "404")
    with pytest.raises(DownloadError, match="HTTP 404"):
        _nm(services, tmp_path, species="mouse", max_neurons=1)


def test_corrupt_download_is_refetched(services, tmp_path):
    services.fail("/dableFiles/smith lab/CNG version/cell_1", "corrupt")
    data = _nm(services, tmp_path, species="mouse", max_neurons=2)
    assert services.count(SWC_DIR) == 3
    assert read_swc(data.paths[1]).n_nodes == 4


def test_persistently_corrupt_download_is_reported_not_kept(services, tmp_path):
    services.fail("/dableFiles/smith lab/CNG version/cell_1", *["corrupt"] * 5)
    with pytest.warns(NgepWarning, match=r"1 of 3 .*not valid SWC.*cell_1"):
        data = _nm(services, tmp_path, species="mouse", max_neurons=3)
    assert data.metadata["neuron_name"].tolist() == ["cell_0", "cell_2"]
    assert len(data.failed) == 1 and "invalid" in data.failed["error"][0]
    assert services.count("/dableFiles/smith lab/CNG version/cell_1") == 3
    assert not (tmp_path / "cache" / "neuromorpho" / "smith_lab" /
                "cell_1.CNG.swc").exists()
    assert not list((tmp_path / "cache").rglob(".*.tmp"))
    services.fail("/dableFiles/smith lab/CNG version/cell_1", *["corrupt"] * 5)
    with pytest.raises(DownloadError, match="content is invalid"):
        _nm(services, tmp_path, species="mouse", max_neurons=3, errors="raise")


def test_rate_limit_spaces_requests(services, tmp_path):
    start = time.monotonic()
    _nm(services, tmp_path, species="mouse", max_neurons=3, rate_limit=0.1)
    assert services.count("/") == 4
    assert time.monotonic() - start >= 0.3  # 3 gaps of at least 0.1 s


def test_parameter_validation(services, tmp_path):
    with pytest.raises(InvalidParameterError, match="max_neurons"):
        _nm(services, tmp_path, max_neurons=0)
    with pytest.raises(InvalidParameterError, match="errors"):
        _nm(services, tmp_path, errors="ignore")
    assert services.count("/") == 0


# ---------------------------------------------------------------------------
# Allen Cell Types
# ---------------------------------------------------------------------------
def test_allen_pages_skips_unreconstructed_and_metadata(services, tmp_path):
    data = _allen(services, tmp_path, max_neurons=None, page_size=3)
    assert services.count("/api/v2/data/query.json") == 3  # 8 mouse rows
    meta = data.metadata
    assert meta["specimen__id"].tolist() == [500, 501, 503, 504, 505, 506, 507]
    for column in ("specimen__id", "line_name", "cell_reporter_status",
                   "structure__acronym", "structure__layer", "tag__dendrite_type",
                   "url", "path"):
        assert column in meta
    assert Path(data.paths[2]).name == "503.swc"
    assert Path(data.paths[2]).read_bytes() == services.files[f"{ALLEN_FILE}903"]
    assert "Terms of Use" in data.DESCR and "Gouwens" in data.DESCR
    query = services.requests[0]
    assert "model::ApiCellTypesSpecimenDetail,rma::criteria," in query
    assert "[donor__species$eq'Mus musculus']" in query
    assert "[num_rows$eq3][start_row$eq0]" in query


def test_allen_cre_line_max_neurons_and_cache(services, tmp_path):
    data = _allen(services, tmp_path, cre_line=["Pvalb-IRES-Cre", "Sst-IRES-Cre"],
                  max_neurons=3)
    assert data.metadata["line_name"].tolist() == [
        "Pvalb-IRES-Cre", "Sst-IRES-Cre", "Pvalb-IRES-Cre"]
    assert services.count(ALLEN_FILE) == 3
    again = _allen(services, tmp_path, cre_line=["Pvalb-IRES-Cre", "Sst-IRES-Cre"],
                   max_neurons=3)
    assert services.count(ALLEN_FILE) == 3 and again.paths == data.paths
    human = _allen(services, tmp_path, species="Homo Sapiens")
    assert human.metadata["specimen__id"].tolist() == [499]


def test_allen_retries_and_api_error(services, tmp_path):
    services.fail("/api/v2/data/query.json", "500")
    services.fail(ALLEN_FILE + "900", "drop")
    data = _allen(services, tmp_path, max_neurons=1)
    assert len(data.paths) == 1 and services.count(ALLEN_FILE) == 2
    services.allen_rows.clear()
    empty = _allen(services, tmp_path, cre_line="Nope-Cre")
    assert empty.paths == [] and "line_name" in empty.metadata


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def test_get_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("NGEP_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env" and (tmp_path / "env").is_dir()
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("NGEP_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / "ngep_data"


def test_retry_after_header():
    assert _retry_after({"Retry-After": "7"}) == 7
    assert _retry_after({}) is None
    assert _retry_after({"Retry-After": "soon"}) is None
    later = formatdate(time.time() + 30, usegmt=True)
    assert 20 < _retry_after({"Retry-After": later}) <= 31
    assert np.isclose(_retry_after({"Retry-After": formatdate(0, usegmt=True)}), 0)
