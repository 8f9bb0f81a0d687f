# SPDX-License-Identifier: BSD-3-Clause
"""Feature extraction as the commands run it: bad files reported, never fatal."""

import sys
import warnings

import numpy as np

from ngep.cli._args import parse_features
from ngep.cli._data import infer_task, match_dataset
from ngep.cli._errors import CLIError


def extract(paths, args, *, features=None, compartment="dendrite", cache_dir=None):
    """Extract features with errors='warn'; return (extractor, X, failures)."""
    from ngep.exceptions import FeatureExtractionWarning
    from ngep.transformers import MorphologyExtractor

    extractor = MorphologyExtractor(
        features=features if features is not None else parse_features(args.features),
        compartment=compartment,
        errors="warn",
        n_jobs=args.n_jobs,
        progress=args.progress,
        cache_dir=cache_dir,
    ).set_output(transform="pandas")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X = extractor.fit_transform([str(p) for p in paths])
    summarise_warnings(caught, FeatureExtractionWarning)
    failures = extractor.failures_
    if len(failures):
        print(
            f"ngep: {len(failures)} of {len(paths)} file(s) could not be featurised "
            f"(first: {failures.iloc[0]['path']}: {failures.iloc[0]['reason']})",
            file=sys.stderr,
        )
    return extractor, X, failures


def summarise_warnings(caught, skip):
    """One stderr line per kind of warning instead of one per file."""
    from collections import Counter

    kinds = Counter()
    first = {}
    for w in caught:
        if issubclass(w.category, skip):
            continue  # reported through the failure report
        kinds[w.category.__name__] += 1
        first.setdefault(w.category.__name__, str(w.message))
    for name, count in kinds.items():
        print(f"ngep: {count} {name}(s), e.g. {first[name]}", file=sys.stderr)


def load_labelled(args, *, panel=False):
    """Match ``--swc-dir`` to ``--table``, extract, drop failed files.

    ``panel=True`` allows several classification targets (``ngep fit`` fits a
    gene panel); other commands take one.

    Returns
    -------
    extractor, X, y, frame, task
    """
    paths, frame = match_dataset(
        args.swc_dir,
        args.table,
        args.id_column,
        args.target,
        groups_column=args.groups_column,
    )
    extractor, X, failures = extract(paths, args)
    ok = np.ones(len(paths), dtype=bool)
    if len(failures):
        ok[failures["index"].to_numpy()] = False
        print(
            f"ngep: leaving out {int((~ok).sum())} neuron(s) whose files failed",
            file=sys.stderr,
        )
    frame = frame.loc[ok].reset_index(drop=True)
    X = X.loc[ok].reset_index(drop=True)
    y = frame[args.target[0]] if len(args.target) == 1 else frame[args.target]
    task = infer_task(y, args.task)
    if task == "classification" and len(args.target) > 1 and not panel:
        raise CLIError(
            f"'ngep {args.command}' takes one classification --target; 'ngep fit' "
            "takes several (one gene panel)"
        )
    return extractor, X, y, frame, task
