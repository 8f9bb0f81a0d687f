# SPDX-License-Identifier: BSD-3-Clause
"""Every private name of scikit-learn, torch and pandas that ngep uses, in one place.

Like imbalanced-learn's ``utils/_sklearn_compat.py``: the rest of ngep imports
these names from here and never names a private internal of a dependency
(``tests/test_compat.py`` scans the package for it), so a release that moves or
changes one of them breaks this module, and the tests next to it, only.

Each entry says why there is no public equivalent and the versions it was
checked against; ``tests/test_compat.py`` exercises every entry on the
installed versions and fails, naming the entry, when one stops working.

Public API is preferred wherever it exists: ``OneToOneFeatureMixin`` instead of
``_check_feature_names_in``, ``torch.optim.Adam(fused=True)`` instead of the
fused kernel, ``pandas.read_csv`` instead of its parser engine.
"""

# scikit-learn (checked against 1.6 to 1.9.1) --------------------------------

# Parameter validation. scikit-learn has no public API for it: the constraint
# objects, ``validate_params`` and ``InvalidParameterError`` live in the
# private ``sklearn.utils._param_validation``, and ``_fit_context`` (which runs
# ``_validate_params`` once per ``fit`` and skips nested validation) in
# ``sklearn.base``. They are what sklearn's own estimators and
# ``check_param_validation`` use, so ngep's errors read exactly like sklearn's.
from sklearn.base import _fit_context as fit_context

# K-fold machinery (``n_splits`` validation, ``shuffle``/``random_state``
# rules, ``get_n_splits``) shared by every sklearn K-fold splitter;
# ``BaseCrossValidator`` is public but has none of it.
from sklearn.model_selection._split import _BaseKFold as BaseKFold

# Row indexing of arrays, DataFrames and lists alike. Documented in sklearn's
# API reference as ``sklearn.utils._safe_indexing`` despite its underscore.
from sklearn.utils import _safe_indexing as safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)

# Meta-estimators: ``_BaseComposition`` gives ``get_params``/``set_params``
# routed to named sub-estimators (``Pvalb__alpha``), as Pipeline and
# VotingRegressor use it; there is no public base class for that.
from sklearn.utils.metaestimators import _BaseComposition as BaseComposition

# Number of samples of any array-like (lists of paths included) without
# converting it; ``check_consistent_length`` is public but only compares.
from sklearn.utils.validation import _num_samples as num_samples

# torch (checked against 2.4 to 2.13) -------------------------------------------


def runs_module_hooks(module):
    """Whether calling ``module`` would run any hook (its own or a global one).

    The same test ``torch.nn.Module._call_impl`` makes before taking its fast
    path; torch has no public API for it. ``FeedForward.forward`` computes its
    blocks functionally (a measured 5 % of a training step) only when no block
    has a hook, so hooks registered on inner layers always run.
    """
    from torch.nn.modules import module as _module

    return bool(
        module._forward_hooks or module._forward_pre_hooks
        or module._backward_hooks or module._backward_pre_hooks
        or _module._global_forward_hooks or _module._global_forward_pre_hooks
        or _module._global_backward_hooks or _module._global_backward_pre_hooks
    )


__all__ = [
    "BaseComposition",
    "BaseKFold",
    "CHECKED_VERSIONS",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "fit_context",
    "num_samples",
    "runs_module_hooks",
    "safe_indexing",
    "validate_parameter_constraints",
    "validate_params",
]

#: The releases each dependency's private names here were checked against
#: (oldest supported, newest tested).
CHECKED_VERSIONS = {"scikit-learn": ("1.6", "1.9.1"), "torch": ("2.4", "2.13.0")}
