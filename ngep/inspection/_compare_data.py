# SPDX-License-Identifier: BSD-3-Clause
"""The inputs of a group comparison: tables or SWC files per group -> one table."""

import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ngep.exceptions import ComparisonError, FeatureExtractionWarning

__all__ = ["extract_groups"]

_ROW_NAN = re.compile(r"^Row (\d+) is NaN: (.*)$", re.DOTALL)


def _is_paths(value):
    if isinstance(value, (pd.DataFrame, np.ndarray)) or isinstance(value, str):
        return False
    try:
        items = list(value)
    except TypeError:
        return False
    return all(isinstance(v, str) or hasattr(v, "__fspath__") for v in items)


def extract_groups(groups, extractor=None):
    """Featurise the SWC files of each group; report the files that fail.

    Parameters
    ----------
    groups : mapping of str to sequence of path-like
        Group name -> its SWC files, for instance ``{"control": [...],
        "treated": [...]}``.
    extractor : MorphologyExtractor or None, default=None
        The extractor to use (it is cloned and set to ``errors="warn"``);
        None uses ``MorphologyExtractor(features="extended")``.

    Returns
    -------
    features : DataFrame
        One row per file that could be featurised: ``group``, ``path`` and one
        column per feature, in the order of ``groups``.
    failures : DataFrame
        One row per file that could not (``group``, ``path``, ``reason``):
        these are left out of ``features``, never counted.

    Examples
    --------
    >>> import tempfile
    >>> from ngep.datasets import make_neurons
    >>> tmp = tempfile.mkdtemp()
    >>> paths = make_neurons(6, out_dir=tmp, random_state=0).paths
    >>> features, failures = extract_groups({"a": paths[:3], "b": paths[3:]})
    >>> features["group"].tolist(), len(failures)
    (['a', 'a', 'a', 'b', 'b', 'b'], 0)
    """
    from sklearn.base import clone

    from ngep.transformers import MorphologyExtractor

    if not isinstance(groups, Mapping) or not groups:
        raise ComparisonError(
            "groups must be a non-empty mapping of group name -> list of SWC "
            f"files; got {type(groups).__name__}."
        )
    names, paths = [], []
    for name, files in groups.items():
        if not _is_paths(files):
            raise ComparisonError(
                f"group {name!r}: expected a list of SWC file paths, got "
                f"{type(files).__name__}."
            )
        files = [str(f) for f in files]
        names += [name] * len(files)
        paths += files
    est = clone(extractor) if extractor is not None else MorphologyExtractor(
        features="extended")
    est.set_params(errors="warn")
    reasons = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FeatureExtractionWarning)
        X = np.asarray(est.fit_transform(paths), dtype=float)
    for w in caught:
        if issubclass(w.category, FeatureExtractionWarning):
            match = _ROW_NAN.match(str(w.message))
            if match:
                reasons[int(match.group(1))] = match.group(2)
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    failed = np.zeros(len(paths), dtype=bool)
    failed[list(reasons)] = True
    failed |= np.isnan(X).all(axis=1) if X.shape[1] else False
    features = pd.DataFrame(X, columns=[str(c) for c in est.get_feature_names_out()])
    features.insert(0, "path", paths)
    features.insert(0, "group", names)
    failures = pd.DataFrame({
        "group": [names[i] for i in np.flatnonzero(failed)],
        "path": [paths[i] for i in np.flatnonzero(failed)],
        "reason": [reasons.get(i, "no feature could be computed")
                   for i in np.flatnonzero(failed)],
    })
    return features[~failed].reset_index(drop=True), failures


def _missing(columns, frame, what):
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        more = " ..." if frame.shape[1] > 12 else ""
        raise ComparisonError(
            f"{what} {', '.join(map(repr, absent))} not in the table; its columns "
            f"are {shown}{more}."
        )


def long_frame(data, group_column, donor_column, extractor):
    """One frame with a ``group`` and optional ``donor`` column; the failures."""
    failures = pd.DataFrame(columns=["group", "path", "reason"])
    if isinstance(data, pd.DataFrame):
        if group_column is None:
            raise ComparisonError(
                "A single table needs group_column=<the column naming each "
                "neuron's group>; or pass a mapping {group name: table}."
            )
        _missing([group_column], data, "group_column")
        frame = data.rename(columns={group_column: "__group__"})
    elif isinstance(data, Mapping) and data:
        values = list(data.values())
        if all(_is_paths(v) for v in values):
            frame, failures = extract_groups(data, extractor)
            frame = frame.rename(columns={"group": "__group__", "path": "__path__"})
        elif all(isinstance(v, pd.DataFrame) for v in values):
            frame = pd.concat(
                [v.assign(__group__=k) for k, v in data.items()], ignore_index=True)
        else:
            raise ComparisonError(
                "Each group must be a DataFrame of features, or each a list of "
                "SWC files; got "
                + ", ".join(f"{k!r}: {type(v).__name__}" for k, v in data.items())
                + "."
            )
    else:
        raise ComparisonError(
            "data must be a DataFrame with a group column or a non-empty mapping "
            f"{{group name: table or SWC files}}; got {type(data).__name__}."
        )
    if donor_column is not None:
        _missing([donor_column], frame, "donor_column")
        frame = frame.rename(columns={donor_column: "__donor__"})
    return frame, failures


def feature_columns(frame, features):
    reserved = {"__group__", "__donor__", "__path__"}
    if features is None:
        cols = [c for c in frame.columns if c not in reserved
                and (pd.api.types.is_numeric_dtype(frame[c])
                     or pd.api.types.is_bool_dtype(frame[c]))]
        if not cols:
            raise ComparisonError(
                "No numeric feature columns to compare; name them with features=.")
        return cols
    features = [features] if isinstance(features, str) else list(features)
    _missing(features, frame, "feature column(s)")
    bad = [c for c in features if not (pd.api.types.is_numeric_dtype(frame[c])
                                       or pd.api.types.is_bool_dtype(frame[c]))]
    if bad:
        raise ComparisonError(
            f"feature column(s) {bad} are not numeric; compare numeric columns "
            "only (convert categories to indicators first)."
        )
    return features


def add_predictions(frame, feature_cols, model, data):
    """Append the model's predictions for each neuron as extra feature columns."""
    if "__path__" in frame.columns:  # groups given as SWC files
        X = list(frame["__path__"])
    else:
        names = getattr(model, "feature_names_in_", None)
        cols = list(names) if names is not None else feature_cols
        _missing(cols, frame, "model input column(s)")
        X = frame[cols]
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
        classes = list(getattr(model, "classes_", range(proba.shape[1])))
        if proba.shape[1] == 2:
            proba, classes = proba[:, 1:], classes[1:]
        new = {f"predicted__{c}": proba[:, i] for i, c in enumerate(classes)}
    else:
        pred = np.asarray(model.predict(X), dtype=float)
        pred = pred.reshape(len(X), -1)
        new = ({"predicted": pred[:, 0]} if pred.shape[1] == 1
               else {f"predicted__{i}": pred[:, i] for i in range(pred.shape[1])})
    frame = frame.assign(**new)
    return frame, feature_cols + list(new)
