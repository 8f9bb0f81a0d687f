# SPDX-License-Identifier: BSD-3-Clause
"""FeatureExpander: five dendritic measurements -> fourteen engineered features.

Every engineered feature is declared once, in :data:`EXPANSIONS`: its name, the
catalogue features it reads (by their names in
:data:`ngep.morphometrics.FEATURES`), the function of them, its formula, unit
and why it carries signal. The measurements the expander needs, the DataFrame
columns it matches (through the catalogue's column names), the documentation
table and the tests all follow from that declaration: an expansion is one entry.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ngep._compat import fit_context
from ngep._docstring import fill_doc
from ngep.exceptions import ConfigurationError, InvalidInputError, UnknownNameError
from ngep.morphometrics import FEATURES
from ngep.morphometrics._table import list_table_rst

__all__ = ["EXPANSIONS", "INPUTS", "Expansion", "FeatureExpander", "expansion_table"]

# The compartment whose column names (``dendrite__total_length``) a DataFrame
# column is matched by, after the bare feature name: MorphologyExtractor's
# default compartment.
_COMPARTMENT = "dendrite"

# Letters standing for the inputs in the formulas of the documentation table.
SYMBOLS = {
    "total_length": "L",
    "n_branch_points": "B",
    "n_stems": "S",
    "max_path_distance": "P",
    "soma_radius": "R",
}


def _ratio(num, den, scale=1.0):
    """``scale * num / den``; NaN where ``den == 0`` (or either is NaN), never inf.

    A quotient that overflows float64 (a denominator below ~1e-300, which no
    measured neuron has) is NaN as well.
    """
    out = np.full(np.broadcast(num, den).shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(scale * num, den, out=out, where=den != 0)
    out[np.isinf(out)] = np.nan
    return out


@dataclass(frozen=True)
class Expansion:
    """One engineered feature, declared by the catalogue features it reads.

    Parameters
    ----------
    name : str
        Output column name.
    inputs : tuple of str
        Names of the catalogue features (:data:`ngep.morphometrics.FEATURES`)
        the function reads, in argument order.
    func : callable
        ``func(*columns) -> ndarray``, one float array per input, vectorised
        over cells.
    formula : str
        The formula for the docs, in the letters of :data:`SYMBOLS`.
    unit : str
        Unit of the output (``"1"`` when dimensionless).
    rationale : str
        Why the feature carries signal about cell type and gene expression.
    """

    name: str
    inputs: tuple
    func: Callable
    formula: str
    unit: str
    rationale: str

    def __post_init__(self):
        for feature in self.inputs:
            if feature not in FEATURES:
                raise UnknownNameError.among(
                    f"input of expansion {self.name!r}", feature, FEATURES,
                    see="ngep.morphometrics.FEATURES",
                )


def _E(name, inputs, func, formula, unit, rationale):
    return Expansion(name, tuple(inputs.split()), func, formula, unit, rationale)


#: The fourteen engineered features, in output column order.
EXPANSIONS = (
    _E(
        "log_total_length",
        "total_length",
        np.log1p,
        "log1p(L)",
        "log µm",
        "Dendritic size spans an order of magnitude across types (small Vip "
        "bipolar cells to large Pvalb basket cells); the log makes it additive.",
    ),
    _E(
        "log_n_branch_points",
        "n_branch_points",
        np.log1p,
        "log1p(B)",
        "log count",
        "Branching complexity; counts are right-skewed, the log evens them.",
    ),
    _E(
        "log_n_stems",
        "n_stems",
        np.log1p,
        "log1p(S)",
        "log count",
        "Primary dendrites separate bipolar/bitufted (Vip, 2-3 stems) from "
        "multipolar (Pvalb, 5-9 stems) interneurons.",
    ),
    _E(
        "log_max_path_distance",
        "max_path_distance",
        np.log1p,
        "log1p(P)",
        "log µm",
        "Reach of the arbor along the tree, log-scaled like the other lengths.",
    ),
    _E(
        "log_soma_radius",
        "soma_radius",
        np.log1p,
        "log1p(R)",
        "log µm",
        "Soma size tracks cell size and metabolic load (large somata in "
        "fast-spiking Pvalb cells).",
    ),
    _E(
        "log_n_tips",
        "n_branch_points n_stems",
        lambda B, S: np.log1p(B + S),
        "log1p(B + S)",
        "log count",
        "Estimated number of dendritic tips (exact for binary trees: every stem "
        "ends in one tip, every bifurcation adds one); the input sites.",
    ),
    _E(
        "mean_branch_length",
        "total_length n_branch_points n_stems",
        lambda L, B, S: _ratio(L, 2 * B + S),
        "L / (2B + S)",
        "µm",
        "Mean section length (a binary tree with B bifurcations and S stems has "
        "2B + S sections); long sparse branches vs short dense ones.",
    ),
    _E(
        "length_per_stem",
        "total_length n_stems",
        lambda L, S: _ratio(L, S),
        "L / S",
        "µm",
        "Size of the tree grown by each primary dendrite.",
    ),
    _E(
        "branch_points_per_stem",
        "n_branch_points n_stems",
        lambda B, S: _ratio(B, S),
        "B / S",
        "1",
        "Branching per primary dendrite, independent of the number of stems.",
    ),
    _E(
        "branch_density",
        "total_length n_branch_points",
        lambda L, B: _ratio(B, L, scale=100.0),
        "100 B / L",
        "1 / 100 µm",
        "Bifurcations per 100 µm of dendrite: how densely the arbor branches, "
        "independent of its size.",
    ),
    _E(
        "reach_ratio",
        "total_length max_path_distance",
        lambda L, P: _ratio(P, L),
        "P / L",
        "1",
        "Elongation: near 1 for one long unbranched process, small for bushy "
        "arbors; high for bipolar, vertically elongated cells.",
    ),
    _E(
        "soma_to_reach",
        "max_path_distance soma_radius",
        lambda P, R: _ratio(R, P),
        "R / P",
        "1",
        "Soma radius relative to arbor reach: compact cells with large somata "
        "vs extended cells with small somata.",
    ),
    _E(
        "sections_on_longest_path",
        "total_length n_branch_points n_stems max_path_distance",
        lambda L, B, S, P: _ratio(P * (2 * B + S), L),
        "P (2B + S) / L",
        "1",
        "The longest path measured in mean sections (P / mean_branch_length): a "
        "proxy for the branch order reached, i.e. tree depth.",
    ),
    _E(
        "stem_tree_fill",
        "total_length n_stems max_path_distance",
        lambda L, S, P: _ratio(L, S * P),
        "L / (S P)",
        "1",
        "Length of the mean stem's tree in units of the longest path: about 1 "
        "for unbranched stems of equal reach, large for stems that fill space "
        "with many branches (basket-like) rather than project far.",
    ),
)

#: The catalogue features the expander reads, in the column order expected for
#: arrays: every input of :data:`EXPANSIONS`, in order of first use (the five
#: :data:`ngep.morphometrics.BASE_FEATURES`).
def _layout(expansions):
    """The inputs of ``expansions`` in order of first use, and each one's columns."""
    inputs = tuple(dict.fromkeys(f for e in expansions for f in e.inputs))
    args = tuple(np.asarray([inputs.index(f) for f in e.inputs]) for e in expansions)
    return inputs, args


