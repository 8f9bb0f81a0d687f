# SPDX-License-Identifier: BSD-3-Clause
"""``ngep demo``: the main job on built-in synthetic neurons with known truth."""

import time
import warnings
from pathlib import Path

from ngep.cli._output import atomic_write_json, ensure_writable_dir

_SAMPLE_FILES = 100


def _write_sample(neurons, folder):
    """Write neurons as SWC files, e.g. to try ``ngep predict`` on."""
    from ngep.io import write_swc

    folder.mkdir(parents=True, exist_ok=True)
    for m in neurons:
        write_swc(m, folder / f"{m.name}.swc", header="ngep demo neuron (synthetic)")


def run_demo(
    n_neurons=7500,
    seed=0,
    out=Path("ngep-demo"),
    quick=False,
    n_jobs=None,
    progress=True,
    target="Pvalb",
    write_swc=False,
):
    """Generate neurons, extract features, cross-validate, fit, save and report.

    The neurons come from :func:`ngep.datasets.make_neurons`, whose classes and
    expression are known, so the report shows how much of a known truth the
    default pipeline recovers from morphology alone.

    Parameters
    ----------
    n_neurons : int, default=7500
        Synthetic neurons to generate.
    seed : int, default=0
        Seeds the generation, the folds and the model.
    out : path, default="ngep-demo"
        Report folder: ``swc/`` (generated neurons as SWC files),
        ``neurons.csv`` (class, region, species and targets of each neuron),
        ``features.csv``,
        ``metrics.json``, ``predictions.csv``, ``summary.txt``, PNG plots
        (``neurons.png``: the most and least ``target``-like neurons drawn) and
        ``model.ngep`` (the fitted SWC-to-prediction pipeline).
    quick : bool, default=False
        Smoke run: at most 600 neurons, 5 folds, 30 epochs.
    n_jobs : int, default=None
        Processes for generation, extraction and the folds; None uses all cores.
    progress : bool, default=True
        Show progress bars.
    target : str, default="Pvalb"
        The gene whose expression is predicted (a column of ``neurons.csv``).
    write_swc : bool, default=False
        Write every neuron as an SWC file (slower: SWC formatting dominates);
        by default the first 100 are written, to try ``ngep predict`` on.

    Returns
    -------
    dict
        The metrics written to ``metrics.json``.
    """
    from sklearn.pipeline import Pipeline

    from ngep.cli._report import run_cv_report
    from ngep.datasets import make_neurons
    from ngep.persistence import save
    from ngep.pipeline import make_default_pipeline
    from ngep.transformers import MorphologyExtractor

    t_start = time.perf_counter()
    n_jobs = -1 if n_jobs is None else n_jobs  # the demo uses every core
    out = ensure_writable_dir(out)
    n_splits, max_iter = (5, 30) if quick else (10, None)
    if quick:
        n_neurons = min(n_neurons, 600)
    swc_dir = out / "swc"
    print(f"ngep demo: generating {n_neurons} synthetic neurons (seed {seed})")
    t0 = time.perf_counter()
    data = make_neurons(n_neurons, random_state=seed, n_jobs=n_jobs)
    neurons = data.morphologies
    n_files = len(neurons) if write_swc else min(len(neurons), _SAMPLE_FILES)
    _write_sample(neurons[:n_files], swc_dir)
    data.metadata.assign(**data.targets).to_csv(out / "neurons.csv", index=False)
    t_generate = time.perf_counter() - t0
    print(
        f"ngep demo: wrote {n_files} of them as SWC files to {swc_dir}"
        + ("" if write_swc else " (all with --write-swc)")
    )
    y = data.targets[target]  # a named Series: the model records the target

    print("ngep demo: extracting morphometrics")
    t0 = time.perf_counter()
    extractor = MorphologyExtractor(
        features="base", n_jobs=n_jobs, progress=progress
    ).set_output(transform="pandas")
    X = extractor.fit_transform(neurons)
    t_extract = time.perf_counter() - t0
    X.assign(**{target: y}).to_csv(out / "features.csv", index_label="row")

    params = {} if max_iter is None else {"max_iter": max_iter}
    model = make_default_pipeline(extract=False, random_state=seed, **params)
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
    import pandas as pd

    from ngep.cli._report import save_neuron_gallery

    save_neuron_gallery(
        neurons, pd.read_csv(out / "predictions.csv"),
        data.metadata["class"].astype(str).tolist(), out / "neurons.png", target,
    )
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
