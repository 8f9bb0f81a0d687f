# SPDX-License-Identifier: BSD-3-Clause
"""``ngep compare``: which measurements differ between groups of neurons."""

import re
import sys
import warnings
from pathlib import Path

import numpy as np

from ngep.cli._args import parse_features
from ngep.cli._data import collect_morphologies, match_dataset, read_table
from ngep.cli._errors import EXIT_FAILURES, EXIT_OK, CLIError
from ngep.cli._output import atomic_write_csv, ensure_writable_dir

DESCRIPTION = (
    "Compare two or more groups of neurons: per feature and pair of groups, "
    "Cliff's delta with a bootstrap interval, a p-value and a "
    "Benjamini-Hochberg q-value. Groups are folders of SWC files, lists "
    "of SWC files (.txt), feature tables (.csv), or one table with "
    "--group-column."
)

_TABLE_SUFFIXES = (".csv", ".tsv", ".tab")
_LIST_SUFFIXES = (".txt", ".lst")
# Numeric columns that identify neurons rather than measure them.
_ID_LIKE = re.compile(r"(^|_)(id|index)$", re.IGNORECASE)


def add_arguments(parser):
    parser.add_argument(
        "groups",
        nargs="*",
        metavar="GROUP",
        help="one per group: a folder of morphology files (.swc, .swc.gz, .asc, "
        ".h5), a list of such files (.txt, one path a line), or a feature table "
        "(.csv); name it with NAME=PATH (default: the folder or file name)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="output folder")
    parser.add_argument("--table", type=Path, default=None,
                        help="one table with every neuron and a --group-column: "
                        "its numeric columns are the features, or with --swc-dir "
                        "its rows name SWC files")
    parser.add_argument("--group-column", default=None,
                        help="column of --table naming each neuron's group")
    parser.add_argument("--donor-column", default=None,
                        help="column naming each neuron's animal/donor: donor-level "
                        "permutation test and cluster bootstrap")
    parser.add_argument("--swc-dir", type=Path, default=None,
                        help="with --table: folder of the SWC files its rows name")
    parser.add_argument("--id-column", default=None,
                        help="with --swc-dir: column holding the SWC file stem "
                        "(default: first column)")
    parser.add_argument("--features", default=None,
                        help="SWC groups: 'base', 'extended' (default) or names; "
                        "tables: comma-separated columns (default: numeric "
                        "columns that are not ids)")
    parser.add_argument("--reference", default=None,
                        help="compare every group with this one only")
    parser.add_argument("--test", choices=("auto", "mannwhitneyu", "permutation"),
                        default="auto",
                        help="default: donor permutation with --donor-column, "
                        "Mann-Whitney U without")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="false discovery rate for the summary and plots")
    parser.add_argument("--n-bootstrap", type=int, default=2000)
    parser.add_argument("--n-permutations", type=int, default=9999)
    parser.add_argument("--top", type=int, default=6,
                        help="features drawn in top_features.png")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when any SWC file fails (they are left out "
                        "either way)")


def _named(spec):
    """``NAME=PATH`` or ``PATH`` -> (name, Path)."""
    name, sep, path = str(spec).partition("=")
    if sep and name and not Path(spec).exists():
        return name, Path(path)
    from ngep.io import morphology_stem

    path = Path(spec)
    stem = morphology_stem(path)
    for suffix in (*_TABLE_SUFFIXES, *_LIST_SUFFIXES):
        stem = stem[: -len(suffix)] if stem.lower().endswith(suffix) else stem
    return stem or str(path), path


def _group_input(path):
    """A group argument -> ("paths", [...]) or ("table", DataFrame)."""
    from ngep.io import is_morphology_file

    if path.is_dir():
        return "paths", collect_morphologies([path])
    if not path.exists():
        raise CLIError(f"no such file or folder: {path}")
    if path.name.lower().endswith(_TABLE_SUFFIXES):
        return "table", read_table(path)
    if path.name.lower().endswith(_LIST_SUFFIXES):
        lines = [ln.strip() for ln in path.read_text().splitlines()]
        files = [Path(ln) if Path(ln).is_absolute() else path.parent / ln
                 for ln in lines if ln and not ln.startswith("#")]
        if not files:
            raise CLIError(f"the list {path} names no SWC files")
        return "paths", files
    if is_morphology_file(path):
        return "paths", [path]
    raise CLIError(
        f"{path}: not a folder, morphology file, list of files (.txt) or feature "
        "table (.csv)")


