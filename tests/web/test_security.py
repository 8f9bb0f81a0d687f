# SPDX-License-Identifier: BSD-3-Clause
"""Bad input and load: size limits, malformed bodies, path traversal, concurrency."""

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")

BOUNDARY = "ngepboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _part(name, data, field="files"):
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    return head.encode() + data + b"\r\n"


def _body(*parts):
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _raw_post(client, body, content_type=MULTIPART, **headers):
    return client.post(
        "/api/predict", content=body, headers={"content-type": content_type, **headers}
    )


def _assert_json_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]
    assert "Traceback" not in response.text
    return body["error"]


# ---------------------------------------------------------------------------
# size limits: 256 KiB per file, 1 MiB per request, 40 files (conftest.py)
# ---------------------------------------------------------------------------
def test_a_file_over_the_per_file_limit_is_413(client, synthetic_swc):
    big = synthetic_swc + b"#" * (256 * 1024)
    message = _assert_json_error(
        _raw_post(client, _body(_part("ok.swc", synthetic_swc), _part("big.swc", big))),
        413,
    )
    assert message.startswith("big.swc: ") and "256 KiB per file" in message


def test_a_request_over_the_limit_is_413_before_it_is_read(client):
    # the declared length alone is enough: the body is not read
    response = _raw_post(client, b"x" * 100, **{"content-length": str(2 * 1024 * 1024)})
    message = _assert_json_error(response, 413)
    assert "1 MiB" in message


def test_a_streamed_request_over_the_limit_is_413(client, synthetic_swc):
    # no Content-Length (chunked): counted while reading, stopped past the limit
    chunk = _part("a.swc", synthetic_swc + b"#" * (200 * 1024))

    def chunks():
        for _ in range(8):
            yield chunk
        yield f"--{BOUNDARY}--\r\n".encode()

    response = _raw_post(client, chunks())
    assert "content-length" not in {k.lower() for k in response.request.headers}
    _assert_json_error(response, 413)


def test_too_many_files_is_413(client, synthetic_swc):
    body = _body(*(_part(f"n{i}.swc", synthetic_swc) for i in range(41)))
    message = _assert_json_error(_raw_post(client, body), 413)
    assert "more than 40 files" in message


def test_limits_are_validated():
    from ngep.web import Limits

    with pytest.raises(ValueError, match="max_file_bytes"):
        Limits(max_file_bytes=0)
    with pytest.raises(ValueError, match="workers"):
        Limits(workers=-1)


