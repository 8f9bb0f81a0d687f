# SPDX-License-Identifier: BSD-3-Clause
"""Pictures of neurons (matplotlib, the ``plot`` extra).

:func:`morphology` draws one neuron as a 2D projection with its soma, its
compartments in colour and a scale bar; :func:`gallery` draws many side by
side at one scale, with a title each (for instance the most and the least
Pvalb-like cells of a dataset). matplotlib is imported when a function is
called, never by ``import ngep`` or ``import ngep.plot``; without it the call
raises :class:`~ngep.exceptions.MissingDependencyError` naming the extra
(``pip install "ngep[plot]"``).
"""

from ngep.plot._gallery import gallery
from ngep.plot._morphology import COMPARTMENT_COLORS, morphology, nice_length

__all__ = ["COMPARTMENT_COLORS", "gallery", "morphology", "nice_length"]
