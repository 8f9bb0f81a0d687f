# SPDX-License-Identifier: BSD-3-Clause
"""What the web app serves: models loaded once, and uploads -> predictions.

Every point where the app meets the rest of ngep is here, and nothing here knows
about HTTP: loading models (shipped pretrained names or model files), reading an
uploaded file from memory, predicting with every model, the base measurements and
the picture of a neuron. Uploaded bytes are parsed in memory (SWC, gzip) or, for
formats whose reader needs a path, in a private temporary folder that is removed
before the call returns; nothing from an upload is ever unpickled.
"""

import base64
import io
import math
import os
import tempfile
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ngep.exceptions import (
    ConfigurationError,
    InvalidInputError,
    MorphologyFormatError,
    NgepError,
    SWCFormatError,
)

__all__ = [
    "ServedModel",
    "load_models",
    "measure",
    "picture_png",
    "predict",
    "read_upload",
    "supported_suffixes",
]

# The ngep pipelines and matplotlib are not known to be thread-safe (the feature
# extractor records warnings with ``warnings.catch_warnings``, which is global
# state before Python 3.14), so each runs under its own lock; parsing uploads,
# which is the rest of the work, runs in parallel.
_MODEL_LOCK = threading.Lock()
_PICTURE_LOCK = threading.Lock()

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class ServedModel:
    """A fitted pipeline the app serves, with what the page shows about it.

    Parameters
    ----------
    name : str
        Pretrained name (``"pvalb-mouse-cortex"``) or the model file's stem.
    pipeline : sklearn.pipeline.Pipeline
        Fitted; its first step is the feature extractor (``"extract"``).
    source : str
        ``"pretrained"`` or the model file's name.
    info : dict
        JSON-safe facts: task, target, classes, training size, metrics.
    card : str
        Markdown model card.
    """

    name: str
    pipeline: object
    source: str
    info: dict = field(default_factory=dict)
    card: str = ""

    @property
    def task(self):
        return (
            "classification"
            if hasattr(self.pipeline, "predict_proba")
            else "regression"
        )

    def describe(self):
        """The JSON entry of ``GET /api/models``."""
        positive = self.info.get("positive_class")
        return {
            "name": self.name,
            "source": self.source,
            "task": self.task,
            "marker": self.info.get("marker"),
            "positive_class": None if positive is None else _class_name(positive),
            "info": _jsonable(self.info),
            "card": self.card,
        }


# ---------------------------------------------------------------------------
# loading models
# ---------------------------------------------------------------------------
def load_models(specs=None):
    """Load the models to serve, once.

    Parameters
    ----------
    specs : list of str or path-like, default=None
        Shipped pretrained model names (:func:`ngep.pretrained.list_pretrained`)
        or model files written by :func:`ngep.save` / ``ngep fit``. None or
        empty: every shipped model.

    Returns
    -------
    list of ServedModel

    Raises
    ------
    ngep.exceptions.UnknownModelError
        A name is neither an existing file nor a shipped model.
    ValueError
        A model file is missing or not an SWC pipeline; two models share a name.

    Examples
    --------
    >>> [m.name for m in load_models(["pvalb-mouse-cortex"])]
    ['pvalb-mouse-cortex']
    """
    from ngep import pretrained

    if not specs:
        specs = pretrained.list_pretrained()
    models = []
    for spec in specs:
        path = Path(spec)
        looks_like_file = (
            path.suffix in (".ngep", ".ngep-portable") or len(path.parts) > 1
        )
        if path.is_file() or looks_like_file:
            models.append(_load_file(path))
        else:
            models.append(_load_pretrained(pretrained, str(spec)))
    seen = set()
    for model in models:
        if model.name in seen:
            raise ConfigurationError(
                f"two models are named {model.name!r}; serve one of them"
            )
        seen.add(model.name)
    return models


