# SPDX-License-Identifier: BSD-3-Clause
"""Models per group (brain region, species, lab) and cross-group validation.

:class:`GroupwiseRegressor` and :class:`GroupwiseClassifier` fit one model per
group with a global fallback; :func:`leave_one_group_out_report` and
:func:`transfer_report` measure how well models carry over between groups;
:class:`SizeNormalizer` removes neuron size so that a larger (human) neuron is
not read as another type.
"""

from ngep.multigroup._groupwise import GroupwiseClassifier, GroupwiseRegressor
from ngep.multigroup._reports import (
    leave_one_group_out_report,
    regression_metrics,
    transfer_report,
)
from ngep.multigroup._size import SizeNormalizer, size_dimension

__all__ = [
    "GroupwiseClassifier",
    "GroupwiseRegressor",
    "SizeNormalizer",
    "leave_one_group_out_report",
    "regression_metrics",
    "size_dimension",
    "transfer_report",
]
