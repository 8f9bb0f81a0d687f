# SPDX-License-Identifier: BSD-3-Clause
"""The shipped pretrained models: listing, loading, integrity, predictions."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ngep
from ngep.datasets import make_neurons
from ngep.exceptions import ModelFileError, NgepError, UnknownModelError
from ngep.io import read_swc, write_swc
from ngep.pretrained import (
    _registry,
    class_column,
    list_pretrained,
    load_pretrained,
    model_card,
    predict_files,
    pretrained_info,
    pretrained_path,
)
from ngep.pretrained._card import render_card
from ngep.pretrained._recipes import RECIPES, Step

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "ngep" / "pretrained" / "models"
REQUIRED = ["gad1-mouse-cortex", "htr3a-mouse-cortex", "pvalb-mouse-cortex",
            "sst-mouse-cortex"]


@pytest.fixture(scope="module")
def neurons(tmp_path_factory):
    """Five synthetic neurons as SWC files (mouse size)."""
    out = tmp_path_factory.mktemp("neurons")
    return make_neurons(5, out_dir=out, random_state=0).paths


def test_the_four_required_models_are_shipped_and_listed_sorted():
    names = list_pretrained()
    assert set(REQUIRED) <= set(names)
    assert names == sorted(names)
    assert set(names) == set(RECIPES)


@pytest.mark.parametrize("name", REQUIRED)
def test_shipped_file_matches_manifest_and_is_small(name):
    info = pretrained_info(name)
    blob = (MODELS / info["file"]).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == info["sha256"]
    assert len(blob) == info["bytes"] < 1_000_000


def _assert_built_from(est, step, name):
    """``est`` is ``step``'s class with ``step``'s parameters (nested too)."""
    cls = type(est)
    assert step.cls.rsplit(".", 1)[1] == cls.__name__, (name, step.cls)
    assert step.cls.split(".")[0] == cls.__module__.split(".")[0]
    params = est.get_params(deep=False)
    for key, value in step.params.items():
        if isinstance(value, Step):
            _assert_built_from(params[key], value, name)
        elif isinstance(value, tuple) and value and isinstance(value[0], Step):
            assert [n for n, _ in params[key]] == [v.name for v in value]
            for (_, est), sub in zip(params[key], value):
                _assert_built_from(est, sub, name)
        else:
            assert params[key] == value, (name, step.name, key)


@pytest.mark.parametrize("name", REQUIRED)
def test_shipped_model_matches_its_recipe(name):
    recipe = RECIPES[name]
    model = load_pretrained(name)
    names = [step for step, _ in model.steps]
    assert names == ["extract", "domain", *(s.name for s in recipe.steps)]
    extract = model.named_steps["extract"]
    assert list(extract.features) == list(recipe.features)
    assert extract.compartment == recipe.compartment
    assert extract.frame == recipe.frame
    assert model.named_steps["domain"].domain_.method == "range"
    assert model.named_steps["domain"].domain_.quantile == recipe.domain_quantile
    assert model.named_steps["domain"].domain_.margin == recipe.domain_margin
    for step in recipe.steps:
        _assert_built_from(model.named_steps[step.name], step, name)
    info = pretrained_info(name)
    assert info["features"] == list(extract.feature_names_)
    assert [s[0] for s in info["steps"]] == names
    # the model was fitted on exactly these features
    assert list(model.named_steps["domain"].feature_names_in_) == info["features"]


@pytest.mark.parametrize("name", REQUIRED)
def test_every_model_loads_and_predicts_probabilities(name, neurons):
    model = load_pretrained(name)
    proba = model.predict_proba(neurons)
    assert proba.shape == (len(neurons), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert list(model.classes_) == pretrained_info(name)["classes"] == [0, 1]
    assert set(model.predict(neurons)) <= {0, 1}


def test_top_level_load_pretrained_is_lazy_and_the_same():
    assert ngep.load_pretrained is load_pretrained
    assert "load_pretrained" in dir(ngep)


def test_info_is_a_fresh_copy_with_the_card_facts():
    info = pretrained_info("pvalb-mouse-cortex")
    info["marker"] = "changed"
    info["metrics"]["grouped_cv"]["rows"].clear()
    again = pretrained_info("pvalb-mouse-cortex")
    assert again["marker"] == "Pvalb"
    rows = again["metrics"]["grouped_cv"]["rows"]
    assert [r["model"] for r in rows] == [
        "this model", "logistic regression", "HistGradientBoosting"]
    assert all(0 <= r["auc_all"] <= 1 for r in rows)
    src = again["label_source"]
    assert src["n_positive"] + src["n_negative"] == src["n_cells"]
    assert "Cre-line reporter" in src["description"]
    json.dumps(again)  # plain data


@pytest.mark.parametrize("name", REQUIRED)
def test_card_says_what_the_model_is_and_is_not_for(name):
    card = model_card(name)
    assert card.startswith(f"# {name}\n")
    for text in ("Cre-line reporter", "Grouped cross-validation",
                 "logistic regression", "HistGradientBoosting", "out_of_domain",
                 "other species, brain regions and labs are untested",
                 "not how much of the marker", "dendrite", *RECIPES[name].not_for):
        assert text in card, text


@pytest.mark.parametrize("name", REQUIRED)
def test_card_has_the_convention_shift_table(name):
    shifts = pretrained_info(name)["metrics"]["convention_shift"]
    names = [row["conversion"] for row in shifts]
    for conversion in ("radii x6", "z shrunk to 0.7", "axon removed",
                       "all combined (no axon removal)"):
        assert conversion in names
    card = model_card(name)
    assert "## Convention shifts" in card
    assert all(f"| {n} |" in card for n in names)


@pytest.mark.parametrize("name", REQUIRED)
def test_docs_cards_are_generated_from_the_manifest(name):
    page = REPO / "docs" / "pretrained" / f"{name}.md"
    assert page.read_text(encoding="utf-8") == render_card(pretrained_info(name)), (
        f"{page} is stale; rebuild with 'python -m ngep.pretrained._build "
        "--data ../shared/data'"
    )


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownModelError, match="Did you mean 'pvalb-mouse-cortex'"):
        load_pretrained("pvalb-mouse")
    with pytest.raises(ValueError, match="Shipped models: gad1-mouse-cortex"):
        pretrained_info("no-such-model")
    with pytest.raises(NgepError):
        model_card("sst")


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A writable copy of the shipped models folder, used instead of it."""
    copy = tmp_path / "models"
    shutil.copytree(MODELS, copy)
    monkeypatch.setattr(_registry, "_models_dir", lambda: copy)
    return copy


