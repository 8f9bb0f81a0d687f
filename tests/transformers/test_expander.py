# SPDX-License-Identifier: BSD-3-Clause
"""FeatureExpander: definitions, column matching, NaN policy, sklearn contract."""

import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ngep.morphometrics import BASE_FEATURES, FEATURES
from ngep.transformers import FeatureExpander, expansion_table
from ngep.transformers._expander import EXPANSIONS, INPUTS, SYMBOLS, Expansion

DOCS = Path(__file__).resolve().parents[2] / "docs" / "user_guide"
EXTRACTOR_NAMES = [
    "dendrite__total_length",
    "dendrite__n_branch_points",
    "dendrite__n_stems",
    "dendrite__max_path_distance",
    "soma__radius",
]

# A neuron whose engineered features are easy to check by hand:
# L=1000 µm, B=10, S=4, P=250 µm, R=5 µm.
CELL = np.array([[1000.0, 10.0, 4.0, 250.0, 5.0]])
GOLDEN = {
    "log_total_length": np.log(1001.0),
    "log_n_branch_points": np.log(11.0),
    "log_n_stems": np.log(5.0),
    "log_max_path_distance": np.log(251.0),
    "log_soma_radius": np.log(6.0),
    "log_n_tips": np.log(15.0),
    "mean_branch_length": 1000.0 / 24.0,
    "length_per_stem": 250.0,
    "branch_points_per_stem": 2.5,
    "branch_density": 1.0,
    "reach_ratio": 0.25,
    "soma_to_reach": 0.02,
    "sections_on_longest_path": 6.0,
    "stem_tree_fill": 1.0,
}


def _cells(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            rng.uniform(300, 6000, n),
            rng.integers(0, 60, n),
            rng.integers(1, 10, n),
            rng.uniform(50, 600, n),
            rng.uniform(2, 12, n),
        ]
    )


# --- the single definition table -------------------------------------------------


def test_fourteen_unique_features_with_docs():
    names = [e.name for e in EXPANSIONS]
    assert len(names) == 14 == len(set(names))
    table = expansion_table()
    assert list(table.index) == names
    assert list(table.columns) == ["inputs", "formula", "unit", "rationale"]
    assert all(len(r) > 20 for r in table["rationale"])


def test_expansions_are_declared_by_catalogue_names():
    # the expander reads exactly the catalogue's base measurements, derived from
    # the declarations (no list of its own), and every formula letter is one
    assert INPUTS == BASE_FEATURES
    assert set(SYMBOLS) == set(INPUTS)
    for e in EXPANSIONS:
        assert set(e.inputs) <= set(FEATURES)
        letters = {SYMBOLS[f] for f in e.inputs}
        assert letters == set(re.findall(r"[A-Z]", e.formula)), e.name
    with pytest.raises(ValueError, match="Did you mean 'n_stems'"):
        Expansion("x", ("n_stem",), np.log1p, "log1p(S)", "1", "")


def test_an_expansion_is_one_entry(monkeypatch):
    # a new expansion over another catalogue feature: one declaration, and the
    # inputs, column matching, names and table follow
    from ngep.transformers import _expander

    extra = Expansion("log_n_tips_measured", ("n_tips",), np.log1p, "log1p(T)",
                      "log count", "Tips counted, not estimated from B + S.")
    expansions = (*EXPANSIONS, extra)
    inputs, args = _expander._layout(expansions)
    monkeypatch.setattr(_expander, "EXPANSIONS", expansions)
    monkeypatch.setattr(_expander, "INPUTS", inputs)
    monkeypatch.setattr(_expander, "_ARGS", args)
    df = pd.DataFrame(np.c_[CELL, [[7.0]]],
                      columns=[*EXTRACTOR_NAMES, "dendrite__n_tips"])
    ex = FeatureExpander().fit(df)
    assert ex.input_columns_[-1] == "dendrite__n_tips"
    assert ex.get_feature_names_out()[-1] == "log_n_tips_measured"
    assert ex.transform(df)[0, -1] == pytest.approx(np.log1p(7.0))
    assert "log_n_tips_measured" in _expander.expansion_table().index


def test_golden_values_cover_every_feature():
    assert set(GOLDEN) == {e.name for e in EXPANSIONS}
    ex = FeatureExpander().fit(CELL)
    got = dict(zip(ex.get_feature_names_out(), ex.transform(CELL)[0]))
    for name, expected in GOLDEN.items():
        assert_allclose(got[name], expected, rtol=1e-12, err_msg=name)


