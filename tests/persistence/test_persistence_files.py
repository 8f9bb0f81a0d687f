# SPDX-License-Identifier: BSD-3-Clause
"""ngep.persistence: round trips, integrity checks, versions, pickle-free loading."""

import json
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from ngep.exceptions import ModelFileError, ModelVersionWarning
from ngep.models import ExpressionRegressor, MarkerClassifier
from ngep.persistence import FORMAT_VERSION, load, read_metadata, save

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def fitted():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        rng.normal(size=(50, 3)), columns=["soma_radius", "n_tips", "length"]
    )
    Y = pd.DataFrame(rng.normal(size=(50, 2)), columns=["Pvalb", "Sst"])
    reg = make_pipeline(
        StandardScaler(), ExpressionRegressor((8,), max_iter=3, random_state=0)
    ).fit(X, Y)
    labels = np.where(X["n_tips"] > 0.3, "Pvalb+", "Pvalb-")
    clf = make_pipeline(
        MinMaxScaler(),
        MarkerClassifier((8,), max_iter=3, class_weight="balanced", random_state=0),
    ).fit(X, labels)
    return X, reg, clf


@pytest.mark.parametrize("fmt", ["joblib", "portable"])
def test_round_trip_identical_predictions(fitted, tmp_path, fmt):
    X, reg, clf = fitted
    for model, method in ((reg, "predict"), (clf, "predict_proba")):
        path = tmp_path / f"model.{fmt}"
        save(model, path, format=fmt)
        loaded = load(path)
        np.testing.assert_array_equal(
            getattr(loaded, method)(X), getattr(model, method)(X)
        )
        assert loaded.get_params().keys() == model.get_params().keys()
        assert not list(tmp_path.glob(".*tmp"))  # temp file renamed away


def test_metadata(fitted, tmp_path):
    X, reg, _ = fitted
    meta = save(reg, tmp_path / "m.ngep")
    assert meta == read_metadata(tmp_path / "m.ngep")
    assert meta["feature_names_in"] == ["soma_radius", "n_tips", "length"]
    assert meta["targets"] == ["Pvalb", "Sst"]
    assert meta["n_samples_fit"] == 50
    assert meta["format_version"] == FORMAT_VERSION
    assert set(meta["versions"]) == {
        "ngep",
        "scikit-learn",
        "skorch",
        "torch",
        "numpy",
        "python",
    }
    assert meta["created_utc"].endswith("+00:00")
    assert len(meta["sha256"]["payload.joblib"]) == 64


def test_auto_format_from_suffix(fitted, tmp_path):
    _, reg, _ = fitted
    assert save(reg, tmp_path / "m.ngep-portable")["format_kind"] == "portable"
    assert save(reg, tmp_path / "m.ngep")["format_kind"] == "joblib"


def test_portable_never_unpickles(fitted, tmp_path, monkeypatch):
    X, reg, _ = fitted
    save(reg, tmp_path / "m.ngep-portable")
    expected = reg.predict(X)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading a portable file")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    np.testing.assert_array_equal(
        load(tmp_path / "m.ngep-portable").predict(X), expected
    )


def test_portable_refuses_unknown_classes(tmp_path):
    model = Ridge().fit([[0.0], [1.0]], [0.0, 1.0])
    with pytest.raises(TypeError, match="allowlist"):
        save(model, tmp_path / "r.ngep-portable")
    save(StandardScaler().fit([[0.0]]), tmp_path / "s.ngep-portable")
    _rewrite(
        tmp_path / "s.ngep-portable",
        "config.json",
        lambda cfg: cfg.replace(b"sklearn.preprocessing.StandardScaler", b"os.system"),
        fix_hash=True,
    )
    with pytest.raises(ModelFileError, match="not in the pickle-free allowlist"):
        load(tmp_path / "s.ngep-portable")


def _rewrite(path, member, edit, fix_hash=False):
    """Rewrite one member of a model file (keeps the order of members)."""
    with zipfile.ZipFile(path) as zf:
        items = [(n, zf.read(n)) for n in zf.namelist()]
    items = [(n, edit(d) if n == member else d) for n, d in items]
    if fix_hash:
        import hashlib

        meta = json.loads(items[0][1])
        meta["sha256"][member] = hashlib.sha256(dict(items)[member]).hexdigest()
        items[0] = (items[0][0], json.dumps(meta).encode())
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in items:
            zf.writestr(n, d)


