# SPDX-License-Identifier: BSD-3-Clause
"""Batch fault tolerance and resume ("Reliability"): a bad file costs one row."""

import os
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ngep.exceptions import FeatureExtractionWarning
from ngep.io import write_swc
from ngep.transformers import MorphologyExtractor, _batch

CORRUPTIONS = {
    # a line broken in two: "3" alone, then 6 columns (extra columns would be legal)
    "wrong_columns": lambda text: text.replace("\n3 ", "\n3\n", 1),
    "missing_parent": lambda text: text.rstrip("\n").rsplit(" ", 1)[0] + " 99999\n",
    "garbage": lambda text: "\x00\xff not an swc file \x01\n" * 5,
    "empty": lambda text: "",
    "decimal_comma": lambda text: text.replace(".", ",", 40),
    # cut mid-file, ending in a short line (a cut that happens to end on a whole
    # line leaves a valid, smaller SWC file: no reader can tell)
    "truncated": lambda text: text[: len(text) // 2] + "\n7 3 1.5",
}


N_FILES = 1000


@pytest.fixture
def corpus(tmp_path, request, make_neuron):
    """1,000 files: 5 % corrupted, 2 missing, 2 unreadable; returns (paths, bad)."""
    random_neuron = make_neuron

    rng = np.random.default_rng(0)
    paths, bad = [], {}
    kinds = list(CORRUPTIONS)
    corrupt = set(rng.choice(N_FILES, size=N_FILES // 20, replace=False).tolist())
    for i in range(N_FILES):
        path = tmp_path / f"n{i:04d}.swc"
        write_swc(random_neuron(i % 17, n_sections=4), path)
        if i in corrupt:
            kind = kinds[len(bad) % len(kinds)]
            text = path.read_text()
            path.write_bytes(CORRUPTIONS[kind](text).encode("latin-1"))
            bad[i] = kind
        paths.append(str(path))
    for i in (17, 750):  # missing
        os.remove(paths[i])
        bad[i] = "missing"
    for i in (33, 999):  # unreadable: chmod 000, or a folder when root reads all
        os.remove(paths[i])
        if os.geteuid() == 0:
            os.mkdir(paths[i])
        else:
            write_swc(random_neuron(0), paths[i])
            os.chmod(paths[i], 0)
            request.addfinalizer(lambda p=paths[i]: os.chmod(p, 0o600))
        bad[i] = "unreadable"
    return paths, bad


def _extract_with_warnings(paths, n_jobs):
    est = MorphologyExtractor(errors="warn", n_jobs=n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, failures = est.fit(paths).transform_with_failures(paths)
    messages = [str(w.message) for w in caught
                if issubclass(w.category, FeatureExtractionWarning)]
    return X, failures, messages


def test_corrupted_batch(corpus):
    paths, bad = corpus
    good = [i for i in range(len(paths)) if i not in bad]
    clean = MorphologyExtractor().fit_transform([paths[i] for i in good])
    X, report, messages = _extract_with_warnings(paths, n_jobs=1)
    assert X.shape == (N_FILES, clean.shape[1])  # no row dropped
    assert_array_equal(X[good], clean)  # good rows exactly as in a clean run
    assert np.isnan(X[sorted(bad)]).all()
    assert report["index"].tolist() == sorted(bad)
    assert report["path"].tolist() == [paths[i] for i in sorted(bad)]
    assert all(report["reason"].str.len() > 0)
    assert len(messages) == len(bad)
    for i, message in zip(sorted(bad), messages):
        assert os.path.basename(paths[i]) in message
    errors = dict(zip(report["index"], report["error"]))
    assert {errors[i] for i, k in bad.items() if k == "missing"} == {
        "FileNotFoundError"}
    assert {errors[i] for i, k in bad.items() if k not in (
        "missing", "unreadable")} == {"SWCFormatError"}
    # two worker processes: the same matrix, report and warnings
    X2, report2, messages2 = _extract_with_warnings(paths, n_jobs=2)
    assert_array_equal(X2, X)
    assert report2.equals(report)
    assert messages2 == messages


def test_resume_from_cache(swc_paths, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    reads = []
    real_read = _batch.read_morphology

    def counting_read(path, **kwargs):
        reads.append(os.path.basename(path))
        if len(reads) == 4 and interrupt:
            raise KeyboardInterrupt  # the user presses Ctrl-C mid-extraction
        return real_read(path, **kwargs)

    monkeypatch.setattr(_batch, "read_morphology", counting_read)
    est = MorphologyExtractor("extended", cache_dir=cache)
    interrupt = True
    with pytest.raises(KeyboardInterrupt):
        est.fit_transform(swc_paths)
    assert len(reads) == 4  # three files finished and cached
    interrupt = False
    reads.clear()
    X = est.transform(swc_paths)
    assert reads == [os.path.basename(p) for p in swc_paths[3:]]  # resumed
    reads.clear()
    assert_array_equal(est.transform(swc_paths), X)  # all from cache now
    assert reads == []
    monkeypatch.setattr(_batch, "read_morphology", real_read)
    assert_array_equal(MorphologyExtractor("extended").fit_transform(swc_paths), X)


def test_cache_invalidated_by_change(swc_paths, tmp_path, make_neuron):
    random_neuron = make_neuron

    cache = tmp_path / "cache"
    est = MorphologyExtractor(cache_dir=cache).fit(swc_paths)
    before = est.transform(swc_paths)
    write_swc(random_neuron(99), swc_paths[0])  # new content, size, mtime
    st = os.stat(swc_paths[0])
    os.utime(swc_paths[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    after = est.transform(swc_paths)
    assert not np.array_equal(before[0], after[0])
    assert_array_equal(before[1:], after[1:])
    fresh = MorphologyExtractor().fit_transform(swc_paths[:1])
    assert_array_equal(after[:1], fresh)
    # other settings never share entries
    other = MorphologyExtractor(["total_length"], cache_dir=cache).fit_transform(
        swc_paths)
    assert_array_equal(other[:, 0], after[:, 0])


def test_corrupt_cache_entry_is_a_miss(swc_paths, tmp_path):
    cache = tmp_path / "cache"
    est = MorphologyExtractor(cache_dir=cache).fit(swc_paths)
    expected = est.transform(swc_paths)
    for entry in cache.rglob("*.json"):
        entry.write_text("{truncated")
    assert_array_equal(est.transform(swc_paths), expected)


def test_a_batch_keeps_its_rows_in_one_array(tmp_path, make_neuron):
    """Per-file row arrays kept alive between parses fragment the C heap."""
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"n{i}.swc")
        write_swc(make_neuron(i), paths[-1])
    paths.insert(2, tmp_path / "missing.swc")
    ext = MorphologyExtractor("base", errors="warn").fit(paths)
    batch = _batch.extract_batch(paths, [None] * 6, 10, ext._batch_plan())
    assert batch.start == 10 and batch.rows.shape == (6, 5)
    assert np.isnan(batch.rows[2]).all()
    assert not np.isnan(np.delete(batch.rows, 2, axis=0)).any()
    # only the failed file has a note (no warnings from the good ones)
    notes = [(i, failure[0]) for i, failure, _ in batch.notes]
    assert notes == [(12, "FileNotFoundError")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeatureExtractionWarning)
        assert_array_equal(batch.rows, ext.transform(paths))


@pytest.mark.skipif(not hasattr(Exception, "add_note"), reason="notes: Python 3.11+")
def test_a_computing_error_names_its_file_with_errors_raise(tmp_path, make_neuron):
    """The reader names the file in its errors; a feature's error gets a note."""
    from ngep.exceptions import InvalidInputError
    from ngep.io import Morphology

    good = tmp_path / "good.swc"
    write_swc(make_neuron(0), good)
    far = tmp_path / "far.swc"  # 3e9 µm: the reader's bounds, not micrometres
    write_swc(Morphology([[0, 0, 0], [0, 5, 0], [0, 3e9, 0]], [5, 1, 1],
                         [1, 3, 3], [-1, 0, 1]), far)
    est = MorphologyExtractor("extended", check_units="ignore").fit([good, far])
    with pytest.raises(InvalidInputError, match="not in micrometres") as info:
        est.transform([good, far])
    assert info.value.__notes__ == [f"(while featurising {far})"]
