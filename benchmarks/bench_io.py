# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark the SWC reader: real files against MorphIO, and scaling to 10^6 nodes.

Two parts, each run once (the machine is shared; keep it small):

``allen``
    Median milliseconds per file to read, and to read and compute the base
    topology (``n_children``, ``path_distance``, ``branch_order``), over the Allen
    Cell Types SWC files, with MorphIO's load time on the same files in the same
    process; also ngep's read without its C parser (pandas and the line parser
    only, as in an install without a C compiler).
``scaling``
    Random deep trees (seeded) of 10^2 .. 10^6 nodes are written as SWC; each size
    is read and featurised in a fresh subprocess that reports wall time and the
    peak resident memory added by the read (``ru_maxrss`` after minus before).
    Writes ``docs/benchmarks/io_scaling.png`` and prints a Markdown table.

Usage (from the repository root)::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_io.py \\
        --allen ../shared/data/allen-v1-mouse/swc --plot docs/benchmarks/io_scaling.png
"""

import argparse
import functools
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

SIZES = (100, 1_000, 10_000, 100_000, 1_000_000)

_CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np, pandas  # imported before the baseline is taken
from ngep.io import read_swc
warnings.simplefilter("ignore")
path, tool = sys.argv[1], sys.argv[2]
if tool == "morphio":
    import morphio
    morphio.set_maximum_warnings(0)
    morphio.set_raise_warnings(False)
warm = sys.argv[1] + ".warm.swc"  # first calls pay one-off lazy imports: warm up
with open(warm, "w") as fh:
    fh.write("\n".join(f"{i} 3 {i} 0 0 1 {i - 1}" for i in range(2, 200)))
    fh.write("\n1 1 0 0 0 1 -1\n")
read_swc(warm).path_distance
if tool == "morphio":
    morphio.Morphology(warm)
if len(sys.argv) > 3:  # memory run: peak of traced (numpy + Python) allocations
    import tracemalloc
    tracemalloc.start()
    m = read_swc(path) if tool == "ngep" else morphio.Morphology(path)
    if tool == "ngep":
        m.n_children, m.path_distance, m.branch_order
    print(json.dumps({"traced_mb": tracemalloc.get_traced_memory()[1] / 2**20}))
    sys.exit()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if tool == "ngep":
    m = read_swc(path)
    t1 = time.perf_counter()
    m.n_children, m.path_distance, m.branch_order
else:
    m = morphio.Morphology(path)
    t1 = time.perf_counter()
t2 = time.perf_counter()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"read_s": t1 - t0, "total_s": t2 - t0,
                  "peak_mb": (after - before) / 1024}))
"""


def random_tree_swc(path, n, seed=0):
    """Write a random neuron-like tree: deep chains that branch now and then."""
    rng = np.random.default_rng(seed)
    parent = np.arange(-1, n - 1)
    jump = rng.random(n) < 0.02
    jump[:2] = False
    parent[jump] = (rng.random(jump.sum()) * np.flatnonzero(jump)).astype(np.int64)
    xyz = np.cumsum(rng.normal(size=(n, 3)), axis=0)
    types = np.full(n, 3)  # one type: MorphIO rejects type changes inside a section
    types[0] = 1
    parent_ids = np.where(parent >= 0, parent + 1, -1)
    table = np.column_stack([np.arange(1, n + 1), types, xyz, rng.uniform(0.1, 2, n),
                             parent_ids])
    np.savetxt(path, table, fmt="%d %d %.4f %.4f %.4f %.4f %d",
               header="random tree, bench_io.py")


def _child(path, tool, *extra):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _CHILD, path, tool, *extra], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_scaling(sizes, repeats=3):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"tree_{n}.swc")
            random_tree_swc(path, n)
            row = {"n_nodes": n, "mb_file": os.path.getsize(path) / 2**20}
            for tool in ("ngep", "morphio"):
                try:
                    runs = [_child(path, tool) for _ in range(repeats)]
                except subprocess.CalledProcessError as exc:  # e.g. morphio missing
                    print(f"{tool} failed at n={n}: {exc.stderr[-300:]}",
                          file=sys.stderr)
                    continue
                row[f"{tool}_s"] = min(r["total_s"] for r in runs)
                row[f"{tool}_read_s"] = min(r["read_s"] for r in runs)
                row[f"{tool}_peak_mb"] = min(r["peak_mb"] for r in runs)
                if tool == "ngep":
                    row["ngep_traced_mb"] = _child(path, tool, "memory")["traced_mb"]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    return rows