def test_docs_table_is_generated_from_definitions():
    # The page includes the table that docs/conf.py writes from expansion_table()
    # at build time, so it cannot drift from the definitions.
    page = (DOCS / "feature_expansion.rst").read_text(encoding="utf-8")
    assert ".. include:: ../_gen/expansion.rst" in page
    conf = (DOCS.parent / "conf.py").read_text(encoding="utf-8")
    assert 'expansion_table(format="rst")' in conf
    assert "Engineered features" in expansion_table(format="rst")


def test_expansion_table_rejects_unknown_format():
    with pytest.raises(ValueError, match="'dataframe' or 'rst'"):
        expansion_table(format="html")


# --- input formats ---------------------------------------------------------------


def test_dataframe_names_match_extractor_output_in_any_order():
    X = _cells()
    df = pd.DataFrame(X, columns=EXTRACTOR_NAMES)
    shuffled = df[EXTRACTOR_NAMES[::-1]]
    expected = FeatureExpander().fit_transform(X)
    assert_allclose(FeatureExpander().fit_transform(shuffled), expected)
    ex = FeatureExpander().fit(shuffled)
    assert list(ex.input_columns_) == EXTRACTOR_NAMES
    assert list(ex.input_indices_) == [4, 3, 2, 1, 0]


def test_exact_names_and_suffix_names_match():
    X = _cells()
    exact = pd.DataFrame(X, columns=list(BASE_FEATURES))
    suffix = pd.DataFrame(X, columns=[f"basal__{b}" for b in BASE_FEATURES])
    for df in (exact, suffix):
        assert_allclose(
            FeatureExpander().fit_transform(df), FeatureExpander().fit_transform(X)
        )


def test_dendrite_prefix_preferred_over_other_compartments():
    X = _cells()
    df = pd.DataFrame(X, columns=EXTRACTOR_NAMES)
    df["axon__total_length"] = 1e6
    df["all__n_stems"] = 99.0
    assert_allclose(
        FeatureExpander().fit_transform(df), FeatureExpander().fit_transform(X)
    )


def test_ambiguous_and_missing_columns_are_named():
    df = pd.DataFrame(_cells(), columns=EXTRACTOR_NAMES)
    missing = df.drop(columns=["soma__radius"])
    with pytest.raises(
        ValueError, match=r"missing columns for \['soma_radius'\]"
    ) as err:
        FeatureExpander().fit(missing)
    assert "dendrite__n_stems" in str(err.value)  # lists what was found
    amb = df.rename(columns={"dendrite__n_stems": "basal__n_stems"})
    amb["apical__n_stems"] = 1.0
    with pytest.raises(ValueError, match="several columns match"):
        FeatureExpander().fit(amb)
    # an explicit map resolves it
    ex = FeatureExpander(columns={"n_stems": "basal__n_stems"}).fit(amb)
    assert ex.input_columns_[2] == "basal__n_stems"
    with pytest.raises(ValueError, match="not base measurements"):
        FeatureExpander(columns={"stems": "basal__n_stems"}).fit(amb)
    with pytest.raises(ValueError, match="columns\\['n_stems'\\]='nope'"):
        FeatureExpander(columns={"n_stems": "nope"}).fit(amb)


def test_passthrough():
    X = _cells(10)
    df = pd.DataFrame(X, columns=EXTRACTOR_NAMES)
    df["dendrite__n_tips"] = -1.0  # other columns may be negative (not checked)
    out = FeatureExpander().fit_transform(df)
    assert out.shape == (10, 14)
    ex = FeatureExpander(passthrough=True).fit(df)
    out = ex.transform(df)
    assert out.shape == (10, 15)
    assert ex.get_feature_names_out()[-1] == "dendrite__n_tips"
    assert_array_equal(out[:, -1], -1.0)
    X6 = np.hstack([X, np.ones((10, 1))])
    with pytest.raises(ValueError, match="passthrough=True"):
        FeatureExpander().fit(X6)
    ex = FeatureExpander(passthrough=True).fit(X6)
    assert ex.get_feature_names_out()[-1] == "x5"
    assert ex.transform(X6).shape == (10, 15)


def test_set_output_pandas_keeps_index():
    df = pd.DataFrame(_cells(5), columns=EXTRACTOR_NAMES, index=list("abcde"))
    out = FeatureExpander().set_output(transform="pandas").fit_transform(df)
    assert list(out.columns) == [e.name for e in EXPANSIONS]
    assert list(out.index) == list("abcde")


# --- zeros, NaN, negative, inf ---------------------------------------------------


