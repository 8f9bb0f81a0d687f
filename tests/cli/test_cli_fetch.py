# SPDX-License-Identifier: BSD-3-Clause
"""``ngep fetch`` against the local imitation of NeuroMorpho.org and the Allen API."""

import socket
import sys
from pathlib import Path

import pandas as pd
import pytest

from ngep.cli import main
from ngep.io import Morphology, read_swc, write_swc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "datasets"))
from fake_data_services import FakeServices  # noqa: E402

ALLEN_FILE = "/api/v2/well_known_file_download/"
FAST = ["--rate-limit", "0", "--retries", "1", "--no-progress"]


def _swc_bytes(tmp_path, k):
    m = Morphology(
        xyz=[[0, 0, 0], [0, 10 + k, 0], [0, 20 + k, 0], [5, 30 + k, 0]],
        radius=[5, 1, 1, 0.5], types=[1, 3, 3, 3], parent=[-1, 0, 1, 2],
    )  # fmt: skip
    path = tmp_path / f"src_{k}.swc"
    write_swc(m, path)
    return path.read_bytes()


@pytest.fixture
def services(tmp_path):
    with FakeServices() as srv:
        for k in range(5):
            name = f"cell_{k}"
            srv.neurons.append({
                "neuron_id": 100 + k, "neuron_name": name, "archive": "Smith Lab",
                "species": "rat" if k == 4 else "mouse",
                "brain_region": ["neocortex", "layer 5"],
                "cell_type": ["pyramidal"], "physical_Integrity": "Dendrites Complete",
            })  # fmt: skip
            srv.files[f"/dableFiles/smith lab/CNG version/{name}.CNG.swc"] = _swc_bytes(
                tmp_path, k
            )
        lines = ["Pvalb-IRES-Cre", "Sst-IRES-Cre"]
        for k in range(4):
            srv.allen_rows.append({
                "specimen__id": 500 + k, "line_name": lines[k % 2],
                "cell_reporter_status": "positive", "donor__species": "Mus musculus",
                "structure__acronym": "VISp5", "structure__layer": "5",
                "tag__dendrite_type": "aspiny", "nr__reconstruction_type": "full",
                "nrwkf__id": 900 + k,
            })  # fmt: skip
            srv.files[f"{ALLEN_FILE}{900 + k}"] = _swc_bytes(tmp_path, 20 + k)
        yield srv


def test_fetch_neuromorpho_writes_metadata(services, tmp_path, capsys):
    out = tmp_path / "nm"
    argv = [
        "fetch", "neuromorpho", "--species", "mouse", "--brain-region", "neocortex",
        "--max-neurons", "3", "--out", str(out), "--base-url", services.base_url,
    ]  # fmt: skip
    assert main([*argv, *FAST]) == 0
    meta = pd.read_csv(out / "metadata.csv")
    assert meta["neuron_name"].tolist() == ["cell_0", "cell_1", "cell_2"]
    assert meta["swc_id"].tolist() == ["cell_0.CNG", "cell_1.CNG", "cell_2.CNG"]
    assert (meta["brain_region"] == "neocortex; layer 5").all()
    assert read_swc(meta["path"].iloc[1]).n_nodes == 4
    assert Path(meta["path"].iloc[0]).is_relative_to(out / "cache")
    stdout = capsys.readouterr().out
    assert "3 neurons from NeuroMorpho.org" in stdout
    assert str(Path(meta["path"].iloc[0]).parent) in stdout
    assert "NeuroMorpho" in (out / "DESCR.rst").read_text()
    # a rerun uses the cache: no SWC is downloaded again
    before = services.count("/dableFiles/")
    assert main([*argv, *FAST]) == 0
    assert services.count("/dableFiles/") == before


def test_fetch_allen_then_features(services, tmp_path, capsys):
    out = tmp_path / "allen"
    argv = [
        "fetch", "allen", "--cre-line", "Pvalb-IRES-Cre", "--max-neurons", "0",
        "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
        "--base-url", services.base_url,
    ]  # fmt: skip
    assert main([*argv, *FAST]) == 0
    meta = pd.read_csv(out / "metadata.csv")
    assert meta["specimen__id"].tolist() == [500, 502]
    assert (meta["line_name"] == "Pvalb-IRES-Cre").all()
    assert meta["swc_id"].astype(str).tolist() == ["500", "502"]
    swc_dir = Path(meta["path"].iloc[0]).parent
    assert "--id-column swc_id" in capsys.readouterr().out
    # the files feed straight into the other sub-commands
    feats = tmp_path / "features.csv"
    assert main(["features", str(swc_dir), "-o", str(feats), "--no-progress"]) == 0
    assert len(pd.read_csv(feats)) == 2


def test_fetch_network_error_is_one_line_exit_2(tmp_path, capsys):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [
        "fetch", "allen", "--out", str(tmp_path / "x"), "--base-url",
        f"http://127.0.0.1:{port}", "--rate-limit", "0", "--retries", "0",
    ]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ngep fetch: error:"), err
    assert "Traceback" not in err[0] and str(port) in err[0]


def test_fetch_server_error_is_one_line_exit_2(services, tmp_path, capsys):
    services.fail("/api/neuron/select", "500", "500")
    argv = [
        "fetch", "neuromorpho", "--species", "mouse", "--out", str(tmp_path / "x"),
        "--base-url", services.base_url,
    ]  # fmt: skip
    assert main([*argv, *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "500" in err[0], err
