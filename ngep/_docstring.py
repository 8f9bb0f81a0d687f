# SPDX-License-Identifier: BSD-3-Clause
"""Docstring fragments that many public docstrings share, written once.

A docstring line holding only ``%(key)s`` is replaced by the fragment
``FRAGMENTS[key]``, indented like the placeholder, when the object is
decorated with :func:`fill_doc` (the idea of scipy's ``doccer`` and
matplotlib's ``_docstring.interpd``, reduced to whole-line placeholders so
that a ``%`` anywhere else in a docstring needs no escaping). A fragment is
for a parameter or attribute that *is* the same thing everywhere it appears;
where the meaning differs, write the text out.
"""

import re

from ngep.exceptions import UnknownNameError

__all__ = ["FRAGMENTS", "fill_doc"]

#: The shared fragments, by key.
FRAGMENTS = {
    # the two attributes scikit-learn's ``validate_data`` sets in ``fit``
    "fitted_input_attributes": (
        "n_features_in_ : int\n"
        "    Number of features seen during ``fit``.\n"
        "feature_names_in_ : ndarray of str\n"
        "    Names of the features seen during ``fit``; defined only when ``X``\n"
        "    had string column names (a DataFrame)."
    ),
    # the name argument of the functions of ngep.pretrained
    "pretrained_name": (
        "name : str\n"
        "    A name from :func:`list_pretrained`, e.g. ``\"pvalb-mouse-cortex\"``."
    ),
    # the error of the functions of ngep.pretrained for a name not shipped
    "unknown_model": (
        "ngep.exceptions.UnknownModelError\n"
        "    No such model (the message suggests close names)."
    ),
    # the inputs of a gene panel's predictions, passed to every gene's model
    "panel_X": (
        "X : array-like or list of paths\n"
        "    Inputs the per-gene estimators accept."
    ),
    # the axes argument of the plotting functions
    "ax": (
        "ax : matplotlib Axes or None, default=None\n"
        "    Axes to draw on; a new figure when None."
    ),
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<key>\w+)\)s[ \t]*$", re.MULTILINE)


def _expand(match):
    key = match["key"]
    if key not in FRAGMENTS:
        raise UnknownNameError.among(
            "docstring fragment", key, FRAGMENTS, see="ngep/_docstring.py",
            list_all=True)
    fragment = FRAGMENTS[key]
    indent = match["indent"]
    return "\n".join(indent + line if line else line for line in fragment.split("\n"))


def fill_doc(obj):
    """Replace the ``%(key)s`` lines of ``obj.__doc__`` by their fragments.

    Parameters
    ----------
    obj : function or class
        Its docstring is rewritten in place (nothing happens without one, as
        under ``python -OO``).

    Returns
    -------
    obj
        The same object, so that ``fill_doc`` works as a decorator.

    Raises
    ------
    ngep.exceptions.UnknownNameError
        A placeholder names no fragment of :data:`FRAGMENTS`.

    Examples
    --------
    >>> @fill_doc
    ... def draw(ax=None):
    ...     '''Draw.
    ...
    ...     Parameters
    ...     ----------
    ...     %(ax)s
    ...     '''
    >>> print(draw.__doc__.splitlines()[5].strip())
    Axes to draw on; a new figure when None.
    """
    doc = obj.__doc__
    if doc:
        obj.__doc__ = _PLACEHOLDER.sub(_expand, doc)
    return obj
