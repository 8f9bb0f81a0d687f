# SPDX-License-Identifier: BSD-3-Clause
"""Extraction speed on every style of real SWC file, next to NeuroM and MorphIO.

One process, every style in one run: for each style of file, the same files go
through

- ngep ``MorphologyExtractor("base")`` and ``("extended")``,
- NeuroM (``load_morphology`` + the same base features),
- MorphIO's load alone (``morphio.Morphology``), and MorphIO + numpy computing
  the same base features,

with the workloads of ``bench_extract.py`` (imported, not copied). Styles:

``allen``
    the Allen Cell Types files as they are (``../shared/data/allen-v1-mouse``);
``allen-17digits``
    the same neurons rewritten with every coordinate and radius at full
    precision (``%.17g``: 17 significant digits, what writers of transformed
    coordinates produce);
``allen-0.2um``
    the same neurons resampled to ~0.2 µm node spacing (each neurite segment
    cut into pieces of at most 0.2 µm; 10-60k nodes per file);
``allen-tabs``, ``allen-crlf``, ``allen-gzip``
    tab-separated columns, CRLF line ends, gzip-compressed;
``morphopy-cng``
    the NeuroMorpho.org standardised ``*.CNG.swc`` files of
    ``../shared/data/swc-edge-cases/morphopy``;
``bbp-rat-gzip``
    gzip-compressed NeuroMorpho.org files of rat somatosensory cells with full
    axons (``../shared/data/bbp-rat-somatosensory``; ``--bbp N`` of the 1,168).

NeuroM and MorphIO do not read gzip: for the gzip styles they read decompressed
copies, ngep the ``.gz`` files. Variants are written to a temporary folder.
Rounds are interleaved (every tool on every style once per round); each
(style, tool) keeps its best round. The page also times the first call of a
fresh process, ``ngep features`` on 10 files (import included), and says where
its time goes (``python -X importtime``).

Run (from the repository root, ``../shared`` present)::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_styles.py --repeat 3 \\
        --output docs/benchmarks/styles.md
"""

import argparse
import gzip
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import (  # noqa: E402
    _morphio_rows,
    _neurom_rows,
    _ngep_read,
    _ngep_rows,
)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
TOOLS = ("ngep-base", "ngep-extended", "ngep-read", "neurom", "morphio-load",
         "morphio-numpy")
TARGETS = (  # (tool, reference tool, the goal)
    ("ngep-base", "neurom", 10.0),
    ("ngep-base", "morphio-load", 2.0),
    ("ngep-extended", "morphio-numpy", 2.0),
)
STEP_UM = 0.2


# -- workloads ------------------------------------------------------------------
def _morphio_load(paths):
    import morphio

    morphio.set_maximum_warnings(0)
    rows = []
    for path in paths:
        try:
            rows.append([len(morphio.Morphology(str(path)).points)])
        except Exception:  # noqa: BLE001 - counted as a failure
            rows.append(None)
    return rows


def _run(tool, paths):
    if tool == "neurom":
        return _neurom_rows(paths)
    if tool == "morphio-load":
        return _morphio_load(paths)
    if tool == "morphio-numpy":
        return _morphio_rows(paths)
    if tool == "ngep-read":
        return _ngep_read(paths)
    return _ngep_rows(paths, tool.split("-")[1], 1)


# -- the styles -----------------------------------------------------------------
def _table_of(path):
    from ngep.io._parse import _parse_careful, _read_bytes

    return _parse_careful(_read_bytes(path), str(path))[0]


def _write(table, path, fmt, sep=" ", eol="\n"):
    ids = table[:, 0].astype(np.int64)
    types = table[:, 1].astype(np.int64)
    parent = table[:, 6].astype(np.int64)
    lines = [
        sep.join((str(i), str(t), fmt % x, fmt % y, fmt % z, fmt % r, str(p)))
        for i, t, x, y, z, r, p in zip(ids, types, *table[:, 2:6].T, parent)
    ]
    data = ("# written by benchmarks/bench_styles.py" + eol
            + eol.join(lines) + eol).encode()
    if str(path).endswith(".gz"):
        data = gzip.compress(data, compresslevel=6)
    Path(path).write_bytes(data)


