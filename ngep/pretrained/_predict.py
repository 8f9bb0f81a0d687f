# SPDX-License-Identifier: BSD-3-Clause
"""Apply a fitted SWC pipeline (a shipped name or a model) to files -> one table.

One row per file, never dropped: a file that cannot be read keeps its row with
``status`` saying why. Columns: ``file``, ``path``, ``status``, the predictions
(``predicted`` or ``predicted_<target>``), one probability column per class
named for the class (``proba_1``, ``proba_Pvalb+``; ``proba_<gene>_<class>`` for
gene panels), conformal ``lower``/``upper`` when the model has intervals,
``used_axon`` when the model reads the axon where it was traced, and,
when the pipeline has a ``domain`` step (every shipped model has),
``out_of_domain`` and ``out_of_domain_reason``.
"""

import os
import warnings

import numpy as np
import pandas as pd

from ngep.exceptions import FeatureExtractionWarning, InvalidTypeError

__all__ = ["class_column", "load_model", "predict_files"]


def class_column(cls, prefix="proba_"):
    """Column name of a class's probability: the class as written, not its float.

    Parameters
    ----------
    cls : object
        A class label (``1``, ``1.0``, ``True``, ``"Pvalb+"``).
    prefix : str, default="proba\\_"
        Put before the label (``"proba_"`` unless given).

    Returns
    -------
    str
        ``1`` and ``1.0`` both give ``"proba_1"``.

    Examples
    --------
    >>> import numpy as np
    >>> from ngep.pretrained import class_column
    >>> class_column(np.float64(1.0)), class_column("Pvalb+"), class_column(0)
    ('proba_1', 'proba_Pvalb+', 'proba_0')
    """
    if isinstance(cls, (bool, np.bool_)):
        text = str(bool(cls))
    elif isinstance(cls, (float, np.floating)) and float(cls).is_integer():
        text = str(int(cls))
    elif isinstance(cls, (int, np.integer)):
        text = str(int(cls))
    else:
        text = str(cls)
    return f"{prefix}{text}"


def _resolve(model):
    """A shipped name, a model file or a fitted pipeline -> (pipeline, target).

    ``target`` names the prediction column of a shipped model (its marker).
    """
    if not isinstance(model, (str, os.PathLike)):
        return model, None
    from ngep.pretrained._registry import _read_manifest, load_pretrained

    models = _read_manifest()["models"]
    if isinstance(model, str) and model in models:
        return load_pretrained(model), models[model]["info"]["marker"]
    if os.path.exists(model):
        from ngep.persistence import load

        loaded = load(model)
        steps = getattr(loaded, "steps", [])[1:]
        if steps and all(hasattr(s, "feature_names_in_") for _, s in steps):
            # fitted on named columns throughout (as the shipped models)
            loaded.set_output(transform="pandas")
        return loaded, None
    from ngep.pretrained._registry import unknown_model

    raise unknown_model(
        os.fspath(model), what="is neither an existing model file nor"
    )


def load_model(model):
    """A shipped model's name or a model file -> the fitted pipeline.

    What ``ngep predict`` and ``ngep importance`` do with their ``MODEL``
    argument: a name from :func:`list_pretrained` loads that shipped model
    (:func:`load_pretrained`); an existing path loads the file
    (:func:`ngep.persistence.load`).

    Parameters
    ----------
    model : str or os.PathLike
        A shipped model's name or a model file.

    Returns
    -------
    estimator
        The fitted model (a Pipeline for models from ``ngep fit`` and the
        shipped ones).

    Raises
    ------
    ngep.exceptions.UnknownModelError
        Neither an existing file nor a shipped name (the message suggests close
        names).
    ngep.exceptions.ModelFileError
        The file is corrupted or not an ngep model file.

    Examples
    --------
    >>> from ngep.pretrained import load_model
    >>> [name for name, _ in load_model("sst-mouse-cortex").steps][:2]
    ['extract', 'domain']
    """
    if not isinstance(model, (str, os.PathLike)):
        raise InvalidTypeError(
            f"model must be a shipped name or a path, got {type(model).__name__}"
        )
    return _resolve(model)[0]


def _extract(extractor, paths, n_jobs, progress, cache_dir):
    from sklearn.base import clone

    params = {"errors": "warn", "n_jobs": n_jobs, "progress": progress}
    if cache_dir is not None:
        params["cache_dir"] = cache_dir
    ext = clone(extractor).set_params(**params)
    ext.fit(paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeatureExtractionWarning)
        Xt, failures = ext.transform_with_failures(paths)
    return pd.DataFrame(Xt, columns=ext.get_feature_names_out()), failures


def _targets(final, n):
    targets = getattr(final, "target_names_", None)
    genes = getattr(final, "genes_", None)
    names = genes if genes is not None else targets
    if names is not None and len(names) == n:
        return [str(t) for t in names]
    return None


