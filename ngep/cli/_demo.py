# SPDX-License-Identifier: BSD-3-Clause
"""``ngep demo``: the main job on built-in synthetic neurons with known truth."""

import time
import warnings
from pathlib import Path

from ngep.cli._output import atomic_write_json, ensure_writable_dir


def run_demo(
    n_neurons=7500,
    seed=0,
    out=Path("ngep-demo"),
    quick=False,
    n_jobs=None,
    progress=True,
    target="Pvalb",
):
    """Generate neurons, extract features, cross-validate, fit, save and report.

    Parameters
    ----------
    n_neurons : int, default=7500
    seed : int, default=0
    out : path, default="ngep-demo"
        Report folder: ``swc/`` (the generated neurons), ``features.csv``,
        ``metrics.json``, ``predictions.csv``, ``summary.txt``, PNG plots and
        ``model.ngep`` (the fitted SWC-to-prediction pipeline).
    quick : bool, default=False
        Smoke run: at most 600 neurons, 5 folds, 30 epochs.
    n_jobs : int, default=None
        Processes for generation, extraction and the folds; None uses all cores.
    progress : bool, default=True
    target : str, default="Pvalb"

    Returns
    -------
    dict
        The metrics written to ``metrics.json``.
    """
    from sklearn.pipeline import Pipeline

    from ngep.cli._report import run_cv_report
    from ngep.datasets import make_neurons
    from ngep.persistence import save
    from ngep.pipeline import make_pipeline
    from ngep.transformers import MorphologyExtractor

    t_start = time.perf_counter()
    n_jobs = -1 if n_jobs is None else n_jobs  # the demo uses every core
    out = ensure_writable_dir(out)
    n_splits, max_iter = (5, 30) if quick else (10, None)
    if quick:
        n_neurons = min(n_neurons, 600)
    swc_dir = out / "swc"
    print(
        f"ngep demo: generating {n_neurons} synthetic neurons (seed {seed}) "
        f"into {swc_dir}"
    )
    t0 = time.perf_counter()
    data = make_neurons(n_neurons, random_state=seed, out_dir=swc_dir, n_jobs=n_jobs)
    t_generate = time.perf_counter() - t0
    paths = [str(p) for p in data.paths]
    y = data.targets[target]  # a named Series: the model records the target

    print("ngep demo: extracting morphometrics")
    t0 = time.perf_counter()
    extractor = MorphologyExtractor(
        features="base", n_jobs=n_jobs, progress=progress
    ).set_output(transform="pandas")
    X = extractor.fit_transform(paths)
    t_extract = time.perf_counter() - t0
    X.assign(**{target: y}).to_csv(out / "features.csv", index_label="row")

    params = {} if max_iter is None else {"max_iter": max_iter}
    model = make_pipeline(extract=False, random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        metrics = run_cv_report(
            model,
            X,
            y,
            task="regression",
            out=out,
            n_splits=n_splits,
            ids=data.metadata["neuron_id"].astype(str).to_numpy(),
            seed=seed,
            target_name=target,
            n_jobs=n_jobs,
            ceiling=data.ceiling[target],
            extra={
                "generate_seconds": round(t_generate, 2),
                "extract_seconds": round(t_extract, 2),
            },
        )
        t0 = time.perf_counter()
        model.fit(X, y)
    final = Pipeline([("extract", extractor)] + model.steps)
    save(final, out / "model.ngep")
    metrics["fit_seconds"] = round(time.perf_counter() - t0, 2)
    metrics["total_seconds"] = round(time.perf_counter() - t_start, 2)
    atomic_write_json(metrics, out / "metrics.json")
    print(
        f"ngep demo: model saved to {out / 'model.ngep'}; report in {out}/ "
        f"({metrics['total_seconds']:.0f} s)"
    )
    print(f"  apply it: ngep predict {out / 'model.ngep'} {swc_dir} -o predictions.csv")
    return metrics
