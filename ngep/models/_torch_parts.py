# SPDX-License-Identifier: BSD-3-Clause
"""The torch side of ngep's estimators: network, batch-wise data path, RNG/threads.

This is the only module of ngep that imports torch at module level; the
estimators import it inside ``fit``/``predict`` so ``import ngep.models`` stays
cheap. Everything here is defined at module level so fitted nets pickle.

Why a custom data path: skorch's default ``skorch.dataset.Dataset`` + torch
``DataLoader`` fetch every sample with ``__getitem__`` and collate them again,
which made fits about three times slower than scikit-learn's
``MLPRegressor``. :class:`TensorDataset` holds the whole design matrix as one
tensor (already on the training device) and :class:`BatchIterator` yields
contiguous slices of a once-per-epoch shuffled copy: one gather per epoch,
zero per-sample Python calls. :class:`FusedAdam` then trims the optimizer's
own per-step Python bookkeeping, which at these network sizes costs as much
as the arithmetic.
"""

import contextlib
import math
from collections import OrderedDict

import numpy as np
import skorch
import skorch.history
import torch
from skorch.callbacks import Callback
from torch import nn

from ngep._compat import runs_module_hooks
from ngep.exceptions import ConfigurationError

__all__ = [
    "BatchIterator",
    "FeedForward",
    "FusedAdam",
    "HoldOutSplit",
    "LeanTrainStep",
    "NeuralNetClassifier",
    "NeuralNetRegressor",
    "TensorDataset",
    "check_device",
    "seeded",
    "torch_threads",
]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": None,
}


# Parameter-free activation modules and their functional forms.
_FUNCTIONAL = {nn.ReLU: torch.relu, nn.Tanh: torch.tanh, nn.Sigmoid: torch.sigmoid}


