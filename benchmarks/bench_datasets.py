# SPDX-License-Identifier: BSD-3-Clause
"""Throughput of :func:`ngep.datasets.make_neurons`, in neurons per second.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/bench_datasets.py --n 1024

or, to check the expression calibration (ceiling and the R² a boosted model
reaches on five dendritic measurements, 5-fold CV)::

    OMP_NUM_THREADS=1 python benchmarks/bench_datasets.py --calibration --n 3000

Prints one line per setting: Morphology objects in memory (default and with a
convention change), and SWC files written to a temporary folder (1 and 2 jobs).
Each setting is timed ``--repeat`` times after one warm-up call; the best run
is reported (the least disturbed by other processes on a shared machine), as
wall-clock throughput and as neurons per CPU-second of this process (which a
busy machine disturbs much less).
"""

import argparse
import os
import platform
import tempfile
import time

import numpy as np

from ngep.datasets import make_neurons


def _best(fn, repeat):
    """Best wall-clock and best CPU time (this process) over ``repeat`` runs."""
    fn()  # warm-up: imports, joblib workers, page cache
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def five_measurements(m):
    """Dendritic length, branch points, stems, max path distance, soma radius."""
    d = m.compartment_mask("dendrite")
    return [
        m.segment_length[d & m.neurite_segment].sum(),
        np.count_nonzero(m.is_branch_point & d),
        np.count_nonzero(m.is_stem & d),
        m.path_distance[d].max(),
        m.radius[0],
    ]


def calibration(n, random_state=0):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import KFold, cross_val_score

    data = make_neurons(n, random_state=random_state)
    X = np.array([five_measurements(m) for m in data.morphologies])
    model = HistGradientBoostingRegressor(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        random_state=0,
    )
    cv = KFold(5, shuffle=True, random_state=0)
    print(
        f"make_neurons({n}, random_state={random_state}): 5-fold CV R² of "
        "HistGradientBoostingRegressor on five dendritic measurements"
    )
    for gene in data.targets:
        r2 = cross_val_score(model, X, data.targets[gene], cv=cv).mean()
        print(f"{gene:6s} ceiling {data.ceiling[gene]:.3f}   model R² {r2:.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024, help="neurons per call")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="check the expression calibration instead of speed",
    )
    args = parser.parse_args(argv)
    n = args.n
    if args.calibration:
        calibration(n)
        return 0
    print(
        f"make_neurons, n={n}, python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    settings = [
        ("Morphology objects", {}),
        (
            "Morphology, random rotation + 3-point soma",
            {"rotation": "random", "soma": "three_point"},
        ),
        ("Morphology, node_spacing=1 µm", {"node_spacing": 1.0}),
    ]
    for label, kw in settings:
        t, c = _best(lambda kw=kw: make_neurons(n, random_state=0, **kw), args.repeat)
        print(f"{label:45s} {n / t:8.0f} neurons/s wall, {n / c:6.0f} per CPU-second")
    for n_jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t, c = _best(
                lambda tmp=tmp, n_jobs=n_jobs: make_neurons(
                    n, random_state=0, out_dir=tmp, n_jobs=n_jobs
                ),
                args.repeat,
            )
            size = sum(e.stat().st_size for e in os.scandir(tmp)) / n / 1024
        cpu = f"{n / c:6.0f} per CPU-second" if n_jobs == 1 else "(CPU in workers)"
        print(
            f"{'SWC files, n_jobs=' + str(n_jobs):45s} {n / t:8.0f} neurons/s wall, "
            f"{cpu}  ({size:.0f} KiB per file)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
