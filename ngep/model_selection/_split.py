# SPDX-License-Identifier: BSD-3-Clause
"""Stratified k-fold cross-validation for continuous targets (quantile bins)."""

from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import indexable
from sklearn.utils.validation import column_or_1d

from ngep._compat import (
    BaseKFold,
    Interval,
    num_samples,
    validate_parameter_constraints,
)
from ngep.exceptions import InvalidInputError

__all__ = ["BinnedStratifiedKFold", "bin_target"]


def bin_target(y, *, n_bins=10, min_bin_size=1):
    """Quantile bins of a continuous target, each holding ``min_bin_size`` or more.

    Edges are the ``n_bins``-quantiles of ``y``; repeated edges (ties) are
    dropped, and a bin still smaller than ``min_bin_size`` is merged with its
    smaller neighbour until every bin is large enough.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous, finite target.
    n_bins : int, default=10
        Largest number of bins; fewer are made when ``y`` has ties or too few
        samples (at most ``n_samples // min_bin_size``).
    min_bin_size : int, default=1
        Smallest number of samples per bin.

    Returns
    -------
    ndarray of int of shape (n_samples,)
        Bin label of each sample, ``0`` for the lowest values.

    Examples
    --------
    >>> bin_target(np.arange(12.0), n_bins=3).tolist()
    [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    >>> bin_target([0, 0, 0, 0, 0, 0, 5, 9], n_bins=4, min_bin_size=2).tolist()
    [0, 0, 0, 0, 0, 0, 1, 1]
    """
    y = column_or_1d(np.asarray(y, dtype=np.float64), warn=True)
    if not np.all(np.isfinite(y)):
        bad = np.flatnonzero(~np.isfinite(y))
        raise InvalidInputError(
            f"y has {bad.size} non-finite value(s) (NaN or inf), first at index "
            f"{bad[0]}; drop or impute those samples before binning."
        )
    n_bins = max(1, min(int(n_bins), y.size // max(1, int(min_bin_size))))
    edges = np.unique(np.quantile(y, np.linspace(0, 1, n_bins + 1))[1:-1])
    labels = np.searchsorted(edges, y, side="right")
    # relabel to 0..k-1 and merge bins that are too small into a neighbour
    _, labels = np.unique(labels, return_inverse=True)
    counts = np.bincount(labels)
    while counts.size > 1 and counts.min() < min_bin_size:
        i = int(np.argmin(counts))
        if i == 0:
            j = 1
        elif i == counts.size - 1:
            j = i - 1
        else:
            j = i - 1 if counts[i - 1] <= counts[i + 1] else i + 1
        labels[labels == i] = j
        _, labels = np.unique(labels, return_inverse=True)
        counts = np.bincount(labels)
    return labels.astype(np.intp)


class BinnedStratifiedKFold(BaseKFold):
    """Stratified k-fold for a continuous target: stratify on quantile bins of ``y``.

    ``y`` is cut into quantile bins (:func:`bin_target`), then
    :class:`~sklearn.model_selection.StratifiedKFold` splits on the bin labels,
    so every fold spans the whole range of ``y``. Plain :class:`KFold` can put
    most of the extreme values into one fold, which makes per-fold R² noisy and
    the lowest fold misleadingly low. The number of bins is capped so that each
    bin holds at least ``n_splits`` samples (so each bin reaches every fold);
    repeated quantile edges from ties are dropped.

    Read more in the :ref:`User Guide <cross_validation>`.

    Parameters
    ----------
    n_splits : int, default=10
        Number of folds, at least 2.
    n_bins : int, default=10
        Largest number of quantile bins, at least 2. Fewer are used when ``y``
        has ties or fewer than ``n_bins * n_splits`` samples.
    shuffle : bool, default=False
        Shuffle each bin's samples before splitting into folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling; only with ``shuffle=True``.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : The same for class labels.
    sklearn.model_selection.StratifiedGroupKFold : Grouped (for example by donor)
        stratified folds; pass it ``bin_target(y)`` as ``y``.

    Notes
    -----
    ``split`` needs ``y``: one finite value per sample (a 1-D array or a single
    column). It refuses ``n_splits > n_samples`` and data too small for two bins
    of ``n_splits`` samples each (fewer than ``2 * n_splits`` samples).
    ``groups`` is ignored.

    Examples
    --------
    >>> y = np.arange(20.0)
    >>> cv = BinnedStratifiedKFold(n_splits=4, n_bins=5)
    >>> cv
    BinnedStratifiedKFold(n_bins=5, n_splits=4, random_state=None, shuffle=False)
    >>> [y[test].tolist() for _, test in cv.split(y.reshape(-1, 1), y)][0]
    [0.0, 4.0, 8.0, 12.0, 16.0]
    """

    def __init__(self, n_splits=10, *, n_bins=10, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        validate_parameter_constraints(
            {"n_bins": [Interval(Integral, 2, None, closed="left")]},
            {"n_bins": n_bins},
            caller_name=type(self).__name__,
        )
        self.n_bins = n_bins

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; only its number of samples is used.
        y : array-like of shape (n_samples,)
            Continuous target that the folds are stratified on.
        groups : None
            Ignored; present for API consistency.

        Yields
        ------
        train : ndarray
            Training set indices of the split.
        test : ndarray
            Test set indices of the split.
        """
        if y is None:
            raise InvalidInputError(
                "BinnedStratifiedKFold stratifies on y; pass the target: "
                "cv.split(X, y) (cross_validate and GridSearchCV do this)."
            )
        X, y, groups = indexable(X, y, groups)
        n_samples = num_samples(X)
        if self.n_splits > n_samples:
            raise InvalidInputError(
                f"Cannot have number of splits n_splits={self.n_splits} greater "
                f"than the number of samples: n_samples={n_samples}."
            )
        if n_samples < 2 * self.n_splits:
            raise InvalidInputError(
                f"BinnedStratifiedKFold needs at least 2 * n_splits = "
                f"{2 * self.n_splits} samples to form 2 bins of n_splits samples "
                f"each; got {n_samples}. Use fewer splits or KFold."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] != 1:
            raise InvalidInputError(
                f"BinnedStratifiedKFold stratifies on one target; got y with shape "
                f"{y.shape}. Pass the column (or a summary such as its mean) to "
                "stratify on."
            )
        bins = bin_target(y.reshape(-1), n_bins=self.n_bins, min_bin_size=self.n_splits)
        skf = StratifiedKFold(
            self.n_splits, shuffle=self.shuffle, random_state=self.random_state
        )
        yield from skf.split(np.zeros((n_samples, 1)), bins)
