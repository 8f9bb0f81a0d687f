# SPDX-License-Identifier: BSD-3-Clause
"""Throughput and peak memory of MorphologyExtractor next to NeuroM and MorphIO.

Measures, in the same run and on the same files, "load + the base features"
(dendritic total length, branch points, stems, max path distance; soma radius)
with

- ngep ``MorphologyExtractor("base")`` and ``("extended")`` (and ``read_swc``
  alone, to show whether reading is the bottleneck),
- NeuroM (``load_morphology`` + ``neurom.get``),
- MorphIO + numpy (``morphio.Morphology`` + the features written with numpy),

with 1 and 2 processes, on the real Allen neurons and on a corpus of copies of
them (made in a temporary folder). Every measurement runs in a fresh
subprocess so imports and caches do not leak between tools; the timed part
excludes interpreter start-up and imports. Peak RSS is the process's ``VmHWM``
(``getrusage`` where /proc is missing); of each worker, for 2 processes.

Run ``python benchmarks/bench_extract.py --quick`` for a fast check, and see
``docs/benchmarks/extract.md`` for the command that regenerates the results.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "allen-v1-mouse" / "swc"
TOOLS = ("ngep-base", "ngep-extended", "ngep-read", "neurom", "morphio-numpy")


def _rss_mb():
    """Peak resident memory of this process in MB.

    Linux's ``VmHWM`` when available: ``getrusage``'s ``ru_maxrss`` survives
    ``exec``, so a worker started by fork + exec (joblib's loky) would report
    its parent's peak instead of its own.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- the workloads (run inside the child process) ------------------------------
def _neurom_rows(paths):
    import neurom as nm

    dend = [nm.BASAL_DENDRITE, nm.APICAL_DENDRITE]
    rows = []
    for path in paths:
        try:
            # per-node compartments, as ngep (an axon on a dendrite is axon)
            m = nm.load_morphology(path, process_subtrees=True)
            rows.append([
                sum(nm.get("total_length", m, neurite_type=t) for t in dend),
                sum(nm.get("number_of_forking_points", m, neurite_type=t)
                    for t in dend),
                sum(nm.get("number_of_neurites", m, neurite_type=t) for t in dend),
                max(max(nm.get("terminal_path_lengths", m, neurite_type=t), default=0.0)
                    for t in dend),
                nm.get("soma_radius", m),
            ])
        except Exception:  # noqa: BLE001 - counted as a failure, as for every tool
            rows.append(None)
    return rows


def _morphio_rows(paths):
    import morphio
    import numpy as np

    morphio.set_maximum_warnings(0)
    rows = []
    for path in paths:
        try:
            m = morphio.Morphology(path)
            pts, off = m.points, m.section_offsets
            types = np.asarray(m.section_types)
            n_sec = types.size
            seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
            # segment k joins points k and k+1; drop those that cross sections
            inside = np.ones(seg.size + 1, dtype=bool)
            inside[off[1:-1] - 1] = False
            seg = np.where(inside[:-1], seg, 0.0)
            sec_len = np.add.reduceat(np.append(seg, 0.0), off[:-1]) if n_sec else seg
            parent = np.full(n_sec, -1)
            n_children = np.zeros(n_sec, dtype=int)
            for p, kids in m.connectivity.items():
                if p >= 0:
                    parent[kids] = p
                    n_children[p] = len(kids)
            path_len = sec_len.copy()
            for s in range(n_sec):  # MorphIO numbers parents before children
                if parent[s] >= 0:
                    path_len[s] += path_len[parent[s]]
            dend = np.isin(types, (3, 4))
            rows.append([
                float(sec_len[dend].sum()),
                int(np.count_nonzero(dend & (n_children >= 2))),
                int(np.count_nonzero(dend & (parent < 0))),
                float(path_len[dend].max()) if dend.any() else 0.0,
                float(np.max(m.soma.diameters)) / 2.0,
            ])
        except Exception:  # noqa: BLE001
            rows.append(None)
    return rows


def _ngep_rows(paths, features, n_jobs):
    from ngep.transformers import MorphologyExtractor

    ext = MorphologyExtractor(features, errors="warn", check_units="ignore",
                              n_jobs=n_jobs)
    X = ext.fit_transform(paths)
    return [None if row[0] != row[0] else row.tolist() for row in X]


def _ngep_read(paths):
    from ngep.io import read_swc

    rows = []
    for path in paths:
        try:
            rows.append([read_swc(path, on_fragments="ignore").n_nodes])
        except Exception:  # noqa: BLE001
            rows.append(None)
    return rows


def _run_tool(tool, paths):
    if tool == "neurom":
        return _neurom_rows(paths)
    if tool == "morphio-numpy":
        return _morphio_rows(paths)
    if tool == "ngep-read":
        return _ngep_read(paths)
    return _ngep_rows(paths, tool.split("-")[1], 1)


def _pool_task(args):
    tool, paths = args
    rows = _run_tool(tool, paths)
    return rows, _rss_mb()


def _worker_rss(_):
    return _rss_mb()


def child(spec):
    """Time one (tool, corpus, processes) in this fresh process; print JSON."""
    paths = json.loads(Path(spec["list"]).read_text())
    tool, procs = spec["tool"], spec["procs"]
    warnings.simplefilter("ignore")
    # import before timing
    if tool == "ngep-read":
        from ngep.io import read_swc  # noqa: F401
    elif tool.startswith("ngep"):
        from ngep.transformers import MorphologyExtractor  # noqa: F401 (sklearn)
    elif tool == "neurom":
        import neurom  # noqa: F401
    else:
        import morphio  # noqa: F401
    start = time.perf_counter()
    if procs == 1:
        rows = _run_tool(tool, paths)
        rss = [_rss_mb()]
    elif tool in ("ngep-base", "ngep-extended"):
        from joblib import Parallel, delayed

        rows = _ngep_rows(paths, tool.split("-")[1], procs)
        elapsed = time.perf_counter() - start
        # again, now that joblib's loky workers are running (as for every call
        # after the first in a Python session)
        start = time.perf_counter()
        _ngep_rows(paths, tool.split("-")[1], procs)
        warm = time.perf_counter() - start
        # the loky workers are reused: ask each for its own peak RSS
        rss = Parallel(n_jobs=procs)(delayed(_worker_rss)(i) for i in range(4 * procs))
        print(json.dumps({"seconds": elapsed, "warm_seconds": warm, "n": len(rows),
                          "failed": sum(r is None for r in rows),
                          "rss_mb": max(rss), "parent_rss_mb": _rss_mb()}))
        return
    else:
        import multiprocessing as mp

        chunks = [paths[i::procs * 8] for i in range(procs * 8)]
        with mp.get_context("fork").Pool(procs) as pool:
            out = pool.map(_pool_task, [(tool, c) for c in chunks], chunksize=1)
        rows = [r for chunk_rows, _ in out for r in chunk_rows]
        rss = [r for _, r in out]
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "n": len(rows),
                      "failed": sum(r is None for r in rows),
                      "rss_mb": max(rss), "parent_rss_mb": _rss_mb()}))