def test_a_corrupted_file_fails_its_checksum(models_copy):
    path = models_copy / pretrained_info("sst-mouse-cortex")["file"]
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="corrupted .*reinstall ngep"):
        load_pretrained("sst-mouse-cortex")
    with pytest.raises(ValueError):
        pretrained_path("sst-mouse-cortex")
    assert load_pretrained("gad1-mouse-cortex") is not None  # others still load


def test_a_missing_file_or_manifest_is_a_clear_error(models_copy):
    (models_copy / pretrained_info("gad1-mouse-cortex")["file"]).unlink()
    with pytest.raises(ModelFileError, match="is missing"):
        load_pretrained("gad1-mouse-cortex")
    (models_copy / "manifest.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="manifest .* corrupted"):
        list_pretrained()


def test_models_are_package_data():
    from setuptools.config.setupcfg import read_configuration

    config = read_configuration(REPO / "setup.cfg")
    patterns = config["options"]["package_data"]["ngep.pretrained"]
    shipped = {p.name for p in MODELS.iterdir()}
    matched = {p.name for pat in patterns for p in MODELS.parent.glob(pat)}
    assert shipped <= matched, f"not in setup.cfg's package_data: {shipped - matched}"


def test_loads_outside_the_repository_without_shared_data(tmp_path, neurons):
    """A fresh process, run from elsewhere, with ../shared out of reach."""
    code = (
        "import sys, ngep\n"
        "from ngep.pretrained import list_pretrained, predict_files\n"
        "for name in list_pretrained():\n"
        "    t = predict_files(name, sys.argv[1:])\n"
        "    assert (t['status'] == 'ok').all(), t\n"
        "print(len(list_pretrained()))\n"
    )
    env = {"PYTHONPATH": str(REPO), "NGEP_SHARED": str(tmp_path / "nothing"),
           "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code, *neurons], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) >= 4


def test_predict_files_columns_and_failed_files_keep_their_row(neurons, tmp_path):
    bad = tmp_path / "broken.swc"
    bad.write_text("1 1 0 0 0 1 -1\n2 3 0 0 nope 1 1\n")
    table = predict_files("pvalb-mouse-cortex", [*neurons[:2], bad])
    assert list(table.columns) == [
        "file", "path", "status", "predicted_Pvalb", "proba_0", "proba_1",
        "used_axon", "out_of_domain", "out_of_domain_reason"]
    assert table["status"].tolist()[:2] == ["ok", "ok"]
    assert table["status"][2].startswith("failed: ")
    assert np.isnan(table["proba_1"][2]) and table["out_of_domain"].isna()[2]
    np.testing.assert_allclose(
        table["proba_1"][:2],
        load_pretrained("pvalb-mouse-cortex").predict_proba(neurons[:2])[:, 1],
    )


def test_predict_files_cache_dir_serves_a_second_call(neurons, tmp_path,
                                                      monkeypatch):
    from ngep.transformers import _batch

    reads = []
    real_read = _batch.read_morphology
    monkeypatch.setattr(_batch, "read_morphology",
                        lambda path, **kw: reads.append(path) or real_read(path, **kw))
    cache = tmp_path / "cache"
    first = predict_files("pvalb-mouse-cortex", neurons[:3], cache_dir=cache)
    assert len(reads) == 3 and any(cache.iterdir())
    again = predict_files("pvalb-mouse-cortex", neurons[:3], cache_dir=cache)
    assert len(reads) == 3  # all three from the cache
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(
        predict_files("pvalb-mouse-cortex", neurons[:3]), first)
    assert len(reads) == 6  # no cache_dir: the shipped model has none


def test_out_of_domain_reason_names_the_measurements(neurons, tmp_path):
    first = predict_files("sst-mouse-cortex", neurons)
    inside = [p for p, f in zip(neurons, first["out_of_domain"]) if not f]
    assert inside, "no synthetic neuron inside the domain to start from"
    assert (first["out_of_domain_reason"] == "").tolist() == (
        ~first["out_of_domain"]).tolist()  # fmt: skip
    cell = read_swc(inside[0])
    big = type(cell)(cell.xyz * 30, cell.radius, cell.types, cell.parent)
    path = tmp_path / "thirty_times.swc"
    write_swc(big, path)
    table = predict_files("sst-mouse-cortex", [inside[0], path])
    assert table["out_of_domain"].tolist() == [False, True]
    reason = table["out_of_domain_reason"][1]
    assert "above the training range" in reason
    assert "dendrite__total_length" in reason or "distance" in reason
    assert table["out_of_domain_reason"][0] == ""


def test_predict_files_accepts_a_model_file_and_rejects_non_swc_pipelines(
    neurons, tmp_path
):
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "copy.ngep-portable"
    shutil.copy(pretrained_path("gad1-mouse-cortex"), path)
    by_file = predict_files(path, neurons[:1])
    by_name = predict_files("gad1-mouse-cortex", neurons[:1])
    # a file does not know the shipped name, so its column is plain "predicted"
    by_file = by_file.rename(columns={"predicted": "predicted_Gad1"})
    assert by_file.drop(columns="path").equals(by_name.drop(columns="path"))
    with pytest.raises(TypeError, match="not an ngep SWC pipeline"):
        predict_files(LogisticRegression(), neurons[:1])
    with pytest.raises(TypeError, match="wrap one in a list"):
        predict_files("gad1-mouse-cortex", neurons[0])
    with pytest.raises(UnknownModelError):
        predict_files("gad1-mouse", neurons[:1])


@pytest.mark.parametrize(
    "cls, expected",
    [(1, "proba_1"), (1.0, "proba_1"), (np.float32(0.0), "proba_0"),
     (np.int64(3), "proba_3"), (True, "proba_True"), ("Pvalb+", "proba_Pvalb+"),
     (0.5, "proba_0.5")],
)
def test_class_column_names_the_class_as_written(cls, expected):
    assert class_column(cls) == expected


def test_user_guide_page_snippets_run():
    import doctest

    result = doctest.testfile(
        str(REPO / "docs" / "user_guide" / "pretrained.rst"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted >= 8
    assert result.failed == 0
