# SPDX-License-Identifier: BSD-3-Clause
"""MarkerClassifier: a skorch feed-forward network for marker labels."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._compat import StrOptions
from ngep.exceptions import InvalidInputError
from ngep.models._base import _BaseNetEstimator
from ngep.models._wrapping import _PredictFromProbaMixin

__all__ = ["MarkerClassifier"]


class MarkerClassifier(_PredictFromProbaMixin, ClassifierMixin, _BaseNetEstimator):
    """Feed-forward neural network classifier (PyTorch via skorch).

    Binary or multiclass labels of any type (strings, integers); softmax
    output trained with cross-entropy. Parameters are those of
    :class:`ExpressionRegressor` (``MLPClassifier``'s names) plus
    ``class_weight`` for imbalanced markers (e.g. 30 Pvalb+ cells of 222).

    Read more in the :ref:`User Guide <models>`.

    Parameters
    ----------
    hidden_layer_sizes, activation, dropout, batch_norm, batch_size
        The network and its mini-batches, as for :class:`ExpressionRegressor`.
    learning_rate_init, max_iter, tol, validation_fraction, n_iter_no_change
        The optimisation and its stopping rule, as for
        :class:`ExpressionRegressor`; the monitored loss is the cross-entropy.
    random_state, verbose, device, torch_threads
        As for :class:`ExpressionRegressor`.
    alpha : float, default=1e-4
        L2 penalty on the weights, scaled as in ``MLPClassifier`` (Adam
        ``weight_decay = 2 * alpha / batch_size`` on the weight matrices).
    early_stopping : bool or "auto", default=False
        Hold out a stratified ``validation_fraction`` of the ``fit`` data, stop
        on its cross-entropy and restore the best epoch's weights.
        ``"auto"`` does so only when ``fit`` gets at least 1,000 samples: on
        smaller sets the validation split is too small to choose an epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy. ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``.

    Attributes
    ----------
    early_stopping_ : bool
        Whether the last ``fit`` stopped early (``early_stopping`` resolved).
    net_ : skorch.NeuralNetClassifier
        The trained skorch net.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_, feature_names_in_, n_samples_fit_, n_iter_, best_epoch_
        As for :class:`ExpressionRegressor`.
    target_names_ : ndarray of str or None
        Name of ``y`` when it was a pandas Series.
    loss_curve_, validation_loss_curve_ : ndarray of shape (n_iter_,)
        Training and internal validation cross-entropy per epoch (the latter
        None without early stopping).

    See Also
    --------
    ExpressionRegressor : The regression twin.
    sklearn.neural_network.MLPClassifier : The NumPy model this one mirrors.

    Examples
    --------
    >>> from ngep.models import MarkerClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 4))
    >>> y = np.where(X[:, 0] > 0.8, "Pvalb+", "Pvalb-")
    >>> clf = MarkerClassifier((16,), class_weight="balanced", tol=1e-3,
    ...                        learning_rate_init=0.01, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['Pvalb+', 'Pvalb-'], dtype='<U6')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **_BaseNetEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _skorch_class = "NeuralNetClassifier"
    _loss = "CrossEntropyLoss"
    _stratify_split = True
    _portable_attrs = _BaseNetEstimator._portable_attrs + ("classes_",)

    def __init__(
        self,
        hidden_layer_sizes=(64, 64),
        activation="relu",
        *,
        dropout=0.0,
        batch_norm=False,
        alpha=1e-4,
        batch_size=128,
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
        device="cpu",
        torch_threads=1,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            verbose=verbose,
            device=device,
            torch_threads=torch_threads,
        )
        self.class_weight = class_weight

    def _extra_net_kwargs(self):
        # skorch's default accuracy callback would re-predict the validation set
        # every epoch; early stopping monitors the validation loss instead.
        return {"callbacks__valid_acc": None}

    def _fit(self, X, y):
        import torch

        name = getattr(y, "name", None) if hasattr(y, "index") else None
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise InvalidInputError(
                f"MarkerClassifier needs samples of at least 2 classes in y; got 1 "
                f"class ({self.classes_[0]!r}). Check the labels or the split."
            )
        codes = encoder.transform(y).astype(np.int64)
        self.target_names_ = None if name is None else np.asarray([str(name)], object)
        self.n_samples_fit_ = len(X)
        criterion_kwargs = {}
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            )
            criterion_kwargs["weight"] = torch.as_tensor(weights, dtype=torch.float32)
        X32 = self._as_float32(X, type(self).__name__)
        loss, _ = self._criterion_for_load()
        return self._fit_net(X32, codes, (loss, criterion_kwargs))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the neurons, as seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``, float64; rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        proba = self._forward(self._as_float32(X, type(self).__name__))
        return proba / proba.sum(axis=1, keepdims=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags
