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


def list_table_rst(title, widths, header, rows):
    """An RST ``list-table``: ngep's one writer of generated documentation tables.

    Parameters
    ----------
    title : str
        Caption of the table.
    widths : sequence of int
        Relative column widths.
    header : sequence of str
        Column titles.
    rows : iterable of sequence of str
        Cells, as RST text.

    Returns
    -------
    str
        The table, ending in a newline.

    Examples
    --------
    >>> print(list_table_rst("T", [1, 2], ["a", "b"], [["x", "y"]]), end="")
    .. list-table:: T
       :header-rows: 1
       :widths: 1 2
    <BLANKLINE>
       * - a
         - b
       * - x
         - y
    """
    lines = [
        f".. list-table:: {title}",
        "   :header-rows: 1",
        "   :widths: " + " ".join(map(str, widths)),
        "",
    ]
    for cells in [header, *rows]:
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines) + "\n"


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
    yes = ("no", "yes")
    rows = [
        (f"``{f.name}``", f.unit, ", ".join(f.compartments), yes[f.invariant],
         yes[f.scale_free], yes[f.radius_free], yes[f.name in ROBUST_FEATURES],
         _escape(f.reference), _escape(f.description))
        for f in FEATURES.values()
    ]
    return list_table_rst(
        "Morphometric features (generated from ngep.morphometrics.FEATURES)",
        [18, 5, 14, 6, 6, 6, 6, 18, 21],
        [c.replace("_", "-").capitalize() for c in _COLUMNS],
        rows,
    )
