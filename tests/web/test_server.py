# SPDX-License-Identifier: BSD-3-Clause
"""A real ``ngep serve`` (uvicorn) on loopback: raw HTTP, bad requests, load."""

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")


def _raw(server, request: bytes):
    """Send raw bytes, return (status, body) of the answer."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)  # all sent: a short body is truncated here
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _get(server, path):
    return _raw(
        server,
        f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
    )


def _multipart(files, boundary="b0undary"):
    body = b""
    for name, data in files:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{name}"\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post(server, files):
    import httpx

    return httpx.post(
        f"{server.url}/api/predict", files=[("files", f) for f in files], timeout=120
    )


def test_it_listens_on_loopback_only_by_default(server):
    assert server.host == "127.0.0.1"
    log = server.log.read_text()
    assert "2 model(s) loaded: pvalb-test, pvalb-level" in log
    assert "warning: listening" not in log


@pytest.mark.parametrize(
    "path",
    [
        "/static/../_app.py",
        "/static/%2e%2e/_app.py",
        "/static/..%2f..%2fsetup.cfg",
        "/static/%2e%2e%5c_app.py",
        "/../../../../etc/passwd",
        "/static/%252e%252e/_app.py",
        "/static/app.js/..%00/_app.py",
    ],
)
def test_raw_traversal_requests_get_nothing(server, path):
    status, body = _get(server, path)
    assert status in (400, 404)
    assert b"import" not in body and b"root:" not in body


def test_bad_requests_never_stop_the_server(server, synthetic_swc):
    body, ctype = _multipart([("a.swc", synthetic_swc)])
    bad = [
        # truncated body: the client stops sending and closes
        b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
        + ctype.encode()
        + b"\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"
        + body[:50],
        # declared far over the limit
        b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
        + ctype.encode()
        + b"\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n",
        # not HTTP at all
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64),
        # a multipart body without a boundary
        b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data"
        b"\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    ]
    statuses = []
    for request in bad:
        try:
            statuses.append(_raw(server, request)[0])
        except (OSError, IndexError, ValueError):
            statuses.append(None)  # the server may close a broken connection
    assert 500 not in statuses
    assert statuses[1] == 413 and statuses[3] == 400
    response = _post(server, [("a.swc", synthetic_swc)])
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "ok"
    assert server.proc.poll() is None
    log = server.log.read_text()
    assert "Traceback" not in log, log


def test_twenty_four_concurrent_requests(server, synthetic_swc, neuron_swc):
    files = [
        [(f"n{i}.swc", neuron_swc if i % 3 else synthetic_swc), ("bad.swc", b"x")]
        for i in range(24)
    ]
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda f: _post(server, f), files))
    by_kind = {}
    for i, response in enumerate(answers):
        assert response.status_code == 200
        good, bad = response.json()["results"]
        assert good["file"] == f"n{i}.swc" and good["status"] == "ok"
        assert bad["status"] == "error" and bad["line"] == 1
        by_kind.setdefault(i % 3 == 0, []).append(json.dumps(good["predictions"]))
    # the same file got the same answer every time, whatever ran beside it
    assert all(len(set(answers)) == 1 for answers in by_kind.values())


def test_the_cli_refuses_what_it_cannot_serve(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "ngep", "serve", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    missing = run("--model", str(tmp_path / "nope.ngep"))
    assert missing.returncode == 2
    assert "model file" in missing.stderr and "not found" in missing.stderr
    unknown = run("--model", "pvalb-mouse")
    assert (
        unknown.returncode == 2
        and "Did you mean 'pvalb-mouse-cortex'" in unknown.stderr
    )
    bad_port = run("--port", "70000")
    assert bad_port.returncode == 2 and "--port" in bad_port.stderr
    bad_size = run("--max-file-mb", "-3")
    assert bad_size.returncode == 2 and "positive" in bad_size.stderr


def test_help_stays_light():
    code = (
        "import sys; from ngep.cli import build_parser;"
        "build_parser().parse_args(['serve', '--help'])"
    )
    check = (
        "import sys, runpy, contextlib, io\n"
        "try:\n"
        f"    exec({code!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = [m for m in ('torch', 'starlette', 'uvicorn', 'matplotlib') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--max-file-mb" in out.stdout and "127.0.0.1" in out.stdout
