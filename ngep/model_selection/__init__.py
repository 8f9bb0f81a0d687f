# SPDX-License-Identifier: BSD-3-Clause
"""Cross-validation for continuous targets, and evaluation reports.

:class:`BinnedStratifiedKFold` stratifies folds on quantile bins of a continuous
target (gene expression), so every fold spans its range.
:func:`cross_validate_report` cross-validates a model (and a baseline, on the same
folds) and returns a :class:`CVReport`: per-fold scores, mean ± sd, the lowest
fold and out-of-fold predictions. :func:`regression_report` computes R², Pearson
r, RMSE and MAE of one set of predictions.
"""

from ngep.model_selection._metrics import (
    classification_report_scores,
    regression_report,
)
from ngep.model_selection._report import CVReport, cross_validate_report
from ngep.model_selection._split import BinnedStratifiedKFold, bin_target

__all__ = [
    "BinnedStratifiedKFold",
    "CVReport",
    "bin_target",
    "classification_report_scores",
    "cross_validate_report",
    "regression_report",
]