def _check_pipeline(pipeline, where):
    if "extract" not in getattr(pipeline, "named_steps", {}):
        raise InvalidInputError(
            f"{where} is not an ngep SWC pipeline (no 'extract' step); fit one with "
            "'ngep fit' or ngep.pipeline.make_default_pipeline"
        )
    # one neuron at a time, no progress bars in a server log
    extractor = pipeline.named_steps["extract"]
    extractor.set_params(n_jobs=None, progress=False)
    if all(hasattr(step, "feature_names_in_") for _, step in pipeline.steps[1:]):
        # fitted on named columns throughout: keep the names (as ngep predict)
        pipeline.set_output(transform="pandas")
    return pipeline


def _load_pretrained(pretrained, name):
    pipeline = _check_pipeline(pretrained.load_pretrained(name), name)
    return ServedModel(
        name=name,
        pipeline=pipeline,
        source="pretrained",
        info=dict(pretrained.pretrained_info(name)),
        card=pretrained.model_card(name),
    )


def _load_file(path):
    from ngep.persistence import load, read_metadata

    if not path.is_file():
        raise InvalidInputError(f"model file {path} not found")
    pipeline = _check_pipeline(load(path), str(path))
    meta = read_metadata(path)
    name = path.name
    for suffix in (".ngep-portable", ".ngep"):
        name = name.removesuffix(suffix) or name
    final = pipeline[-1]
    info = {
        "target": ", ".join(meta.get("targets") or []) or None,
        "classes": _jsonable(list(getattr(pipeline, "classes_", []))) or None,
        "n_training_neurons": meta.get("n_samples_fit"),
        "features": pipeline.named_steps["extract"].features,
        "saved_utc": meta.get("created_utc"),
        "ngep_version": (meta.get("versions") or {}).get("ngep"),
        "model_class": type(final).__name__,
        "out_of_domain": "domain" in pipeline.named_steps,
    }
    return ServedModel(
        name=name,
        pipeline=pipeline,
        source=path.name,  # not the server's folders
        info=info,
        card=_file_card(name, info),
    )


