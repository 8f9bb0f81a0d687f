# SPDX-License-Identifier: BSD-3-Clause
"""The JSON API through Starlette's TestClient: good, bad and many files."""

import gzip
import io

import numpy as np
import pytest

from ngep.io import read_swc
from ngep.morphometrics import BASE_FEATURES, compute_features

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")


def _post(client, *files, picture=False):
    url = "/api/predict" + ("?picture=1" if picture else "")
    return client.post(url, files=[("files", (name, data)) for name, data in files])


def test_models_lists_every_model_with_its_card(client, model_files):
    body = client.get("/api/models").json()
    names = [m["name"] for m in body["models"]]
    assert names == [p.name.removesuffix(".ngep") for p in model_files]
    tasks = {m["name"]: m["task"] for m in body["models"]}
    assert tasks == {"pvalb-test": "classification", "pvalb-level": "regression"}
    for model in body["models"]:
        assert model["card"].startswith(f"# {model['name']}")
    assert body["models"][0]["info"]["n_training_neurons"] == 90
    assert body["formats"][:2] == [".swc", ".swc.gz"]
    assert body["limits"] == {
        "max_file_bytes": 256 * 1024,
        "max_request_bytes": 1024 * 1024,
        "max_files": 40,
    }


def test_predictions_match_the_pipeline_on_the_same_file(
    client, served_models, neuron_swc, tmp_path
):
    response = _post(client, ("cell.swc", neuron_swc), picture=True)
    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert entry["status"] == "ok" and entry["file"] == "cell.swc"
    path = tmp_path / "cell.swc"
    path.write_bytes(neuron_swc)
    clf, reg = (m.pipeline for m in served_models)

    proba = entry["predictions"]["pvalb-test"]["probabilities"]
    assert list(proba) == ["0", "1"]  # named for the class, not "1.0"
    np.testing.assert_allclose(
        [proba["0"], proba["1"]], clf.predict_proba([str(path)])[0], rtol=1e-6
    )
    assert (
        entry["predictions"]["pvalb-test"]["prediction"] == clf.predict([str(path)])[0]
    )
    inside = clf.named_steps["domain"].in_domain(clf[:1].transform([str(path)]))[0]
    assert entry["predictions"]["pvalb-test"]["out_of_domain"] is (not inside)

    level = entry["predictions"]["pvalb-level"]
    pred, lower, upper = reg[-1].predict(
        reg[:-1].transform([str(path)]), return_interval=True
    )
    np.testing.assert_allclose(
        [level["prediction"], level["interval"]["lower"], level["interval"]["upper"]],
        [pred[0], lower[0], upper[0]],
        rtol=1e-6,
    )
    assert level["interval"]["coverage"] == 0.9
    assert "probabilities" not in level and "out_of_domain" not in level

    expected = compute_features(read_swc(path), BASE_FEATURES, "dendrite")
    np.testing.assert_allclose(list(entry["measurements"].values()), expected)
    assert entry["picture"].startswith("data:image/png;base64,")


def test_out_of_domain_neuron_is_flagged_with_a_reason(client, synthetic_swc):
    # a 9-node neuron is far smaller than any synthetic training neuron
    [entry] = _post(client, ("tiny.swc", synthetic_swc)).json()["results"]
    flagged = entry["predictions"]["pvalb-test"]
    assert flagged["out_of_domain"] is True
    assert flagged["out_of_domain_reason"]


def test_gzip_and_multi_member_gzip(client, synthetic_swc):
    half = len(synthetic_swc) // 2
    cut = synthetic_swc.rindex(b"\n", 0, half) + 1
    two_members = gzip.compress(synthetic_swc[:cut]) + gzip.compress(
        synthetic_swc[cut:]
    )
    results = _post(
        client,
        ("a.swc", synthetic_swc),
        ("b.swc.gz", gzip.compress(synthetic_swc)),
        ("c.swc.gz", two_members),
    ).json()["results"]
    assert [r["status"] for r in results] == ["ok"] * 3
    assert (
        results[0]["predictions"]
        == results[1]["predictions"]
        == results[2]["predictions"]
    )


def test_one_bad_file_never_fails_the_others(client, synthetic_swc):
    bad = {
        "text.swc": b"1 1 0 0 0 1 -1\n2 3 0 abc 0 1 1\n",
        "orphan.swc": b"1 1 0 0 0 1 -1\n2 3 0 1 0 1 7\n",
        "empty.swc": b"",
        "notes.txt": b"hello",
        "broken.swc.gz": gzip.compress(synthetic_swc)[:40],
        "fake.swc.gz": synthetic_swc,
        "binary.swc": bytes(range(256)) * 4,
    }
    files = [("good1.swc", synthetic_swc)]
    files += list(bad.items())
    files += [("good2.swc", synthetic_swc)]
    response = _post(client, *files)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["file"] for r in results] == [name for name, _ in files]
    assert [r["status"] for r in results] == ["ok"] + ["error"] * len(bad) + ["ok"]
    by_name = {r["file"]: r for r in results}
    assert by_name["text.swc"]["line"] == 2
    assert by_name["text.swc"]["error"].startswith("text.swc, line 2:")
    assert (
        "parent" in by_name["orphan.swc"]["error"]
        and by_name["orphan.swc"]["line"] == 2
    )
    assert "unsupported file type '.txt'" in by_name["notes.txt"]["error"]
    assert "gzip" in by_name["broken.swc.gz"]["error"]
    assert "not gzip" in by_name["fake.swc.gz"]["error"]
    for name in bad:
        assert by_name[name]["error"].startswith(name)
        assert "predictions" not in by_name[name]


