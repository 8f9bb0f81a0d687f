# SPDX-License-Identifier: BSD-3-Clause
"""compare_groups: inputs, errors, reports of what was not tested, plots."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from ngep.datasets import make_neurons
from ngep.exceptions import ComparisonError, NgepError, NgepWarning
from ngep.inspection import (
    compare_groups,
    extract_groups,
    plot_top_features,
    plot_volcano,
)


def frame(sizes=(8, 9), seed=0, shift=1.0):
    rng = np.random.default_rng(seed)
    parts = [
        pd.DataFrame({"cohort": name, "length": rng.normal(k * shift, 1, n),
                      "stems": rng.poisson(4, n), "flag": rng.random(n) < 0.5})
        for k, (name, n) in enumerate(zip("abcdefg", sizes))
    ]
    return pd.concat(parts, ignore_index=True)


def test_a_mapping_of_tables_equals_one_table_with_a_group_column():
    data = frame()
    by_column = compare_groups(data, "cohort", random_state=0, n_bootstrap=200)
    mapping = {g: d.drop(columns="cohort") for g, d in data.groupby("cohort")}
    by_mapping = compare_groups(mapping, random_state=0, n_bootstrap=200)
    pd.testing.assert_frame_equal(by_column, by_mapping)
    assert list(by_column.feature) == ["length", "stems", "flag"]  # bools compared


def test_groups_order_subset_and_reference():
    data = frame(sizes=(6, 7, 8))
    all_pairs = compare_groups(data, "cohort", features=["length"], n_bootstrap=0)
    assert list(zip(all_pairs.group_a, all_pairs.group_b)) == [
        ("a", "b"), ("a", "c"), ("b", "c")]
    ref = compare_groups(data, "cohort", features=["length"], reference="c",
                         n_bootstrap=0)
    assert list(zip(ref.group_a, ref.group_b)) == [("c", "a"), ("c", "b")]
    sub = compare_groups(data, "cohort", features="length", groups=["c", "a"],
                         n_bootstrap=0)
    assert list(zip(sub.group_a, sub.group_b)) == [("c", "a")]
    # swapping the groups flips the sign of delta and keeps the p-value
    assert sub.effect_size[0] == pytest.approx(-all_pairs.effect_size[1])
    assert sub.p_value[0] == pytest.approx(all_pairs.p_value[1])


def test_effect_is_positive_when_group_b_is_larger_and_ci_contains_it():
    result = compare_groups(frame(sizes=(30, 30), shift=2.0), "cohort",
                            features=["length"], random_state=0)
    row = result.iloc[0]
    assert row.effect_size > 0.7 and row.median_b > row.median_a
    assert row.ci_low <= row.effect_size <= row.ci_high <= 1.0
    assert row.q_value < 1e-4


@pytest.mark.parametrize("sizes, name", [((2, 8), "'a' has 2"), ((8, 1), "'b' has 1")])
def test_groups_under_three_neurons_raise(sizes, name):
    with pytest.raises(ComparisonError, match=name) as info:
        compare_groups(frame(sizes=sizes), "cohort")
    assert isinstance(info.value, ValueError) and isinstance(info.value, NgepError)
    assert "at least 3 neurons" in str(info.value)


@pytest.mark.parametrize("kwargs, match", [
    ({"group_column": "grp"}, "group_column 'grp' not in the table"),
    ({"group_column": "cohort", "features": ["lenght"]}, "'lenght' not in the table"),
    ({"group_column": "cohort", "donor_column": "mouse"}, "donor_column 'mouse'"),
    ({"group_column": "cohort", "groups": ["a", "z"]}, r"groups \['z'\] have no"),
    ({"group_column": "cohort", "groups": ["a"]}, "at least two groups"),
    ({"group_column": "cohort", "reference": "z"}, "reference='z'"),
    ({"group_column": None}, "needs group_column"),
    ({"group_column": "cohort", "test": "ttest"}, "test must be one of"),
    ({"group_column": "cohort", "confidence": 95}, "between 0 and 1"),
])
def test_bad_arguments_raise_comparison_errors(kwargs, match):
    with pytest.raises(ComparisonError, match=match):
        compare_groups(frame(), **kwargs)


def test_non_numeric_feature_is_refused():
    data = frame().assign(layer="L2/3")
    with pytest.raises(ComparisonError, match="not numeric"):
        compare_groups(data, "cohort", features=["layer"])
    # the default leaves it out
    assert "layer" not in set(compare_groups(data, "cohort", n_bootstrap=0).feature)


def test_constant_and_sparse_features_are_reported_not_fatal():
    data = frame(sizes=(10, 10)).assign(axon_stems=1.0)
    data["rare"] = np.nan
    data.loc[[0, 1, 15, 16, 17], "rare"] = 1.0  # 2 values in group a
    with pytest.warns(NgepWarning, match="constant .* not tested: \\['axon_stems'\\]"):
        result = compare_groups(data, "cohort", n_bootstrap=0).set_index("feature")
    assert result.loc["axon_stems", "note"] == "not tested: constant in both groups"
    assert np.isnan(result.loc["axon_stems", ["p_value", "q_value"]]).all()
    assert result.loc["axon_stems", "effect_size"] == 0.0
    assert "fewer than 3 values" in result.loc["rare", "note"]
    assert (result.loc["rare", "n_a"], result.loc["rare", "n_b"]) == (2, 3)
    assert np.isfinite(result.loc["length", "q_value"])
    # the untested rows are out of the BH family: 3 tested rows
    from scipy.stats import false_discovery_control

    tested = result.dropna(subset=["p_value"])
    assert len(tested) == 3
    np.testing.assert_allclose(tested.q_value, false_discovery_control(tested.p_value))


def test_donors_must_be_nested_and_are_counted():
    data = frame(sizes=(12, 12))
    data["mouse"] = np.r_[np.repeat([1, 2, 3, 4], 3), np.repeat([5, 6, 7, 8], 3)]
    with pytest.warns(NgepWarning, match="only 70 ways"):
        result = compare_groups(data, "cohort", donor_column="mouse",
                                random_state=0, n_bootstrap=300)
    assert set(result.test) == {"donor permutation"}
    assert set(result.n_donors_a) == {4} and set(result.n_donors_b) == {4}
    data.loc[0, "mouse"] = 5
    with pytest.raises(ComparisonError, match=r"\[.5.\] have neurons in both"):
        compare_groups(data, "cohort", donor_column="mouse")


def test_few_donors_warn_about_the_smallest_p_value():
    data = frame(sizes=(9, 9))
    data["mouse"] = np.repeat([1, 2, 3, 4, 5, 6], 3)
    with pytest.warns(NgepWarning, match="only 20 ways .* below 0.1"):
        compare_groups(data, "cohort", donor_column="mouse", n_bootstrap=0)


def test_mannwhitneyu_with_donors_warns_that_neurons_are_not_independent():
    data = frame(sizes=(9, 9)).assign(mouse=np.arange(18) // 3)
    with pytest.warns(NgepWarning, match="treats neurons as independent"):
        compare_groups(data, "cohort", donor_column="mouse", test="mannwhitneyu",
                       n_bootstrap=0)


def test_donor_bootstrap_is_wider_than_neuron_bootstrap_for_clustered_data():
    rng = np.random.default_rng(0)
    donors = np.repeat(np.arange(10), 10)
    x = rng.normal(size=10)[donors] * 2 + rng.normal(size=100) * 0.3
    data = pd.DataFrame({"g": np.where(donors < 5, "a", "b"), "m": donors, "x": x})
    kw = dict(random_state=0, n_bootstrap=1000)
    naive = compare_groups(data, "g", test="mannwhitneyu", **kw).iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NgepWarning)
        donor = compare_groups(data, "g", donor_column="m", **kw).iloc[0]
    assert donor.ci_high - donor.ci_low > 1.5 * (naive.ci_high - naive.ci_low)
    assert donor.p_value > naive.p_value


def test_model_predictions_are_compared_like_features():
    from sklearn.linear_model import LogisticRegression

    data = frame(sizes=(20, 20), shift=2.0)
    X = data[["length", "stems"]]
    model = LogisticRegression().fit(X, data.cohort == "b")
    result = compare_groups(data, "cohort", features=["length"], model=model,
                            n_bootstrap=0)
    assert list(result.feature) == ["length", "predicted__True"]
    assert result.effect_size[1] > 0.5


@pytest.fixture(scope="module")
def swc_groups(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neurons")
    paths = make_neurons(8, class_weights={"Pvalb": 1}, out_dir=folder,
                         random_state=0).paths
    bad = folder / "broken.swc"
    bad.write_text("1 1 0 0 0 1 -1\n2 3 0 0 0 1 7\n")
    return {"control": paths[:4], "treated": [*paths[4:], str(bad)]}


def test_extract_groups_reports_failures_and_leaves_them_out(swc_groups):
    features, failures = extract_groups(swc_groups)
    assert features.group.value_counts().to_dict() == {"control": 4, "treated": 4}
    assert failures.shape[0] == 1
    assert failures.group[0] == "treated" and failures.path[0].endswith("broken.swc")
    assert "parent" in failures.reason[0]


def test_compare_groups_on_swc_files_warns_about_excluded_files(swc_groups):
    with pytest.warns(NgepWarning, match=r"1 SWC file\(s\) could not .*'treated': 1"):
        result = compare_groups(swc_groups, n_bootstrap=0)
    assert set(result.n_a) == {4} and set(result.n_b) == {4}
    assert "dendrite__total_length" in set(result.feature)


def test_plots_draw_and_import_matplotlib_lazily():
    import matplotlib.pyplot as plt

    data = frame(sizes=(10, 10, 10))
    result = compare_groups(data, "cohort", n_bootstrap=0)
    ax = plot_volcano(result, label_top=2)
    assert ax.get_xlabel() == "Cliff's delta (group_b vs group_a)"
    assert len(ax.texts) == 2
    axes = plot_top_features(result, data, "cohort", n_top=2)
    assert len(axes) == 2 and axes[0].get_title().startswith("length")
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["a", "b", "c"]
    plt.close("all")
    with pytest.raises(ComparisonError, match="lacks column"):
        plot_volcano(result.drop(columns="q_value"))
    code = ("import sys, ngep.inspection; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_model_taking_swc_files_gets_the_files_that_were_featurised(swc_groups):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ngep.transformers import MorphologyExtractor

    good = swc_groups["control"] + swc_groups["treated"][:-1]
    model = make_pipeline(MorphologyExtractor(), StandardScaler(),
                          LogisticRegression()).fit(
        good, [0, 1] * 4)
    with pytest.warns(NgepWarning, match="could not be featurised"):
        result = compare_groups(swc_groups, n_bootstrap=0, model=model,
                                extractor=MorphologyExtractor())
    assert list(result.feature)[-1] == "predicted__1"
    assert result.n_b.iloc[-1] == 4  # the broken file is not predicted