INPUTS, _ARGS = _layout(EXPANSIONS)


def expansion_table(*, format="dataframe"):
    """Table of the engineered features: name, formula, unit and rationale.

    Generated from :data:`EXPANSIONS`, the single declaration of the features;
    the letters of the formulas stand for the catalogue features in
    :data:`SYMBOLS`.

    Parameters
    ----------
    format : {"dataframe", "rst"}, default="dataframe"
        ``"dataframe"`` returns a :class:`pandas.DataFrame` indexed by feature
        name; ``"rst"`` returns a reStructuredText ``list-table`` for the docs.

    Returns
    -------
    pandas.DataFrame or str
        The table.

    Examples
    --------
    >>> table = expansion_table()
    >>> table.shape
    (14, 4)
    >>> table.loc["mean_branch_length", "formula"]
    'L / (2B + S)'
    """
    if format == "dataframe":
        import pandas as pd

        return pd.DataFrame(
            {
                "inputs": [" ".join(e.inputs) for e in EXPANSIONS],
                "formula": [e.formula for e in EXPANSIONS],
                "unit": [e.unit for e in EXPANSIONS],
                "rationale": [e.rationale for e in EXPANSIONS],
            },
            index=pd.Index([e.name for e in EXPANSIONS], name="feature"),
        )
    if format == "rst":
        return list_table_rst(
            "Engineered features", [20, 15, 10, 55],
            ["feature", "formula", "unit", "why it carries signal"],
            [(f"``{e.name}``", f"``{e.formula}``", e.unit, e.rationale)
             for e in EXPANSIONS],
        )
    raise ConfigurationError(f"format must be 'dataframe' or 'rst'; got {format!r}.")


def _inputs_rst():
    """The inputs, their letters, units and descriptions (from the catalogue)."""
    return list_table_rst(
        "Inputs of FeatureExpander", [25, 10, 10, 55],
        ["catalogue feature", "symbol", "unit", "meaning"],
        [(f"``{n}`` (``{FEATURES[n].column(_COMPARTMENT)}``)", SYMBOLS[n],
          FEATURES[n].unit, FEATURES[n].description) for n in INPUTS],
    )