def _resampled(table, step=STEP_UM):
    """Cut every neurite segment into pieces of at most ``step`` (µm).

    Soma nodes and soma-to-stem segments are kept as they are, so the features
    of the neuron do not change (up to the rounding of the written file).
    """
    ids = table[:, 0].astype(np.int64)
    index = {v: i for i, v in enumerate(ids)}
    parent = np.array([index.get(int(p), -1) for p in table[:, 6]])
    xyz, radius, types = table[:, 2:5], table[:, 5], table[:, 1]
    has_parent = parent >= 0
    p = np.where(has_parent, parent, 0)
    length = np.linalg.norm(xyz - xyz[p], axis=1)
    cut = has_parent & (types != 1) & (types[p] != 1)
    pieces = np.where(cut, np.maximum(1, np.ceil(length / step)), 1).astype(np.int64)
    rows = []
    new_id = {}
    next_id = 1
    for i in range(len(ids)):  # files list parents first
        k = pieces[i]
        prev = new_id.get(parent[i], -1) if has_parent[i] else -1
        for j in range(1, k):
            t = j / k
            point = xyz[p[i]] + t * (xyz[i] - xyz[p[i]])
            r = radius[p[i]] + t * (radius[i] - radius[p[i]])
            rows.append((next_id, types[i], *point, r, prev))
            prev = next_id
            next_id += 1
        rows.append((next_id, types[i], *xyz[i], radius[i], prev))
        new_id[i] = next_id
        next_id += 1
    return np.array(rows, dtype=np.float64)


def make_styles(tmp, n_allen, n_bbp):
    """{style: (ngep paths, NeuroM/MorphIO paths)}; variants written under tmp."""
    allen = sorted((DATA / "allen-v1-mouse" / "swc").glob("*.swc"))[:n_allen]
    tables = {path: _table_of(path) for path in allen}
    styles = {"allen": (allen, allen)}

    def variant(name, suffix, fmt, **kw):
        folder = Path(tmp, name)
        folder.mkdir()
        out, plain = [], []
        for path, table in tables.items():
            target = folder / (path.stem + suffix)
            _write(table if name != "allen-0.2um" else resampled[path], target,
                   fmt, **kw)
            out.append(target)
            plain.append(_decompressed(target, tmp) if suffix.endswith(".gz")
                         else target)
        styles[name] = (out, plain)

    variant("allen-17digits", ".swc", "%.17g")
    resampled = {path: _resampled(table) for path, table in tables.items()}
    variant("allen-0.2um", ".swc", "%.4f")
    variant("allen-tabs", ".swc", "%.4f", sep="\t")
    variant("allen-crlf", ".swc", "%.4f", eol="\r\n")
    variant("allen-gzip", ".swc.gz", "%.4f")
    cng = sorted((DATA / "swc-edge-cases" / "morphopy").glob("*.CNG.swc"))
    if cng:
        styles["morphopy-cng"] = (cng, cng)
    bbp = sorted((DATA / "bbp-rat-somatosensory" / "swc").glob("*.swc.gz"))[:n_bbp]
    if bbp:
        styles["bbp-rat-gzip"] = (bbp, [_decompressed(p, tmp) for p in bbp])
    return styles


def _decompressed(path, tmp):
    folder = Path(tmp, "decompressed")
    folder.mkdir(exist_ok=True)
    target = folder / (Path(path).parent.name + "-" + Path(path).name[:-3])
    target.write_bytes(gzip.decompress(Path(path).read_bytes()))
    return target


# -- timing ---------------------------------------------------------------------
def _time(tool, paths):
    start = time.perf_counter()
    rows = _run(tool, paths)
    return time.perf_counter() - start, sum(r is None for r in rows)


def measure(styles, tools, repeat):
    for _, (ours, theirs) in styles.items():  # page cache warm for everyone
        for path in (*ours, *theirs):
            Path(path).read_bytes()
    for tool in tools:  # imports and first-call costs outside the clock
        _run(tool, styles["allen"][1][:2] if not tool.startswith("ngep")
             else styles["allen"][0][:2])
    best = {}
    for round_ in range(repeat):
        for style, (ours, theirs) in styles.items():
            for tool in tools:
                paths = ours if tool.startswith("ngep") else theirs
                seconds, failed = _time(tool, paths)
                key = (style, tool)
                if key not in best or seconds < best[key][0]:
                    best[key] = (seconds, failed, len(paths))
                print(f"round {round_ + 1} {style:>15} {tool:>14}: "
                      f"{len(paths) / seconds:8.1f} neurons/s, {failed} failed",
                      file=sys.stderr, flush=True)
    return best