def test_degenerate_neurons_give_nan_not_inf():
    X = np.array(
        [
            [0.0, 0.0, 0.0, 0.0, 0.0],  # empty dendrite, radius 0
            [500.0, 0.0, 0.0, 0.0, 5.0],  # length but no stems (broken input)
            [0.0, 0.0, 1.0, 0.0, 5.0],  # one zero-length stem
        ]
    )
    out = pd.DataFrame(
        FeatureExpander().fit_transform(X), columns=[e.name for e in EXPANSIONS]
    )
    assert not np.isinf(out.to_numpy()).any()
    logs = [c for c in out.columns if c.startswith("log_")]
    assert not out[logs].isna().any().any()  # log1p(0) = 0
    assert out.loc[0, "mean_branch_length"] != out.loc[0, "mean_branch_length"]
    assert np.isnan(out.loc[1, "length_per_stem"])
    assert np.isnan(out.loc[2, "branch_density"])
    assert out.loc[2, "branch_points_per_stem"] == 0.0


def test_nan_propagates_only_to_features_using_it():
    X = _cells(3)
    X[0, 4] = np.nan  # soma radius unknown
    out = FeatureExpander().fit_transform(X)
    nan_cols = {e.name for e, v in zip(EXPANSIONS, out[0]) if np.isnan(v)}
    assert nan_cols == {"log_soma_radius", "soma_to_reach"}
    assert not np.isnan(out[1:]).any()


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.just(5)),
        elements=st.one_of(
            st.just(0.0),
            st.just(np.nan),
            st.just(5e-324),  # subnormal denominators overflow: must give NaN
            st.floats(0, 1e7, allow_nan=False),
        ),
    )
)
def test_never_inf(X):
    out = FeatureExpander().fit_transform(X)
    assert not np.isinf(out).any()
    assert out.shape == (X.shape[0], 14)


def test_negative_and_inf_inputs_raise():
    X = _cells(4)
    X[1, 2] = -1
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        FeatureExpander().fit(X)
    ex = FeatureExpander().fit(_cells(4))
    with pytest.raises(ValueError, match="Negative values"):
        ex.transform(X)
    X[1, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        FeatureExpander().fit(X)


# --- estimator contract ----------------------------------------------------------

# scikit-learn's common checks: tests/test_common.py (with the checks this
# fixed-width transformer cannot pass, and why); its contract on 5-column data:


def test_contract_on_five_column_data():
    X = _cells(30)
    ex = FeatureExpander()
    with pytest.raises(NotFittedError):
        ex.transform(X)
    assert ex.fit(X) is ex  # fit returns self
    assert clone(ex).get_params() == ex.get_params()
    out = ex.transform(X)
    assert out.dtype == np.float64 and out.shape == (30, 14)
    # stateless and idempotent; rows independent of each other and of order
    assert_array_equal(ex.fit(X).transform(X), out)
    assert_array_equal(FeatureExpander().fit(X[:5]).transform(X), out)
    assert_array_equal(ex.transform(X[::-1]), out[::-1])
    assert_array_equal(ex.transform(X[7:9]), out[7:9])
    # read-only, F-ordered, object and list inputs
    ro = X.copy(order="F")
    ro.setflags(write=False)
    assert_array_equal(ex.transform(ro), out)
    assert_array_equal(ex.transform(X.astype(object)), out)
    assert_array_equal(ex.transform(X.tolist()), out)
    # wrong width at transform time names the problem
    with pytest.raises(ValueError, match="5 features"):
        ex.transform(X[:, :4])
    # pickle round-trip and portable attributes (ngep.persistence protocol)
    again = pickle.loads(pickle.dumps(ex))
    assert_array_equal(again.transform(X), out)
    for attr in ("n_features_in_", "input_columns_", "input_indices_"):
        assert attr in FeatureExpander._portable_attrs and hasattr(ex, attr)
    # in a pipeline
    y = np.log(X[:, 0])
    pipe = make_pipeline(FeatureExpander(), StandardScaler(), Ridge()).fit(X, y)
    assert pipe.score(X, y) > 0.9


def test_ignored_columns_may_be_non_numeric():
    df = pd.DataFrame(_cells(4), columns=EXTRACTOR_NAMES)
    df.insert(0, "file", [f"cell{i}.swc" for i in range(4)])
    out = FeatureExpander().fit_transform(df)
    assert out.dtype == np.float64 and out.shape == (4, 14)
    with pytest.raises(ValueError, match="could not convert"):
        FeatureExpander(passthrough=True).fit(df)
