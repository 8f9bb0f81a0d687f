# SPDX-License-Identifier: BSD-3-Clause
""":class:`MorphologyExtractor`: SWC paths or Morphology objects -> feature matrix."""

import json
import math
import os
import warnings
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ngep._compat import StrOptions, fit_context
from ngep._version import __version__
from ngep.exceptions import (
    ConfigurationError,
    FeatureExtractionWarning,
    InvalidTypeError,
    UnknownNameError,
)
from ngep.io import COMPARTMENTS, Morphology, morphology_stem
from ngep.morphometrics._frame import parse_frame
from ngep.transformers._batch import Plan, extract_batch, label_of, reemit

__all__ = ["MorphologyExtractor"]

_MAX_BATCH = 32


def _catalogue():
    # imported here so that the catalogue module is loaded once, on first use
    from ngep import morphometrics

    return morphometrics


def _keys_of(entries):
    return [getattr(f, "name", f) for f in entries]


def _compartments(compartment):
    return (compartment,) if isinstance(compartment, str) else tuple(compartment)


def _resolve_features(features, compartment):
    """Catalogue keys and output names for ``features`` in ``compartment``.

    Presets keep the features that apply to one of the compartments; listed
    names must all apply. Columns follow :func:`ngep.morphometrics.feature_names`.
    """
    cat = _catalogue()
    comps = _compartments(compartment)
    if isinstance(features, str):
        preset = cat.PRESETS[features]
        keys = [
            k for k in _keys_of(preset)
            if cat.FEATURES[k].is_soma or set(cat.FEATURES[k].compartments) & set(comps)
        ]
        return keys, list(cat.feature_names(keys, comps))
    if len(features) == 0:
        raise ConfigurationError(
            f"features is empty; give one of {sorted(cat.PRESETS)} or names."
        )
    aliases = {}
    for key, feature in cat.FEATURES.items():
        for comp in (*comps, *cat.COMPARTMENT_NAMES):
            if feature.is_soma or comp in feature.compartments:
                aliases.setdefault(feature.column(comp), key)
    keys = []
    for entry in features:
        if not isinstance(entry, str):
            raise InvalidTypeError(f"Feature names must be strings, got {entry!r}.")
        key = entry if entry in cat.FEATURES else aliases.get(entry)
        if key is None:
            raise UnknownNameError.among(
                "feature", entry, [*cat.FEATURES, *aliases],
                see="ngep.morphometrics.FEATURES",
            )
        if key in keys:
            raise ConfigurationError(f"Feature {entry!r} is listed twice.")
        keys.append(key)
    return keys, list(cat.feature_names(keys, comps))


