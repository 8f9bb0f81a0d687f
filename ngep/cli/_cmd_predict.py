# SPDX-License-Identifier: BSD-3-Clause
"""``ngep predict``: apply a saved model to SWC files -> CSV."""

import sys
from pathlib import Path

import numpy as np

from ngep.cli._args import add_common
from ngep.cli._data import collect_swc
from ngep.cli._errors import EXIT_OK, CLIError
from ngep.cli._extraction import extract
from ngep.cli._output import atomic_write_csv, ensure_writable_dir

NAME = "predict"


def add_parser(sub):
    parser = sub.add_parser(NAME, help="apply a saved model to SWC files -> CSV")
    parser.add_argument("model", type=Path, help="model file from 'ngep fit'")
    parser.add_argument("swc", nargs="+", type=Path, help="SWC files or folders")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output CSV")
    add_common(parser)
    return parser


def run(args):
    from ngep.persistence import load

    model = load(args.model)
    ensure_writable_dir(args.output.parent)
    paths = collect_swc(args.swc)
    if "extract" not in getattr(model, "named_steps", {}):
        raise CLIError(f"{args.model} is not an ngep SWC pipeline (no 'extract' step)")
    extractor = model.named_steps["extract"]
    _, X, failures = extract(
        paths, args, features=extractor.features, compartment=extractor.compartment
    )
    import pandas as pd

    rest = model[1:]
    ok = np.ones(len(paths), dtype=bool)
    if len(failures):
        ok[failures["index"].to_numpy()] = False
    out = pd.DataFrame(
        {"file": [p.name for p in paths], "path": [str(p) for p in paths]}
    )
    out["status"] = "ok"
    if len(failures):
        out.loc[failures["index"].to_numpy(), "status"] = (
            "failed: " + failures["reason"].astype(str)
        ).to_numpy()
    if ok.any():
        Xok = X.loc[ok]
        from ngep.uncertainty import ConformalRegressor

        has_interval = isinstance(rest[-1], ConformalRegressor)
        if has_interval:
            Xt = rest[:-1].transform(Xok) if len(rest) > 1 else Xok
            pred, lower, upper = rest[-1].predict(Xt, return_interval=True)
        else:
            pred = np.asarray(rest.predict(Xok))
        columns = _prediction_columns(model, pred)
        pred2 = pred.reshape(len(pred), -1) if pred.dtype != object else pred[:, None]
        for j, name in enumerate(columns):
            col = pd.Series(
                [np.nan] * len(paths), dtype=object if pred.dtype == object else float
            )
            col[ok] = pred2[:, j]
            out[name] = col
        if has_interval:
            for name, values in (("lower", lower), ("upper", upper)):
                out[name] = np.nan
                out.loc[ok, name] = values
        if hasattr(rest, "predict_proba"):
            proba = rest.predict_proba(Xok)
            for j, cls in enumerate(rest.classes_):
                col = np.full(len(paths), np.nan)
                col[ok] = proba[:, j]
                out[f"proba_{cls}"] = col
        if "domain" in model.named_steps:
            flag = pd.Series([pd.NA] * len(paths), dtype="boolean")
            flag[ok] = ~model.named_steps["domain"].in_domain(Xok)
            out["out_of_domain"] = flag
            n_out = int(flag.sum())
            if n_out:
                print(
                    f"ngep: {n_out} neuron(s) lie outside the training domain "
                    "(out_of_domain); treat their predictions with caution",
                    file=sys.stderr,
                )
    atomic_write_csv(out, args.output, index=False)
    print(
        f"ngep: wrote {int(ok.sum())} predictions ({int((~ok).sum())} failed files "
        f"marked) to {args.output}"
    )
    return EXIT_OK


def _prediction_columns(model, pred):
    targets = getattr(model[-1], "target_names_", None)
    n = 1 if pred.ndim == 1 else pred.shape[1]
    if targets is not None and len(targets) == n:
        return [f"predicted_{t}" for t in targets]
    return ["predicted"] if n == 1 else [f"predicted_{j}" for j in range(n)]
