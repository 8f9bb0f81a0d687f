# SPDX-License-Identifier: BSD-3-Clause
"""The default ngep pipeline: SWC files -> morphometrics -> features -> model.

:func:`make_pipeline` returns a plain :class:`sklearn.pipeline.Pipeline`::

    Pipeline([("extract", MorphologyExtractor()),
              ("expand", FeatureExpander()),
              ("impute", SimpleImputer(strategy="median")),
              ("scale", StandardScaler()),
              ("model", ExpressionRegressor())])

so parameters route as ``model__alpha``, ``extract__features`` and so on, and the
whole pipeline works with ``GridSearchCV``, ``cross_validate`` and joblib.
"""

__all__ = ["make_pipeline"]

_TASKS = ("regression", "classification")


def make_pipeline(
    model=None,
    *,
    task="regression",
    features="base",
    compartment="dendrite",
    extract=True,
    expand=None,
    n_jobs=None,
    errors="raise",
    progress=False,
    **model_params,
):
    """Build the default SWC-to-expression pipeline.

    Parameters
    ----------
    model : estimator, default=None
        The final estimator. None builds an :class:`~ngep.models.ExpressionRegressor`
        (``task="regression"``) or :class:`~ngep.models.MarkerClassifier`
        (``task="classification"``) with ``model_params``, and
        ``early_stopping=True`` unless given: expression targets are noisy, and on
        the demo data 200 epochs without early stopping overfit (R² 0.35 vs 0.41
        with it). On a few hundred cells the split is small; ``"auto"`` (early
        stopping from 1,000 training samples on) was measured on the Allen
        benchmark and was worse in 3 of 4 comparisons, so it is not the default.
    task : {"regression", "classification"}, default="regression"
    features : {"base", "extended", "robust", "scale_free"} or list of str, \
default="base"
        Passed to :class:`~ngep.transformers.MorphologyExtractor`.
    compartment : str, default="dendrite"
    extract : bool, default=True
        Include the extraction step. False gives a pipeline that starts from a
        feature table (the extractor's output), e.g. to cross-validate on features
        computed once.
    expand : bool, default=None
        Include :class:`~ngep.transformers.FeatureExpander` (5 base measurements ->
        14 engineered features). None: only when ``features="base"``.
    n_jobs, errors, progress
        Passed to the extractor.
    **model_params
        Parameters of the default model (e.g. ``hidden_layer_sizes``, ``max_iter``,
        ``random_state``); not allowed together with ``model``.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from ngep.pipeline import make_pipeline
    >>> pipe = make_pipeline(max_iter=50, random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['extract', 'expand', 'impute', 'scale', 'model']
    >>> pipe.set_params(model__alpha=1e-3).get_params()["model__alpha"]
    0.001
    """
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from ngep.transformers import FeatureExpander, MorphologyExtractor

    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}, got {task!r}.")
    if model is not None and model_params:
        raise TypeError(
            "Pass either a model or model parameters, not both: got model and "
            f"{sorted(model_params)}."
        )
    if model is None:
        from ngep.models import ExpressionRegressor, MarkerClassifier

        cls = ExpressionRegressor if task == "regression" else MarkerClassifier
        # Expression targets are noisy: stop on an internal validation split of
        # each training set (never the outer test fold) unless told otherwise.
        model_params.setdefault("early_stopping", True)
        model = cls(**model_params)
    if expand is None:
        expand = isinstance(features, str) and features == "base"
    steps = []
    if extract:
        steps.append(
            (
                "extract",
                MorphologyExtractor(
                    features=features,
                    compartment=compartment,
                    n_jobs=n_jobs,
                    errors=errors,
                    progress=progress,
                ),
            )
        )
    if expand:
        steps.append(("expand", FeatureExpander()))
    steps.append(("impute", SimpleImputer(strategy="median", keep_empty_features=True)))
    steps.append(("scale", StandardScaler()))
    steps.append(("model", model))
    return Pipeline(steps)
