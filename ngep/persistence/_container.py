# SPDX-License-Identifier: BSD-3-Clause
"""ngep model files: a zip container with metadata, checksums and version checks.

Layout (members, in this order)::

    ngep-model.json    metadata: format, versions, features, targets, sha256s
    payload.joblib     format "joblib": the pickled model (trusted files only)
    config.json        format "portable": JSON configuration ...
    arrays.npz         ... and arrays, read with allow_pickle=False

The first member's name is the file's magic: a zip without it is not ours.
"""

import datetime
import hashlib
import io
import json
import os
import platform
import warnings
import zipfile
from importlib import metadata as importlib_metadata

import numpy as np

from ngep._files import atomic_write
from ngep._version import __version__
from ngep.exceptions import ConfigurationError, ModelFileError, ModelVersionWarning

__all__ = ["FORMAT_VERSION", "load", "read_metadata", "save"]

FORMAT_VERSION = 1
_MAGIC = "ngep-model.json"
_FORMAT_NAME = "ngep-model"
_PORTABLE_SUFFIX = ".ngep-portable"
_ZIP_SIGNATURE = b"PK\x03\x04"


def _dist_version(name):
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return None


def _versions():
    return {
        "ngep": __version__,
        "scikit-learn": _dist_version("scikit-learn"),
        "skorch": _dist_version("skorch"),
        "torch": _dist_version("torch"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _final_estimator(model):
    steps = getattr(model, "steps", None)
    if steps:
        return steps[-1][1]
    return model


def _jsonable_list(values):
    if values is None:
        return None
    out = []
    for v in np.asarray(values).ravel().tolist():
        out.append(v if isinstance(v, (str, int, float, bool)) else str(v))
    return out


def _describe(model):
    """Metadata about the model: class, features, targets, training size."""
    final = _final_estimator(model)
    names = getattr(model, "feature_names_in_", None)
    out_names = None
    if hasattr(model, "get_feature_names_out") and not hasattr(final, "predict"):
        try:
            out_names = model.get_feature_names_out()
        except Exception:  # noqa: BLE001 - metadata is best effort
            out_names = None
    n_samples = getattr(final, "n_samples_fit_", None)
    if n_samples is None:
        for _, step in getattr(model, "steps", [(None, model)]):
            n_samples = getattr(step, "n_samples_seen_", None)
            if n_samples is not None:
                break
    if n_samples is not None and np.ndim(n_samples) > 0:
        n_samples = int(np.max(n_samples))
    cls = type(model)
    return {
        "model_class": f"{cls.__module__}.{cls.__qualname__}",
        "n_features_in": (
            int(model.n_features_in_) if hasattr(model, "n_features_in_") else None
        ),
        "feature_names_in": _jsonable_list(names),
        "feature_names_out": _jsonable_list(out_names),
        "targets": _jsonable_list(getattr(final, "target_names_", None)),
        "classes": _jsonable_list(getattr(final, "classes_", None)),
        "n_samples_fit": None if n_samples is None else int(n_samples),
    }


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _payload(model, fmt):
    if fmt == "joblib":
        import joblib

        buf = io.BytesIO()
        joblib.dump(model, buf)
        return {"payload.joblib": buf.getvalue()}
    from ngep.persistence._portable import encode

    tree, arrays = encode(model)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    config = json.dumps(tree, indent=1, sort_keys=True).encode("utf-8")
    return {"config.json": config, "arrays.npz": buf.getvalue()}


def save(model, path, *, format="auto"):
    """Save a fitted model (or pipeline) to an ngep model file, atomically.

    Read more in the :ref:`User Guide <persistence>`.

    Parameters
    ----------
    model : estimator
        Any picklable estimator for ``format="joblib"``; allowlisted classes
        (see :func:`~ngep.persistence.portable_classes`) for ``"portable"``.
    path : str or os.PathLike
        Destination. Written to a temporary file in the same folder, then
        renamed over ``path``, so readers never see a half-written file.
    format : {"auto", "joblib", "portable"}, default="auto"
        ``"joblib"``: the model pickled with joblib (loads anything, but only
        load files you trust: unpickling can run code). ``"portable"``: JSON
        configuration + NumPy arrays, loaded without unpickling. ``"auto"``
        picks ``"portable"`` for a ``.ngep-portable`` suffix, else ``"joblib"``.

    Returns
    -------
    dict
        The metadata written to the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.preprocessing import StandardScaler
    >>> from ngep.persistence import load, save
    >>> scaler = StandardScaler().fit([[0.0], [2.0]])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scaler.ngep-portable"
    >>> save(scaler, path)["format_kind"]
    'portable'
    >>> load(path).mean_
    array([1.])
    """
    path = os.fspath(path)
    if format == "auto":
        format = "portable" if path.endswith(_PORTABLE_SUFFIX) else "joblib"
    if format not in ("joblib", "portable"):
        raise ConfigurationError(
            f"format must be 'auto', 'joblib' or 'portable', got {format!r}"
        )
    members = _payload(model, format)
    meta = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "format_kind": format,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "versions": _versions(),
        **_describe(model),
        "sha256": {name: _sha256(data) for name, data in members.items()},
    }
    with atomic_write(path, fsync=True) as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_MAGIC, json.dumps(meta, indent=1, sort_keys=True))
            for name, data in members.items():
                zf.writestr(name, data)
    return meta


