# SPDX-License-Identifier: BSD-3-Clause
"""ExpressionRegressor: a skorch feed-forward network for expression levels."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ngep._docstring import fill_doc
from ngep.models._base import _BaseNetEstimator, _target_names

__all__ = ["ExpressionRegressor"]


@fill_doc
class ExpressionRegressor(RegressorMixin, _BaseNetEstimator):
    """Feed-forward neural network regressor (PyTorch via skorch).

    Predicts one gene (1-D ``y``) or several genes with one shared network
    (2-D ``y``). Parameters use :class:`sklearn.neural_network.MLPRegressor`'s
    names and meanings; the optimizer is Adam. Targets are standardised inside
    (mean and standard deviation learned in ``fit``, inverted in ``predict``);
    features are not: put a :class:`~sklearn.preprocessing.StandardScaler` in
    front, as for ``MLPRegressor``.

    Read more in the :ref:`User Guide <models>`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int or int, default=(64, 64)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "gelu"}, default="relu"
        Activation after each hidden layer.
    dropout : float in [0, 1), default=0.0
        Dropout probability after each hidden activation (training only).
    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases), with ``MLPRegressor``'s
        scaling: the gradient gains ``alpha * W / batch_size`` relative to half
        the mean squared error. Implemented as Adam ``weight_decay =
        2 * alpha / batch_size`` on the weight matrices. It acts on the
        standardised targets, so its strength does not depend on their unit.
    batch_size : int or "auto", default=128
        Mini-batch size, clipped to the number of samples; ``"auto"`` is
        ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Adam learning rate.
    max_iter : int, default=200
        Maximum number of epochs.
    tol : float, default=1e-4
        Training stops when the monitored loss (training loss, or the internal
        validation loss with ``early_stopping=True``) has not improved by at
        least ``tol`` for ``n_iter_no_change`` consecutive epochs.
    early_stopping : bool or "auto", default=False
        Hold out ``validation_fraction`` of the data given to ``fit`` (a seeded
        random split, never an outer test fold), stop when its loss stops
        improving and restore the weights of the best epoch.
        ``"auto"`` does so only when ``fit`` gets at least 1,000 samples: on
        smaller sets the validation split is too small to choose an epoch.
    validation_fraction : float in (0, 1), default=0.1
        Fraction of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience, in epochs, of the stopping rule.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. Torch's global RNG is left untouched.
    verbose : int, default=0
        Print skorch's per-epoch table when > 0.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"`` or ``"cuda:1"``.
    torch_threads : int or None, default=1
        ``torch.set_num_threads`` value used inside ``fit``/``predict``; the
        previous value is restored afterwards. ``None`` leaves torch's setting
        alone. One thread is fastest for networks of this size and avoids
        oversubscription under ``n_jobs``.

    Attributes
    ----------
    early_stopping_ : bool
        Whether the last ``fit`` stopped early (``early_stopping`` resolved).
    net_ : skorch.NeuralNetRegressor
        The trained skorch net (``net_.module_`` is the torch module,
        ``net_.history`` the per-epoch history).
    %(fitted_input_attributes)s
    n_outputs_ : int
        Number of targets.
    target_names_ : ndarray of str or None
        Column names of ``y`` when it was a DataFrame (or the Series name).
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,)
        Target standardisation learned in ``fit``.
    n_samples_fit_ : int
        Number of training samples.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss (MSE on standardised targets) per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Internal validation loss per epoch (``early_stopping=True`` only).
    best_epoch_ : int
        Epoch whose weights the model holds (1-based).

    See Also
    --------
    MarkerClassifier : The classification twin.
    sklearn.neural_network.MLPRegressor : The NumPy model this one mirrors.

    Notes
    -----
    The network trains in float32; predictions are float64. Fits are
    deterministic for an integer ``random_state`` on CPU, also in parallel
    (``GridSearchCV(n_jobs=2)``).

    Examples
    --------
    >>> from ngep.models import ExpressionRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=200)
    >>> reg = ExpressionRegressor((32,), learning_rate_init=0.01, random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _skorch_class = "NeuralNetRegressor"
    _loss = "MSELoss"
    _stratify_split = False
    _portable_attrs = _BaseNetEstimator._portable_attrs + (
        "n_outputs_",
        "y_mean_",
        "y_scale_",
        "_y_ndim",
    )

    def _fit(self, X, y):

        names = _target_names(y)
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        self._y_ndim = y.ndim
        Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        self.n_outputs_ = Y.shape[1]
        self.target_names_ = (
            names if names is not None and len(names) == self.n_outputs_ else None
        )
        self.y_mean_ = Y.mean(axis=0)
        scale = Y.std(axis=0)
        self.y_scale_ = np.where(scale > 0, scale, 1.0)
        Y = ((Y - self.y_mean_) / self.y_scale_).astype(np.float32)
        self.n_samples_fit_ = len(X)
        X32 = self._as_float32(X, type(self).__name__)
        return self._fit_net(X32, Y, self._criterion_for_load())

    def predict(self, X):
        """Predict expression values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of the neurons whose expression to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions in the units of ``y``, float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        out = self._forward(self._as_float32(X, type(self).__name__))
        Y = out.reshape(len(X), -1) * self.y_scale_ + self.y_mean_
        return Y.ravel() if self._y_ndim == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