def test_a_gzip_bomb_is_an_error_for_that_file_only(client, synthetic_swc):
    # 256 KiB per file, unpacking to at most 8x that: 4 MiB of zeros is refused
    bomb = gzip.compress(b"0" * (4 * 1024 * 1024))
    assert len(bomb) < 256 * 1024
    results = _post(client, ("bomb.swc.gz", bomb), ("ok.swc", synthetic_swc)).json()[
        "results"
    ]
    assert (
        results[0]["status"] == "error"
        and "unpacks to more than" in results[0]["error"]
    )
    assert results[1]["status"] == "ok"


def test_many_files_in_one_request_keep_their_order(client, synthetic_swc):
    rng = np.random.default_rng(0)
    files = []
    for i in range(30):
        scale = 1 + rng.random()
        rows = [line.split() for line in synthetic_swc.decode().splitlines()[1:]]
        text = "\n".join(
            " ".join(
                [r[0], r[1], *(f"{float(v) * scale:.3f}" for v in r[2:5]), r[5], r[6]]
            )
            for r in rows
        )
        files.append((f"n{i:02d}.swc", text.encode() if i % 7 else b"garbage"))
    results = _post(client, *files).json()["results"]
    assert [r["file"] for r in results] == [name for name, _ in files]
    assert [r["status"] == "ok" for r in results] == [bool(i % 7) for i in range(30)]
    lengths = [
        r["measurements"]["dendrite__total_length"]
        for r in results
        if r["status"] == "ok"
    ]
    assert len(set(lengths)) == len(lengths)  # each file got its own answer


def test_a_pickle_upload_is_never_unpickled(client, monkeypatch):
    import pickle

    import ngep.web._service as service

    calls = []
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: calls.append(a))
    payload = pickle.dumps({"model": np.arange(3)})
    results = _post(
        client, ("model.swc", payload), ("model.ngep", payload), ("model.pkl", payload)
    ).json()["results"]
    assert [r["status"] for r in results] == ["error"] * 3
    assert calls == []
    assert not hasattr(service, "load")  # the service has no model loader for uploads


def test_no_files_is_a_400(client):
    response = client.post(
        "/api/predict", files=[("other", ("a.swc", b"1 1 0 0 0 1 -1\n"))]
    )
    assert response.status_code == 400
    assert "field 'files'" in response.json()["error"]


def test_wrong_method_and_unknown_route_answer_json(client):
    assert client.get("/api/predict").status_code == 405
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}


def test_health(client):
    assert client.get("/api/health").json() == {
        "status": "ok",
        "models": ["pvalb-test", "pvalb-level"],
    }


