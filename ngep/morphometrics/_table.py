# SPDX-License-Identifier: BSD-3-Clause
"""The feature catalogue as a table (pandas and reStructuredText)."""

from ngep.morphometrics._registry import FEATURES, ROBUST_FEATURES

__all__ = ["feature_table", "feature_table_rst"]

_COLUMNS = ("name", "unit", "compartments", "invariant", "scale_free", "radius_free",
            "robust", "reference", "description")


def feature_table():
    """The catalogue as a DataFrame, one row per feature.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, unit, compartments, invariant, scale_free, radius_free,
        robust, reference, description`` (``robust``: in the ``"robust"``
        preset); ``compartments`` is a comma-separated string.

    Examples
    --------
    >>> table = feature_table()
    >>> table.loc[table.name == "total_length", "unit"].item()
    'µm'
    """
    import pandas as pd

    rows = [
        (f.name, f.unit, ", ".join(f.compartments), f.invariant, f.scale_free,
         f.radius_free, f.name in ROBUST_FEATURES, f.reference, f.description)
        for f in FEATURES.values()
    ]
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def _escape(text):
    """Escape reStructuredText inline markup characters in plain text."""
    for char in ("\\", "|", "*", "`", "_"):
        text = text.replace(char, "\\" + char)
    return text


def feature_table_rst():
    """The catalogue as an RST ``list-table`` for the documentation.

    Returns
    -------
    str

    Examples
    --------
    >>> print(feature_table_rst().splitlines()[0])
    .. list-table:: Morphometric features (generated from ngep.morphometrics.FEATURES)
    """
    lines = [
        ".. list-table:: Morphometric features (generated from "
        "ngep.morphometrics.FEATURES)",
        "   :header-rows: 1",
        "   :widths: 18 5 14 6 6 6 6 18 21",
        "",
        "   * - " + "\n     - ".join(
            c.replace("_", "-").capitalize() for c in _COLUMNS),
    ]
    for f in FEATURES.values():
        yes = ("no", "yes")
        cells = (f"``{f.name}``", f.unit, ", ".join(f.compartments),
                 yes[f.invariant], yes[f.scale_free], yes[f.radius_free],
                 yes[f.name in ROBUST_FEATURES], _escape(f.reference),
                 _escape(f.description))
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines) + "\n"