def _candidates(feature, names):
    """Columns that may hold ``feature``, best first.

    The feature's name, then its catalogue column in the default compartment
    (``dendrite__total_length``, ``soma__radius``), then any ``*__<name>``.
    """
    for exact in (feature, FEATURES[feature].column(_COMPARTMENT)):
        if exact in names:
            return [exact]
    return [n for n in names if n.endswith("__" + feature)]


def _resolve_columns(names, columns):
    """Map each base measurement to one column name of a DataFrame."""
    names = list(names)
    columns = {} if columns is None else dict(columns)
    unknown = sorted(set(columns) - set(INPUTS))
    if unknown:
        raise UnknownNameError(
            f"columns has keys {unknown} that are not base measurements; "
            f"valid keys: {list(INPUTS)}."
        )
    resolved, missing, ambiguous = [], [], []
    for base in INPUTS:
        if base in columns:
            if columns[base] not in names:
                missing.append(f"{base} (columns[{base!r}]={columns[base]!r})")
                continue
            resolved.append(columns[base])
            continue
        found = _candidates(base, names)
        if len(found) == 1:
            resolved.append(found[0])
        elif not found:
            missing.append(base)
        else:
            ambiguous.append(f"{base}: {found}")
    if missing or ambiguous:
        parts = []
        if missing:
            parts.append(f"missing columns for {missing}")
        if ambiguous:
            parts.append(f"several columns match {ambiguous}")
        raise InvalidInputError(
            f"FeatureExpander could not find its {len(INPUTS)} input measurements: "
            + "; ".join(parts)
            + f". Columns found: {names}. A column matches a measurement by its "
            "exact name, by 'dendrite__<name>' ('soma__radius' for soma_radius) or "
            "by any unique name ending in '__<name>'; pass columns={'n_stems': "
            "'my_column', ...} to name them explicitly."
        )
    return resolved