def _nodes(paths):
    from ngep.io import read_swc

    sizes = []
    for path in paths:
        try:
            sizes.append(read_swc(path, on_fragments="ignore").n_nodes)
        except Exception:  # noqa: BLE001 - a failed file, counted in the table
            pass
    kb = [os.path.getsize(p) / 1e3 for p in paths]
    return int(np.median(sizes)), float(np.median(kb))


def table(styles, best):
    lines = [
        "| style | files | nodes (median) | kB (median) | ngep base | extended | "
        "read_swc alone | NeuroM | MorphIO load | MorphIO + numpy | base / NeuroM | "
        "base / MorphIO load | extended / MorphIO + numpy | failed (ngep, NeuroM, "
        "MorphIO) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    missed = []
    for style, (ours, _) in styles.items():
        rate = {t: best[style, t][2] / best[style, t][0] for t in TOOLS
                if (style, t) in best}
        nodes, kb = _nodes(ours)
        failed = (best[style, "ngep-base"][1], best[style, "neurom"][1],
                  best[style, "morphio-load"][1])
        ratios = []
        for tool, ref, goal in TARGETS:
            ratio = rate[tool] / rate[ref]
            ok = ratio >= goal
            ratios.append(f"{ratio:.2f}x" + ("" if ok else " (goal " + f"{goal:g}x)"))
            if not ok:
                missed.append(
                    f"- {style}: {tool} / {ref} is {ratio:.2f}x, "
                    f"{ratio / goal:.0%} of the {goal:g}x goal; "
                    f"read_swc alone is {rate['ngep-read'] / rate[ref]:.2f}x {ref}, "
                    f"and computing the features takes {tool} down to "
                    f"{rate[tool] / rate['ngep-read']:.0%} of read_swc's rate."
                )
        lines.append(
            f"| {style} | {len(ours)} | {nodes} | {kb:.0f} | "
            f"{rate['ngep-base']:.0f} | {rate['ngep-extended']:.0f} | "
            f"{rate['ngep-read']:.0f} | {rate['neurom']:.1f} | "
            f"{rate['morphio-load']:.0f} | {rate['morphio-numpy']:.0f} | "
            + " | ".join(ratios)
            + f" | {failed[0]}, {failed[1]}, {failed[2]} |"
        )
    return "\n".join(lines), missed


def profile(paths, features):
    """Where ngep's time goes on these files: top functions by own time."""
    import cProfile
    import pstats

    _run(f"ngep-{features}", paths)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(3):
        _run(f"ngep-{features}", paths)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]
    out = []
    for (filename, line, name), (_, ncalls, tottime, _, _) in rows:
        where = Path(filename).name if filename != "~" else ""
        out.append(f"{name} ({where}) {tottime / total:.0%}")
    return ", ".join(out)


COMMAND = (
    "PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_styles.py "
    "--allen {allen} --bbp {bbp} --repeat {repeat} --output docs/benchmarks/styles.md"
)

HEADER = """\
# Extraction speed on every style of SWC file

ngep's `MorphologyExtractor` (base and extended features) next to NeuroM
(`load_morphology` + the same base features), MorphIO's load alone and MorphIO +
numpy (load + the same base features), on the styles of SWC file found in the
wild, in one process, measured in the same run (the workloads of
`bench_extract.py`; see `benchmarks/bench_styles.py` for how each style is made).
Rates are neurons per second, the best of {repeat} interleaved rounds; ratios
compare rates of the same row.

Regenerate (from the repository root, `../shared` present; a few minutes):

```
{command}
```

Styles: `allen` are {allen} Allen Cell Types files as they are; `allen-17digits`
the same neurons with every coordinate and radius written with 17 significant
digits; `allen-0.2um` resampled to ~0.2 µm node spacing; `allen-tabs`,
`allen-crlf`, `allen-gzip` the same with tabs, CRLF line ends, gzip;
`morphopy-cng` the NeuroMorpho.org `*.CNG.swc` files of
`swc-edge-cases/morphopy`; `bbp-rat-gzip` the first {bbp} of the 1,168 gzip
BBP rat cells (NeuroMorpho.org standardised, full axons). NeuroM and MorphIO
do not read gzip: they read decompressed copies, ngep the `.gz` files.

"""