def predict_files(model, paths, *, n_jobs=None, progress=False, cache_dir=None):
    """Predict SWC files with a fitted ngep pipeline; one row per file.

    Read more in the :ref:`User Guide <pretrained>`.

    Parameters
    ----------
    model : str, os.PathLike or Pipeline
        A shipped model's name (:func:`list_pretrained`), a model file written
        by ``ngep fit`` / :func:`ngep.save`, or a fitted pipeline whose first
        step is ``extract`` (:class:`~ngep.transformers.MorphologyExtractor`).
    paths : sequence of str or os.PathLike
        SWC files.
    n_jobs : int, default=None
        Processes for feature extraction.
    progress : bool, default=False
        Show a progress bar while extracting.
    cache_dir : str, os.PathLike or None, default=None
        Folder of per-file feature results (see
        :class:`~ngep.transformers.MorphologyExtractor`): a second call on the
        same files, with a model of the same features, reads only files that
        are new or changed. None: the model's own ``extract`` setting (no
        cache for the shipped models and those of ``ngep fit``).

    Returns
    -------
    DataFrame
        ``file``, ``path``, ``status`` (``"ok"`` or ``"failed: <reason>"``),
        ``predicted`` (or ``predicted_<target>``), ``proba_<class>`` per class
        (``proba_<gene>_<class>`` for a gene panel), ``lower``/``upper`` for
        models with conformal intervals, and with a ``domain`` step
        ``out_of_domain`` (bool; missing for failed files) and
        ``out_of_domain_reason`` (which measurements fall outside the training
        range; empty inside). A model that reads the axon where it was traced
        (:class:`~ngep.models.AxonSwitchClassifier`) adds ``used_axon``.
        Failed files have missing predictions.

    Raises
    ------
    ngep.exceptions.UnknownModelError
        ``model`` is neither a shipped name nor an existing file.
    TypeError
        ``model`` is not a pipeline that starts from SWC paths.

    Examples
    --------
    >>> import tempfile
    >>> from ngep.datasets import make_neurons
    >>> from ngep.pretrained import predict_files
    >>> paths = make_neurons(2, out_dir=tempfile.mkdtemp(), random_state=0).paths
    >>> table = predict_files("pvalb-mouse-cortex", paths)
    >>> [c for c in table.columns if c.startswith(("proba", "out_of"))]
    ['proba_0', 'proba_1', 'out_of_domain', 'out_of_domain_reason']
    """
    model, target = _resolve(model)
    steps = getattr(model, "named_steps", {})
    if "extract" not in steps or model.steps[0][0] != "extract":
        raise InvalidTypeError(
            f"{type(model).__name__} is not an ngep SWC pipeline: its first step "
            "must be 'extract' (a MorphologyExtractor), as in models written by "
            "'ngep fit' and the shipped models."
        )
    if isinstance(paths, (str, os.PathLike)):
        raise InvalidTypeError(
            "paths must be a sequence of SWC paths; wrap one in a list."
        )
    paths = [os.fspath(p) for p in paths]
    X, failures = _extract(steps["extract"], paths, n_jobs, progress, cache_dir)
    n = len(paths)
    out = pd.DataFrame(
        {"file": [os.path.basename(p) for p in paths], "path": paths, "status": "ok"}
    )
    ok = np.ones(n, dtype=bool)
    if len(failures):
        bad = failures["index"].to_numpy()
        ok[bad] = False
        reasons = "failed: " + failures["reason"].astype(str)
        out.loc[bad, "status"] = reasons.to_numpy()
    rest = model[1:]
    final = model.steps[-1][1]
    has_domain = "domain" in steps
    if not ok.any():
        if has_domain:
            out["out_of_domain"] = pd.Series([pd.NA] * n, dtype="boolean")
            out["out_of_domain_reason"] = ""
        return out
    Xok = X.loc[ok]
    from ngep.uncertainty import ConformalRegressor

    lower = upper = None
    if isinstance(final, ConformalRegressor):
        Xt = rest[:-1].transform(Xok) if len(rest) > 1 else Xok
        pred, lower, upper = final.predict(Xt, return_interval=True)
    else:
        pred = np.asarray(rest.predict(Xok))
    n_out = 1 if pred.ndim == 1 else pred.shape[1]
    names = _targets(final, n_out)
    if names is None and target is not None and n_out == 1:
        names = [target]
    if names is None:
        columns = [f"predicted_{j}" for j in range(n_out)]
        if n_out == 1:
            columns = ["predicted"]
    else:
        columns = [f"predicted_{t}" for t in names]
    pred2 = pred.reshape(len(pred), -1)
    for j, name in enumerate(columns):
        col = pd.Series([None] * n, dtype=object)
        col[ok] = pred2[:, j]
        out[name] = col.infer_objects()
    if lower is not None:
        for name, values in (("lower", lower), ("upper", upper)):
            out[name] = np.nan
            out.loc[ok, name] = values
    if hasattr(rest, "predict_proba"):
        proba = rest.predict_proba(Xok)
        genes = getattr(final, "genes_", None)
        if isinstance(proba, list):  # a gene panel: one array per gene
            blocks = [
                (p, c, f"proba_{g}_") for g, p, c in zip(genes, proba, final.classes_)
            ]
        else:
            blocks = [(proba, final.classes_, "proba_")]
        for values, classes, prefix in blocks:
            for j, cls in enumerate(classes):
                col = np.full(n, np.nan)
                col[ok] = values[:, j]
                out[class_column(cls, prefix)] = col
    if hasattr(final, "uses_axon"):  # e.g. AxonSwitchClassifier
        Xt = rest[:-1].transform(Xok) if len(rest) > 1 else Xok
        used = pd.Series([pd.NA] * n, dtype="boolean")
        used[ok] = np.asarray(final.uses_axon(Xt), dtype=bool)
        out["used_axon"] = used
    if has_domain:
        domain = steps["domain"]
        flag = pd.Series([pd.NA] * n, dtype="boolean")
        flag[ok] = ~domain.in_domain(Xok)
        out["out_of_domain"] = flag
        reasons = np.full(n, "", dtype=object)
        if hasattr(domain, "explain"):
            reasons[ok] = domain.explain(Xok)
        out["out_of_domain_reason"] = reasons
    return out
