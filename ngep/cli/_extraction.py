# SPDX-License-Identifier: BSD-3-Clause
"""Feature extraction as the commands run it: bad files reported, never fatal."""

import sys
import warnings

import numpy as np

from ngep.cli._args import parse_features
from ngep.cli._data import infer_task, match_dataset
from ngep.cli._errors import CLIError


def extract(paths, args, *, features=None, compartment="dendrite"):
    """Extract features with errors='warn'; return (extractor, X, failures).

    ``args`` gives ``--features`` (unless ``features``), ``--cache-dir``,
    ``--n-jobs`` and ``--no-progress``.
    """
    from ngep.exceptions import FeatureExtractionWarning
    from ngep.transformers import MorphologyExtractor

    extractor = MorphologyExtractor(
        features=features if features is not None else parse_features(args.features),
        compartment=compartment,
        errors="warn",
        n_jobs=args.n_jobs,
        progress=args.progress,
        cache_dir=args.cache_dir,
    ).set_output(transform="pandas")
    import pandas as pd

    files = [str(p) for p in paths]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, failures = extractor.fit(files).transform_with_failures(files)
    X = pd.DataFrame(X, columns=extractor.get_feature_names_out())
    summarise_warnings(caught, FeatureExtractionWarning)
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


def load_labelled(args, *, panel=False, like=None):
    """Match ``--swc-dir`` to ``--table``, extract, drop failed files.

    ``panel=True`` allows several classification targets (``ngep fit`` fits a
    gene panel); other commands take one. ``like``: a fitted extractor whose
    features and compartments to compute (a saved model's), instead of
    ``--features``.

    Returns
    -------
    extractor, X, y, table, task
    """
    paths, table = match_dataset(
        args.swc_dir,
        args.table,
        args.id_column,
        args.target,
        groups_column=args.groups_column,
    )
    if like is None:
        extractor, X, failures = extract(paths, args)
    else:
        extractor, X, failures = extract(
            paths, args, features=like.features, compartment=like.compartment
        )
    ok = np.ones(len(paths), dtype=bool)
    if len(failures):
        ok[failures["index"].to_numpy()] = False
        print(
            f"ngep: leaving out {int((~ok).sum())} neuron(s) whose files failed",
            file=sys.stderr,
        )
    table = table.loc[ok].reset_index(drop=True)
    X = X.loc[ok].reset_index(drop=True)
    y = table[args.target[0]] if len(args.target) == 1 else table[args.target]
    task = infer_task(y, args.task)
    if task == "classification" and len(args.target) > 1 and not panel:
        raise CLIError(
            f"'ngep {args.command}' takes one classification --target; 'ngep fit' "
            "takes several (one gene panel)"
        )
    return extractor, X, y, table, task
