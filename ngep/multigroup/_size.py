# SPDX-License-Identifier: BSD-3-Clause
"""Divide size-dependent morphometrics by a per-neuron size scale."""

import re
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import Interval, StrOptions, fit_context
from ngep._docstring import fill_doc
from ngep.exceptions import InvalidInputError

# Name tokens of length-, area- and volume-like morphometrics, used by
# features="auto". Matched against the last "__"-separated part of a name.
_DIMENSION_PATTERNS = (
    (3, re.compile(r"volume")),
    (2, re.compile(r"area|surface")),
    (1, re.compile(r"length|distance|radius|diameter|extent|width|height|depth")),
)


_UNIT_DIMENSION = {"µm": 1, "µm²": 2, "µm³": 3}


def _catalogue_unit(key):
    from ngep.morphometrics import FEATURES

    feature = FEATURES.get(key)
    return None if feature is None else feature.unit


def size_dimension(name):
    """Physical dimension of a morphometric from its name (0 for counts, angles).

    A catalogue feature's dimension comes from its unit (so ratios such as
    ``length_fraction_within_50`` stay 0); other names are matched on words
    (``length``, ``area``, ``volume``...).

    Parameters
    ----------
    name : str
        Feature name such as ``"dendrite__total_length"``.

    Returns
    -------
    int
        1 for lengths, 2 for areas, 3 for volumes, 0 otherwise.

    Examples
    --------
    >>> [size_dimension(n) for n in ["dendrite__total_length", "soma__surface_area",
    ...                              "n_tips", "axon__max_path_distance",
    ...                              "dendrite__length_fraction_within_50"]]
    [1, 2, 0, 1, 0]
    """
    prefix, _, base = str(name).rpartition("__")
    unit = _catalogue_unit("soma_" + base if prefix == "soma" else base)
    if unit is not None:  # a catalogue feature: its documented unit decides
        return _UNIT_DIMENSION.get(unit, 0)
    for dim, pattern in _DIMENSION_PATTERNS:
        if pattern.search(base):
            return dim
    return 0


@fill_doc
class SizeNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Express size-dependent morphometrics relative to each neuron's own size.

    A human pyramidal neuron is larger than a mouse one of the same type. A
    model trained on mouse lengths then reads the human neuron's size as a
    difference of type. This transformer divides each length-like feature by
    a per-neuron scale ``s`` (area-like by ``s**2``, volume-like by ``s**3``),
    leaving shape ratios that transfer across species and ages. Counts and
    angles pass through unchanged.

    Read more in the :ref:`User Guide <groups>`.

    Parameters
    ----------
    scale : str or int, default="max_path_distance"
        Column holding each neuron's size (name when X has feature names,
        else index), for instance ``"max_path_distance"`` or ``"total_length"``.
    scale_power : float, default=1.0
        The scale used is ``X[:, scale] ** scale_power``; with
        ``scale="total_length"`` use ``0.5`` so that ``s`` is a length.
    features : "auto" or dict or list, default="auto"
        Which columns to divide. ``"auto"`` derives the dimension of each
        column from its name (:func:`size_dimension`; needs feature names). A
        dict maps column (name or index) to dimension; a list gives
        length-like columns (dimension 1).
    drop_scale : bool, default=False
        Drop the scale column itself. Keep it (the default) when absolute size
        carries information in your data; drop it to remove size entirely,
        for instance before training on mouse and predicting rat.

    Attributes
    ----------
    dimensions_ : ndarray of int
        Dimension used for each input column (0 = unchanged).
    scale_index_ : int
        Index of the scale column.
    %(fitted_input_attributes)s

    Notes
    -----
    Apply it to raw morphometrics, before any log or polynomial expansion
    (``FeatureExpander``): dividing a log-length by a length is meaningless.
    Neurons whose scale is 0 or missing get NaN for the divided features.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"total_length": [1000.0, 2000.0],
    ...                   "max_path_distance": [100.0, 200.0],
    ...                   "n_tips": [20.0, 20.0]})
    >>> SizeNormalizer().fit_transform(X)
    array([[ 10., 100.,  20.],
           [ 10., 200.,  20.]])
    """

    _parameter_constraints = {
        "scale": [str, Integral],
        "scale_power": [Interval(Real, 0, None, closed="neither")],
        "features": [StrOptions({"auto"}), dict, list, tuple],
        "drop_scale": ["boolean"],
    }

    def __init__(
        self,
        scale="max_path_distance",
        *,
        scale_power=1.0,
        features="auto",
        drop_scale=False,
    ):
        self.scale = scale
        self.scale_power = scale_power
        self.features = features
        self.drop_scale = drop_scale

    def _column_index(self, key, names):
        if isinstance(key, (Integral, np.integer)):
            if not 0 <= key < self.n_features_in_:
                raise InvalidInputError(
                    f"Column index {key} is out of range for X with "
                    f"n_features={self.n_features_in_}."
                )
            return int(key)
        if names is None:
            raise InvalidInputError(
                f"Column {key!r} given by name but X has no feature names; pass a "
                "DataFrame or give column indices."
            )
        hits = np.flatnonzero(names == key)
        if not len(hits):
            raise InvalidInputError(
                f"X has no feature {key!r}; available: {list(names)}."
            )
        return int(hits[0])

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Resolve the scale column and each column's dimension.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Morphometrics, ideally a DataFrame with named columns.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        validate_data(self, X, ensure_all_finite="allow-nan")
        names = getattr(self, "feature_names_in_", None)
        self.scale_index_ = self._column_index(self.scale, names)
        dims = np.zeros(self.n_features_in_, dtype=int)
        if isinstance(self.features, str):  # "auto"
            if names is None:
                raise InvalidInputError(
                    "features='auto' reads dimensions from feature names, but X "
                    "has none; pass a DataFrame or features={index: dimension}."
                )
            dims[:] = [size_dimension(n) for n in names]
        elif isinstance(self.features, dict):
            for key, dim in self.features.items():
                dims[self._column_index(key, names)] = int(dim)
        else:
            for key in self.features:
                dims[self._column_index(key, names)] = 1
        dims[self.scale_index_] = 0
        self.dimensions_ = dims
        return self

    def transform(self, X):
        """Divide each column by the neuron's scale to the column's dimension.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Morphometrics with the columns seen in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            Size-free features (the scale column dropped with ``drop_scale``).
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            ensure_all_finite="allow-nan",
            dtype=np.float64,
            copy=True,
        )
        scale = X[:, self.scale_index_] ** self.scale_power
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(scale > 0, scale, np.nan)
            for dim in np.unique(self.dimensions_[self.dimensions_ > 0]):
                cols = self.dimensions_ == dim
                X[:, cols] = X[:, cols] / scale[:, None] ** dim
        if self.drop_scale:
            X = np.delete(X, self.scale_index_, axis=1)
        return X

    def get_feature_names_out(self, input_features=None):
        """Output feature names (the scale column removed with ``drop_scale``).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input names; defaults to ``feature_names_in_``.

        Returns
        -------
        ndarray of str
            Output names.
        """
        names = super().get_feature_names_out(input_features)
        if self.drop_scale:
            names = np.delete(names, self.scale_index_)
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
