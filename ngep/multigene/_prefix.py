# SPDX-License-Identifier: BSD-3-Clause
"""Find the leading feature steps that every gene's pipeline shares.

Gene panels often hold one pipeline per gene that all start with the same
feature steps (``MorphologyExtractor`` then ``FeatureExpander``) and differ
only in the final model. Those steps are then fitted and applied once for the
whole panel instead of once per gene.
"""

import joblib
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.feature_selection import SelectorMixin
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags


def _step_key(step):
    """Hashable identity of an unfitted step: its class and its parameters."""
    if step is None or isinstance(step, str):  # "passthrough" / None
        return ("passthrough", None)
    params = clone(step).get_params(deep=False)
    return (type(step), joblib.hash(params))


def _is_unsupervised(step):
    """Whether a step is fitted without y, so one fit can serve every gene.

    Feature selectors and predictors learn from y even where their tags do not
    say so (``SelectKBest`` has ``target_tags.required=False``); they are
    never shared.
    """
    if step is None or isinstance(step, str):
        return True
    if isinstance(step, SelectorMixin) or is_regressor(step) or is_classifier(step):
        return False
    try:
        return not get_tags(step).target_tags.required
    except (AttributeError, TypeError):  # object without sklearn tags
        return False


def shared_prefix_length(estimators):
    """Number of leading pipeline steps that all ``estimators`` share.

    Steps are shared when every estimator is a :class:`~sklearn.pipeline.Pipeline`
    whose step at that position has the same class and the same
    ``get_params(deep=False)`` (compared by hash), and the step does not learn
    from ``y``: not a feature selector, regressor or classifier, and
    ``target_tags.required`` false. The last step of each pipeline is never
    shared, so each gene keeps its own model. A custom transformer that reads
    ``y`` without saying so in its tags must be used with
    ``share_features=False``.

    Parameters
    ----------
    estimators : list of estimator
        The unfitted per-gene estimators.

    Returns
    -------
    int
        0 when nothing can be shared.

    Examples
    --------
    >>> from sklearn.linear_model import Lasso, Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> shared_prefix_length([make_pipeline(StandardScaler(), Ridge()),
    ...                       make_pipeline(StandardScaler(), Lasso())])
    1
    >>> shared_prefix_length([make_pipeline(StandardScaler(), Ridge()),
    ...                       make_pipeline(StandardScaler(with_mean=False), Ridge())])
    0
    """
    if len(estimators) < 2 or not all(isinstance(e, Pipeline) for e in estimators):
        return 0
    if any(getattr(e, "transform_input", None) is not None for e in estimators):
        return 0  # metadata-routed inputs: leave each pipeline whole
    shortest = min(len(e.steps) for e in estimators)
    n_shared = 0
    for position in range(shortest - 1):
        steps = [e.steps[position][1] for e in estimators]
        if not all(_is_unsupervised(s) for s in steps):
            break
        if len({_step_key(s) for s in steps}) != 1:
            break
        n_shared += 1
    return n_shared
