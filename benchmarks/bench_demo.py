# SPDX-License-Identifier: BSD-3-Clause
"""Wall time and peak memory of ``ngep demo``, the README's main job.

Runs the command in a fresh subprocess (as a user would), reads its
``metrics.json`` for the per-stage times and the scores, and writes a Markdown
section for ``docs/benchmarks.md``.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_demo.py \
        --output docs/benchmarks/demo.md
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 180.0


def run(n_neurons, seed, extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "demo")
        cmd = [sys.executable, "-m", "ngep", "demo", "--no-progress", "--out", str(out),
               "--n-neurons", str(n_neurons), "--seed", str(seed), *extra]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"ngep demo failed:\n{proc.stderr}")
        metrics = json.loads((out / "metrics.json").read_text())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mb, metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-neurons", type=int, default=7500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--write-swc",
        action="store_true",
        help="also time the variant that writes every SWC file",
    )
    args = parser.parse_args(argv)
    variants = [("default", [])] + ([("--write-swc", ["--write-swc"])]
                                    if args.write_swc else [])  # fmt: skip
    rows = []
    for name, extra in variants:
        wall, peak, m = run(args.n_neurons, args.seed, extra)
        r2 = m["model"]["metrics"]["r2"]
        b2 = m["model"]["baseline"]["metrics"]["r2"]
        rows.append(
            f"| `ngep demo {name}`".replace(" default", "") + f" | {args.n_neurons} | "
            f"{wall:.0f} s | {m['generate_seconds']:.0f} / {m['extract_seconds']:.0f}"
            f" / {m['cv_seconds']:.0f} / {m['fit_seconds']:.0f} s | {peak:.0f} MB | "
            f"{r2['mean']:.3f} ± {r2['sd']:.3f} (lowest {r2['min']:.2f}) | "
            f"{b2['mean']:.3f} ± {b2['sd']:.3f} | {m['ceiling_r2']:.3f} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# The main job: `ngep demo`",
            "",
            f"Budget: the whole run within {BUDGET_S:.0f} s on 2 cores. Stages: "
            "generate (synthetic neurons, 100 written as SWC) / extract (5 base "
            "measurements) / 10-fold CV of the default pipeline and the "
            "HistGradientBoosting baseline on the same folds / final fit. R² is "
            "Pvalb, mean ± sd over the 10 folds.",
            "",
            "| command | neurons | wall | generate / extract / CV / fit | peak RSS "
            "| ngep R² | baseline R² | ceiling |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Machine: {os.cpu_count()} cores, "
            f"{platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}.",
            "",
            "Regenerate: `PYTHONPATH=. OMP_NUM_THREADS=1 python "
            "benchmarks/bench_demo.py --output docs/benchmarks/demo.md`",
            "",
        ]
    )
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