def _file_card(name, info):
    kind = "marker classifier" if info["classes"] else "expression regressor"
    lines = [
        f"# {name}",
        "",
        f"A model file served with `ngep serve --model`: a {kind} "
        f"({info['model_class']}).",
        "",
        f"- **Predicts:** {info['target'] or 'not recorded'}"
        + (
            f" (classes {', '.join(map(str, info['classes']))})"
            if info["classes"]
            else ""
        ),
        f"- **Trained on:** {info['n_training_neurons'] or 'an unrecorded number of'} "
        "neurons (the file does not say which; ask whoever fitted it)",
        f"- **Features:** {info['features']}",
        f"- **Applicability domain:** {'yes' if info['out_of_domain'] else 'no'}",
        f"- **Saved:** {info['saved_utc'] or 'unknown date'} with ngep "
        f"{info['ngep_version'] or '(unknown version)'}",
        "",
        "No cross-validated accuracy is stored in a model file; measure it with "
        "`ngep cv` on labelled neurons before trusting its predictions.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# reading uploads
# ---------------------------------------------------------------------------
def _has_morphio():
    import importlib.util

    return importlib.util.find_spec("morphio") is not None


def supported_suffixes():
    """File name endings the app reads, e.g. ``('.swc', '.swc.gz', '.asc', '.h5')``.

    ``.asc`` and ``.h5`` need MorphIO (the ``formats`` extra).

    Examples
    --------
    >>> supported_suffixes()[:2]
    ('.swc', '.swc.gz')
    """
    suffixes = (".swc", ".swc.gz")
    if _has_morphio():
        suffixes += (".asc", ".h5")
    return suffixes


def _suffix(name):
    lower = name.lower()
    for suffix in (".swc.gz", ".swc", ".asc", ".h5"):
        if lower.endswith(suffix):
            return suffix
    return Path(lower).suffix


def _gunzip(data, name, limit):
    """Decompress (possibly multi-member) gzip data, refusing to pass ``limit``."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise SWCFormatError(
                    f"unpacks to more than {limit // (1024 * 1024)} MiB; upload a "
                    "smaller file or raise the server's limit",
                    path=name,
                )
            if not inflater.eof:
                out += inflater.flush()
                if not inflater.eof:
                    raise zlib.error("unexpected end of data")
        except zlib.error as exc:
            raise SWCFormatError(
                f"corrupt or truncated gzip data ({exc}); re-compress the file",
                path=name,
            ) from None
        data = inflater.unused_data
        if data and not data.startswith(_GZIP_MAGIC):
            break  # trailing garbage after the last member, as gzip(1) ignores
    return bytes(out)


def read_upload(name, data, *, max_unpacked_bytes=200 * 1024 * 1024):
    """Parse an uploaded file's bytes into a :class:`~ngep.io.Morphology`.

    Parameters
    ----------
    name : str
        The client's file name: picks the format and labels errors, never a path.
    data : bytes
        The file's contents.
    max_unpacked_bytes : int, default=200 MiB
        Largest size gzip data may unpack to.

    Returns
    -------
    morphology : Morphology
    notes : list of str
        What was repaired or dropped while reading (detached fragments).

    Raises
    ------
    MorphologyFormatError
        Malformed file (:class:`~ngep.exceptions.SWCFormatError` for SWC); the
        message names the line when one is to blame.
    ValueError
        An unsupported file type.

    Examples
    --------
    >>> m, notes = read_upload("cell.swc", b"1 1 0 0 0 5 -1\\n2 3 0 10 0 1 1\\n")
    >>> m, notes
    (<Morphology 'cell': 2 nodes, soma>, [])
    """
    from ngep.io._swc import _parse_bytes

    suffix = _suffix(name)
    if suffix not in supported_suffixes():
        raise InvalidInputError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; upload "
            + ", ".join(supported_suffixes())
            + " files"
        )
    if suffix in (".asc", ".h5"):
        return _read_via_tempdir(name, data, suffix), []
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, name, max_unpacked_bytes)
    elif suffix == ".swc.gz":
        raise SWCFormatError(
            "named .gz but not gzip data; upload it as .swc", path=name
        )
    morphology = _parse_bytes(data, path=name, on_fragments="ignore")
    notes = []
    if len(morphology.dropped_ids):
        notes.append(
            f"{len(morphology.dropped_ids)} node(s) not connected to the soma's tree "
            "were dropped"
        )
    return morphology, notes


def _read_via_tempdir(name, data, suffix):
    """MorphIO reads .asc/.h5 from a path: a private folder, always removed."""
    from ngep.io import morphology_stem, read_morphology

    with tempfile.TemporaryDirectory(prefix="ngep-serve-") as tmp:  # mode 0700
        path = os.path.join(tmp, "upload" + suffix)  # never the client's name
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            morphology = read_morphology(path, on_fragments="ignore")
        except MorphologyFormatError as exc:
            # name the upload, not the temporary file
            raise type(exc)(exc.problem, path=name, line=exc.line) from None
        except NgepError:
            raise
        except Exception as exc:  # noqa: BLE001 - third-party readers raise anything
            raise MorphologyFormatError(
                f"cannot read this {suffix} file ({type(exc).__name__}: {exc})",
                path=name,
            ) from None
    morphology.name = morphology_stem(name)
    morphology.source = name
    return morphology


# ---------------------------------------------------------------------------
# measuring, predicting, drawing
# ---------------------------------------------------------------------------
def measure(morphology):
    """The five base measurements of a neuron (dendrites and soma), by column name.

    Examples
    --------
    >>> m, _ = read_upload("c.swc", b"1 1 0 0 0 5 -1\\n2 3 0 10 0 1 1\\n3 3 0 20 0 1 2")
    >>> measure(m)
    {'dendrite__total_length': 10.0, 'dendrite__n_branch_points': 0.0,
     'dendrite__n_stems': 1.0, 'dendrite__max_path_distance': 10.0,
     'soma__radius': 5.0}
    """
    from ngep.morphometrics import BASE_FEATURES, compute_features, feature_names

    values = compute_features(morphology, BASE_FEATURES, "dendrite")
    names = feature_names(BASE_FEATURES, "dendrite")
    return {name: _number(v) for name, v in zip(names, values)}


def _number(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _domain_reason(step, X):
    """Why a neuron is out of domain, in words: the measurements out of range."""
    explain = getattr(step, "explain", None)
    if callable(explain):
        return [str(r) for r in explain(X)]
    margin = step.decision_function(X)
    return [
        "" if m >= 0 else f"unlike the training neurons (domain margin {m:.2f} < 0)"
        for m in margin
    ]


def _predict_one(model, X):
    """One model's predictions for the feature rows ``X`` (one neuron)."""
    from ngep.uncertainty import ConformalRegressor

    pipe = model.pipeline
    rest = pipe[1:]
    out = {}
    if isinstance(rest[-1], ConformalRegressor):
        Xt = rest[:-1].transform(X) if len(rest) > 1 else X
        pred, lower, upper = rest[-1].predict(Xt, return_interval=True)
        out["prediction"] = _number(np.ravel(pred)[0])
        out["interval"] = {
            "lower": _number(np.ravel(lower)[0]),
            "upper": _number(np.ravel(upper)[0]),
            "coverage": _number(rest[-1].coverage),
        }
    else:
        pred = np.asarray(rest.predict(X))
        value = pred.ravel()[0] if pred.ndim <= 2 and pred.size == 1 else pred[0]
        out["prediction"] = _jsonable(value)
    if hasattr(rest, "predict_proba"):
        proba = rest.predict_proba(X)
        final = pipe[-1]
        if isinstance(proba, list):  # a gene panel: "<gene>_<class>", as proba_ columns
            out["probabilities"] = {
                f"{gene}_{_class_name(c)}": _number(p)
                for gene, values, classes in zip(final.genes_, proba, final.classes_)
                for c, p in zip(classes, np.asarray(values)[0])
            }
        else:
            out["probabilities"] = {
                _class_name(c): _number(p)
                for c, p in zip(final.classes_, np.asarray(proba)[0])
            }
    final = pipe[-1]
    if hasattr(final, "uses_axon"):  # e.g. AxonSwitchClassifier
        Xt = rest[:-1].transform(X) if len(rest) > 1 else X
        out["used_axon"] = bool(np.asarray(final.uses_axon(Xt))[0])
    if "domain" in pipe.named_steps:
        step = pipe.named_steps["domain"]
        inside = bool(step.in_domain(X)[0])
        out["out_of_domain"] = not inside
        out["out_of_domain_reason"] = "" if inside else _domain_reason(step, X)[0]
    return out


def _class_name(value):
    """``1.0`` -> ``'1'``, as the ``proba_<class>`` columns of ``ngep predict``."""
    from ngep.pretrained import class_column

    return class_column(value, prefix="")


def predict(models, morphology):
    """Predict with every model for one neuron.

    Parameters
    ----------
    models : list of ServedModel
    morphology : Morphology

    Returns
    -------
    dict
        Model name -> ``{"prediction", "probabilities" (classifiers),
        "interval" (models with intervals), "used_axon" (models that read
        the axon where it was traced), "out_of_domain",
        "out_of_domain_reason" (models with a domain)}``.
    """
    results = {}
    features = {}
    with _MODEL_LOCK:
        for model in models:
            extractor = model.pipeline.named_steps["extract"]
            key = repr(sorted(extractor.get_params().items()))
            if key not in features:
                features[key] = extractor.transform([morphology])
            results[model.name] = _predict_one(model, features[key])
    return results


def picture_png(morphology, *, size=360):
    """A PNG of the neuron seen from above (x-y), coloured by compartment.

    Returns
    -------
    bytes
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _PICTURE_LOCK:
        fig = Figure(figsize=(size / 90, size / 90), dpi=90)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
        _draw(morphology, ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def _draw(morphology, ax):
    from ngep.plot import morphology as draw

    draw(morphology, ax=ax, projection="xy", color_by="compartment")


def png_data_url(png):
    """``data:image/png;base64,...`` for a PNG's bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)
