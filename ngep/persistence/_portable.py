# SPDX-License-Identifier: BSD-3-Clause
"""Pickle-free encoding of fitted estimators: JSON configuration + NumPy arrays.

An estimator becomes ``{"__estimator__": name, "params": ..., "attrs": ...,
"state": ...}``. ``name`` must be in an allowlist (:func:`register_portable`);
loading imports that class by name, calls ``cls(**params)`` and sets the stored
fitted attributes. Numeric arrays go to an ``.npz`` read with
``allow_pickle=False``; strings, tuples and dicts are tagged JSON. Nothing is
ever unpickled.
"""

import importlib
from numbers import Integral, Real

import numpy as np

from ngep.exceptions import ModelFileError

__all__ = ["decode", "encode", "portable_classes", "register_portable"]

_SCALER_ATTRS = ("n_features_in_", "feature_names_in_", "n_samples_seen_")

# Fully qualified public name -> fitted attributes to store, or None to use the
# class attribute ``_portable_attrs`` (the opt-in protocol of ngep estimators).
_REGISTRY = {
    "sklearn.pipeline.Pipeline": (),
    "sklearn.preprocessing.StandardScaler": ("mean_", "var_", "scale_") + _SCALER_ATTRS,
    "sklearn.preprocessing.MinMaxScaler": (
        "min_",
        "scale_",
        "data_min_",
        "data_max_",
        "data_range_",
    )
    + _SCALER_ATTRS,
    "sklearn.impute.SimpleImputer": (
        "statistics_",
        "indicator_",
        "_fit_dtype",
        "_fill_dtype",
        "n_features_in_",
        "feature_names_in_",
    ),
    "sklearn.covariance.EmpiricalCovariance": (
        "location_",
        "covariance_",
        "precision_",
        "n_features_in_",
        "feature_names_in_",
    ),
    "sklearn.covariance.MinCovDet": (
        "location_",
        "covariance_",
        "precision_",
        "support_",
        "dist_",
        "raw_location_",
        "raw_covariance_",
        "raw_support_",
        "n_features_in_",
        "feature_names_in_",
    ),
    "sklearn.linear_model.LogisticRegression": (
        "classes_",
        "coef_",
        "intercept_",
        "n_iter_",
        "n_features_in_",
        "feature_names_in_",
    ),
    "ngep.models.AxonSwitchClassifier": None,
    "ngep.models.ContrastClassifier": None,
    "ngep.models.ExpressionRegressor": None,
    "ngep.models.MarkerClassifier": None,
    "ngep.multigene.GenePanelClassifier": None,
    "ngep.multigene.GenePanelRegressor": None,
    "ngep.transformers.FeatureExpander": None,
    "ngep.transformers.MorphologyExtractor": None,
    "ngep.transformers.RangeClipper": None,
    "ngep.uncertainty.ApplicabilityDomain": None,
    "ngep.uncertainty.DomainCheck": None,
}


def register_portable(name, attrs=None):
    """Allow the class ``name`` in pickle-free model files.

    Parameters
    ----------
    name : str
        Fully qualified public name, e.g. ``"sklearn.preprocessing.RobustScaler"``.
        Loading imports exactly this name, so register only classes you trust
        to be constructed from stored parameters.
    attrs : tuple of str or None, default=None
        Fitted attributes to store. ``None`` uses the class attribute
        ``_portable_attrs``. A class may also define ``_get_portable_state()``
        (returning encodable values) and ``_set_portable_state(state)`` for
        state that is not plain attributes, e.g. network weights.

    Examples
    --------
    >>> from ngep.persistence import portable_classes, register_portable
    >>> register_portable("sklearn.preprocessing.RobustScaler",
    ...                   attrs=("center_", "scale_", "n_features_in_"))
    >>> "sklearn.preprocessing.RobustScaler" in portable_classes()
    True
    """
    if not isinstance(name, str) or name.count(".") < 1:
        raise ValueError(f"name must be a dotted 'module.Class' string, got {name!r}")
    if attrs is not None:
        attrs = tuple(str(a) for a in attrs)
    _REGISTRY[name] = attrs


def portable_classes():
    """Sorted names of the classes allowed in pickle-free files.

    Returns
    -------
    list of str
        The allowlist.
    """
    return sorted(_REGISTRY)


def _resolve(name):
    module, _, cls_name = name.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), cls_name)
    except (ImportError, AttributeError) as exc:
        raise ModelFileError(
            f"class {name!r} named in the model file cannot be imported "
            f"({exc}); install the package that provides it."
        ) from exc
    return cls


def _registry_name(obj):
    """Allowlist name of ``type(obj)``, or raise TypeError."""
    cls = type(obj)
    module = cls.__module__
    for name in _REGISTRY:
        mod, _, cls_name = name.rpartition(".")
        if cls_name == cls.__name__ and module.startswith(mod.split(".")[0]):
            try:
                if _resolve(name) is cls:
                    return name
            except ModelFileError:
                continue
    raise TypeError(
        f"{cls.__module__}.{cls.__qualname__} is not in the pickle-free allowlist "
        f"({', '.join(portable_classes())}). Save with format='joblib' (trusted "
        "pickle) or register it with ngep.persistence.register_portable."
    )


