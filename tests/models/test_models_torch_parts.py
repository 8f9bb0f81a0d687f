# SPDX-License-Identifier: BSD-3-Clause
"""The speed-motivated torch parts must not change any result."""

import pytest

torch = pytest.importorskip("torch")

from ngep.models._torch_parts import FeedForward, FusedAdam  # noqa: E402


def _train(optimizer_cls, n_steps=25, **optimizer_kwargs):
    torch.manual_seed(0)
    X, y = torch.randn(40, 5), torch.randn(40, 2)
    module = FeedForward(5, 2, (8, 8), batch_norm=True)
    weights = [p for n, p in module.named_parameters() if n.endswith("weight")]
    others = [p for n, p in module.named_parameters() if not n.endswith("weight")]
    # Two groups, one with decay, as ngep configures it (decay on weights only).
    optimizer = optimizer_cls(
        [{"params": weights, "weight_decay": 0.05}, {"params": others}],
        lr=0.01,
        **optimizer_kwargs,
    )
    losses = []
    for step in range(n_steps):
        batch = slice(10 * (step % 4), 10 * (step % 4) + 10)

        def closure(batch=batch):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(module(X[batch]), y[batch])
            loss.backward()
            return loss

        losses.append(optimizer.step(closure).item())
    return module, optimizer, losses


def test_fused_adam_is_torch_fused_adam_bit_for_bit():
    ref_module, ref_opt, ref_losses = _train(torch.optim.Adam, fused=True)
    module, opt, losses = _train(FusedAdam)
    assert losses == ref_losses
    for (name, p), q in zip(module.named_parameters(), ref_module.parameters()):
        assert torch.equal(p, q), name
    # Same state layout: each optimizer's state loads into the other's class.
    ref_state, state = ref_opt.state_dict(), opt.state_dict()
    assert ref_state["param_groups"] == state["param_groups"]
    for k, v in ref_state["state"].items():
        assert v.keys() == state["state"][k].keys()
        for key in v:
            assert torch.equal(v[key], state["state"][k][key]), (k, key)
    ref_opt.load_state_dict(state)


def test_fused_adam_updates_and_zero_grad_modes():
    # The update is really Adam's (not a no-op): parameters move.
    torch.manual_seed(0)
    module = FeedForward(3, 1, (4,))
    before = [p.detach().clone() for p in module.parameters()]
    opt = FusedAdam(module.parameters(), lr=0.1)
    module(torch.randn(6, 3)).sum().backward()
    opt.step()
    assert all(not torch.equal(a, b) for a, b in zip(before, module.parameters()))
    opt.zero_grad(set_to_none=False)
    assert all(torch.count_nonzero(p.grad) == 0 for p in module.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in module.parameters())
    # Parameters without gradient are skipped, as torch does.
    opt.step()


@pytest.mark.parametrize("kwargs", [{}, {"dropout": 0.3, "batch_norm": True}])
def test_feedforward_train_sets_every_flag(kwargs):
    module = FeedForward(3, 1, (4, 4), **kwargs)
    assert all(m.training for m in module.modules())
    assert module.train() is module
    module.eval()
    assert not any(m.training for m in module.modules())
    module.train(True)
    assert all(m.training for m in module.modules())
    # A submodule switched on its own is brought back by the next call.
    module.layers[-2].eval()
    module.train(True)
    assert all(m.training for m in module.modules())
    module.layers.train(False)
    module.train(False)
    assert not any(m.training for m in module.modules())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"activation": "relu"},
        {"activation": "tanh", "batch_norm": True, "dropout": 0.2},
    ],
)
def test_feedforward_runs_hooks_of_inner_layers(kwargs):
    # forward goes through Module.__call__ of every block: hooks registered on
    # inner layers (activation capture, pruning) run in training and evaluation
    module = FeedForward(4, 3, (6, 5), **kwargs)
    seen = []
    for layer in module.layers:
        layer.register_forward_hook(lambda m, i, o: seen.append(type(m).__name__))
    X = torch.randn(9, 4)
    for train in (True, False):
        module.train(train)
        seen.clear()
        module(X)
        assert seen == [type(layer).__name__ for layer in module.layers]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"activation": "relu"},
        {"activation": "tanh"},
        {"activation": "logistic", "batch_norm": True},
        {"activation": "gelu", "dropout": 0.5},
        {"activation": "identity"},
    ],
)
def test_feedforward_forward_equals_sequential(kwargs):
    # without hooks forward() inlines Linear and activations; it must equal the
    # module chain, values and gradients, in training and evaluation mode.
    torch.manual_seed(0)
    module = FeedForward(4, 3, (6, 5), **kwargs)
    X = torch.randn(9, 4)
    for train in (True, False):
        module.train(train)
        torch.manual_seed(1)
        out = module(X)
        out.square().sum().backward()
        grads = [p.grad.clone() for p in module.parameters()]
        module.zero_grad()
        torch.manual_seed(1)
        ref = module.layers(X)
        ref.square().sum().backward()
        assert torch.equal(out, ref)
        for g, p in zip(grads, module.parameters()):
            assert torch.equal(g, p.grad)
        module.zero_grad()


@pytest.mark.parametrize("clip", [False, True])
def test_lean_train_step_trains_as_skorch_does(clip):
    """LeanTrainStep: the same losses, history rows and weights as skorch's loop.

    With a callback that implements ``on_grad_computed`` (gradient clipping)
    skorch's own ``train_step`` runs instead, with the same results.
    """
    import numpy as np
    import skorch
    from skorch.callbacks import GradientNormClipping

    from ngep.models import _torch_parts as tp

    rng = np.random.default_rng(0)
    X = rng.normal(size=(70, 4)).astype(np.float32)
    y = rng.normal(size=(70, 1)).astype(np.float32)

    def fit(cls):
        torch.manual_seed(0)
        net = cls(
            tp.FeedForward, module__n_features=4, module__n_outputs=1,
            module__hidden_layer_sizes=(8,), optimizer=tp.FusedAdam, lr=0.01,
            max_epochs=4, batch_size=16, train_split=None, verbose=0,
            dataset=tp.TensorDataset, iterator_train=tp.BatchIterator,
            iterator_train__shuffle=True, iterator_train__seed=1,
            callbacks=[("clip", GradientNormClipping(0.5))] if clip else None,
        )
        return net.fit(X, y)

    lean, reference = fit(tp.NeuralNetRegressor), fit(skorch.NeuralNetRegressor)
    assert lean.history[:, "train_loss"] == reference.history[:, "train_loss"]
    assert (lean.history[:, "batches", :, "train_batch_size"]
            == reference.history[:, "batches", :, "train_batch_size"])
    for p, q in zip(lean.module_.parameters(), reference.module_.parameters()):
        assert torch.equal(p, q)
