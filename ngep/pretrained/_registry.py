# SPDX-License-Identifier: BSD-3-Clause
"""The shipped models: manifest, names, integrity checks and loading.

``ngep/pretrained/models/`` holds one pickle-free model file per model and a
``manifest.json`` with each file's SHA-256 and everything the model card says
(label source, training cells, grouped-CV metrics beside baselines, features,
domain). Both are written by ``python -m ngep.pretrained._build``; nothing here
needs the network or the training data.
"""

import copy
import hashlib
import json
from importlib import resources

from ngep._docstring import fill_doc
from ngep.exceptions import InvalidTypeError, ModelFileError, UnknownModelError

__all__ = [
    "MANIFEST_FORMAT",
    "list_pretrained",
    "load_pretrained",
    "pretrained_info",
    "pretrained_path",
]

MANIFEST_FORMAT = "ngep-pretrained-manifest"
MANIFEST_NAME = "manifest.json"


def _models_dir():
    return resources.files("ngep.pretrained").joinpath("models")


def _read_manifest():
    """The parsed manifest (``{"models": {name: entry}}``), checked."""
    path = _models_dir().joinpath(MANIFEST_NAME)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelFileError(
            f"{path}: the manifest of the shipped models is missing ({exc}); "
            "reinstall ngep, or rebuild the models with "
            "'python -m ngep.pretrained._build'."
        ) from exc
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise ModelFileError(
            f"{path}: the manifest of the shipped models is corrupted ({exc}); "
            "reinstall ngep."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelFileError(f"{path}: not a manifest of ngep's shipped models.")
    return manifest


def _entry(name):
    models = _read_manifest()["models"]
    if not isinstance(name, str):
        raise InvalidTypeError(
            f"a pretrained model name must be a string, got {type(name).__name__}"
        )
    if name not in models:
        raise unknown_model(name)
    return models[name]


def unknown_model(name, *, what=None):
    """The :class:`UnknownModelError` for ``name``, with close names."""
    models = sorted(_read_manifest()["models"])
    # ngep's one resolver for close spellings, then names that contain the
    # text (a marker alone, "pvalb", names its model)
    close = list(UnknownModelError.among("pretrained model", name, models).suggestions)
    close += [m for m in models if name and str(name).lower() in m]
    close = list(dict.fromkeys(close))[:3]
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    head = (
        f"No pretrained model named {name!r}."
        if what is None
        else f"{name!r} {what} the name of a shipped model."
    )
    return UnknownModelError(
        f"{head}{hint} Shipped models: {', '.join(models)} (see 'ngep models' "
        "or ngep.pretrained.list_pretrained()).",
        name=name,
        suggestions=close,
    )


def list_pretrained():
    """Names of the pretrained models shipped with ngep.

    Read more in the :ref:`User Guide <pretrained>`.

    Returns
    -------
    list of str
        Sorted model names, e.g. ``"pvalb-mouse-cortex"``.

    See Also
    --------
    load_pretrained : The fitted pipeline of one of them.
    pretrained_info : What one of them is, as a dict.

    Examples
    --------
    >>> from ngep.pretrained import list_pretrained
    >>> "pvalb-mouse-cortex" in list_pretrained()
    True
    """
    return sorted(_read_manifest()["models"])


@fill_doc
def pretrained_info(name):
    """Everything known about a shipped model, as plain JSON-like data.

    Read from the manifest; the model file is not loaded.

    Parameters
    ----------
    %(pretrained_name)s

    Returns
    -------
    dict
        A fresh copy (editing it changes nothing) with keys ``name``,
        ``marker``, ``target``, ``contrast``, ``classes``, ``positive_class``,
        ``species``, ``region``, ``label_source`` (dataset, description, rules,
        cells, positives, negatives, groups), ``extra_sources`` (other labs'
        labelled cells added to training), ``n_training_cells``, ``features``
        (the extractor's output columns), ``compartment``, ``frame``, ``steps``
        (name, class, parameters), ``metrics`` (``grouped_cv``: ROC AUC of this
        model beside logistic regression and HistGradientBoosting on the same
        folds, among all cells and named subsets; ``convention_shift``: the
        same folds with held-out cells converted to other labs' conventions;
        ``transfer``: other-lab test sets), ``domain`` (method, bounds, share
        of held-out cells flagged), ``not_for``, ``why``, ``build`` (versions,
        command, date), ``file``, ``sha256`` and ``bytes``.

    Raises
    ------
    %(unknown_model)s

    Examples
    --------
    >>> from ngep.pretrained import pretrained_info
    >>> info = pretrained_info("pvalb-mouse-cortex")
    >>> info["marker"], info["classes"], info["positive_class"]
    ('Pvalb', [0, 1], 1)
    >>> info["label_source"]["n_cells"] > 100
    True
    """
    entry = _entry(name)
    info = copy.deepcopy(entry["info"])
    info.update(file=entry["file"], sha256=entry["sha256"], bytes=entry["bytes"])
    return info


@fill_doc
def pretrained_path(name):
    """Path of a shipped model's file, after checking its SHA-256 against the manifest.

    Parameters
    ----------
    %(pretrained_name)s

    Returns
    -------
    pathlib.Path or importlib.resources.abc.Traversable
        The model file (an ``ngep.save`` file in the pickle-free format).

    Raises
    ------
    %(unknown_model)s
    ngep.exceptions.ModelFileError
        The file is missing or its SHA-256 differs from the manifest.
    """
    entry = _entry(name)
    path = _models_dir().joinpath(entry["file"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(
            f"{path}: the file of pretrained model {name!r} is missing ({exc}); "
            "reinstall ngep."
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise ModelFileError(
            f"{path}: the file of pretrained model {name!r} is corrupted (SHA-256 "
            f"{digest[:12]}... does not match the manifest's "
            f"{entry['sha256'][:12]}...); reinstall ngep."
        )
    return path


@fill_doc
def load_pretrained(name):
    """Load a shipped pretrained model: a fitted pipeline from SWC paths.

    The file is checked against the manifest's SHA-256, then loaded from
    ngep's pickle-free format (no code is unpickled). No network and no
    training data are needed.

    Read more in the :ref:`User Guide <pretrained>`.

    Parameters
    ----------
    %(pretrained_name)s

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``extract`` (:class:`~ngep.transformers.MorphologyExtractor`),
        ``domain`` (:class:`~ngep.uncertainty.DomainCheck`: which neurons
        and measurements fall outside the training range), then the
        preprocessing steps and ``model``. ``predict_proba(paths)`` gives the
        class probabilities, columns in ``classes_`` order;
        :func:`predict_files` gives a table with ``out_of_domain`` and its
        reason. Its steps output DataFrames (``set_output(transform="pandas")``),
        so the features keep their names from step to step.

    Raises
    ------
    %(unknown_model)s
    ngep.exceptions.ModelFileError
        The file is missing, corrupted or fails its checksum.

    See Also
    --------
    predict_files : Predictions, domain flags and reasons as a DataFrame.
    model_card : What the model is and is not for.

    Examples
    --------
    >>> import tempfile
    >>> import ngep
    >>> from ngep.datasets import make_neurons
    >>> model = ngep.load_pretrained("pvalb-mouse-cortex")
    >>> [name for name, _ in model.steps][:2]
    ['extract', 'domain']
    >>> paths = make_neurons(3, out_dir=tempfile.mkdtemp(), random_state=0).paths
    >>> model.predict_proba(paths).shape
    (3, 2)
    """
    from ngep.persistence import load

    path = pretrained_path(name)
    with resources.as_file(path) as file:
        model = load(file)
    # Every step after extraction was fitted on named feature columns (the
    # domain names the measurements out of range): keep the names flowing.
    return model.set_output(transform="pandas")