WHY = """\
## Why

- **Extended set** ({n_extended} features per compartment, {n_frame} of them
  frame-dependent): the catalogue functions make ~80 numpy calls of a few µs
  per compartment whatever the neuron's size. With the C extension built,
  `FeaturePlan` computes them in three C groups instead (`tree`, `shape`,
  `frame` in `ngep/morphometrics/_kernel*.c`), each a few passes over the
  nodes, and the frame-dependent features from the file coordinates and the
  frame's rotation, without building a rotated copy of the neuron; the frame's
  moments and the unit check are in C too. The catalogue functions stay the
  definition: `tests/morphometrics/test_kernel*.py` compares both on every real
  neuron of `../shared` (counts exactly, the rest to 1e-12 relative; the C
  repeats numpy's operation order, einsum's included, which is detected at
  import). `NGEP_NO_CKERNEL=1` gives the numpy path.
- **Reading**: `read_swc` parses and checks a file in one C call (`read_tree`
  in `ngep/io/_cswc.c`: id-to-row mapping, parents, fragments, the soma rule)
  that writes the Morphology's arrays; anything the checks would reject falls
  back to the table parser and the Python checks, which raise the same
  line-numbered errors. Path sums (`_ctree.c`, in `ngep.io._cswc`) redo
  numpy's additions in its order. Files are read into a buffer reused from file to file.
- **gzip styles**: ngep inflates the `.gz` files itself in one call on the
  bytes read (NeuroM and MorphIO read decompressed copies), with ISA-L where
  the `fast` extra (`isal`) is installed, as here (zlib otherwise).
- **0.2 µm resampled files**: each holds ~6x the nodes and bytes of its Allen
  original but the same sections. ngep's time grows with nodes and bytes
  (parsing at ~1 ns per byte is about half of it); NeuroM's is mostly per
  section (Python objects), so it grows less, and the base set's lead over
  NeuroM is smallest on these files.
"""


# -- the features alone ------------------------------------------------------------
def features_alone(paths, repeat=5):
    """Milliseconds per neuron of the extended set, reading excluded.

    ``MorphologyExtractor(features="extended")`` on Morphology objects read
    beforehand (fresh ones every round: intermediates are cached on a
    Morphology), with the C feature kernel on and off, interleaved; best of
    ``repeat`` rounds. Returns {"C kernel": ms, "numpy": ms}.
    """
    from ngep.io import read_swc
    from ngep.morphometrics import _kernel
    from ngep.transformers import MorphologyExtractor

    ext = MorphologyExtractor(features="extended", check_units="ignore").fit(paths)
    best = {"C kernel": np.inf, "numpy": np.inf}
    enabled = _kernel.ENABLED
    try:
        for _ in range(repeat):
            for label, on in (("C kernel", True), ("numpy", False)):
                neurons = [read_swc(p, on_fragments="ignore") for p in paths]
                _kernel.ENABLED = on and enabled
                start = time.perf_counter()
                ext.transform(neurons)
                best[label] = min(best[label], time.perf_counter() - start)
    finally:
        _kernel.ENABLED = enabled
    return {k: 1e3 * v / len(paths) for k, v in best.items()}


