# SPDX-License-Identifier: BSD-3-Clause
"""Shared machinery of the skorch-backed estimators (torch is imported lazily)."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ngep._compat import Interval, StrOptions, fit_context
from ngep.exceptions import ConfigurationError, InvalidInputError

__all__ = ["_BaseNetEstimator"]

# Rows per forward pass at prediction / validation time; memory is the only limit.
_EVAL_BATCH_SIZE = 4096


def _target_names(y):
    """Column names of a DataFrame target, the name of a Series, else None."""
    columns = getattr(y, "columns", None)
    if columns is not None:
        return np.asarray([str(c) for c in columns], dtype=object)
    name = getattr(y, "name", None)
    if name is not None and hasattr(y, "index"):
        return np.asarray([str(name)], dtype=object)
    return None


class _BaseNetEstimator(BaseEstimator):
    """Parameters, validation, training loop wiring and portable state.

    Subclasses set ``_skorch_class`` (name of the skorch net class, taken from
    ``ngep.models._torch_parts``, which adds a lean ``train_step``) and ``_loss``
    (name in ``torch.nn``), and pass ``(criterion_class, criterion_kwargs)`` to
    ``_fit_net``.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"relu", "tanh", "logistic", "identity", "gelu"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [str],
        "torch_threads": [Interval(Integral, 1, None, closed="left"), None],
    }

    # Fitted attributes that the pickle-free format stores (ngep.persistence).
    _portable_attrs = (
        "n_features_in_",
        "feature_names_in_",
        "n_samples_fit_",
        "n_iter_",
        "loss_curve_",
        "validation_loss_curve_",
        "best_epoch_",
        "target_names_",
    )

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
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.torch_threads = torch_threads

    # -- helpers ---------------------------------------------------------------
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or any(
            not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes
        ):
            raise ConfigurationError(
                f"hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}; e.g. hidden_layer_sizes=(64, 64)."
            )
        return tuple(int(s) for s in sizes)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return max(1, min(200, n_samples))
        return max(1, min(int(self.batch_size), n_samples))

    #: With ``early_stopping="auto"``: stop early from this many training samples
    #: on (the validation split then holds >= 100 samples at the default 0.1).
    _AUTO_EARLY_STOPPING_MIN_SAMPLES = 1000

    def _resolve_early_stopping(self, n_samples):
        if self.early_stopping == "auto":
            return bool(n_samples >= self._AUTO_EARLY_STOPPING_MIN_SAMPLES)
        return bool(self.early_stopping)

    def _make_net(self, n_features, n_outputs, n_samples, seed, device, criterion):
        """The configured (uninitialised) skorch net."""
        from skorch.callbacks import EarlyStopping

        from ngep.models import _torch_parts as tp

        batch_size = self._effective_batch_size(n_samples)
        self.early_stopping_ = self._resolve_early_stopping(n_samples)
        if self.early_stopping_:
            stopper = EarlyStopping(
                monitor="valid_loss",
                patience=self.n_iter_no_change,
                threshold=self.tol,
                threshold_mode="abs",
                load_best=True,
            )
            train_split = tp.HoldOutSplit(
                self.validation_fraction, seed, stratify=self._stratify_split
            )
        else:
            stopper = EarlyStopping(
                monitor="train_loss",
                patience=self.n_iter_no_change,
                threshold=self.tol,
                threshold_mode="abs",
            )
            train_split = None
        criterion_cls, criterion_kwargs = criterion
        kwargs = {f"criterion__{k}": v for k, v in criterion_kwargs.items()}
        if self.alpha > 0:
            # MLPRegressor minimises 0.5*MSE + alpha/(2*batch) * ||W||^2 (weights,
            # not biases). Our loss is MSE (twice theirs), so decoupling-free L2
            # with weight_decay = 2*alpha/batch gives the same gradient direction
            # up to a factor 2, to which Adam is invariant.
            decay = 2.0 * self.alpha / batch_size
            # One group (hidden*/output weights; not biases or batch-norm
            # scales): every extra group costs a fused-Adam call per step.
            kwargs["optimizer__param_groups"] = [
                ("layers.[ho]*.weight", {"weight_decay": decay}),
            ]
        if not self.verbose:
            # PrintLog formats a table every epoch even when silent: with the
            # few batches per epoch of a 200-cell data set that dominated fits.
            kwargs["callbacks__print_log"] = None
            kwargs["callbacks__epoch_timer"] = None  # feeds only PrintLog's "dur"
        if not self.early_stopping_:
            kwargs["callbacks__valid_loss"] = None  # no validation data
        net_cls = getattr(tp, self._skorch_class)  # skorch's, lean train_step
        return net_cls(
            tp.FeedForward,
            module__n_features=n_features,
            module__n_outputs=n_outputs,
            module__hidden_layer_sizes=self._hidden_sizes(),
            module__activation=self.activation,
            module__dropout=self.dropout,
            module__batch_norm=self.batch_norm,
            criterion=criterion_cls,
            optimizer=tp.FusedAdam,
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=batch_size,
            train_split=train_split,
            dataset=tp.TensorDataset,
            dataset__device=device,
            iterator_train=tp.BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__seed=seed + 1,
            iterator_valid=tp.BatchIterator,
            iterator_valid__batch_size=max(batch_size, _EVAL_BATCH_SIZE),
            callbacks=[("convergence", stopper)],
            device=device,
            verbose=int(self.verbose),
            **self._extra_net_kwargs(),
            **kwargs,
        )

    def _extra_net_kwargs(self):
        return {}

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            :class:`ExpressionRegressor`: expression values, several columns
            training one multi-output network. :class:`MarkerClassifier`: class
            labels (strings or integers), one column.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y)

    def _criterion_for_load(self):
        """The loss class (``torch.nn.<_loss>``) and its unfitted kwargs."""
        import torch

        return getattr(torch.nn, self._loss), {}

    def _fit_net(self, X, Y, criterion):
        """Train ``self.net_`` on float32 ``X`` and prepared targets ``Y``."""
        from ngep.models import _torch_parts as tp

        name = type(self).__name__
        device = tp.check_device(self.device, name)
        if self.batch_norm and len(X) < 2:
            raise InvalidInputError(
                f"{name}(batch_norm=True) needs at least 2 training samples, "
                f"got n_samples = {len(X)}; use batch_norm=False."
            )
        self._hidden_sizes()
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        n_outputs = Y.shape[1] if Y.ndim == 2 else len(self.classes_)
        net = self._make_net(X.shape[1], n_outputs, len(X), seed, device, criterion)
        with tp.torch_threads(self.torch_threads), tp.seeded(seed, device):
            net.fit(X, Y)
        self.net_ = net
        self._record_history(net)
        return self

    def _record_history(self, net):
        history = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = np.asarray(history[:, "train_loss"], dtype=np.float64)
        self.validation_loss_curve_ = None
        self.best_epoch_ = self.n_iter_
        if self.early_stopping_:
            valid = np.asarray(history[:, "valid_loss"], dtype=np.float64)
            self.validation_loss_curve_ = valid
            self.best_epoch_ = (
                int(dict(net.callbacks_)["convergence"].best_epoch_) or self.n_iter_
            )
        if self.n_iter_ == self.max_iter and not self._converged(history):
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet; increase "
                "max_iter or tol.",
                ConvergenceWarning,
                stacklevel=6,  # the user's call to fit()
            )

    def _converged(self, history):
        # Converged if the last n_iter_no_change epochs did not improve by tol.
        key = "valid_loss" if self.early_stopping_ else "train_loss"
        curve = np.asarray(history[:, key], dtype=np.float64)
        k = self.n_iter_no_change
        if len(curve) <= k:
            return False
        return curve[-k:].min() > curve[:-k].min() - self.tol

    def _forward(self, X):
        """Network outputs (after skorch's predict nonlinearity) as float64."""
        from ngep.models import _torch_parts as tp

        with tp.torch_threads(self.torch_threads):
            out = self.net_.predict_proba(X)
        return np.asarray(out, dtype=np.float64)

    @staticmethod
    def _as_float32(X, name):
        X32 = np.array(X, dtype=np.float32, order="C", copy=True)
        if not np.isfinite(X32).all():
            raise InvalidInputError(
                f"{name}: X has values too large for float32 (|x| > 3.4e38) after "
                "conversion; scale the features (e.g. StandardScaler) first."
            )
        return X32

    # -- pickle-free persistence (ngep.persistence) ---------------------------
    def _get_portable_state(self):
        state = self.net_.module_.state_dict()
        return {
            "module_state": {k: v.detach().cpu().numpy() for k, v in state.items()},
            "n_outputs": int(self.net_.module__n_outputs),
            "n_samples_fit": int(self.n_samples_fit_),
        }

    def _set_portable_state(self, state):
        import torch

        from ngep.models import _torch_parts as tp

        if torch.device(self.device).type == "cuda" and not torch.cuda.is_available():
            # As skorch does for pickles: a GPU-trained model still loads on CPU.
            warnings.warn(
                f"{type(self).__name__} was saved with device={self.device!r} but "
                "CUDA is not available; loading it on the CPU (device='cpu').",
                UserWarning,
                stacklevel=2,
            )
            self.device = "cpu"
        device = tp.check_device(self.device, type(self).__name__)
        net = self._make_net(
            int(self.n_features_in_),
            int(state["n_outputs"]),
            int(state["n_samples_fit"]),
            0,
            device,
            self._criterion_for_load(),
        )
        with tp.torch_threads(self.torch_threads), tp.seeded(0, device):
            net.initialize()
        weights = {
            k: torch.as_tensor(np.asarray(v)) for k, v in state["module_state"].items()
        }
        net.module_.load_state_dict(weights)
        net.module_.eval()
        self.net_ = net
