# SPDX-License-Identifier: BSD-3-Clause
"""Fit-time benchmark: ExpressionRegressor vs sklearn MLPRegressor vs plain torch.

All contenders train the same architecture (features -> 64 -> 64 -> 1, ReLU),
with Adam, the same batch size and the same number of epochs, every epoch run
(no early stopping, no tolerance stop: ``n_iter_`` is checked). Timings come
from ``--repeats`` interleaved rounds in one process (each round fits every
contender once), so load drifts on a shared machine hit all contenders alike
and the *ratios* stay comparable. Run::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_models.py

Add ``--device cuda`` to time the GPU too (when available).
"""

import argparse
import platform
import statistics
import time
import warnings

import numpy as np


def make_data(n_samples, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    w = rng.normal(size=n_features)
    y = X @ w + np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=n_samples)
    return X, y


def fit_ngep(X, y, args, device="cpu"):
    from ngep.models import ExpressionRegressor

    model = ExpressionRegressor(
        (64, 64),
        batch_size=args.batch_size,
        max_iter=args.epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
        device=device,
    )
    model.fit(X, y)
    assert model.n_iter_ == args.epochs, model.n_iter_
    return model


def fit_sklearn(X, y, args, device=None):
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(
        hidden_layer_sizes=(64, 64),
        solver="adam",
        batch_size=args.batch_size,
        max_iter=args.epochs,
        tol=1e-12,
        n_iter_no_change=10**6,
        early_stopping=False,
        random_state=0,
    )
    model.fit(X, y)
    assert model.n_iter_ == args.epochs, model.n_iter_
    return model


def fit_torch(X, y, args, device="cpu"):
    """Reference: a hand-written loop, same module, `torch.optim.Adam(fused=True)`."""
    import torch

    from ngep.models._torch_parts import FeedForward

    torch.set_num_threads(1)
    torch.manual_seed(0)
    Xt = torch.as_tensor(X, dtype=torch.float32, device=device)
    yt = torch.as_tensor(
        ((y - y.mean()) / y.std())[:, None], dtype=torch.float32, device=device
    )
    module = FeedForward(X.shape[1], 1, (64, 64)).to(device)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.MSELoss()
    gen = torch.Generator().manual_seed(1)
    for _ in range(args.epochs):
        perm = torch.randperm(len(Xt), generator=gen).to(device)
        Xs, ys = Xt[perm], yt[perm]
        for start in range(0, len(Xs), args.batch_size):
            opt.zero_grad()
            loss = loss_fn(
                module(Xs[start : start + args.batch_size]),
                ys[start : start + args.batch_size],
            )
            loss.backward()
            opt.step()
    return module


def fit_skorch_default(X, y, args, device="cpu"):
    """skorch with its default per-sample Dataset + DataLoader (what we replaced)."""
    import torch
    from skorch import NeuralNetRegressor

    from ngep.models._torch_parts import FeedForward

    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = NeuralNetRegressor(
        FeedForward,
        module__n_features=X.shape[1],
        module__n_outputs=1,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        train_split=None,
        verbose=0,
        iterator_train__shuffle=True,
        device=device,
    )
    net.fit(X.astype(np.float32), y.astype(np.float32)[:, None])
    return net


def timed_interleaved(contenders, X, y, args):
    """Run times of each contender, measured in interleaved rounds.

    Every contender is fitted once untimed (imports, lazy initialisation,
    caches), then each round fits every contender once, in turn. On a shared
    machine the load drifts over seconds; interleaving exposes all contenders
    to the same drift, so their ratios stay meaningful.
    """
    for _, fn, device in contenders:
        fn(X, y, args, **({} if device is None else {"device": device}))
    times = [[] for _ in contenders]
    for _ in range(args.repeats):
        for i, (_, fn, device) in enumerate(contenders):
            kw = {} if device is None else {"device": device}
            start = time.perf_counter()
            fn(X, y, args, **kw)
            times[i].append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=7500)
    parser.add_argument("--n-features", type=int, default=14)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--skip-skorch-default", action="store_true")
    args = parser.parse_args(argv)

    import sklearn
    import torch

    X, y = make_data(args.n_samples, args.n_features)
    contenders = [
        ("sklearn MLPRegressor (NumPy)", fit_sklearn, None),
        ("ngep ExpressionRegressor (skorch, batch-wise)", fit_ngep, "cpu"),
        ("plain torch loop (torch.optim.Adam)", fit_torch, "cpu"),
    ]
    if not args.skip_skorch_default:
        contenders.append(("skorch default DataLoader", fit_skorch_default, "cpu"))
    if args.device.startswith("cuda") and torch.cuda.is_available():
        contenders += [
            (f"ngep ExpressionRegressor ({args.device})", fit_ngep, args.device),
            (f"plain torch loop ({args.device})", fit_torch, args.device),
        ]
    print(
        f"# {args.n_samples} x {args.n_features}, hidden (64, 64), Adam, "
        f"batch {args.batch_size}, {args.epochs} epochs, "
        f"median of {args.repeats} interleaved rounds"
    )
    print(
        f"# python {platform.python_version()}, torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, {platform.processor() or 'cpu'}"
    )
    print(
        "| model | fit time, s (median) | runs, s | ratio to MLPRegressor "
        "(median) | ratio (best run) |"
    )
    print("|---|---|---|---|---|", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = timed_interleaved(contenders, X, y, args)
    base_median, base_best = statistics.median(times[0]), min(times[0])
    for (name, _, _), runs in zip(contenders, times):
        median = statistics.median(runs)
        runs_txt = ", ".join(f"{t:.2f}" for t in runs)
        print(
            f"| {name} | {median:.2f} | {runs_txt} | {median / base_median:.2f}x "
            f"| {min(runs) / base_best:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
