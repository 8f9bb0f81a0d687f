# SPDX-License-Identifier: BSD-3-Clause
"""The page in a real browser: headless Chromium against ``ngep serve`` on loopback.

Uploads real Allen neurons (from ``../shared`` when present, otherwise synthetic
ones written as SWC) through the file input and by drag and drop, and checks
that the predictions, the out-of-domain flags, the pictures and the CSV shown
to the user are the ones the API computes. It writes a screenshot of the page
(``$NGEP_WEB_SCREENSHOT`` also gets a copy: the one in the docs comes from here).

Needs Chromium and its driver (Debian: ``apt-get install chromium
chromium-driver``; ``.ci/run`` installs them). Without them the test is skipped
with a warning, or fails when ``NGEP_REQUIRE_BROWSER=1`` (CI sets it where the
install succeeded).
"""

import csv
import os
import shutil
import time
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NGEP_SHARED", REPO.parent / "shared"))

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def _find_browser():
    """(chromium, chromedriver) paths, or a reason why there are none."""
    browser = os.environ.get("NGEP_CHROMIUM") or next(
        filter(
            None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
        ),
        None,
    )
    driver = os.environ.get("NGEP_CHROMEDRIVER") or shutil.which("chromedriver")
    missing = [
        name
        for name, path in (("chromium", browser), ("chromedriver", driver))
        if not (path and os.access(path, os.X_OK))
    ]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install 'ngep[test]')")
    return browser, driver, missing


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, chromedriver, missing = _find_browser()
    if missing:
        message = (
            "BROWSER TEST NOT RUN: " + ", ".join(missing) + " not found. Install them "
            "(Debian: apt-get install -y chromium chromium-driver) to test the page."
        )
        if os.environ.get("NGEP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        warnings.warn(message, UserWarning, stacklevel=1)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager stays offline
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _allen_cells(folder):
    """A Pvalb+ and an Sst+ Allen neuron from ../shared, or synthetic ones."""
    table = SHARED / "data" / "allen-v1-mouse" / "cells.csv"
    if table.exists():
        with open(table, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        pick = []
        for marker in ("Pvalb", "Sst"):
            row = next(r for r in rows if r["cre_marker_class"] == marker)
            pick.append(SHARED / "data" / "allen-v1-mouse" / row["swc_file"])
        return pick, "Allen"
    from ngep.datasets import make_neurons

    data = make_neurons(
        2, class_weights={"Pvalb": 1, "Sst": 1}, random_state=1, out_dir=folder
    )
    return [Path(p) for p in data.paths], "synthetic"


def _wait(driver, condition, timeout=120, what="the page"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.2)
    text = driver.find_element("tag name", "body").text
    raise AssertionError(f"timed out waiting for {what}; page says:\n{text}")


def _api(server, files):
    import httpx

    response = httpx.post(
        f"{server.url}/api/predict",
        files=[("files", (p.name, p.read_bytes())) for p in files],
        timeout=120,
    )
    response.raise_for_status()
    return response.json()["results"]


def test_upload_predict_and_see_the_neuron(browser, shipped_server, tmp_path):
    from ngep.pretrained import list_pretrained

    server = shipped_server
    shipped = list_pretrained()
    cells, origin = _allen_cells(tmp_path)
    bad = tmp_path / "broken.swc"
    bad.write_text("1 1 0 0 0 5 -1\n2 3 0 ten 0 1 1\n")
    files = [*cells, bad]
    expected = _api(server, files)
    assert [e["status"] for e in expected] == ["ok", "ok", "error"]

    browser.get(server.url + "/")
    assert "ngep" in browser.title
    _wait(
        browser,
        f"return document.querySelectorAll('#models details').length == {len(shipped)}",
        what="the model cards",
    )
    cards = browser.find_element("id", "models")
    assert [s.text for s in cards.find_elements("tag name", "summary")] == [
        f"{name} (classification)" for name in shipped
    ]
    # the first card is open: its grouped-CV table is rendered as a table
    assert cards.find_elements("css selector", "details[open] table")

    browser.find_element("id", "files").send_keys("\n".join(str(p) for p in files))
    browser.find_element("id", "predict").click()
    status = _wait(
        browser,
        "const s = document.getElementById('status').textContent;"
        "return s.startsWith('Done') ? s : null;",
        what="the predictions",
    )
    assert status == "Done: 3 file(s), 1 with errors."

    # the summary table: one row per file, in order, with the API's numbers
    rows = browser.find_elements("css selector", "#summary tbody tr")
    assert [r.find_element("tag name", "th").text for r in rows] == [
        p.name for p in files
    ]
    for row, entry in zip(rows[:2], expected):
        texts = [td.text for td in row.find_elements("tag name", "td")]
        want = []
        for name in shipped:
            prediction = entry["predictions"][name]
            p = prediction["probabilities"]["1"]
            want.append(f"{p:.2f}" + (" \u26a0" if prediction["out_of_domain"] else ""))
        assert texts == want
    assert "line 2" in rows[2].text and "broken.swc" in rows[2].text

    # one card per good neuron: the picture loaded, the flags and the measurements
    articles = browser.find_elements("css selector", "article.neuron")
    assert len(articles) == 2
    for article, entry in zip(articles, expected):
        image = article.find_element("tag name", "img")
        assert image.get_attribute("alt").startswith("Top view")
        width = browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", image
        )
        assert width > 100
        text = article.text
        for name in shipped:
            prediction = entry["predictions"][name]
            if prediction["out_of_domain"]:
                assert prediction["out_of_domain_reason"] in text
        assert "in domain" in text or "out of domain" in text
        length = entry["measurements"]["dendrite__total_length"]
        assert f"{length:.2f}" in text

    _screenshot(browser, tmp_path, origin)

    # drag and drop: a synthetic drop event carrying a file
    browser.execute_script(
        """
        const data = new DataTransfer();
        data.items.add(new File([arguments[0]], 'dropped.swc'));
        const zone = document.getElementById('dropzone');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true}));
        }
        """,
        cells[0].read_text(),
    )
    _wait(
        browser,
        "return document.getElementById('status').textContent.startsWith('Done: 4')",
        what="the dropped file's prediction",
    )

    # the CSV download holds every row and the same numbers
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(downloads)},
    )
    browser.find_element("id", "download").click()
    deadline = time.monotonic() + 30
    while not list(downloads.glob("*.csv")) and time.monotonic() < deadline:
        time.sleep(0.2)
    [table] = downloads.glob("*.csv")
    with open(table, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file"] for r in rows] == [p.name for p in files] + ["dropped.swc"]
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "ok"]
    first = shipped[0]
    assert rows[3][f"{first}:proba_1"] == rows[0][f"{first}:proba_1"]
    p = expected[0]["predictions"][first]["probabilities"]["1"]
    assert float(rows[0][f"{first}:proba_1"]) == pytest.approx(p)
    assert {
        f"{first}:out_of_domain",
        f"{first}:out_of_domain_reason",
        "dendrite__total_length",
    } <= set(rows[0])
    _no_script_errors(browser)