def test_page_and_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and 'type="file"' in page.text
    assert "multiple" in page.text
    for name, kind in (
        ("app.js", "javascript"),
        ("app.css", "css"),
        ("favicon.svg", "svg"),
    ):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    # no CDN: every script, style and link is local
    assert "http://" not in page.text and "https://" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_picture_is_a_png(client, neuron_swc):
    import base64

    [entry] = _post(client, ("cell.swc", neuron_swc), picture=True).json()["results"]
    png = base64.b64decode(entry["picture"].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    image = imread(io.BytesIO(png))
    assert image.shape[0] > 100 and image.shape[1] > 100
    # something is drawn: not a blank canvas
    assert np.ptp(image[..., :3]) > 0.5


@pytest.fixture(scope="module")
def asc_and_h5(tmp_path_factory):
    """The same synthetic neuron as .asc and .h5 (written by MorphIO)."""
    morphio = pytest.importorskip("morphio")
    from ngep.datasets import make_neurons

    folder = tmp_path_factory.mktemp("web-formats")
    [swc] = make_neurons(1, random_state=3, out_dir=folder, soma="contour").paths
    mutable = morphio.mut.Morphology(swc)
    for suffix in (".asc", ".h5"):
        mutable.write(str(folder / f"cell{suffix}"))
    return folder / "cell.asc", folder / "cell.h5"


def test_asc_and_h5_uploads_via_a_private_temp_dir_that_is_removed(
    client, asc_and_h5, tmp_path, monkeypatch
):
    import tempfile

    from ngep.io import read_morphology

    asc, h5 = asc_and_h5
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    results = _post(
        client,
        ("cell.asc", asc.read_bytes()),
        ("cell.h5", h5.read_bytes()),
        ("broken.h5", h5.read_bytes()[:500]),
        ("broken.asc", b'("CellBody"\n (Color Red)\n (CellBody)\n ( 0 0 0 1)\n'),
    ).json()["results"]
    assert [r["status"] for r in results] == ["ok", "ok", "error", "error"]
    expected = compute_features(read_morphology(asc), BASE_FEATURES, "dendrite")
    for entry in results[:2]:
        np.testing.assert_allclose(list(entry["measurements"].values()), expected)
    a, b = (r["predictions"]["pvalb-test"]["probabilities"]["1"] for r in results[:2])
    assert a == pytest.approx(b)
    for entry in results[2:]:
        # errors name the upload, never the temporary file
        assert (
            entry["error"].startswith(entry["file"]) and "upload" not in entry["error"]
        )
    assert list(private.iterdir()) == []  # every temporary folder is gone


def test_shipped_models_are_served_by_default_with_the_cli_rules(neuron_swc, tmp_path):
    """With no model given, every shipped model; numbers as ``ngep predict`` gives."""
    from starlette.testclient import TestClient

    from ngep.pretrained import list_pretrained, predict_files
    from ngep.web import create_app

    shipped = list_pretrained()
    path = tmp_path / "cell.swc"
    path.write_bytes(neuron_swc)
    with TestClient(create_app(None)) as client:
        models = client.get("/api/models").json()["models"]
        [entry] = _post(client, ("cell.swc", neuron_swc)).json()["results"]
    assert [m["name"] for m in models] == shipped
    for model in models:
        assert model["source"] == "pretrained" and model["positive_class"] == "1"
        assert model["card"].startswith(f"# {model['name']}")
        assert "Grouped cross-validation" in model["card"]
    for name in shipped:
        [row] = predict_files(name, [path]).to_dict("records")
        got = entry["predictions"][name]
        assert got["probabilities"]["1"] == pytest.approx(row["proba_1"], rel=1e-6)
        assert got["probabilities"]["0"] == pytest.approx(row["proba_0"], rel=1e-6)
        assert got["out_of_domain"] is bool(row["out_of_domain"])
        assert got["out_of_domain_reason"] == row["out_of_domain_reason"]
        if "used_axon" in row:
            assert got["used_axon"] is bool(row["used_axon"])
        else:
            assert "used_axon" not in got


def test_client_file_names_are_labels_only(client, synthetic_swc):
    names = ["../../etc/passwd.swc", "C:\\Users\\me\\cell.swc", "tab\there.swc", ""]
    body = (
        b"".join(
            b'--xyz\r\nContent-Disposition: form-data; name=files; filename="'
            + name.encode()
            + b'"\r\n\r\n'
            + synthetic_swc
            + b"\r\n"
            for name in names
        )
        + b"--xyz--\r\n"
    )
    response = client.post(
        "/api/predict",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    results = response.json()["results"]
    assert [r["file"] for r in results] == [
        "passwd.swc",
        "cell.swc",
        "tabhere.swc",
        "unnamed",
    ]
    assert [r["status"] for r in results] == ["ok", "ok", "ok", "error"]


def test_a_gene_panel_model_gives_probabilities_per_gene(tmp_path, neuron_swc):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.preprocessing import StandardScaler
    from starlette.testclient import TestClient

    from ngep.datasets import make_neurons
    from ngep.multigene import GenePanelClassifier
    from ngep.persistence import save
    from ngep.transformers import MorphologyExtractor
    from ngep.web import create_app

    data = make_neurons(60, random_state=1)
    extractor = MorphologyExtractor(features="base").fit(data.morphologies)
    X = extractor.transform(data.morphologies)
    y = {
        g: (data.metadata["class"] == g).to_numpy().astype(int)
        for g in ("Pvalb", "Sst")
    }
    import pandas as pd

    panel = GenePanelClassifier(
        [(g, sk_pipeline(StandardScaler(), LogisticRegression())) for g in y]
    ).fit(X, pd.DataFrame(y))
    path = tmp_path / "panel.ngep"
    save(Pipeline([("extract", extractor), ("model", panel)]), path)
    with TestClient(create_app([str(path)])) as c:
        [entry] = _post(c, ("cell.swc", neuron_swc)).json()["results"]
        [model] = c.get("/api/models").json()["models"]
    assert model["source"] == "panel.ngep"
    proba = entry["predictions"]["panel"]["probabilities"]
    assert list(proba) == ["Pvalb_0", "Pvalb_1", "Sst_0", "Sst_1"]
    cell = tmp_path / "cell.swc"
    cell.write_bytes(neuron_swc)
    from ngep.persistence import load

    expected = load(path).predict_proba([str(cell)])
    np.testing.assert_allclose(
        list(proba.values()), np.concatenate([p[0] for p in expected]), rtol=1e-6
    )
