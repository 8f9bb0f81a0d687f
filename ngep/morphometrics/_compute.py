# SPDX-License-Identifier: BSD-3-Clause
"""Compute a list of catalogue features for one morphology.

Names are resolved once into a :class:`FeaturePlan` (features x compartments,
column names, invariance, the empty-compartment values of the catalogue);
computing a plan on a morphology does nothing else.
"""

from dataclasses import dataclass, field

import numpy as np

from ngep.exceptions import ConfigurationError, InvalidInputError, UnknownNameError
from ngep.morphometrics import _kernel
from ngep.morphometrics._core import checked_parent, node_mask
from ngep.morphometrics._frame import _framed
from ngep.morphometrics._registry import COMPARTMENT_NAMES, FEATURES, Feature

__all__ = ["FeaturePlan", "compute_features", "feature_names", "feature_plan"]


def _resolve(features):
    if isinstance(features, (str, Feature)):
        features = [features]
    out = []
    for item in features:
        if isinstance(item, Feature):
            out.append(item)
            continue
        try:
            out.append(FEATURES[item])
        except (KeyError, TypeError):
            raise UnknownNameError.among(
                "feature", item, FEATURES, see="ngep.morphometrics.FEATURES"
            ) from None
    return out


def _compartments(compartment):
    comps = (compartment,) if isinstance(compartment, str) else tuple(compartment)
    for c in comps:
        if c not in COMPARTMENT_NAMES:
            raise UnknownNameError.among(
                "compartment", c, COMPARTMENT_NAMES, list_all=True
            )
    if len(set(comps)) != len(comps) or not comps:
        raise ConfigurationError(
            f"compartment must list distinct compartments, got {comps!r}."
        )
    return comps


@dataclass(frozen=True)
class FeaturePlan:
    """Features resolved into columns, once; see :func:`feature_plan`.

    Attributes
    ----------
    columns : tuple of (Feature, str)
        The feature and compartment (``"soma"`` for soma features) of each
        output column, in output order.
    names : tuple of str
        Output column names.
    compartments : tuple of str
        The requested compartments.
    """

    columns: tuple
    names: tuple
    compartments: tuple
    # (group, compartment, columns, positions in the group's output) for the
    # columns a C group of ngep.morphometrics._kernel computes, and the other
    # columns' indices; derived from ``columns``
    _batches: tuple = field(init=False, repr=False, compare=False)
    _rest: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        where = {name: (group, i) for group, (_, names) in _kernel.GROUPS.items()
                 for i, name in enumerate(names)}
        batches, rest = {}, []
        for col, (feature, comp) in enumerate(self.columns):
            hit = where.get(feature.name)
            # frame-dependent features only from the groups that take the frame
            if (hit is None or comp == "soma"
                    or feature.invariant == (hit[0] in _kernel.FRAMED)):
                rest.append(col)
                continue
            cols, pos = batches.setdefault((hit[0], comp), ([], []))
            cols.append(col)
            pos.append(hit[1])
        object.__setattr__(self, "_batches", tuple(
            (group, comp, np.array(cols), np.array(pos))
            for (group, comp), (cols, pos) in batches.items()))
        object.__setattr__(self, "_rest", tuple(rest))

    def __reduce__(self):
        # Pickle the columns only: where it is loaded (a worker, another
        # install), __post_init__ derives the batches from that install's C
        # groups, which may differ (no compiler, another numpy).
        return (type(self), (self.columns, self.names, self.compartments))

    @property
    def invariant(self):
        """Per column, whether the feature is unchanged by rotations (a bool array)."""
        return np.array([f.invariant for f, _ in self.columns], dtype=bool)

    def compute(self, morphology, framed=None, frame=None):
        """The row of features of one morphology.

        Parameters
        ----------
        morphology : Morphology
        framed : Morphology, default=None
            The same neuron in the frame of the frame-dependent features
            (``invariant=False``), e.g. from :func:`~ngep.morphometrics.to_frame`.
        frame : tuple of (ndarray, ndarray), default=None
            That frame as the ``(matrix, offset)`` of
            :func:`~ngep.morphometrics.frame_transform`, instead of ``framed``:
            the same values, without building the rotated copy where the C
            kernel computes the frame-dependent features. With neither, they
            are computed on ``morphology`` as it is.

        Returns
        -------
        ndarray of float64, shape (len(names),)
        """
        if frame is not None:
            if framed is not None:
                raise ConfigurationError("Pass framed or frame, not both.")
            frame = _check_frame(frame)
        checked_parent(morphology)  # on either path: features index by parent
        row = np.empty(len(self.columns), dtype=np.float64)
        empty = {}
        todo = range(len(self.columns))
        if _kernel.ENABLED and self._batches:
            todo = list(self._rest)
            extra = None if frame is None else _kernel.frame_extra(*frame)
            for group, comp, cols, pos in self._batches:
                mask = node_mask(morphology, comp)
                if comp not in empty:
                    empty[comp] = not mask.any()
                if empty[comp]:  # the catalogue's empty values, below
                    todo.extend(cols.tolist())
                    continue
                try:
                    if group not in _kernel.FRAMED:
                        values = _kernel.run(group, morphology, mask)
                    elif framed is not None:  # the frame's coordinates as they are
                        values = _kernel.run(group, framed, node_mask(framed, comp))
                    else:
                        values = _kernel.run(group, morphology, mask, extra)
                except InvalidInputError:  # the group declines this neuron:
                    todo.extend(cols.tolist())  # the catalogue decides
                    continue
                row[cols] = values[pos]
        for i in todo:
            feature, comp = self.columns[i]
            if feature.empty is not None and comp != "soma":
                if comp not in empty:
                    empty[comp] = not node_mask(morphology, comp).any()
                if empty[comp]:  # the catalogue's value: no call needed
                    row[i] = feature.empty
                    continue
            if feature.invariant:
                target = morphology
            else:
                if framed is None and frame is not None:  # rotated once, if needed
                    framed = _framed(morphology, *frame)
                target = morphology if framed is None else framed
            row[i] = feature.func(target, comp)
        return row