class FeedForward(nn.Module):
    """Fully connected network: ``Linear -> [BatchNorm] -> act -> [Dropout]`` blocks.

    Weights and biases start from scikit-learn's ``MLPRegressor`` scheme
    (Glorot uniform, bound ``sqrt(6 / (fan_in + fan_out))``, ``sqrt(2 / ...)``
    for the logistic activation), so both libraries start from the same
    distribution for the same architecture.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        hidden_layer_sizes=(64, 64),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        layers = OrderedDict()
        width = int(n_features)
        for i, size in enumerate(hidden_layer_sizes):
            layers[f"hidden{i}"] = nn.Linear(width, int(size))
            if batch_norm:
                layers[f"norm{i}"] = nn.BatchNorm1d(int(size))
            if _ACTIVATIONS[activation] is not None:
                layers[f"act{i}"] = _ACTIVATIONS[activation]()
            if dropout > 0:
                layers[f"dropout{i}"] = nn.Dropout(float(dropout))
            width = int(size)
        layers["output"] = nn.Linear(width, int(n_outputs))
        self.layers = nn.Sequential(layers)
        factor = 2.0 if activation == "logistic" else 6.0
        with torch.no_grad():
            for module in self.layers:
                if isinstance(module, nn.Linear):
                    bound = math.sqrt(
                        factor / (module.in_features + module.out_features)
                    )
                    module.weight.uniform_(-bound, bound)
                    module.bias.uniform_(-bound, bound)

    def forward(self, X):
        # Same result as ``self.layers(X)``. Without hooks, Linear and
        # elementwise activations run as their functional forms, minus one
        # ``Module.__call__`` per block (~5% of a 64-64 training step); with a
        # hook on any block, every block goes through ``Module.__call__`` so
        # hooks registered on inner layers (activation capture, pruning) run.
        if runs_module_hooks(self.layers) or any(
            runs_module_hooks(layer) for layer in self.layers
        ):
            return self.layers(X)
        for layer in self.layers:
            kind = type(layer)
            if kind is nn.Linear:
                X = nn.functional.linear(X, layer.weight, layer.bias)
            elif kind in _FUNCTIONAL:
                X = _FUNCTIONAL[kind](X)
            else:  # batch normalisation, dropout, GELU
                X = layer(X)
        return X

    def train(self, mode=True):
        """Set training mode; a no-op (by reads only) when already in ``mode``.

        skorch calls ``train(True)`` before every mini-batch; the default
        recursion writes every submodule's flag each time (~20 us, 3% of a
        64-64 step). Reading the flags first is exact (the blocks in
        ``layers`` are leaf modules) and several times cheaper; no hook is
        involved.
        """
        mode = bool(mode)
        if (
            self.training is mode
            and self.layers.training is mode
            and all(m.training is mode for m in self.layers)
        ):
            return self
        return super().train(mode)


class FusedAdam(torch.optim.Adam):
    """:class:`torch.optim.Adam` (``fused=True``) with a lean ``step``/``zero_grad``.

    Same update (Adam with L2 ``weight_decay`` added to the gradient, not
    AdamW's), state layout and ``state_dict`` as ``torch.optim.Adam(...,
    fused=True)``, through public torch API only: each step is one call of
    the functional :func:`torch.optim.adam.adam` (``fused=True``) for all
    parameter groups. ``Optimizer.step`` wraps every call in profiler records,
    hook dispatch and one fused call per parameter group; for the 6 small
    tensors of a 64-64 network that took about as long as the forward pass.
    Groups that differ only in ``weight_decay`` (ngep decays weights, not
    biases) share the call: their decay is added to the gradients first, as
    Adam does. Optimizer step hooks are not run.

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters or parameter groups, as for ``torch.optim.Adam``.
    lr : float, default=1e-3
    betas : tuple of float, default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=0.0
        L2 penalty added to the gradient (Adam's, not AdamW's, decay).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, fused=True
        )

    def _state_of(self, param):
        state = self.state[param]
        if not state:  # torch.optim.Adam's initial state for fused=True
            state["step"] = torch.zeros((), dtype=torch.float32, device=param.device)
            state["exp_avg"] = torch.zeros_like(
                param, memory_format=torch.preserve_format
            )
            state["exp_avg_sq"] = torch.zeros_like(
                param, memory_format=torch.preserve_format
            )
        return state

    def _calls(self):
        """Groups of parameter groups that one functional call can update."""
        calls = {}
        for group in self.param_groups:
            key = (group["lr"], tuple(group["betas"]), group["eps"],
                   group.get("amsgrad", False), group.get("maximize", False))
            calls.setdefault(key, []).append(group)
        return calls.items()

    def step(self, closure=None):
        """One Adam update; ``closure`` (re)computes the loss, as in torch."""
        from torch.optim.adam import adam

        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for (lr, (beta1, beta2), eps, amsgrad, maximize), groups in self._calls():
                if amsgrad or maximize:  # pragma: no cover - ngep sets neither
                    return super().step()
                params = []
                for group in groups:
                    decay = group["weight_decay"]
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        if decay and len(groups) > 1:
                            p.grad.add_(p, alpha=decay)  # what Adam's decay does
                        params.append(p)
                if not params:
                    continue
                states = [self._state_of(p) for p in params]
                adam(
                    params,
                    [p.grad for p in params],
                    [s["exp_avg"] for s in states],
                    [s["exp_avg_sq"] for s in states],
                    [],
                    [s["step"] for s in states],
                    fused=True,
                    amsgrad=False,
                    beta1=beta1,
                    beta2=beta2,
                    lr=lr,
                    weight_decay=groups[0]["weight_decay"] if len(groups) == 1 else 0.0,
                    eps=eps,
                    maximize=False,
                )
        return loss

    def zero_grad(self, set_to_none=True):
        """Drop (default) or zero the gradients, without profiler records."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_().zero_()


# torch.optim.Optimizer wraps each class's ``step`` in a profiler/hook wrapper
# unless it is marked as already wrapped (the documented attribute
# ``hooked`` of Optimizer.profile_hook_step); that wrapper is the overhead this
# class exists to avoid. (If torch renames the flag, the wrapper comes back:
# slower, never wrong.)
FusedAdam.step.hooked = True


def _overrides(obj, name, base):
    return getattr(type(obj), name) is not getattr(base, name)


class LeanTrainStep:
    """Mixin for skorch nets: ``train_step`` without per-batch plumbing ngep skips.

    skorch's ``train_step`` builds a closure and a step accumulator, calls
    ``_set_training`` on every module, converts the batch again and notifies
    ``on_grad_computed`` with a generator of the parameters, each batch: with
    ngep's whole-tensor batches that cost about as much as the optimizer step.
    This does the same work (train mode, forward, ``get_loss``, backward,
    optimizer step) directly, through skorch's public attributes, and falls
    back to skorch's ``train_step`` whenever that would differ: fit
    parameters, batches that are not tensors, or a callback that implements
    ``on_grad_computed`` (gradient clipping...).

    Likewise a training epoch skips the per-batch ``notify`` calls when neither
    the net nor a callback does anything on batch begin or end, and writes the
    same history rows (``train_loss``, ``train_batch_size`` per batch).
    """

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if (
            iterator is None
            or not training
            or fit_params
            or type(self.history) is not skorch.history.History
            or _overrides(self, "on_batch_begin", skorch.NeuralNet)
            or _overrides(self, "on_batch_end", skorch.NeuralNet)
            or any(_overrides(cb, "on_batch_begin", Callback)
                   or _overrides(cb, "on_batch_end", Callback)
                   for _, cb in self.callbacks_)
        ):
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        batches = self.history[-1]["batches"]  # what history.new_batch appends to
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batch_count = 0
        for batch in iterator:
            step = step_fn(batch)
            batches.append({loss_key: step["loss"].item(), size_key: len(batch[0])})
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)
        return None

    def train_step(self, batch, **fit_params):
        Xi, yi = batch
        if (
            fit_params
            or not isinstance(Xi, torch.Tensor)
            or any(_overrides(cb, "on_grad_computed", Callback)
                   for _, cb in self.callbacks_)
        ):
            return super().train_step(batch, **fit_params)
        module, criterion = self.module_, self.criterion_
        if not module.training or not getattr(criterion, "training", True):
            module.train(True)
            if isinstance(criterion, nn.Module):
                criterion.train(True)
        optimizer = self.optimizer_
        optimizer.zero_grad()
        y_pred = module(Xi)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss, "y_pred": y_pred}


class NeuralNetRegressor(LeanTrainStep, skorch.NeuralNetRegressor):
    """skorch's ``NeuralNetRegressor`` with :class:`LeanTrainStep`."""