def _edit_meta(path, **changes):
    def edit(raw):
        meta = json.loads(raw)
        for key, value in changes.items():
            if key.startswith("versions__"):
                meta["versions"][key.split("__")[1]] = value
            else:
                meta[key] = value
        return json.dumps(meta).encode()

    _rewrite(path, "ngep-model.json", edit)


def test_truncated_file(fitted, tmp_path):
    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated or corrupted"):
        load(path)


def test_corrupted_payload_fails_checksum(fitted, tmp_path):
    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    _rewrite(path, "payload.joblib", lambda d: d[:-10] + b"x" * 10)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load(path)


def test_flipped_byte_is_caught(fitted, tmp_path):
    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        load(path)


def test_wrong_type_files(fitted, tmp_path):
    _, reg, _ = fitted
    raw = tmp_path / "raw.joblib"
    joblib.dump(reg, raw)
    with pytest.raises(ModelFileError, match="not an ngep model file.*joblib.load"):
        load(raw)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ModelFileError, match="not an ngep model file"):
        load(other)
    empty = tmp_path / "empty.ngep"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="not an ngep model file"):
        load(empty)
    with pytest.raises(ModelFileError, match="cannot read"):
        load(tmp_path / "missing.ngep")


def test_future_format_version_is_an_error(fitted, tmp_path):
    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    _edit_meta(path, format_version=FORMAT_VERSION + 1)
    with pytest.raises(ModelFileError, match="Upgrade ngep"):
        load(path)


@pytest.mark.parametrize(
    "change", [dict(versions__ngep="99.0.0"), {"versions__scikit-learn": "1.0.0"}]
)
def test_version_mismatch_warns(fitted, tmp_path, change):
    X, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    _edit_meta(path, **change)
    with pytest.warns(ModelVersionWarning, match="saved with"):
        loaded = load(path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_patch_version_difference_does_not_warn(fitted, tmp_path, recwarn):
    import ngep

    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    major, minor = ngep.__version__.split(".")[:2]
    _edit_meta(path, versions__ngep=f"{major}.{minor}.999")
    load(path)
    assert not [w for w in recwarn if issubclass(w.category, ModelVersionWarning)]


def test_failed_save_leaves_old_file(fitted, tmp_path):
    _, reg, _ = fitted
    path = tmp_path / "m.ngep"
    save(reg, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save(Ridge().fit([[0.0], [1.0]], [0, 1]), path, format="portable")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.ngep"]


def test_joblib_round_trip_in_fresh_process(fitted, tmp_path):
    X, reg, _ = fitted
    joblib.dump(reg, tmp_path / "pipe.joblib")
    np.save(tmp_path / "X.npy", X.to_numpy())
    code = (
        "import joblib, numpy as np, sys, warnings;"
        "warnings.simplefilter('ignore');"
        f"m = joblib.load({str(tmp_path / 'pipe.joblib')!r});"
        f"X = np.load({str(tmp_path / 'X.npy')!r});"
        "import pandas as pd;"
        "X = pd.DataFrame(X, columns=list(m.feature_names_in_));"
        f"np.save({str(tmp_path / 'pred.npy')!r}, m.predict(X))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "pred.npy"), reg.predict(X))


def test_portable_refuses_unexpected_attributes(tmp_path):
    path = tmp_path / "s.ngep-portable"
    save(StandardScaler().fit([[0.0]]), path)
    _rewrite(
        path,
        "config.json",
        lambda cfg: cfg.replace(b'"mean_"', b'"transform"'),
        fix_hash=True,
    )
    with pytest.raises(ModelFileError, match="attribute 'transform'"):
        load(path)


def test_portable_gpu_model_loads_on_cpu(fitted, tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X, reg, _ = fitted
    path = tmp_path / "m.ngep-portable"
    save(reg, path)
    _rewrite(
        path,
        "config.json",
        lambda cfg: cfg.replace(b'"device": "cpu"', b'"device": "cuda"'),
        fix_hash=True,
    )
    with pytest.warns(UserWarning, match="loading it on the CPU"):
        loaded = load(path)
    assert loaded[-1].device == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
