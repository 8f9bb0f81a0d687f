# SPDX-License-Identifier: BSD-3-Clause
"""How the build measures a recipe: grouped CV beside baselines, on shifted cells.

The recipe's model, logistic regression and HistGradientBoosting are fitted
on the same donor-grouped folds (other labs' cells join every training fold,
never a test fold) and scored by ROC AUC among all held-out cells and each
named subset; each fold's model also scores its held-out cells converted to
other labs' conventions, and its domain says how many it flags.
"""

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "baselines",
    "grouped_cv",
    "make_domain",
    "make_model",
    "positive_proba",
    "roc_auc",
]


def make_model(recipe):
    """The recipe's unfitted steps after extraction, as a Pipeline on features.

    Parameters
    ----------
    recipe : Recipe
        From :data:`~ngep.pretrained._recipes.RECIPES`.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    from sklearn.pipeline import Pipeline

    steps = [(s.name, s.build()) for s in recipe.steps]
    # Named columns all the way down, as the shipped pipeline passes them.
    return Pipeline(steps).set_output(transform="pandas")


def make_domain(recipe):
    """The recipe's unfitted DomainCheck (a range domain)."""
    from ngep.uncertainty import ApplicabilityDomain, DomainCheck

    return DomainCheck(
        ApplicabilityDomain(
            "range",
            quantile=recipe.domain_quantile,
            margin=getattr(recipe, "domain_margin", 0.0),
        )
    )


def baselines():
    """The two baselines, by name, each after imputation and scaling."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def prep():
        return [SimpleImputer(strategy="median"), StandardScaler()]

    return {
        "logistic regression": make_pipeline(
            *prep(), LogisticRegression(class_weight="balanced", max_iter=2000)
        ),
        "HistGradientBoosting": make_pipeline(
            *prep(),
            HistGradientBoostingClassifier(class_weight="balanced", random_state=0),
        ),
    }


def roc_auc(y, score, mask=None):
    from sklearn.metrics import roc_auc_score

    if mask is not None:
        y, score = y[mask], score[mask]
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, score))


def positive_proba(model, X):
    """Probability of the positive class (label 1) from a fitted classifier."""
    proba = model.predict_proba(X)
    classes = list(getattr(model, "classes_", [0, 1]))
    return proba[:, classes.index(1)]


def _subset_mask(cells, rule):
    mask = np.ones(len(cells), dtype=bool)
    for column, values in rule.items():
        mask &= cells[column].astype(str).isin([str(v) for v in values]).to_numpy()
    return mask


def grouped_cv(
    recipe, X, y, y_fit, cells, n_splits, seed, *, extra=None, data=None, keep=None
):
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold

    groups = cells[recipe.train.groups].to_numpy()
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = list(cv.split(X, y, groups))
    models = {"this model": make_model(recipe), **baselines()}
    oof = {name: np.full(len(y), np.nan) for name in models}
    flagged = np.zeros(len(y), dtype=bool)
    fold_models, fold_domains = [], []
    X_e, y_e, y_fit_e = extra if extra is not None else (X.iloc[:0], y[:0], y_fit[:0])
    for train, test in folds:
        # other labs' cells join every training fold, never a test fold
        Xtr, Xte = pd.concat([X.iloc[train], X_e], ignore_index=True), X.iloc[test]
        for name, model in models.items():
            if name == "this model":
                ytr = pd.concat([y_fit.iloc[train], y_fit_e], ignore_index=True)
            else:
                ytr = pd.concat([y.iloc[train], y_e], ignore_index=True)
            with warnings.catch_warnings():  # the final fit still warns
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted = clone(model).fit(Xtr, ytr)
            oof[name][test] = positive_proba(fitted, Xte)
            if name == "this model":
                fold_models.append(fitted)
        fold_domains.append(make_domain(recipe).fit(Xtr))
        flagged[test] = ~fold_domains[-1].in_domain(Xte)
    subsets = {k: _subset_mask(cells, rule) for k, rule in recipe.subsets.items()}
    rows = []
    for name in models:
        row = {"model": name, "auc_all": roc_auc(y.to_numpy(), oof[name])}
        for k, mask in subsets.items():
            row[f"auc_{k}"] = roc_auc(y.to_numpy(), oof[name], mask)
        rows.append(row)
    shifts = []
    conversions = data.conversions if data is not None else {}
    for conversion in conversions:
        Xc = data.converted(recipe.train.dataset, recipe, conversion)
        Xc = Xc.loc[keep].reset_index(drop=True)
        score = np.full(len(y), np.nan)
        out = np.zeros(len(y), dtype=bool)
        for (_, test), model, domain in zip(folds, fold_models, fold_domains):
            score[test] = positive_proba(model, Xc.iloc[test])
            out[test] = ~domain.in_domain(Xc.iloc[test])
        row = {"conversion": conversion, "auc_all": roc_auc(y.to_numpy(), score)}
        for k, mask in subsets.items():
            row[f"auc_{k}"] = roc_auc(y.to_numpy(), score, mask)
        row["out_of_domain_fraction"] = float(out.mean())
        shifts.append(row)
    cv = {
        "n_splits": n_splits,
        "groups": recipe.train.groups,
        "rows": rows,
        "subsets": {
            k: f"{int(m.sum())} cells with "
            + " and ".join(f"{c} in {list(v)}" for c, v in recipe.subsets[k].items())
            for k, m in subsets.items()
        },
    }
    return cv, float(flagged.mean()), shifts