# -- the driver ---------------------------------------------------------------
def _measure(tool, paths, procs, tmp):
    listing = Path(tmp, f"list-{len(paths)}.json")
    if not listing.exists():
        listing.write_text(json.dumps([str(p) for p in paths]))
    spec = json.dumps({"tool": tool, "procs": procs, "list": str(listing)})
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", spec],
        capture_output=True, text=True, env=env, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(runs):
    """The fastest of repeated runs (its memory too); warm: the fastest warm time."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    if "warm_seconds" in best:
        best["warm_seconds"] = min(r["warm_seconds"] for r in runs)
    return best


def _corpus(real, n, tmp):
    folder = Path(tmp, f"copies-{n}")
    folder.mkdir()
    out = []
    for i in range(n):
        src = real[i % len(real)]
        dst = folder / f"{i:05d}_{src.name}"
        shutil.copyfile(src, dst)
        out.append(dst)
    return out


def _table(results, tools, procs_list):
    lines = [
        "| corpus | tool | processes | neurons/s | vs NeuroM | vs MorphIO+numpy "
        "| 2-proc speed-up | peak RSS / process (MB) | failed files |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for corpus in results:
        for tool in tools:
            for procs in procs_list:
                r = results[corpus].get((tool, procs))
                if r is None:
                    continue
                rate = r["n"] / r["seconds"]
                ref = {t: results[corpus].get((t, procs)) for t in ("neurom",
                                                                    "morphio-numpy")}
                ratio = {t: (rate / (v["n"] / v["seconds"]) if v else float("nan"))
                         for t, v in ref.items()}
                one = results[corpus].get((tool, 1))
                speedup = (rate / (one["n"] / one["seconds"])
                           if procs > 1 and one else float("nan"))
                lines.append(
                    f"| {corpus} | {tool} | {procs} | {rate:.1f} | "
                    f"{ratio['neurom']:.2f}x | {ratio['morphio-numpy']:.2f}x | "
                    + (f"{speedup:.2f}x" if procs > 1 else "-")
                    + f" | {r['rss_mb']:.0f} | {r['failed']} |"
                )
                if "warm_seconds" in r and one:
                    warm = r["n"] / r["warm_seconds"]
                    ratio = {t: (warm / (v["n"] / v["seconds"]) if v else float("nan"))
                             for t, v in ref.items()}
                    lines.append(
                        f"| {corpus} | {tool} | {procs}, warm | {warm:.1f} | "
                        f"{ratio['neurom']:.2f}x | {ratio['morphio-numpy']:.2f}x | "
                        f"{warm / (one['n'] / one['seconds']):.2f}x | "
                        f"{r['rss_mb']:.0f} | {r['failed']} |"
                    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder of real SWC files (default: ../shared Allen)")
    parser.add_argument("--copies", type=int, default=2000,
                        help="size of the corpus of copies (default: 2000; 0: none)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N real files")
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each measurement N times, keep the fastest")
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--quick", action="store_true",
                        help="20 real files, 100 copies: a fast smoke run")
    parser.add_argument("--output", type=Path, default=None,
                        help="also write the Markdown table to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    if args.quick:
        args.limit, args.copies = 20, 100
    real = sorted(args.data.glob("*.swc"))[: args.limit]
    if not real:
        parser.error(f"no SWC files in {args.data}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {f"real ({len(real)})": real}
        if args.copies:
            corpora[f"copies ({args.copies})"] = _corpus(real, args.copies, tmp)
        for corpus, paths in corpora.items():
            for path in paths:  # warm the page cache: no tool pays for the disk
                Path(path).read_bytes()
            # --repeat rounds, interleaved (every tool and process count once per
            # round), so a slow spell of the machine does not hit one
            # configuration only; each keeps its best run
            runs = {}
            for _ in range(args.repeat):
                for procs in args.procs:
                    for tool in args.tools:
                        r = _measure(tool, paths, procs, tmp)
                        runs.setdefault((tool, procs), []).append(r)
                        warm = (f", warm {r['n'] / r['warm_seconds']:8.1f}"
                                if "warm_seconds" in r else "")
                        print(f"{corpus:>14} {tool:>14} x{procs}: "
                              f"{r['n'] / r['seconds']:8.1f} neurons/s{warm}, "
                              f"{r['rss_mb']:6.0f} MB, {r['failed']} failed",
                              file=sys.stderr, flush=True)
            results[corpus] = {key: _best(rs) for key, rs in runs.items()}
    table = _table(results, args.tools, args.procs)
    notes = (
        f"\nMachine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} logical CPUs, load average before the run "
        f"{os.getloadavg()[0]:.1f}.\n"
    )
    print(table + notes)
    if args.output:
        args.output.write_text(table + notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
