# SPDX-License-Identifier: BSD-3-Clause
"""Does a model trained in one lab's recording convention score the same in another?

Run from the repository root (about 3 minutes on 2 busy cores)::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_conventions.py

It prints a Markdown table (``--output FILE`` also writes it to a file).

Design. :func:`ngep.datasets.make_neurons` gives the *same* neurons under any
recording convention for a given ``random_state``. A training set (``--n-train``
neurons, ``random_state=0``) is generated in convention A: native orientation
(pia along +y), the generator's node spacing (about 5 µm), a one-point soma. A
test set of *different* neurons (``--n-test``, ``random_state=1``) is generated
in A and again in each convention B:

* ``rotated + shifted``: a uniform random 3-D rotation per neuron and a random
  translation of up to 1 mm per axis;
* ``spacing 1 µm`` / ``spacing 10 µm``: every section resampled;
* ``three-point soma`` (NeuroMorpho.Org) / ``contour soma`` (16-point ring);
* ``all combined, via SWC``: random rotation + shift, 10 µm spacing and a
  contour soma, written to SWC files and read back by the pipeline (the only
  convention that goes through the reader and writer);
* ``millimetres (control)``: the test neurons of convention A scaled by 0.001,
  a convention the features are *not* meant to survive; the extractor's unit
  check flags every such neuron with an :class:`~ngep.exceptions.SWCWarning`.

Three default pipelines (:func:`ngep.pipeline.make_pipeline`, target Pvalb,
``random_state=0``) are fitted on A and predict every B: ``features="base"``
(frame-free), and ``features="extended"`` with ``frame="principal"`` (the
default) and with ``frame="native"`` (file coordinates), which shows why the
frame matters for frame-dependent features such as ``height``. For each
(model, convention) the table gives R² and RMSE on the test neurons, the
difference to the same model's score on the test neurons in convention A, the
mean and largest change of a prediction, the feature that changed most (median
relative change over the test neurons; "none": every feature identical) and
the number of unit warnings.
"""

import argparse
import os
import platform
import tempfile
import time
import warnings

import numpy as np

from ngep.datasets import make_neurons
from ngep.exceptions import SWCWarning
from ngep.io import write_swc
from ngep.model_selection import regression_report
from ngep.pipeline import make_default_pipeline

GENE = "Pvalb"

MODELS = {
    "base": ("base", "principal"),
    "extended, principal": ("extended", "principal"),
    "extended, native": ("extended", "native"),
}


def _shift(morphologies, seed):
    """Random 3-D translations of up to 1 mm per axis, one per neuron."""
    rng = np.random.default_rng(seed)
    offsets = rng.uniform(-1000.0, 1000.0, size=(len(morphologies), 3))
    return [m.transformed(offset=o) for m, o in zip(morphologies, offsets)]


def conventions(n_test, tmp):
    """The test neurons (``random_state=1``) under every convention.

    Returns a dict ``name -> list of Morphology or list of SWC paths`` and the
    test targets and Pvalb ceiling of convention A.
    """
    def gen(**kw):
        return make_neurons(n_test, random_state=1, genes=(GENE,), **kw)

    a = gen()
    out = {"A (native, ~5 µm, point soma)": a.morphologies}
    out["rotated + shifted"] = _shift(gen(rotation="random").morphologies, 11)
    out["spacing 1 µm"] = gen(node_spacing=1.0).morphologies
    out["spacing 10 µm"] = gen(node_spacing=10.0).morphologies
    out["three-point soma"] = gen(soma="three_point").morphologies
    out["contour soma"] = gen(soma="contour").morphologies
    combined = _shift(
        gen(rotation="random", node_spacing=10.0, soma="contour").morphologies, 12
    )
    paths = []
    for i, m in enumerate(combined):
        path = os.path.join(tmp, f"test_{i:05d}.swc")
        write_swc(m, path)
        paths.append(path)
    out["all combined, via SWC"] = paths
    out["millimetres (control)"] = [m.transformed(scale=0.001) for m in a.morphologies]
    return out, a.targets[GENE].to_numpy(), float(a.ceiling[GENE])


def _predict(pipe, X):
    """Predictions, extracted features and the number of unit warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SWCWarning)
        features = pipe[:1].transform(X)
        pred = pipe[1:].predict(features)
    n_flagged = sum(issubclass(w.category, SWCWarning) for w in caught)
    return pred, features, n_flagged


def _largest_change(names, f_a, f_b):
    """Feature with the largest median relative change, and that change."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(f_b - f_a) / np.maximum(np.abs(f_a), 1e-12)
    # NaN in both (e.g. an angle without bifurcations): unchanged; in one: changed.
    rel = np.where(np.isnan(f_a) & np.isnan(f_b), 0.0, rel)
    rel = np.where(np.isnan(rel), np.inf, rel)
    med = np.median(rel, axis=0)
    k = int(np.argmax(med))
    return names[k], float(med[k])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--output", help="also write the Markdown table here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    train = make_neurons(args.n_train, random_state=0, genes=(GENE,))
    y_train = train.targets[GENE].to_numpy()
    with tempfile.TemporaryDirectory() as tmp:
        tests, y_test, ceiling = conventions(args.n_test, tmp)
        rows = []
        for label, (features, frame) in MODELS.items():
            t0 = time.perf_counter()
            pipe = make_default_pipeline(features=features, random_state=0)
            pipe.set_params(extract__frame=frame).fit(train.morphologies, y_train)
            names = list(pipe[0].get_feature_names_out())
            ref = None
            for conv, X in tests.items():
                pred, feats, n_flagged = _predict(pipe, X)
                scores = regression_report(y_test, pred)
                if ref is None:
                    ref = (scores, pred, feats)
                    change = ("", 0.0)
                else:
                    change = _largest_change(names, ref[2], feats)
                rows.append((
                    label, conv, scores["r2"], scores["rmse"],
                    scores["r2"] - ref[0]["r2"], scores["rmse"] - ref[0]["rmse"],
                    float(np.mean(np.abs(pred - ref[1]))),
                    float(np.max(np.abs(pred - ref[1]))), change, n_flagged,
                ))
            took = time.perf_counter() - t0
            print(f"# {label}: fitted and evaluated in {took:.0f} s", flush=True)

    lines = [
        "| model | test convention | R² | RMSE | ΔR² vs A | ΔRMSE vs A "
        "| mean / max abs Δ prediction | feature changed most (median rel. change) "
        "| unit warnings |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, conv, r2, rmse, dr2, drmse, mean_d, max_d, (feat, rel), nflag in rows:
        changed = "-" if not feat else f"{feat} ({rel:.2g})" if rel > 0 else "none"
        lines.append(
            f"| {label} | {conv} | {r2:.3f} | {rmse:.3f} | {dr2:+.3f} | {drmse:+.3f} "
            f"| {mean_d:.2g} / {max_d:.2g} | {changed} | {nflag} |"
        )
    table = "\n".join(lines)
    notes = (
        f"\nTraining: {args.n_train} neurons (random_state=0, convention A); test: "
        f"{args.n_test} other neurons (random_state=1); target {GENE}, ceiling "
        f"R² on the test neurons {ceiling:.3f}.\n"
        f"Run notes: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} logical CPUs, load average before the run {load:.1f}, "
        f"total {time.perf_counter() - start:.0f} s."
    )
    print(table + "\n" + notes)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(table + "\n" + notes + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