def _open(path):
    """Open the container and return ``(zipfile, metadata)`` after all checks."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the model file ({exc})") from exc
    if head != _ZIP_SIGNATURE:
        raise ModelFileError(
            f"{path}: not an ngep model file (wrong magic bytes {head!r}). Files "
            "written by ngep.save start with a zip header; a plain joblib/pickle "
            "file must be opened with joblib.load, and only if you trust it."
        )
    try:
        zf = zipfile.ZipFile(path)
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(
            f"{path}: the model file is truncated or corrupted ({exc}); save the "
            "model again."
        ) from exc
    if not names or names[0] != _MAGIC:
        zf.close()
        raise ModelFileError(
            f"{path}: a zip file, but not an ngep model file (no {_MAGIC} first "
            "member); was it written by ngep.save?"
        )
    try:
        meta = json.loads(_read_member(zf, path, _MAGIC))
    except ValueError as exc:
        zf.close()
        raise ModelFileError(f"{path}: unreadable metadata ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT_NAME:
        zf.close()
        raise ModelFileError(f"{path}: not an ngep model file (bad metadata).")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        zf.close()
        raise ModelFileError(f"{path}: invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        zf.close()
        raise ModelFileError(
            f"{path}: written in model-file format {version} by ngep "
            f"{meta.get('versions', {}).get('ngep')}; this ngep {__version__} reads "
            f"formats up to {FORMAT_VERSION}. Upgrade ngep to load it."
        )
    return zf, meta


def _read_member(zf, path, name):
    try:
        return zf.read(name)
    except KeyError as exc:
        raise ModelFileError(f"{path}: member {name!r} is missing.") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        # zlib.error is a subclass of neither; caught by the caller below.
        raise ModelFileError(
            f"{path}: member {name!r} is truncated or corrupted ({exc})."
        ) from exc


def read_metadata(path):
    """Read a model file's metadata without loading the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    dict
        Format, versions, date, feature names, targets, training size, hashes.
    """
    zf, meta = _open(os.fspath(path))
    zf.close()
    return meta


def _check_versions(path, meta):
    saved = meta.get("versions", {})
    now = _versions()
    problems = []
    if saved.get("ngep", "").split(".")[:2] != now["ngep"].split(".")[:2]:
        problems.append(f"ngep {saved.get('ngep')} (now {now['ngep']})")
    if saved.get("scikit-learn") != now["scikit-learn"]:
        problems.append(
            f"scikit-learn {saved.get('scikit-learn')} (now {now['scikit-learn']})"
        )
    if problems:
        warnings.warn(
            f"{path}: saved with {', '.join(problems)}. Predictions may differ or "
            "loading may fail; re-fit and save with the current versions.",
            ModelVersionWarning,
            stacklevel=3,
        )


def load(path):
    """Load a model saved by :func:`save`, after integrity and version checks.

    Parameters
    ----------
    path : str or os.PathLike
        The model file. For ``"joblib"`` files, only load files you trust:
        unpickling can execute code. ``"portable"`` files are never unpickled.

    Returns
    -------
    estimator
        The model.

    Raises
    ------
    ngep.exceptions.ModelFileError
        Not an ngep file, truncated or corrupted (checksum mismatch), written
        in a newer format, or naming a class outside the portable allowlist.

    Warns
    -----
    ngep.exceptions.ModelVersionWarning
        Saved with another ngep major.minor or another scikit-learn version.
    """
    import zlib

    path = os.fspath(path)
    zf, meta = _open(path)
    with zf:
        kind = meta.get("format_kind")
        names = {
            "joblib": ["payload.joblib"],
            "portable": ["config.json", "arrays.npz"],
        }
        if kind not in names:
            raise ModelFileError(f"{path}: unknown format_kind {kind!r}.")
        data = {}
        for name in names[kind]:
            try:
                data[name] = _read_member(zf, path, name)
            except zlib.error as exc:
                raise ModelFileError(
                    f"{path}: member {name!r} is corrupted ({exc})."
                ) from exc
            expected = meta.get("sha256", {}).get(name)
            if expected != _sha256(data[name]):
                raise ModelFileError(
                    f"{path}: checksum mismatch for {name!r}; the file is "
                    "corrupted. Save the model again."
                )
    _check_versions(path, meta)
    if kind == "joblib":
        import joblib

        try:
            return joblib.load(io.BytesIO(data["payload.joblib"]))
        except (ImportError, AttributeError) as exc:
            raise ModelFileError(
                f"{path}: the pickled model needs a class that is not available "
                f"({exc}); install the versions listed in its metadata "
                f"({meta.get('versions')})."
            ) from exc
    from ngep.persistence._portable import decode

    try:
        tree = json.loads(data["config.json"])
        with np.load(io.BytesIO(data["arrays.npz"]), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError as exc:
        raise ModelFileError(f"{path}: unreadable portable payload ({exc}).") from exc
    return decode(tree, arrays)