# -- the first call of a fresh process --------------------------------------------
def first_call(paths, tmp, repeat=3):
    """Wall time of ``ngep features`` on ``paths`` in a fresh interpreter.

    Returns (best wall seconds, interpreter start-up seconds, seconds of a
    process that only imports what the command imports, {package: own import
    seconds} from ``-X importtime`` of the same command).
    """
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    out = Path(tmp, "first-call.csv")
    cmd = [sys.executable, "-m", "ngep", "features", *map(str, paths), "-o",
           str(out), "--no-progress"]
    walls, bare, imported = [], [], []
    imports_only = ("import ngep.cli._main, ngep.cli._cmd_features, pandas; "
                    "from ngep.transformers import MorphologyExtractor")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", imports_only], env=env, check=True)
        imported.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], env=env,
                          check=True, capture_output=True, text=True)
    by_package = {}  # own import time of every module, summed by package
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match.group(2).lstrip("_").split(".")[0]
            by_package[package] = by_package.get(package, 0) + int(match.group(1))
    return (min(walls), min(bare), min(imported),
            {k: v / 1e6 for k, v in by_package.items()})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allen", type=int, default=40,
                        help="Allen neurons per style (default 40 of 222)")
    parser.add_argument("--bbp", type=int, default=40,
                        help="BBP rat cells (default 40 of 1,168)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--output", type=Path, default=None,
                        help="write the Markdown section here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from ngep.morphometrics import EXTENDED_FEATURES, FEATURES

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        styles = make_styles(tmp, args.allen, args.bbp)
        best = measure(styles, args.tools, args.repeat)
        body, missed = table(styles, best)
        profiles = {
            style: profile(styles[style][0], "base")
            for style in ("allen", "allen-0.2um", "bbp-rat-gzip") if style in styles
        }
        profiles["allen (extended)"] = profile(styles["allen"][0], "extended")
        wall, bare, imported, imports = first_call(styles["allen"][0][:10], tmp)
        alone = features_alone(styles["allen"][0])
    top = sorted(imports.items(), key=lambda kv: -kv[1])[:8]
    first = (
        f"`ngep features` on 10 Allen files in a fresh process: **{wall:.2f} s** "
        f"wall (best of 3). A process that only starts Python takes {bare:.2f} s; "
        f"one that only imports what the command imports (ngep's CLI, "
        f"scikit-learn, pandas) {imported:.2f} s; so reading 10 files, "
        f"featurising them and writing the CSV take ~{max(wall - imported, 0):.2f} s "
        f"and imports ~{max(imported - bare, 0):.2f} s. Own import time by package "
        "(`-X importtime`, a separate run, which slows imports): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in top)
        + ". scikit-learn's `sklearn.base` pulls in scipy (`sklearn.utils.fixes` "
        "imports `scipy.stats`) and pandas: the price of an estimator that is a "
        "scikit-learn citizen."
    )
    misses = "\n".join(missed) if missed else "None: every goal is met."
    prof = "\n".join(f"- {k}: {v}" for k, v in profiles.items())
    text = HEADER.format(
        command=COMMAND.format(allen=args.allen, bbp=args.bbp, repeat=args.repeat),
        allen=args.allen, bbp=args.bbp, repeat=args.repeat,
    ) + (
        f"{body}\n\nMachine: {platform.platform()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} logical CPUs, load average "
        f"{load:.1f} before the run and {os.getloadavg()[0]:.1f} after (compare "
        "ratios within a row, measured in the same run, rather than rates across "
        "pages).\n\n"
        f"## Goals missed\n\nThe goals: base >= 10x NeuroM and >= 2x MorphIO's "
        f"load alone, extended >= 2x MorphIO + numpy's base set.\n\n{misses}\n\n"
        f"## Where ngep's time goes\n\nOwn time of the top functions (cProfile, "
        f"three passes over the files of the style):\n\n{prof}\n\n"
        f"## The extended set alone\n\n`MorphologyExtractor(features=\"extended\")`"
        f" on the {args.allen} Allen neurons already read (reading excluded; fresh "
        "Morphology objects each round, best of 5, interleaved): "
        f"**{alone['C kernel']:.2f} ms** per neuron with the C feature kernel, "
        f"{alone['numpy']:.2f} ms with the catalogue's numpy functions "
        f"(`NGEP_NO_CKERNEL=1`), {alone['numpy'] / alone['C kernel']:.1f}x; the "
        "goal was <= 0.7 ms.\n\n"
        f"## The first call of a fresh process\n\n{first}\n\n"
        + WHY.format(n_extended=len(EXTENDED_FEATURES),
                     n_frame=sum(not FEATURES[k].invariant for k in EXTENDED_FEATURES))
    )
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