class NeuralNetClassifier(LeanTrainStep, skorch.NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with :class:`LeanTrainStep`."""


class TensorDataset(torch.utils.data.Dataset):
    """Whole arrays as tensors on ``device``; read by :class:`BatchIterator`.

    ``__getitem__`` exists for torch's protocol but the fast path never calls it.
    """

    def __init__(self, X, y=None, device="cpu"):
        self.X = torch.as_tensor(np.ascontiguousarray(X), device=device)
        self.y = None if y is None else torch.as_tensor(np.asarray(y), device=device)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (self.y[i] if self.y is not None else torch.zeros(0))

    def subset(self, indices):
        """A dataset holding the rows ``indices`` (copies, same device)."""
        out = TensorDataset.__new__(TensorDataset)
        idx = torch.as_tensor(np.asarray(indices), device=self.X.device)
        out.X = self.X[idx]
        out.y = None if self.y is None else self.y[idx]
        return out


class BatchIterator:
    """Iterate over a :class:`TensorDataset` in mini-batches of whole tensor slices.

    Parameters
    ----------
    dataset : TensorDataset
    batch_size : int
    shuffle : bool, default=False
        Reshuffle once per pass (epoch) with a private ``torch.Generator``.
    seed : int or None, default=None
        Seed of that generator; the global torch RNG is never used.

    Notes
    -----
    When shuffling, a last batch of a single sample is merged into the previous
    batch, so batch normalisation never sees a batch of one.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=None):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._generator = None
        if shuffle:
            self._generator = torch.Generator()
            self._generator.manual_seed(0 if seed is None else int(seed))

    def _bounds(self):
        n = len(self.dataset)
        starts = list(range(0, n, self.batch_size))
        if self.shuffle and len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()
        return list(zip(starts, [*starts[1:], n]))

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        if self.shuffle:
            perm = torch.randperm(len(X), generator=self._generator).to(X.device)
            X = X[perm]
            y = None if y is None else y[perm]
        for start, stop in self._bounds():
            yield X[start:stop], (None if y is None else y[start:stop])


class HoldOutSplit:
    """skorch ``train_split``: a seeded internal validation split of the fit data.

    Only the data passed to ``fit`` is split, so an outer test fold can never
    leak into early stopping.
    """

    def __init__(self, fraction, seed, stratify=False):
        self.fraction = fraction
        self.seed = seed
        self.stratify = stratify

    def __call__(self, dataset, y=None, **kwargs):
        from sklearn.model_selection import train_test_split

        idx = np.arange(len(dataset))
        strat = np.asarray(y) if (self.stratify and y is not None) else None
        train, valid = train_test_split(
            idx, test_size=self.fraction, random_state=self.seed, stratify=strat
        )
        return dataset.subset(np.sort(train)), dataset.subset(np.sort(valid))


def check_device(device, estimator_name):
    """Return ``device`` as a string after checking torch can use it."""
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigurationError(
            f"{estimator_name}(device={device!r}): CUDA is not available in this "
            f"torch build/machine (torch {torch.__version__}, "
            "torch.cuda.is_available() is False). Use device='cpu' or install a "
            "CUDA-enabled torch."
        )
    return str(dev)


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with ``torch.set_num_threads(n_threads)``; restore after.

    ``None`` leaves torch's setting untouched.
    """
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    if previous != n_threads:
        torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        if previous != n_threads:
            torch.set_num_threads(previous)


@contextlib.contextmanager
def seeded(seed, device):
    """Seed torch's RNG for the block only; the global RNG state is restored."""
    dev = torch.device(device)
    devices = []
    if dev.type == "cuda":
        devices = [dev.index if dev.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices):
        torch.random.default_generator.manual_seed(int(seed))
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(int(seed))
        yield
