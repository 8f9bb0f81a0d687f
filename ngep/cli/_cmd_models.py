# SPDX-License-Identifier: BSD-3-Clause
"""``ngep models``: list the shipped pretrained models, or print one's card."""

from ngep.cli._errors import EXIT_OK

DESCRIPTION = (
    "Without NAME: one line per shipped model (name, target, "
    "training cells, grouped-CV ROC AUC). With NAME: its model card "
    "(Markdown). Use a name with 'ngep predict NAME SWC... -o out.csv'."
)


def add_arguments(parser):
    parser.add_argument(
        "name", nargs="?", default=None, help="a model name, e.g. pvalb-mouse-cortex"
    )


def summary_line(info, widths=(0, 0)):
    """One line about a model: name first, then target, cells and AUC."""
    cells = info.get("n_training_cells", info["label_source"]["n_cells"])
    auc = info["metrics"]["grouped_cv"]["rows"][0]["auc_all"]
    return (
        f"{info['name']:<{widths[0]}}  {info['target']:<{widths[1]}}  "
        f"{cells:>4} training cells  grouped-CV AUC {auc:.2f}"
    )


def run(args):
    from ngep.pretrained import list_pretrained, model_card, pretrained_info

    if args.name is not None:
        print(model_card(args.name), end="")
        return EXIT_OK
    infos = [pretrained_info(name) for name in list_pretrained()]
    widths = tuple(
        max((len(info[key]) for info in infos), default=0)
        for key in ("name", "target")
    )
    for info in infos:
        print(summary_line(info, widths))
    return EXIT_OK