def test_regression_intervals_are_shown(browser, server, neuron_swc, tmp_path):
    path = tmp_path / "cell.swc"
    path.write_bytes(neuron_swc)
    [expected] = _api(server, [path])
    browser.get(server.url + "/")
    _wait(
        browser,
        "return document.querySelectorAll('#models details').length == 2",
        what="the model cards",
    )
    browser.find_element("id", "files").send_keys(str(path))
    browser.find_element("id", "predict").click()
    _wait(
        browser,
        "return document.getElementById('status').textContent.startsWith('Done')",
        what="the prediction",
    )
    level = expected["predictions"]["pvalb-level"]
    text = browser.find_element("css selector", "article.neuron").text
    assert (
        f"predicted {level['prediction']:.3f}, 90% interval "
        f"[{level['interval']['lower']:.3f}, {level['interval']['upper']:.3f}]"
    ) in text
    _no_script_errors(browser)


def _no_script_errors(browser):
    """No script error and no Content-Security-Policy violation on the page."""
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def _screenshot(driver, folder, origin):
    """Save the whole page; copy it to $NGEP_WEB_SCREENSHOT when set."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height + 40, 900), 2400))
    driver.execute_script("window.scrollTo(0, 0)")
    path = folder / "web-validator.png"
    driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("NGEP_WEB_SCREENSHOT")
    if target:
        shutil.copyfile(path, target)
        print(f"screenshot of {origin} neurons written to {target}")
    driver.set_window_size(1400, 1000)