# ---------------------------------------------------------------------------
# malformed bodies: 400 with a message, never a 500
# ---------------------------------------------------------------------------
MALFORMED = {
    "not multipart": (b'{"files": []}', "application/json"),
    "no content type": (b"abc", ""),
    "no boundary": (_body(_part("a.swc", b"1 1 0 0 0 1 -1\n")), "multipart/form-data"),
    "wrong boundary": (_body(_part("a.swc", b"1 1 0 0 0 1 -1\n")), MULTIPART + "x"),
    "truncated": (_body(_part("a.swc", b"1 1 0 0 0 1 -1\n"))[:-30], MULTIPART),
    "garbage": (b"\x00\xff" * 500, MULTIPART),
    "no disposition": (
        f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nabc\r\n"
        f"--{BOUNDARY}--\r\n".encode(),
        MULTIPART,
    ),
    "not form-data": (
        f'--{BOUNDARY}\r\nContent-Disposition: attachment; filename="a.swc"\r\n\r\n'
        f"abc\r\n--{BOUNDARY}--\r\n".encode(),
        MULTIPART,
    ),
    "header without colon": (
        f"--{BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nabc\r\n"
        f"--{BOUNDARY}--\r\n".encode(),
        MULTIPART,
    ),
    "empty": (b"", MULTIPART),
    "boundary too long": (
        b"--" + b"b" * 400,
        "multipart/form-data; boundary=" + "b" * 400,
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_body_is_a_400(client, case):
    body, content_type = MALFORMED[case]
    _assert_json_error(_raw_post(client, body, content_type), 400)


def test_a_bad_content_length_is_a_400(client, synthetic_swc):
    _assert_json_error(
        _raw_post(
            client, _body(_part("a.swc", synthetic_swc)), **{"content-length": "x"}
        ),
        400,
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    f"--{BOUNDARY}\r\n".encode(),
                    f"--{BOUNDARY}--\r\n".encode(),
                    b"Content-Disposition: form-data; name=files; filename=a.swc\r\n",
                    b'Content-Disposition: form-data; name="files"\r\n',
                    b"\r\n",
                    b"1 1 0 0 0 5 -1\n2 3 0 10 0 1 1\n",
                    b"\x00\xff\r",
                    b"Content-Type: text/plain\r\n",
                ]
            ),
            max_size=12,
        ).map(b"".join),
    )
)
def test_any_body_gets_an_answer_never_a_500(client, synthetic_swc, body):
    response = _raw_post(client, body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        for entry in response.json()["results"]:
            assert entry["status"] in ("ok", "error")
    # and the server still answers a good request
    ok = client.post("/api/predict", files=[("files", ("a.swc", synthetic_swc))])
    assert ok.json()["results"][0]["status"] == "ok"


# ---------------------------------------------------------------------------
# nothing outside the packaged static files is served
# ---------------------------------------------------------------------------
TRAVERSALS = [
    "/static/../_app.py",
    "/static/../../web/_app.py",
    "/static/%2e%2e/_app.py",
    "/static/%2E%2E%2F_app.py",
    "/static/..%2f_app.py",
    "/static/..%5c_app.py",
    "/static/%252e%252e%252f_app.py",
    "/static/....//_app.py",
    "/static//etc/passwd",
    "/static/%2Fetc%2Fpasswd",
    "/static/app.js%00.py",
    "/static/./app.js/../../__init__.py",
    "/static/",
    "/static/static/app.js",
    "/../../setup.cfg",
    "/%2e%2e/%2e%2e/setup.cfg",
    "/_app.py",
    "/ngep/web/_app.py",
    "/index.html/../_app.py",
]


async def _asgi_get(app, raw_path):
    """GET ``raw_path`` exactly as written, bypassing any client-side URL clean-up."""
    from urllib.parse import unquote

    sent = []
    path = raw_path.split("?")[0]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_serves_nothing(client, path):
    status, body = anyio.run(_asgi_get, client.app, path)
    assert status == 404, (path, status)
    assert b"import" not in body and b"root:" not in body and b"[metadata]" not in body


def test_static_files_are_only_the_packaged_ones(client):
    from importlib import resources

    from ngep.web._app import _STATIC_TYPES

    root = resources.files("ngep.web") / "static"
    on_disk = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
    assert sorted(_STATIC_TYPES) == on_disk
    for name in on_disk:
        status, body = anyio.run(_asgi_get, client.app, f"/static/{name}")
        assert status == 200 and body == (root / name).read_bytes()


# ---------------------------------------------------------------------------
# load: concurrent requests, work off the event loop
# ---------------------------------------------------------------------------
def test_concurrent_requests_are_served_correctly(
    client, neuron_swc, synthetic_swc, monkeypatch
):
    """24 requests at once on one event loop, each answered with its own result."""
    import threading

    from ngep.web import _service

    app = client.app
    files = {
        i: [("files", (f"r{i}.swc", neuron_swc if i % 2 else synthetic_swc))]
        for i in range(24)
    }
    files[5] = [("files", ("bad.swc", b"1 1 0 0 0 1 -1\n2 3 0 0 0 1 9\n"))]
    expected = {
        name: client.post("/api/predict", files=[("files", (name, data))]).json()
        for name, data in (("odd.swc", neuron_swc), ("even.swc", synthetic_swc))
    }
    threads, lock, running, most = set(), threading.Lock(), [0], [0]
    read_upload = _service.read_upload

    def spy(*args, **kwargs):
        with lock:
            threads.add(threading.get_ident())
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return read_upload(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(_service, "read_upload", spy)

    async def main():
        transport = httpx.ASGITransport(app=app)
        answers = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def one(i):
                answers[i] = await http.post("/api/predict", files=files[i])

            async with anyio.create_task_group() as group:
                for i in files:
                    group.start_soon(one, i)
        return answers, threading.get_ident()

    answers, loop_thread = anyio.run(main)
    # the CPU-bound work ran in worker threads, at most Limits.workers at once
    assert loop_thread not in threads and len(threads) >= 1
    assert 1 <= most[0] <= 4
    for i, response in answers.items():
        assert response.status_code == 200
        [entry] = response.json()["results"]
        assert entry["file"] == files[i][0][1][0]
        if i == 5:
            assert entry["status"] == "error" and entry["line"] == 2
            continue
        [want] = expected["odd.swc" if i % 2 else "even.swc"]["results"]
        assert entry["predictions"] == want["predictions"]
        assert entry["measurements"] == want["measurements"]


def test_the_server_keeps_running_after_bad_requests(client, synthetic_swc):
    for body, content_type in MALFORMED.values():
        _raw_post(client, body, content_type)
    _raw_post(client, b"x", **{"content-length": str(10**12)})
    response = client.post("/api/predict", files=[("files", ("a.swc", synthetic_swc))])
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "ok"
