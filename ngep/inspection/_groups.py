# SPDX-License-Identifier: BSD-3-Clause
"""Group engineered feature columns by the base measurement they come from."""

import re

import numpy as np

from ngep.io import COMPARTMENTS


def _base_pattern(base):
    # A base name matches whole "words": bounded by the string ends, "__"
    # (compartment / suffix separator) or a non-identifier character such as
    # "(", " ", "^" or "*". So "total_length" matches "log(dendrite__total_length)"
    # and "axon__total_length^2" but "length" does not match "total_length".
    return re.compile(
        r"(?:^|(?<=__)|(?<=[^A-Za-z0-9_]))"
        + re.escape(base)
        + r"(?=$|__|[^A-Za-z0-9_])"
    )


# Compartment prefixes of ngep feature names ("dendrite__total_length").
_PREFIXES = frozenset({*COMPARTMENTS, "soma"})


def _default_bases(names):
    """Base measurements: identifier tokens without compartment or suffix."""
    bases = []
    for name in names:
        # identifiers not followed by "(" (function names such as log() are not bases)
        for token in re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b(?!\()", str(name)):
            parts = [p for p in token.split("__") if p]
            if not parts:
                continue
            base = parts[1] if parts[0] in _PREFIXES and len(parts) > 1 else parts[0]
            if base not in bases:
                bases.append(base)
    return bases


def group_by_base(feature_names, bases=None):
    """Map each base measurement to the columns engineered from it.

    Parameters
    ----------
    feature_names : array-like of str
        Column names, for instance the output of a ``FeatureExpander``'s
        ``get_feature_names_out()``.
    bases : list of str or None, default=None
        Base measurements (``"total_length"``, or ``"dendrite__total_length"``
        to keep compartments apart). A column belongs to a base when the base
        appears in its name as a whole word, where ``__``, brackets, spaces
        and operators separate words; an interaction column such as
        ``"total_length n_tips"`` belongs to both bases. ``None`` derives the
        bases from the names: every identifier token that is not a function
        call, with a compartment prefix (``dendrite__``, ``axon__``...) and
        any ``__suffix`` removed.

    Returns
    -------
    dict
        Base name -> list of matching column names, in column order; bases
        that match no column are left out.

    Examples
    --------
    >>> names = ["dendrite__total_length", "axon__total_length",
    ...          "log(dendrite__total_length)", "dendrite__n_tips",
    ...          "dendrite__total_length dendrite__n_tips"]
    >>> group_by_base(names, ["total_length", "n_tips"])["n_tips"]
    ['dendrite__n_tips', 'dendrite__total_length dendrite__n_tips']
    >>> sorted(group_by_base(names))
    ['n_tips', 'total_length']
    >>> len(group_by_base(names)["total_length"])
    4
    """
    names = [str(n) for n in np.asarray(feature_names, dtype=object)]
    if bases is None:
        bases = _default_bases(names)
    groups = {}
    for base in bases:
        pattern = _base_pattern(base)
        cols = [n for n in names if pattern.search(n)]
        if cols:
            groups[base] = cols
    return groups
