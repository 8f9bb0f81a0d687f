# SPDX-License-Identifier: BSD-3-Clause
"""Model cards: the manifest's facts about a shipped model, as Markdown."""

from ngep._docstring import fill_doc
from ngep.pretrained._registry import pretrained_info

__all__ = ["model_card", "render_card"]


def _auc(value):
    return "–" if value is None else f"{value:.3f}"


def _describe_step(name, cls, params):
    """``name`` (Class), with nested steps in brackets, from the manifest."""
    text = cls.rsplit(".", 1)[-1]
    inner = []
    for value in params.values():
        nested = [value] if isinstance(value, dict) and "class" in value else (
            value if isinstance(value, list) and value
            and all(isinstance(v, dict) and "class" in v for v in value) else [])
        for v in nested:
            inner.append(_describe_step(v.get("name", ""), v["class"], v["params"]))
    if inner:
        text += ": " + " → ".join(inner)
    return f"`{name}` ({text})" if name else text


def _as_list(value):
    return [value] if isinstance(value, str) else list(value)


def _metric_table(rows, columns):
    head = "| model | " + " | ".join(label for _, label in columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    lines = [head, rule]
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            cells.append(value if isinstance(value, str) else _auc(value))
        lines.append(f"| {row['model']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_card(info):
    """The Markdown model card of ``info``, a dict as :func:`pretrained_info` returns.

    Not public: :func:`model_card` is, and the build renders each new model's
    card with it before the manifest holds the model.
    """
    src = info["label_source"]
    cv = info["metrics"]["grouped_cv"]
    dom = info["domain"]
    build = info["build"]
    out = [
        f"# {info['name']}",
        "",
        f"**Target:** {info['target']}. **Marker:** {info['marker']}. "
        f"**Classes:** {', '.join(map(str, info['classes']))} (positive: "
        f"{info['positive_class']}; `ngep predict` writes "
        + ", ".join(f"`proba_{c}`" for c in info["classes"])
        + ").",
        "",
        "## Training data and labels",
        "",
        f"- Neurons: {info['species']}; {info['region']}.",
        f"- Label source (`{src['dataset']}`): {src['description']}.",
        f"- Training cells: {src['n_cells']} ({src['n_positive']} positive, "
        f"{src['n_negative']} negative) from {src['n_groups']} {src['groups']}s.",
    ]
    for extra in info.get("extra_sources", []):
        out.append(
            f"- Also trained on `{extra['dataset']}` ({extra['n_cells']} cells, "
            f"{extra['n_positive']} positive; a second lab and label source, "
            f"added to every training fold, never tested on): "
            f"{extra['description']}."
        )
    out += [
        f"- Contrast: {info['contrast']}.",
        "",
        "## Grouped cross-validation",
        "",
        f"{cv['n_splits']}-fold cross-validation grouped by {src['groups']} (no "
        f"{src['groups']} in both a training and a test fold); ROC AUC of this "
        "recipe beside two baselines on the same folds, the same training cells "
        "and the same features (logistic regression and HistGradientBoosting, "
        "each after median imputation and standard scaling).",
        "",
        _metric_table(
            cv["rows"],
            [("auc_all", "ROC AUC, all cells")]
            + [(f"auc_{k}", f"ROC AUC, {k}") for k in cv.get("subsets", [])],
        ),
        "",
    ]
    for k, desc in cv.get("subsets", {}).items():
        out.append(f"- *{k}*: {desc}.")
    if cv.get("subsets"):
        out.append("")
    transfer = info["metrics"].get("transfer", [])
    if transfer:
        order = [row["model"] for row in cv["rows"]]
        out += [
            "## Other labs (trained on all training cells, tested once)",
            "",
            "| test set | cells (positive) | "
            + " | ".join(order)
            + " | out of domain |",
            "|---|---|" + "---|" * len(order) + "---|",
        ]
        for t in transfer:
            out.append(
                f"| {t['name']} | {t['n_cells']} ({t['n_positive']}) | "
                + " | ".join(_auc(t["auc"].get(m)) for m in order)
                + f" | {t['out_of_domain_fraction']:.0%} |"
            )
        out += [""] + [f"- *{t['name']}*: {t['description']}." for t in transfer]
        out.append("")
    shifts = info["metrics"].get("convention_shift") or []
    if shifts:
        base = cv["rows"][0]
        keys = ["auc_all"] + [f"auc_{k}" for k in cv.get("subsets", [])]
        labels = ["all cells"] + list(cv.get("subsets", []))
        out += [
            "## Convention shifts",
            "",
            "The same grouped folds; each fold's model scores its held-out cells "
            "converted to another lab's convention (`benchmarks/lab_conventions.py`"
            ") or scaled as a whole (another species' size), one conversion at a "
            "time. ROC AUC, its change from the cells as they are, and the share "
            "of held-out cells flagged `out_of_domain`.",
            "",
            "| conversion | "
            + " | ".join(f"AUC {lab} (Δ)" for lab in labels)
            + " | out of domain |",
            "|---|" + "---|" * len(keys) + "---|",
            "| as traced | "
            + " | ".join(_auc(base.get(k)) for k in keys)
            + f" | {dom['cv_out_of_domain_fraction']:.0%} |",
        ]
        for row in shifts:
            cells = []
            for k in keys:
                value, ref = row.get(k), base.get(k)
                delta = "" if value is None or ref is None else f" ({value - ref:+.3f})"
                cells.append(_auc(value) + delta)
            out.append(
                f"| {row['conversion']} | " + " | ".join(cells)
                + f" | {row['out_of_domain_fraction']:.0%} |"
            )
        out.append("")
    if info.get("why"):
        out += ["## Why this design", "", info["why"], ""]
    out += [
        "## Features and steps",
        "",
        f"{len(info['features'])} measurements ("
        + " and ".join(_as_list(info["compartment"]))
        + "), computed by `MorphologyExtractor`: "
        + ", ".join(f"`{f}`" for f in info["features"])
        + ".",
        "",
        "Pipeline: "
        + " → ".join(_describe_step(name, cls, params)
                     for name, cls, params in info["steps"])
        + ".",
        "",
        "## Domain: when to distrust a prediction",
        "",
        "`out_of_domain` is true when a neuron has a measurement outside the "
        f"training range: {dom['description']}. `out_of_domain_reason` names "
        "those measurements, their values and the training range. Such "
        "predictions are extrapolations: check the reconstruction (units, "
        "radius, missing dendrites) before trusting them.",
        f"- Held-out cells of new {src['groups']}s flagged in grouped CV: "
        f"{dom['cv_out_of_domain_fraction']:.0%}.",
    ]
    for t in transfer:
        out.append(f"- {t['name']} flagged: {t['out_of_domain_fraction']:.0%}.")
    tested = ", ".join(t["name"] for t in transfer)
    out += [
        "",
        "## Not for",
        "",
        f"- Tested on held-out `{src['dataset']}` cells (grouped CV by "
        f"{src['groups']})"
        + (f" and on {tested}" if tested else "")
        + "; other species, brain regions and labs are untested.",
    ]
    out += [f"- {line}" for line in info["not_for"]]
    out += [
        "",
        "## Build",
        "",
        f"Built with ngep {build['ngep']} and scikit-learn {build['scikit-learn']} "
        f"by `{build['command']}`. File `{info['file']}` "
        f"({info['bytes'] / 1024:.0f} KiB, SHA-256 `{info['sha256'][:16]}…`), "
        "pickle-free.",
        "",
    ]
    return "\n".join(out)


@fill_doc
def model_card(name):
    """The model card of a shipped model, as Markdown text.

    What the model predicts, its training data and label source (Cre-line
    reporter labels), the contrast, grouped-CV ROC AUC beside logistic
    regression and HistGradientBoosting on the same folds, scores on other
    labs' neurons where measured, the features, the domain and what it is
    not for. ``ngep models NAME`` prints it.

    Read more in the :ref:`User Guide <pretrained>`.

    Parameters
    ----------
    %(pretrained_name)s

    Returns
    -------
    str
        Markdown text.

    Raises
    ------
    %(unknown_model)s

    Examples
    --------
    >>> from ngep.pretrained import model_card
    >>> print(model_card("pvalb-mouse-cortex").splitlines()[0])
    # pvalb-mouse-cortex
    """
    return render_card(pretrained_info(name))
