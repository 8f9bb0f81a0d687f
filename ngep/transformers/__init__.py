# SPDX-License-Identifier: BSD-3-Clause
"""scikit-learn transformers that turn neuron morphologies into feature matrices.

:class:`FeatureExpander` expands five dendritic measurements into fourteen
engineered features (log transforms, ratios, interactions) defined once in
:func:`expansion_table`.
"""

from ngep.transformers._expander import FeatureExpander, expansion_table

__all__ = ["FeatureExpander", "expansion_table"]