def _attrs_for(name, cls):
    attrs = _REGISTRY[name]
    if attrs is None:
        attrs = getattr(cls, "_portable_attrs", None)
        if attrs is None:
            raise TypeError(
                f"{name} is allowlisted with attrs=None but defines no "
                "_portable_attrs; it cannot be saved in the pickle-free format."
            )
    return tuple(attrs)


class _Encoder:
    def __init__(self):
        self.arrays = {}

    def array(self, arr):
        if arr.dtype.kind in "biufc":
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.ascontiguousarray(arr)
            return {"__ndarray__": key}
        if arr.dtype.kind in "OUS" and all(isinstance(v, str) for v in arr.flat):
            return {
                "__strarray__": [str(v) for v in arr.ravel()],
                "shape": list(arr.shape),
                "dtype": "object" if arr.dtype.kind == "O" else "str",
            }
        raise TypeError(
            f"cannot store an array of dtype {arr.dtype} in the pickle-free format"
        )

    def __call__(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.generic) and obj.dtype.kind in "biufc":
            # keep the exact NumPy scalar type (e.g. n_samples_seen_ is int64)
            return {"__npscalar__": self.array(np.asarray(obj))["__ndarray__"]}
        if isinstance(obj, Integral):
            return int(obj)
        if isinstance(obj, Real):
            return float(obj)
        if isinstance(obj, np.ndarray):
            return self.array(obj)
        if isinstance(obj, np.dtype) and obj.kind in "biufcOUS":
            return {"__dtype__": obj.str if obj.kind != "O" else "object"}
        if isinstance(obj, tuple):
            return {"__tuple__": [self(v) for v in obj]}
        if isinstance(obj, list):
            return [self(v) for v in obj]
        if isinstance(obj, dict):
            return {"__dict__": [[self(k), self(v)] for k, v in obj.items()]}
        if hasattr(obj, "get_params"):
            return self.estimator(obj)
        raise TypeError(
            f"cannot store a {type(obj).__name__} in the pickle-free format; use "
            "format='joblib' (trusted pickle) instead."
        )

    def estimator(self, est):
        name = _registry_name(est)
        attrs = {
            a: self(getattr(est, a))
            for a in _attrs_for(name, type(est))
            if hasattr(est, a)
        }
        out = {
            "__estimator__": name,
            "params": {k: self(v) for k, v in est.get_params(deep=False).items()},
            "attrs": attrs,
        }
        getter = getattr(est, "_get_portable_state", None)
        if getter is not None:
            try:
                state = getter()
            except AttributeError:  # not fitted
                state = None
            if state is not None:
                out["state"] = self(state)
        return out


def encode(obj):
    """Return ``(json_tree, arrays)`` for an allowlisted estimator.

    Parameters
    ----------
    obj : estimator
        An instance of an allowlisted class (possibly a Pipeline of them).

    Returns
    -------
    tree : dict
        JSON-serialisable configuration.
    arrays : dict of str to ndarray
        Numeric arrays referenced from ``tree``.
    """
    encoder = _Encoder()
    tree = encoder(obj)
    return tree, encoder.arrays


def decode(tree, arrays):
    """Rebuild an object from :func:`encode`'s output; never unpickles.

    Parameters
    ----------
    tree : dict
        JSON configuration.
    arrays : mapping of str to ndarray
        Numeric arrays (from an ``.npz`` loaded with ``allow_pickle=False``).

    Returns
    -------
    object
        The reconstructed estimator.
    """

    def dec(node):
        if isinstance(node, list):
            return [dec(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "__ndarray__" in node:
            return np.asarray(arrays[node["__ndarray__"]])
        if "__npscalar__" in node:
            return np.asarray(arrays[node["__npscalar__"]])[()]
        if "__strarray__" in node:
            dtype = object if node["dtype"] == "object" else str
            return np.asarray(node["__strarray__"], dtype=dtype).reshape(node["shape"])
        if "__dtype__" in node:
            if node["__dtype__"] == "object":
                return np.dtype(object)
            dtype = np.dtype(str(node["__dtype__"]))
            if dtype.kind not in "biufcUS":
                raise ModelFileError(f"unsupported dtype {node['__dtype__']!r}")
            return dtype
        if "__tuple__" in node:
            return tuple(dec(v) for v in node["__tuple__"])
        if "__dict__" in node:
            return {_hashable(dec(k)): dec(v) for k, v in node["__dict__"]}
        if "__estimator__" in node:
            return dec_estimator(node)
        raise ModelFileError(
            f"unknown entry in the model configuration: {sorted(node)}"
        )

    def dec_estimator(node):
        name = node["__estimator__"]
        if name not in _REGISTRY:
            raise ModelFileError(
                f"the model file names class {name!r}, which is not in the "
                "pickle-free allowlist; register it with "
                "ngep.persistence.register_portable if you trust it."
            )
        cls = _resolve(name)
        est = cls(**{k: dec(v) for k, v in node["params"].items()})
        allowed = set(_attrs_for(name, cls))
        for attr, value in node.get("attrs", {}).items():
            if attr not in allowed:
                raise ModelFileError(
                    f"the model file sets attribute {attr!r} of {name}, which is "
                    f"not one of its portable attributes {sorted(allowed)}."
                )
            setattr(est, attr, dec(value))
        if "state" in node:
            if not hasattr(cls, "_set_portable_state"):
                raise ModelFileError(f"{name} takes no portable state.")
            est._set_portable_state(dec(node["state"]))
        return est

    try:
        return dec(tree)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"malformed model configuration: {exc!r}") from exc


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