@fill_doc
class FeatureExpander(TransformerMixin, BaseEstimator):
    """Expand five dendritic measurements into fourteen engineered features.

    Input columns are, for arrays in this order: ``total_length`` (µm),
    ``n_branch_points``, ``n_stems``, ``max_path_distance`` (µm) and
    ``soma_radius`` (µm). A DataFrame's columns are matched by name (see
    ``columns``), so the output of
    :class:`~ngep.transformers.MorphologyExtractor` (``dendrite__total_length``,
    ..., ``soma__radius``) can be passed directly. The features are log
    transforms, ratios and interactions listed by :func:`expansion_table`.

    The transformer is stateless: ``fit`` only validates the input and records
    which columns hold which measurement.

    Read more in the :ref:`User Guide <feature_expansion>`.

    Parameters
    ----------
    columns : dict or None, default=None
        Explicit map from base measurement name to DataFrame column name, for
        tables whose names do not follow ngep's (for example
        ``{"n_stems": "Basal Num Stems"}``). Measurements not in the dict are
        matched automatically: the exact base name first, then
        ``dendrite__<name>`` (``soma__radius`` for ``soma_radius``), then a unique
        column ending in ``__<name>``. Ignored for arrays.
    passthrough : bool, default=False
        What to do with input columns that are not one of the five
        measurements. ``False``: a DataFrame's other columns are ignored (so a
        full morphometric table can be passed), and an array must have exactly
        five columns (extra unnamed columns suggest a wrong layout, so they
        raise). ``True``: the other columns are appended unchanged after the
        fourteen features, keeping their names (arrays: columns 6 onwards).

    Attributes
    ----------
    %(fitted_input_attributes)s
    input_columns_ : ndarray of str
        The input column holding each base measurement, in
        :data:`INPUTS` order (for arrays, the feature names themselves).
    input_indices_ : ndarray of int
        Positions of those columns in ``X``.

    See Also
    --------
    expansion_table : The engineered features, their formulas and rationale.

    Notes
    -----
    Missing and degenerate values:

    - NaN in an input gives NaN in every feature computed from it; rows are
      never dropped, so ``X`` and ``y`` stay aligned. Use an estimator that
      accepts NaN (:class:`~sklearn.ensemble.HistGradientBoostingRegressor`) or
      a :class:`~sklearn.impute.SimpleImputer` after the expander.
    - A ratio whose denominator is zero (a neuron with no stems or no dendritic
      length) is undefined and gives NaN, never ``inf``; ``log1p(0) = 0``.
    - Negative values and ``inf`` raise ``ValueError``: lengths, counts and radii
      cannot be negative, so negative input means mis-assigned or standardised
      columns (expand before scaling, not after).

    Examples
    --------
    >>> X = np.array([[2400.0, 20, 5, 310.0, 6.5],
    ...               [900.0, 4, 2, 420.0, 4.0]])
    >>> expander = FeatureExpander().fit(X)
    >>> Xt = expander.transform(X)
    >>> Xt.shape
    (2, 14)
    >>> expander.get_feature_names_out()[6:9].tolist()
    ['mean_branch_length', 'length_per_stem', 'branch_points_per_stem']
    >>> Xt[0, 6:9].round(2).tolist()
    [53.33, 480.0, 4.0]
    >>> import pandas as pd
    >>> df = pd.DataFrame(X, columns=["dendrite__total_length",
    ...     "dendrite__n_branch_points", "dendrite__n_stems",
    ...     "dendrite__max_path_distance", "soma__radius"])
    >>> out = FeatureExpander().set_output(transform="pandas").fit_transform(df)
    >>> float(out.loc[1, "reach_ratio"].round(3))
    0.467
    """

    _parameter_constraints = {
        "columns": [dict, None],
        "passthrough": ["boolean"],
    }

    # Fitted attributes saved by ngep.persistence (pickle-free format).
    _portable_attrs = (
        "n_features_in_",
        "feature_names_in_",
        "input_columns_",
        "input_indices_",
    )

    def __init__(self, columns=None, *, passthrough=False):
        self.columns = columns
        self.passthrough = passthrough

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` and record which columns hold the measurements.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_cells, n_columns)
            Base measurements; see the class docstring for the column rules.
        y : None
            Ignored.

        Returns
        -------
        FeatureExpander
            The fitted transformer (``self``).
        """
        X = self._validate(X, reset=True)
        if hasattr(self, "feature_names_in_"):
            names = [str(n) for n in self.feature_names_in_]
            cols = _resolve_columns(names, self.columns)
            self.input_columns_ = np.asarray(cols, dtype=object)
            self.input_indices_ = np.asarray([names.index(c) for c in cols])
        else:
            n, k = X.shape[1], len(INPUTS)
            if n < k or (n > k and not self.passthrough):
                raise InvalidInputError(
                    f"FeatureExpander expects {k} columns {list(INPUTS)} in "
                    f"this order; got an array with {n} feature(s). Pass a "
                    "DataFrame with named columns, or passthrough=True to keep "
                    f"extra columns after the first {k}."
                )
            self.input_columns_ = np.asarray(INPUTS, dtype=object)
            self.input_indices_ = np.arange(k)
        self._columns(X)  # numeric, finite or NaN, non-negative
        return self

    def transform(self, X):
        """Compute the fourteen engineered features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_cells, n_columns)
            Base measurements, laid out as in ``fit``.

        Returns
        -------
        ndarray of shape (n_cells, 14) or (n_cells, 14 + n_other)
            Engineered features (plus the other columns when ``passthrough``);
            a DataFrame after ``set_output(transform="pandas")``.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        base, other = self._columns(X)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.column_stack(
                [e.func(*base[:, args].T) for e, args in zip(EXPANSIONS, _ARGS)]
            )
        if self.passthrough:
            out = np.hstack([out, other])
        return out

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; only used to name passed-through columns of
            arrays (default ``x5``, ``x6``, ...).

        Returns
        -------
        ndarray of str
            The fourteen feature names, then passed-through columns if any.
        """
        check_is_fitted(self)
        names = [e.name for e in EXPANSIONS]
        if self.passthrough:
            if hasattr(self, "feature_names_in_"):
                inputs = list(self.feature_names_in_)
            elif input_features is not None:
                inputs = list(input_features)
            else:
                inputs = [f"x{i}" for i in range(self.n_features_in_)]
            names += [str(inputs[i]) for i in self._other_indices()]
        return np.asarray(names, dtype=object)

    def _other_indices(self):
        used = set(self.input_indices_.tolist())
        return [i for i in range(self.n_features_in_) if i not in used]

    def _validate(self, X, reset):
        # dtype=None: columns that are ignored (passthrough=False) may be of any
        # type, such as a column of file names; the used ones are checked below.
        return validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)

    def _columns(self, X):
        """The 5 base columns (float, NaN allowed, non-negative) and the others."""

        def numeric(idx, what):
            return check_array(
                X[:, idx],
                dtype=np.float64,
                ensure_all_finite="allow-nan",
                ensure_min_features=0,
                input_name=what,
            )

        base = numeric(self.input_indices_, "X")
        other = numeric(self._other_indices(), "X") if self.passthrough else None
        if np.any(base < 0):  # NaN compares False
            raise InvalidInputError(
                "Negative values in data passed to FeatureExpander: lengths, "
                "counts and radii cannot be negative. Check the column order "
                f"{list(INPUTS)}, and expand before scaling."
            )
        return base, other

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.positive_only = True
        tags.requires_fit = True
        return tags