def _is_single_frame(frame):
    if isinstance(frame, str):
        return True
    if isinstance(frame, Mapping):
        return False
    try:
        arr = np.asarray(frame, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return arr.shape == (3,)


def _check_X(X):
    if isinstance(X, (str, bytes, os.PathLike, Morphology)):
        raise InvalidTypeError(
            "MorphologyExtractor expects a sequence of SWC paths or Morphology "
            f"objects, got a single {type(X).__name__}; wrap it in a list: [path]."
        )
    try:
        items = list(X)
    except TypeError:
        raise InvalidTypeError(
            "MorphologyExtractor expects a sequence of SWC paths or Morphology "
            f"objects, got {type(X).__name__}."
        ) from None
    for i, item in enumerate(items):
        if not isinstance(item, (str, os.PathLike, Morphology)):
            if isinstance(item, np.str_):
                items[i] = str(item)
                continue
            raise InvalidTypeError(
                f"X[{i}] is a {type(item).__name__}; expected an SWC path (str or "
                "os.PathLike) or an ngep.io.Morphology."
            )
    return items


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


def _progress(n, show):
    """A tqdm bar on stderr, or a stand-in (importing tqdm costs ~10 ms)."""
    if not show:
        return _NoProgress()
    from tqdm.auto import tqdm

    return tqdm(total=n, unit="file", desc="extracting")


def _batches(n, n_jobs):
    size = max(1, min(_MAX_BATCH, math.ceil(n / (4 * n_jobs))))
    return [(start, min(n, start + size)) for start in range(0, n, size)]


class MorphologyExtractor(TransformerMixin, BaseEstimator):
    """Turn SWC files (or Morphology objects) into a matrix of named morphometrics.

    Shaped like ``CountVectorizer(input="filename")``: ``X`` is a sequence of
    file paths, each becomes one row. Stateless: ``fit`` only validates the
    parameters and resolves feature names, so the extractor can sit first in a
    :class:`~sklearn.pipeline.Pipeline` and be cross-validated and pickled.

    Read more in the :ref:`User Guide <extraction>`.

    Parameters
    ----------
    features : {"base", "extended", "robust", "scale_free"} or list of str, \
default="base"
        Which features of :data:`ngep.morphometrics.FEATURES`: a preset of
        :data:`ngep.morphometrics.PRESETS` (``"robust"``: the measurements that
        survive another lab's conventions, see :ref:`robust-features`) or names.
        Names may be
        catalogue names (``"total_length"``) or output names
        (``"dendrite__total_length"``).
    compartment : str or list of str, default="dendrite"
        Which neurites the features describe: ``"dendrite"``, ``"basal"``,
        ``"apical"``, ``"axon"``, ``"all"``, or several (one column per feature
        and compartment). Columns are in the order of
        :func:`ngep.morphometrics.feature_names` (soma features last).
    frame : str, 3-vector, sequence or dict, default="principal"
        Frame of the frame-dependent features (those with ``invariant=False``,
        such as extents along axes); see :mod:`ngep.morphometrics._frame`.
        ``"principal"``: principal axes of the compartment; ``"pia:y"`` (or any
        signed axis) or a 3-vector: that file direction points to the pia;
        ``"native"``: file coordinates. A sequence gives one of these per row of
        ``X`` (same length); a dict maps file stems (the name less ``.swc`` and
        ``.gz``: ``cell.v2.swc`` is ``cell.v2``) or paths to one. Other
        features are computed in file coordinates: they do not depend on it.
    check_units : {"warn", "raise", "ignore"}, default="warn"
        What to do with a neuron that looks like it is in millimetres (see
        :func:`ngep.morphometrics.unit_problem`): warn with an
        :class:`~ngep.exceptions.SWCWarning` and compute anyway, or raise an
        :class:`~ngep.exceptions.SWCFormatError` (a per-file failure, so with
        ``errors="warn"`` the row becomes NaN).
    n_jobs : int, default=None
        Processes for reading and featurising (joblib; ``None`` means 1 unless
        in a :func:`joblib.parallel_config` context, -1 all cores). Files are
        sent to workers in batches; results do not depend on ``n_jobs``.
    errors : {"raise", "warn"}, default="raise"
        A file that cannot be read or featurised raises its error
        (:class:`~ngep.exceptions.SWCFormatError`, ``OSError``...) or, with
        ``"warn"``, gives a row of NaN and a
        :class:`~ngep.exceptions.FeatureExtractionWarning` naming the file.
        Rows are never dropped, so ``X`` and ``y`` stay aligned.
    progress : bool, default=False
        Show a tqdm progress bar (on stderr) during ``transform``.
    cache_dir : str or os.PathLike, default=None
        Folder for a per-file cache of rows, keyed on the file's absolute path,
        size and modification time and on the settings. An interrupted
        extraction re-run with the same ``cache_dir`` reads only the files not
        finished. Failed files are not cached.

    Attributes
    ----------
    feature_names_ : list of str
        Output column names, e.g. ``"dendrite__total_length"``.
    n_features_out_ : int
        Number of output columns.
    plan_ : ngep.morphometrics.FeaturePlan
        The features resolved into columns by ``fit``; ``transform`` and its
        worker processes only compute it.

    Notes
    -----
    ``transform`` does not change the extractor. The files that failed (with
    ``errors="warn"``) are named by the warnings it emits and returned, as a
    table, by :meth:`transform_with_failures`. (ngep 0.1 set a ``failures_``
    attribute in ``transform``; it is gone.)

    See Also
    --------
    ngep.morphometrics.compute_features : The same features for one Morphology.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ngep.io import Morphology, write_swc
    >>> from ngep.transformers import MorphologyExtractor
    >>> cell = Morphology(
    ...     [[0, 0, 0], [0, 10, 0], [0, 20, 0], [5, 30, 0], [-5, 30, 0]],
    ...     [5, 1, 1, 0.5, 0.5], [1, 3, 3, 3, 3], [-1, 0, 1, 2, 2])
    >>> tmp = tempfile.mkdtemp()
    >>> paths = [str(pathlib.Path(tmp, "a.swc")), str(pathlib.Path(tmp, "b.swc"))]
    >>> for p in paths:
    ...     write_swc(cell, p)
    >>> ext = MorphologyExtractor(features=["total_length", "n_branch_points"])
    >>> ext.fit_transform(paths).round(2)
    array([[32.36,  1.  ],
           [32.36,  1.  ]])
    >>> ext.get_feature_names_out().tolist()
    ['dendrite__total_length', 'dendrite__n_branch_points']
    """

    _parameter_constraints = {
        "features": [StrOptions({"base", "extended", "robust", "scale_free"}), list,
                     tuple],
        "compartment": [StrOptions(set(COMPARTMENTS)), list, tuple],
        "frame": [str, "array-like", dict],
        "check_units": [StrOptions({"warn", "raise", "ignore"})],
        "n_jobs": [Integral, None],
        "errors": [StrOptions({"raise", "warn"})],
        "progress": ["boolean"],
        "cache_dir": [str, os.PathLike, None],
    }

    # Fitted state saved by ngep.persistence's pickle-free format (plan_ is
    # resolved again from _keys on loading: see _set_portable_state).
    _portable_attrs = ("_keys", "feature_names_", "n_features_out_")

    def __init__(
        self,
        features="base",
        *,
        compartment="dendrite",
        frame="principal",
        check_units="warn",
        n_jobs=None,
        errors="raise",
        progress=False,
        cache_dir=None,
    ):
        self.features = features
        self.compartment = compartment
        self.frame = frame
        self.check_units = check_units
        self.n_jobs = n_jobs
        self.errors = errors
        self.progress = progress
        self.cache_dir = cache_dir

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and resolve feature names; files are not read.

        The features and compartments are resolved once, into ``plan_`` and
        ``feature_names_``: :meth:`transform` and its worker processes only
        compute that plan for each file.

        Parameters
        ----------
        X : sequence of str, os.PathLike or Morphology
            Checked for type only (a single bare path raises ``TypeError``).
        y : None
            Ignored.

        Returns
        -------
        self : MorphologyExtractor
            The fitted extractor.
        """
        _check_X(X)
        keys, names = _resolve_features(self.features, self.compartment)
        self._check_frame()
        self._keys = tuple(keys)
        self.plan_ = _catalogue().feature_plan(keys, _compartments(self.compartment))
        self.feature_names_ = names
        self.n_features_out_ = len(names)
        return self

    def _get_portable_state(self):
        return {"keys": list(self._keys)}  # AttributeError when not fitted

    def _set_portable_state(self, state):
        """Resolve the plan again on loading, as ``fit`` did."""
        self._keys = tuple(state["keys"])
        self.plan_ = _catalogue().feature_plan(
            self._keys, _compartments(self.compartment))

    def _batch_plan(self):
        """The plan sent to workers: ``plan_`` and the settings of this call."""
        plan = getattr(self, "plan_", None)
        if plan is None:  # a model file written by ngep 0.1 stores _keys only
            plan = _catalogue().feature_plan(
                self._keys, _compartments(self.compartment))
        token = json.dumps(
            [__version__, self.feature_names_, list(plan.compartments),
             self.check_units]
        )
        cache_dir = None if self.cache_dir is None else os.fspath(self.cache_dir)
        return Plan(plan, self.check_units, self.errors, cache_dir, token)

    def _check_frame(self):
        frame = self.frame
        if _is_single_frame(frame):
            parse_frame(frame)
        elif isinstance(frame, Mapping):
            for spec in frame.values():
                parse_frame(spec)
        else:
            for spec in frame:
                parse_frame(spec)

    def _frames_for(self, items):
        frame = self.frame
        if _is_single_frame(frame):
            return [parse_frame(frame)] * len(items)
        if isinstance(frame, Mapping):
            out = []
            for i, item in enumerate(items):
                label = label_of(item, i)
                name = item.name if isinstance(item, Morphology) else None
                stem = morphology_stem(label)
                for key in (label, name, stem):
                    if key is not None and key in frame:
                        out.append(parse_frame(frame[key]))
                        break
                else:
                    raise ConfigurationError(
                        f"frame has no entry for {label!r} (X[{i}]); add its file "
                        f"stem {stem!r} or path as a key."
                    )
            return out
        frames = list(frame)
        if len(frames) != len(items):
            raise ConfigurationError(
                f"frame gives {len(frames)} per-file frames but X has {len(items)} "
                "rows; pass one per row, a dict keyed by file stem, or one frame."
            )
        return [parse_frame(f) for f in frames]

    def transform(self, X):
        """Read and featurise each file.

        Does not change the extractor: the files that failed (with
        ``errors="warn"``) are named by the warnings it emits; use
        :meth:`transform_with_failures` to get them as a table.

        Parameters
        ----------
        X : sequence of str, os.PathLike or Morphology
            One SWC path (or parsed neuron) per row.

        Returns
        -------
        ndarray of float64, shape (n_samples, n_features_out_)
            With ``errors="warn"``, rows of files that failed are NaN.

        Raises
        ------
        TypeError
            ``X`` is a single path rather than a sequence of them.
        SWCFormatError, OSError
            With ``errors="raise"``, the first file that cannot be read.
        """
        return self._extract(X, stacklevel=3)[0]

    def transform_with_failures(self, X):
        """Featurise each file and say which failed, without changing the extractor.

        Parameters
        ----------
        X : sequence of str, os.PathLike or Morphology
            As for :meth:`transform`.

        Returns
        -------
        Xt : ndarray of float64, shape (n_samples, n_features_out_)
            What :meth:`transform` returns (NaN rows for failed files with
            ``errors="warn"``; use ``pandas.DataFrame(Xt,
            columns=extractor.get_feature_names_out())`` for a table).
        failures : pandas.DataFrame
            One row per file that gave a NaN row, with columns ``index`` (row
            of ``X``), ``path``, ``error`` (exception class) and ``reason``.
            Empty when every file succeeded.

        Examples
        --------
        >>> import os, tempfile
        >>> from ngep.transformers import MorphologyExtractor
        >>> missing = os.path.join(tempfile.mkdtemp(), "missing.swc")
        >>> ext = MorphologyExtractor(errors="warn").fit([missing])
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     Xt, failures = ext.transform_with_failures([missing])
        >>> failures["error"].tolist()
        ['FileNotFoundError']
        """
        import pandas as pd

        out, failures = self._extract(X, stacklevel=3)
        failures = pd.DataFrame(
            failures, columns=["index", "path", "error", "reason"]
        ).astype({"index": np.int64})
        return out, failures

    def _extract(self, X, stacklevel):
        """The matrix and a list of (index, path, error, reason) of failed files."""
        check_is_fitted(self)

        items = _check_X(X)
        frames = self._frames_for(items)
        plan = self._batch_plan()
        n = len(items)
        n_jobs = max(1, min(effective_n_jobs(self.n_jobs), n or 1))
        spans = _batches(n, n_jobs)
        tasks = (
            (items[a:b], frames[a:b], a, plan) for a, b in spans
        )
        if n_jobs == 1:
            chunks = (extract_batch(*task) for task in tasks)
        else:
            chunks = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(extract_batch)(*task) for task in tasks
            )
        out = np.full((n, self.n_features_out_), np.nan)
        failures = []
        with _progress(n, self.progress) as bar:
            for batch in chunks:
                out[batch.start : batch.start + len(batch.rows)] = batch.rows
                for i, failure, record in batch.notes:
                    reemit(record, stacklevel=stacklevel + 1)
                    if failure is not None:
                        failures.append((i, label_of(items[i], i), *failure))
                        warnings.warn(
                            f"Row {i} is NaN: {failure[1]} ({failure[0]})",
                            FeatureExtractionWarning,
                            stacklevel=stacklevel,
                        )
                bar.update(len(batch.rows))
        return out, failures

    def __getattr__(self, name):
        # Only for names not found otherwise: the attribute removed in 0.2 says
        # what replaces it (Python's protocol for missing attributes).
        if name == "failures_":
            raise AttributeError(
                "MorphologyExtractor.failures_ was removed in ngep 0.2 (transform no "
                "longer changes the extractor); use `Xt, failures = "
                "extractor.transform_with_failures(X)`."
            )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def get_feature_names_out(self, input_features=None):
        """Output feature names.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(self.feature_names_, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
