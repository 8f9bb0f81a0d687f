# SPDX-License-Identifier: BSD-3-Clause
""":class:`ContrastClassifier`: one marker against all cells and against its peers."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ngep._compat import Interval, StrOptions, fit_context
from ngep._docstring import fill_doc
from ngep.exceptions import InvalidInputError
from ngep.models._wrapping import ESTIMATOR_CONSTRAINT, _WrappingClassifierMixin

__all__ = ["ContrastClassifier"]


@fill_doc
class ContrastClassifier(_WrappingClassifierMixin, ClassifierMixin, BaseEstimator):
    """Score one class of several: against all cells and its peers, or read off.

    A Pvalb marker model trained on Pvalb+ cells against *all* other cells learns
    mostly "aspiny vs spiny": most negatives are pyramidal cells. It then ranks
    Pvalb cells poorly among interneurons, which is what another lab's data may
    hold. A model trained against the other interneurons only learns the
    finer contrast but never saw a pyramidal cell. This classifier fits both
    from the same subclass labels and averages their probabilities::

        P(positive) = (1 - weight) * P_all(positive) + weight * P_peers(positive)

    where ``P_all`` is ``positive`` vs every other cell and ``P_peers`` is
    ``positive`` vs the cells labelled one of ``peers``. Both are binary clones
    of ``estimator``. (A gate ``P(interneuron) x P(positive | interneuron)``
    multiplies the two errors; the average degrades gracefully when another
    lab's interneurons look spiny.)

    With ``method="subclass"`` it fits one multi-class ``estimator`` on the
    subclass labels and reads off ``P(positive)``: the classes then share one
    probability, and no model is asked about cells it never saw (the peer model
    has never seen an excitatory cell). Either way the output is binary,
    ``classes_ == [0, 1]``.

    Read more in the :ref:`User Guide <robust-features>`.

    Parameters
    ----------
    estimator : classifier, default=None
        Binary classifier with ``predict_proba``, cloned for each contrast.
        ``None``: ``LogisticRegression(max_iter=1000)``.
    positive : label, default=None
        The class to score, e.g. ``"Pvalb"``. ``None``: no contrast; the
        classifier is ``estimator`` fitted on ``y`` as it is (any number of
        classes).
    peers : list of labels, default=None
        The classes ``positive`` is contrasted with in the second model, e.g.
        ``["Sst", "Htr3a"]``. Peers absent from ``y`` are skipped (one at least
        must be present), so one recipe can train on label sources with
        different classes. ``None`` or empty: only the all-cell model.
    weight : float in [0, 1], default=0.5
        Weight of the peer model in the average.
    method : {"average", "subclass"}, default="average"
        ``"average"``: the two binary contrasts, averaged; ``"subclass"``: one
        multi-class model, ``P(positive)`` read off (``peers`` and ``weight``
        unused).

    Attributes
    ----------
    classes_ : ndarray
        ``[0, 1]`` (not positive, positive) when ``positive`` is given, else the
        classes of ``y``.
    estimators_ : list of estimators
        The fitted all-cell model, then the peer model if any (the one
        multi-class model for ``method="subclass"``).
    %(fitted_input_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from ngep.models import ContrastClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["Pvalb", "Sst", "excitatory"], 30)
    >>> X = rng.normal(size=(90, 2)) + np.repeat([[2, 2], [2, -2], [-2, 0]], 30, 0)
    >>> clf = ContrastClassifier(positive="Pvalb", peers=["Sst"]).fit(X, y)
    >>> clf.classes_.tolist()
    [0, 1]
    >>> bool(clf.predict_proba([[2, 2]])[0, 1] > 0.9)
    True
    """

    _parameter_constraints = {
        "estimator": ESTIMATOR_CONSTRAINT,
        "positive": "no_validation",
        "peers": [list, tuple, None],
        "weight": [Interval(Real, 0, 1, closed="both")],
        "method": [StrOptions({"average", "subclass"})],
    }

    # Fitted state saved by ngep.persistence's pickle-free format.
    _portable_attrs = ("classes_", "estimators_", "n_features_in_",
                       "feature_names_in_")

    def __init__(self, estimator=None, *, positive=None, peers=None, weight=0.5,
                 method="average"):
        self.estimator = estimator
        self.positive = positive
        self.peers = peers
        self.weight = weight
        self.method = method

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the all-cell model and, with ``peers``, the peer model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (e.g. subclasses), not binarised: the peer model needs
            to know which negatives are peers.

        Returns
        -------
        self : ContrastClassifier
        """
        X, y = validate_data(self, X, y, ensure_all_finite=False)
        check_classification_targets(y)
        if self.positive is None:
            model = self._base().fit(X, y)
            self.classes_ = model.classes_
            self.estimators_ = [model]
            return self
        labels = np.unique(y)
        if self.positive not in labels:
            raise InvalidInputError(
                f"positive={self.positive!r} is not a label of y; y has "
                f"{labels.tolist()}."
            )
        is_pos = (y == self.positive).astype(np.int64)
        if is_pos.all():
            raise InvalidInputError(
                f"every sample is {self.positive!r}; the contrast needs negatives."
            )
        self.classes_ = np.array([0, 1])
        if self.method == "subclass":
            self.estimators_ = [self._base().fit(X, y)]
            return self
        models = [self._base().fit(X, is_pos)]
        peers = list(self.peers or [])
        if peers and self.weight > 0:
            if not any(p in labels for p in peers):
                raise InvalidInputError(
                    f"peers {peers!r} are not labels of y; y has {labels.tolist()}."
                )
            rows = is_pos.astype(bool) | np.isin(y, peers)
            models.append(self._base().fit(X[rows], is_pos[rows]))
        self.estimators_ = models
        return self

    def _proba(self, X):
        """The weighted average of the two contrasts (or the one model's)."""
        if self.positive is None:
            return self.estimators_[0].predict_proba(X)
        first = self.estimators_[0]
        if self.method == "subclass":
            col = list(first.classes_).index(self.positive)
            p = first.predict_proba(X)[:, col]
            return np.column_stack([1 - p, p])
        p = first.predict_proba(X)[:, 1]
        if len(self.estimators_) > 1:
            p = (1 - self.weight) * p + self.weight * self.estimators_[1].predict_proba(
                X)[:, 1]
        return np.column_stack([1 - p, p])
