# SPDX-License-Identifier: BSD-3-Clause
"""Which morphometrics drive a prediction, and which differ between populations.

:func:`permutation_importance_table` measures, on held-out neurons, how much
the score drops when a feature (or a group of features engineered from one
base measurement, see :func:`group_by_base`) is shuffled, per gene for gene
panels; :func:`plot_importance` draws the result (needs matplotlib).

:func:`compare_groups` tests, feature by feature, whether populations of
neurons differ (treated vs control, organoid vs tissue): Cliff's delta with a
bootstrap interval, p-values and false-discovery-rate q-values, with donors
handled as clusters; :func:`extract_groups` featurises SWC files per group,
and :func:`plot_volcano` and :func:`plot_top_features` draw the result.
"""

from ngep.inspection._compare import compare_groups
from ngep.inspection._compare_data import extract_groups
from ngep.inspection._compare_plots import plot_top_features, plot_volcano
from ngep.inspection._groups import group_by_base
from ngep.inspection._permutation import (
    permutation_importance_table,
    plot_importance,
)

__all__ = [
    "compare_groups",
    "extract_groups",
    "group_by_base",
    "permutation_importance_table",
    "plot_importance",
    "plot_top_features",
    "plot_volcano",
]
