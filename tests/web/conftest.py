# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the web app tests: small model files fitted on synthetic neurons.

The app is tested on model files written by :func:`ngep.save`, as a user's
``ngep serve --model FILE`` would load them: a marker classifier with an
applicability domain, and an expression regressor with conformal intervals.
"""

from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web tests need the 'web' extra")

REPO = Path(__file__).resolve().parents[2]


def _fit_models(folder):
    from sklearn.pipeline import Pipeline

    from ngep.datasets import make_neurons
    from ngep.persistence import save
    from ngep.pipeline import make_pipeline
    from ngep.transformers import MorphologyExtractor
    from ngep.uncertainty import (
        ApplicabilityDomain,
        ConformalRegressor,
        DomainCheck,
    )

    data = make_neurons(90, random_state=0)
    extractor = MorphologyExtractor(features="base").fit(data.morphologies)
    X = extractor.transform(data.morphologies)
    is_pvalb = (data.metadata["class"] == "Pvalb").to_numpy().astype(int)
    clf = make_pipeline(
        task="classification",
        extract=False,
        expand=True,
        max_iter=30,
        early_stopping=False,
        random_state=0,
    ).fit(X, is_pvalb)
    domain = DomainCheck(ApplicabilityDomain(quantile=0.99, robust=False)).fit(X)
    clf_file = folder / "pvalb-test.ngep"
    save(Pipeline([("extract", extractor), ("domain", domain), *clf.steps]), clf_file)

    reg = make_pipeline(
        extract=False, expand=True, max_iter=30, early_stopping=False, random_state=0
    )
    conformal = ConformalRegressor(reg, coverage=0.9, cv=3).fit(
        X, data.targets["Pvalb"].to_numpy()
    )
    reg_file = folder / "pvalb-level.ngep"
    save(Pipeline([("extract", extractor), ("model", conformal)]), reg_file)
    return [clf_file, reg_file]


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """Two model files: a classifier with a domain, a regressor with intervals."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 30 epochs do not converge; no matter here
        return _fit_models(tmp_path_factory.mktemp("web-models"))


@pytest.fixture(scope="session")
def served_models(model_files):
    from ngep.web import load_models

    return load_models([str(p) for p in model_files])


@pytest.fixture(scope="session")
def client(served_models):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # httpx vs httpx2
        from starlette.testclient import TestClient

    from ngep.web import Limits, create_app

    limits = Limits(
        max_file_bytes=256 * 1024,
        max_request_bytes=1024 * 1024,
        max_files=40,
        workers=4,
    )
    with TestClient(create_app(served_models, limits=limits)) as c:
        yield c


SWC = b"""# a soma and two branching dendrites
1 1 0 0 0 6 -1
2 3 0 10 0 1 1
3 3 0 40 0 1 2
4 3 15 70 0 0.5 3
5 3 -15 70 0 0.5 3
6 3 0 -12 0 1 1
7 3 5 -50 0 0.8 6
8 3 -8 -80 0 0.5 7
9 3 10 -85 0 0.5 7
"""


@pytest.fixture(scope="session")
def synthetic_swc():
    """Bytes of a small valid SWC file."""
    return SWC


@pytest.fixture(scope="session")
def neuron_swc(tmp_path_factory):
    """A realistic synthetic neuron written as an SWC file (bytes)."""
    from ngep.datasets import make_neurons

    folder = tmp_path_factory.mktemp("web-swc")
    data = make_neurons(1, random_state=3, out_dir=folder)
    return Path(data.paths[0]).read_bytes()


class RunningServer:
    """``ngep serve`` in a subprocess on a free loopback port."""

    def __init__(self, args, log):
        import os
        import re
        import subprocess
        import sys
        import time

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.log = log
        self._log_file = open(log, "w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ngep", "serve", "--port", "0", *args],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = log.read_text(encoding="utf-8")
            found = re.search(r"Uvicorn running on http://([\d.]+):(\d+)", text)
            if found:
                self.host, self.port = found.group(1), int(found.group(2))
                self.url = f"http://{self.host}:{self.port}"
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"ngep serve did not start:\n{log.read_text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except Exception:  # noqa: BLE001 - last resort
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


@pytest.fixture(scope="session")
def server(model_files, tmp_path_factory):
    """A real ``ngep serve`` (uvicorn) on 127.0.0.1, serving the two model files."""
    args = []
    for path in model_files:
        args += ["--model", str(path)]
    args += ["--max-file-mb", "1", "--max-request-mb", "4"]
    running = RunningServer(args, tmp_path_factory.mktemp("server") / "serve.log")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shipped_server(tmp_path_factory):
    """``ngep serve`` as on a fresh install: every shipped model, loopback only."""
    running = RunningServer([], tmp_path_factory.mktemp("shipped") / "serve.log")
    yield running
    running.stop()
