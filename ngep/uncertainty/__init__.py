# SPDX-License-Identifier: BSD-3-Clause
"""How far to trust a prediction: intervals, calibration, applicability domain.

:class:`ConformalRegressor` wraps any regressor with distribution-free
prediction intervals; :func:`reliability_table` and :func:`plot_reliability`
check predicted marker probabilities (fix them with
:class:`sklearn.calibration.CalibratedClassifierCV`);
:class:`ApplicabilityDomain` and :func:`predict_with_domain` flag neurons
unlike the training set (a larger species, a damaged reconstruction);
:class:`DomainCheck` carries such a domain inside a pipeline.
"""

from ngep.uncertainty._calibration import plot_reliability, reliability_table
from ngep.uncertainty._conformal import ConformalRegressor, conformal_quantile
from ngep.uncertainty._domain import ApplicabilityDomain, predict_with_domain
from ngep.uncertainty._domain_step import DomainCheck

__all__ = [
    "ApplicabilityDomain",
    "ConformalRegressor",
    "DomainCheck",
    "conformal_quantile",
    "plot_reliability",
    "predict_with_domain",
    "reliability_table",
]