def _check_frame(frame):
    """``(matrix, offset)`` as float arrays of shapes (3, 3) and (3,)."""
    try:
        matrix, offset = (np.asarray(a, dtype=np.float64) for a in frame)
    except (TypeError, ValueError):
        matrix = offset = None
    if matrix is None or matrix.shape != (3, 3) or offset.shape != (3,):
        raise ConfigurationError(
            "frame must be (matrix, offset) with a (3, 3) matrix and a 3-vector, "
            "as ngep.morphometrics.frame_transform returns them."
        )
    return matrix, offset


def feature_plan(features, compartment="dendrite"):
    """Resolve features and compartments into output columns, once.

    Parameters
    ----------
    features : iterable of str or Feature
        Catalogue names (see :data:`~ngep.morphometrics.FEATURES`).
    compartment : str or sequence of str, default="dendrite"
        One or more of :data:`~ngep.morphometrics.COMPARTMENT_NAMES`.

    Returns
    -------
    FeaturePlan
        Pass it to :func:`compute_features` (or call its ``compute``) for each
        morphology: names are not looked up again.

    Raises
    ------
    ValueError
        For an unknown feature or compartment, a duplicated feature, or a
        feature that applies to none of the compartments.

    Examples
    --------
    >>> plan = feature_plan(["total_length", "soma_radius"], ["basal", "axon"])
    >>> plan.names
    ('basal__total_length', 'axon__total_length', 'soma__radius')
    """
    feats = _resolve(features)
    comps = _compartments(compartment)
    plan = [(f, c) for c in comps for f in feats
            if not f.is_soma and c in f.compartments]
    plan += [(f, "soma") for f in feats if f.is_soma]
    used = {f.name for f, _ in plan}
    for f in feats:
        if f.name not in used:
            raise ConfigurationError(
                f"Feature {f.name!r} applies to {list(f.compartments)}, not to "
                f"{list(comps)}; drop it or add one of its compartments."
            )
    names = tuple(f.column(c) for f, c in plan)
    if len(set(names)) != len(names):
        raise ConfigurationError("features contains a feature twice.")
    return FeaturePlan(tuple(plan), names, comps)


def feature_names(features, compartment="dendrite"):
    """Output names of :func:`compute_features`, in column order.

    Compartment features are named ``"<compartment>__<name>"``, one per
    compartment they apply to (a feature that does not apply to a requested
    compartment is skipped there). Soma features come last, once each, named
    ``"soma__<name without soma_>"``.

    Parameters
    ----------
    features : iterable of str or Feature
        Catalogue names, as for :func:`feature_plan`.
    compartment : str or sequence of str, default="dendrite"
        One or more compartments, as for :func:`feature_plan`.

    Returns
    -------
    list of str
        ``feature_plan(features, compartment).names`` as a list.

    Raises
    ------
    ValueError
        As for :func:`feature_plan`.

    Examples
    --------
    >>> from ngep.morphometrics import BASE_FEATURES
    >>> feature_names(BASE_FEATURES)
    ['dendrite__total_length', 'dendrite__n_branch_points', 'dendrite__n_stems', \
'dendrite__max_path_distance', 'soma__radius']
    >>> feature_names(["total_length", "soma_radius", "n_tips"], ["apical", "axon"])
    ['apical__total_length', 'apical__n_tips', 'axon__total_length', 'axon__n_tips', \
'soma__radius']
    """
    return list(feature_plan(features, compartment).names)


def compute_features(morphology, features, compartment="dendrite"):
    """Compute catalogue features of one morphology.

    Parameters
    ----------
    morphology : Morphology
        A neuron, e.g. from :func:`ngep.io.read_swc`. Frame-dependent features
        (``invariant=False``) use its coordinates as they are.
    features : iterable of str or Feature, or FeaturePlan
        Catalogue names, e.g. :data:`~ngep.morphometrics.BASE_FEATURES`, or a
        plan from :func:`feature_plan` (then ``compartment`` is not used).
    compartment : str or sequence of str, default="dendrite"
        Compartment(s) to measure; see :func:`feature_names` for the columns.

    Returns
    -------
    ndarray of float64, shape (n_columns,)
        In the order of :func:`feature_names`. Counts and lengths of an empty
        compartment are 0; undefined values (a mean over nothing, no soma) are
        NaN; never inf.

    Examples
    --------
    >>> from ngep.io import Morphology
    >>> from ngep.morphometrics import BASE_FEATURES
    >>> m = Morphology(
    ...     xyz=[[0, 0, 0], [0, 10, 0], [0, 20, 0], [5, 30, 0], [-5, 30, 0]],
    ...     radius=[5, 1, 1, 0.5, 0.5], types=[1, 3, 3, 3, 3], parent=[-1, 0, 1, 2, 2])
    >>> compute_features(m, BASE_FEATURES).round(3).tolist()
    [32.361, 1.0, 1.0, 21.18, 5.0]
    """
    if not isinstance(features, FeaturePlan):
        features = feature_plan(features, compartment)
    return features.compute(morphology)
