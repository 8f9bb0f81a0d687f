# SPDX-License-Identifier: BSD-3-Clause
"""A local HTTP server imitating NeuroMorpho.org's and the Allen Brain Map's APIs.

Used by ``test_fetchers.py`` so that no test touches the internet. It answers
the same URLs with the same JSON shapes as the real services, serves SWC bytes
the test registers, logs every request, and injects faults on demand:
``"500"``, ``"429"`` (with ``Retry-After: 0``), ``"drop"`` (close the connection
without answering), ``"truncate"`` (announce more bytes than are sent),
``"corrupt"`` (serve bytes that are not SWC) and ``"404"``.
"""

import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

_RMA_FILTER = re.compile(r"\[(\w+)\$(eq|in)([^\]]*)\]")
_SOLR_TERM = re.compile(r'^(\w+):(?:"(.*)"|(.*))$')
CORRUPT = b"<html><body>Service temporarily unavailable</body></html>\n"


def _matches(record, field, value):
    have = record.get(field)
    values = have if isinstance(have, list) else [have]
    return any(str(v).lower() == value.lower() for v in values)


class FakeServices:
    """Threaded server on 127.0.0.1, random free port; use as a context manager."""

    def __init__(self):
        self.neurons = []  # NeuroMorpho.org neuron records
        self.allen_rows = []  # ApiCellTypesSpecimenDetail rows
        self.files = {}  # decoded URL path -> bytes
        self.requests = []  # decoded URL paths (with query) in arrival order
        self._faults = {}  # path prefix -> list of pending faults
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- set-up -------------------------------------------------------------
    def fail(self, prefix, *faults):
        """Answer the next requests whose path starts with ``prefix`` by ``faults``."""
        with self._lock:
            self._faults.setdefault(prefix, []).extend(faults)

    def count(self, prefix):
        """Number of requests so far whose path starts with ``prefix``."""
        with self._lock:
            return sum(r.startswith(prefix) for r in self.requests)

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        services = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                services._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- serving ------------------------------------------------------------
    def _handle(self, handler):
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        with self._lock:
            self.requests.append(path + ("?" + unquote(parts.query) if parts.query
                                         else ""))
            fault = None
            for prefix, pending in self._faults.items():
                if path.startswith(prefix) and pending:
                    fault = pending.pop(0)
                    break
        if fault == "drop":
            handler.close_connection = True
            return
        if fault in ("500", "404"):
            return self._send(handler, int(fault), b'{"error": "injected"}')
        if fault == "429":
            return self._send(handler, 429, b"slow down", {"Retry-After": "0"})
        query = parse_qs(parts.query)
        if path in ("/api/neuron/select", "/api/neuron"):
            status, body = self._neuromorpho(query)
        elif path == "/api/v2/data/query.json":
            status, body = self._allen(query)
        elif path in self.files:
            status, body = 200, self.files[path]
            if fault == "corrupt":
                body = CORRUPT
        else:
            status, body = 404, b"not found"
        if fault == "truncate":
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(body) + 100))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.close_connection = True
            return
        self._send(handler, status, body)

    @staticmethod
    def _send(handler, status, body, headers=None):
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _neuromorpho(self, query):
        rows = self.neurons
        for term in query.get("q", []) + query.get("fq", []):
            field, quoted, bare = _SOLR_TERM.match(term).groups()
            value = quoted.replace('\\"', '"') if quoted is not None else bare
            rows = [r for r in rows if _matches(r, field, value)]
        page, size = int(query["page"][0]), min(int(query["size"][0]), 500)
        chunk = rows[page * size:(page + 1) * size]
        doc = {"page": {"size": size, "totalElements": len(rows),
                        "totalPages": math.ceil(len(rows) / size), "number": page}}
        if chunk:
            doc["_embedded"] = {"neuronResources": [
                dict(r, _links={"self": {"href": f"/api/neuron/id/{r['neuron_id']}"}})
                for r in chunk]}
        return 200, json.dumps(doc).encode()

    def _allen(self, query):
        criteria = query["criteria"][0]
        rows = self.allen_rows
        criteria_part = criteria.split("rma::options")[0]
        for field, op, raw in _RMA_FILTER.findall(criteria_part):
            values = {v.strip("'") for v in raw.split(",")} if op == "in" else {
                raw.strip("'")}
            rows = [r for r in rows if str(r.get(field)) in values]
        options = dict(re.findall(r"\[(num_rows|start_row)\$eq(\d+)\]", criteria))
        if not criteria.startswith("model::ApiCellTypesSpecimenDetail"):
            return 200, json.dumps({"success": False, "msg": "bad model"}).encode()
        rows = sorted(rows, key=lambda r: r["specimen__id"])
        start, num = int(options.get("start_row", 0)), int(options.get("num_rows", 50))
        chunk = rows[start:start + num]
        doc = {"success": True, "id": 0, "start_row": start, "num_rows": len(chunk),
               "total_rows": len(rows), "msg": chunk}
        return 200, json.dumps(doc).encode()