def _table_features(frame, args, reserved):
    """Feature columns of a user table: --features, else numeric non-id columns."""
    if args.features:
        return [c.strip() for c in args.features.split(",") if c.strip()]
    numeric = [c for c in frame.columns if c not in reserved
               and np.issubdtype(frame[c].dtype, np.number)]
    skipped = [c for c in numeric if _ID_LIKE.search(str(c))]
    if skipped:
        print(f"ngep: not comparing id-like column(s) {skipped}; name the features "
              "with --features to include them", file=sys.stderr)
    return [c for c in numeric if c not in skipped]


def _extract_swc(groups, args):
    """Featurise SWC groups; return (feature table with 'group', failures)."""
    from ngep.cli._extraction import summarise_warnings
    from ngep.exceptions import FeatureExtractionWarning
    from ngep.inspection import extract_groups
    from ngep.transformers import MorphologyExtractor

    extractor = MorphologyExtractor(
        features=parse_features(args.features or "extended"),
        n_jobs=args.n_jobs, progress=args.progress, cache_dir=args.cache_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        features, failures = extract_groups(groups, extractor)
    summarise_warnings(caught, FeatureExtractionWarning)
    return features, failures


def _load(args):
    """-> (table with a 'group' column, groups, features, donor column, failures)."""
    import pandas as pd

    failures = pd.DataFrame(columns=["group", "path", "reason"])
    if args.table is not None:
        if args.groups:
            raise CLIError("give either GROUP arguments or --table, not both")
        if args.group_column is None:
            raise CLIError("--table needs --group-column (the column naming groups)")
        if args.swc_dir is not None:
            paths, meta = match_dataset(args.swc_dir, args.table, args.id_column, None,
                                        groups_column=args.group_column)
            meta = meta.assign(__path__=[str(p) for p in paths])
            meta = meta[meta[args.group_column].notna()]
            by_group = {g: list(m["__path__"]) for g, m in
                        meta.groupby(args.group_column, sort=False)}
            features, failures = _extract_swc(by_group, args)
            feature_cols = [c for c in features.columns if c not in ("group", "path")]
            keep = [args.donor_column] if args.donor_column else []
            _check_columns(meta, keep, args.table)
            table = features.merge(
                meta[["__path__", *keep]].rename(columns={"__path__": "path"}),
                on="path", how="left")
        else:
            table = read_table(args.table)
            _check_columns(table, [args.group_column], args.table)
            table = table.rename(columns={args.group_column: "group"})
            if list(table.columns).count("group") > 1:
                raise CLIError(f"{args.table} has a column 'group' besides "
                               f"--group-column {args.group_column!r}; rename it")
            reserved = {"group", args.donor_column, args.id_column}
            feature_cols = _table_features(table, args, reserved)
        order = list(pd.unique(table["group"].dropna()))
        return table, order, feature_cols, args.donor_column, failures
    if len(args.groups) < 2:
        raise CLIError("give at least two groups (folders, SWC lists or tables), or "
                       "--table with --group-column")
    named = [_named(g) for g in args.groups]
    names = [n for n, _ in named]
    if len(set(names)) < len(names):
        raise CLIError(f"two groups have the same name in {names}; name them with "
                       "NAME=PATH")
    inputs = {n: _group_input(p) for n, p in named}
    kinds = {kind for kind, _ in inputs.values()}
    if kinds == {"paths"}:
        table, failures = _extract_swc({n: v for n, (_, v) in inputs.items()}, args)
        feature_cols = [c for c in table.columns if c not in ("group", "path")]
    elif kinds == {"table"}:
        table = pd.concat([v.assign(group=n) for n, (_, v) in inputs.items()],
                          ignore_index=True)
        feature_cols = _table_features(table, args, {"group", args.donor_column})
    else:
        raise CLIError("give every group as SWC files/folders, or every group as a "
                       "feature table, not a mix")
    if args.donor_column is not None:
        _check_columns(table, [args.donor_column], "the group tables")
    return table, names, feature_cols, args.donor_column, failures


def _check_columns(frame, columns, where):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CLIError(
            f"column(s) {', '.join(map(repr, missing))} not in {where}; available: "
            f"{', '.join(map(str, list(frame.columns)[:12]))}"
            + (" ..." if frame.shape[1] > 12 else ""))


def _summary(result, table, order, failures, args):
    """A short text summary of the comparison."""
    alpha = args.alpha
    sizes = table["group"].value_counts()
    lines = ["ngep compare: " + ", ".join(
        f"{g} (n={int(sizes.get(g, 0))})" for g in order)]
    tested = result.dropna(subset=["q_value"])
    lines.append(
        f"{result['feature'].nunique()} features, "
        f"{result[['group_a', 'group_b']].drop_duplicates().shape[0]} pair(s) of "
        f"groups, {len(tested)} tests ({result['test'].iloc[0]}); effect size: "
        "Cliff's delta of group_b vs group_a, in [-1, 1]")
    hits = tested[tested["q_value"] <= alpha]
    lines.append(f"{len(hits)} of {len(tested)} tests have q <= {alpha:g} "
                 "(Benjamini-Hochberg false discovery rate)")
    for _, row in hits.head(15).iterrows():
        lines.append(
            f"  {row['feature']}: {row['group_b']} vs {row['group_a']} delta "
            f"{row['effect_size']:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}], "
            f"median {row['median_a']:.4g} -> {row['median_b']:.4g}, "
            f"q = {row['q_value']:.2g}")
    if len(hits) > 15:
        lines.append(f"  ... and {len(hits) - 15} more in comparison.csv")
    untested = result[result["p_value"].isna()]
    if len(untested):
        lines.append(f"{len(untested)} row(s) not tested (constant or too few "
                     "values): see the 'note' column")
    if len(failures):
        lines.append(f"{len(failures)} SWC file(s) failed and were left out: "
                     "failures.csv")
    if args.donor_column is None:
        lines.append("Neurons are treated as independent; if several come from one "
                     "animal, pass --donor-column.")
    return "\n".join(lines) + "\n"


def run(args):
    from ngep.inspection import compare_groups

    out = ensure_writable_dir(args.output)
    table, order, feature_cols, donor, failures = _load(args)
    if len(failures):
        atomic_write_csv(failures, out / "failures.csv", index=False)
        print(f"ngep: {len(failures)} SWC file(s) could not be featurised and are "
              f"left out (first: {failures.iloc[0]['path']}: "
              f"{failures.iloc[0]['reason']}); see {out / 'failures.csv'}",
              file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare_groups(
            table, "group", features=feature_cols, groups=order,
            reference=args.reference, donor_column=donor, test=args.test,
            n_bootstrap=args.n_bootstrap, n_permutations=args.n_permutations,
            random_state=args.seed)
    for w in caught:
        print(f"ngep: {w.message}", file=sys.stderr)
    ranked = result.assign(_abs=result["effect_size"].abs()).sort_values(
        ["q_value", "_abs"], ascending=[True, False], na_position="last",
        kind="stable").drop(columns="_abs")
    atomic_write_csv(ranked, out / "comparison.csv", index=False)
    keep = ["group", *([donor] if donor else []), *feature_cols]
    if "path" in table.columns:
        keep.insert(1, "path")
    atomic_write_csv(table[keep], out / "features.csv", index=False)
    _plots(ranked, table, order, out, args)
    text = _summary(ranked, table, order, failures, args)
    (out / "summary.txt").write_text(text)
    print(text, end="")
    print(f"ngep: wrote comparison.csv, features.csv, summary.txt and plots to {out}")
    return EXIT_FAILURES if (args.strict and len(failures)) else EXIT_OK


def _plots(result, table, order, out, args):
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)  # files only; never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        print("ngep: matplotlib not installed; plots skipped (pip install "
              "'ngep[plot]')", file=sys.stderr)
        return

    from ngep.inspection import plot_top_features, plot_volcano

    ax = plot_volcano(result, alpha=args.alpha)
    ax.figure.tight_layout()
    ax.figure.savefig(out / "volcano.png", dpi=120)
    plt.close(ax.figure)
    if result["q_value"].notna().any():
        axes = plot_top_features(result, table, "group", n_top=args.top, groups=order)
        axes[0].figure.tight_layout()
        axes[0].figure.savefig(out / "top_features.png", dpi=120)
        plt.close(axes[0].figure)
