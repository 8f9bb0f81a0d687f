# SPDX-License-Identifier: BSD-3-Clause
"""Gene panels: one named model per gene, tuned and scored gene by gene.

:class:`GenePanelRegressor` and :class:`GenePanelClassifier` hold a
``(gene, estimator)`` pair per gene, route parameters per gene
(``Pvalb__model__alpha``), drop missing targets gene by gene and compute
feature steps shared by every gene's pipeline only once.
"""

from ngep.multigene._panel import GenePanelClassifier, GenePanelRegressor
from ngep.multigene._prefix import shared_prefix_length

__all__ = ["GenePanelClassifier", "GenePanelRegressor", "shared_prefix_length"]
