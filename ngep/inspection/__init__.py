# SPDX-License-Identifier: BSD-3-Clause
"""Which morphometrics drive a prediction: permutation importance.

:func:`permutation_importance_table` measures, on held-out neurons, how much
the score drops when a feature (or a group of features engineered from one
base measurement, see :func:`group_by_base`) is shuffled, per gene for gene
panels; :func:`plot_importance` draws the result (needs matplotlib).
"""

from ngep.inspection._groups import group_by_base
from ngep.inspection._permutation import (
    permutation_importance_table,
    plot_importance,
)

__all__ = ["group_by_base", "permutation_importance_table", "plot_importance"]