def bench_allen(folder, n_files=60, repeats=5, clock=time.process_time):
    """Median over files of the best of ``repeats`` timings (CPU time by default:
    every step is single-threaded, and CPU time is robust to a shared machine)."""
    from ngep.io import read_swc
    from ngep.io._parse import _read_bytes
    from ngep.io._swc import _parse_bytes

    files = sorted(glob.glob(os.path.join(folder, "*.swc")))[:n_files]
    if not files:
        raise SystemExit(f"no SWC files in {folder}")
    try:
        import morphio

        morphio.set_maximum_warnings(0)
        morphio.set_raise_warnings(False)
    except ImportError:
        morphio = None

    def topo(f):
        m = read_swc(f)
        m.n_children, m.path_distance, m.branch_order

    def python_parsers(f):
        return _parse_bytes(_read_bytes(f), path=f, parser="python")

    tools = {"ngep read": read_swc, "ngep read + topology": topo,
             "ngep read without the C parser": python_parsers}
    if morphio is not None:
        tools["MorphIO load"] = functools.partial(
            morphio.Morphology, options=morphio.Option.allow_unifurcated_section_change)
    best = {name: [] for name in tools}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:  # interleaved, so load changes hit every tool alike
            for name, fn in tools.items():
                ts = []
                for _ in range(repeats):
                    t0 = clock()
                    fn(f)
                    ts.append(clock() - t0)
                best[name].append(min(ts))
        nodes = [read_swc(f).n_nodes + read_swc(f).dropped_ids.size for f in files]
    return {"n_files": len(files), "median_rows": float(np.median(nodes)),
            **{name: 1e3 * float(np.median(v)) for name, v in best.items()}}


def plot(rows, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([r["n_nodes"] for r in rows], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    for tool, style in (("ngep", "o-"), ("morphio", "s--")):
        if f"{tool}_s" not in rows[0]:
            continue
        label = "ngep read + topology" if tool == "ngep" else "MorphIO load"
        axes[0].loglog(n, [r[f"{tool}_s"] for r in rows], style, label=label)
        rss = np.array([r[f"{tool}_peak_mb"] for r in rows])
        shown = rss > 0  # 0: the read stayed below the interpreter's high-water mark
        axes[1].loglog(n[shown], rss[shown], style, label=f"{label} (RSS)")
    t_ref = rows[-1]["ngep_s"] * n / n[-1]
    axes[0].loglog(n, t_ref, ":", color="grey", label="linear")
    axes[1].loglog(n, [r["ngep_traced_mb"] for r in rows], "o-", color="C2",
                   label="ngep traced allocations")
    m_ref = rows[-1]["ngep_traced_mb"] * n / n[-1]
    axes[1].loglog(n, m_ref, ":", color="grey", label="linear")
    axes[0].set(xlabel="nodes", ylabel="seconds", title="time")
    axes[1].set(xlabel="nodes", ylabel="MB", title="peak memory")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.savefig(out, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allen", help="folder of real SWC files (Allen Cell Types)")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES),
                        help="node counts for the scaling part (none: skip it)")
    parser.add_argument("--plot", help="PNG path for the scaling plot")
    args = parser.parse_args(argv)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, python {platform.python_version()}")
    if args.allen:
        res = bench_allen(args.allen)
        print(f"\n{res['n_files']} files, median {res['median_rows']:.0f} rows\n")
        print("| step | median CPU ms per file |\n|---|---|")
        for key, value in res.items():
            if key not in ("n_files", "median_rows"):
                print(f"| {key} | {value:.2f} |")
    if args.sizes:
        rows = bench_scaling(args.sizes)
        print("\n| nodes | file MB | ngep read s | ngep read + topology s "
              "| ngep peak RSS MB | ngep traced MB | MorphIO load s "
              "| MorphIO peak RSS MB |"
              "\n|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['n_nodes']:,} | {r['mb_file']:.2f} | {r['ngep_read_s']:.4f} | "
                  f"{r['ngep_s']:.4f} | {r['ngep_peak_mb']:.1f} | "
                  f"{r['ngep_traced_mb']:.2f} | "
                  f"{r.get('morphio_s', float('nan')):.4f} | "
                  f"{r.get('morphio_peak_mb', float('nan')):.1f} |")
        if args.plot:
            plot(rows, args.plot)
            print(f"\nplot written to {args.plot}")


if __name__ == "__main__":
    main()
