# SPDX-License-Identifier: BSD-3-Clause
"""The Starlette application: the page, its static files and the JSON API."""

import logging
from importlib import resources

from ngep.exceptions import (
    InvalidTypeError,
    MissingDependencyError,
    MorphologyFormatError,
    NgepError,
)

try:
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise MissingDependencyError(
        f"ngep.web needs the 'web' extra: pip install 'ngep[web]' (missing: {exc.name})"
    ) from exc

from ngep.web import _service
from ngep.web._limits import Limits
from ngep.web._upload import BadUpload, UploadTooLarge, read_multipart

__all__ = ["create_app"]

logger = logging.getLogger("ngep.web")

# The only files ever served, read from the package once: request paths are looked
# up in this table and never touch the filesystem, so no path can escape it.
_STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; "
        b"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def _static_files():
    root = resources.files("ngep.web") / "static"
    return {name: (root / name).read_bytes() for name in _STATIC_TYPES}


class _SecurityHeaders:
    """ASGI middleware adding a strict Content-Security-Policy and friends."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(status, message):
    return JSONResponse({"error": message}, status_code=status)


def _truthy(value):
    return str(value).lower() in ("1", "true", "yes", "on")


def create_app(models, *, limits=None):
    """Build the ``ngep serve`` web application.

    Parameters
    ----------
    models : list of ServedModel or str
        Loaded models, or specs passed to ``load_models`` (pretrained names or
        model files); loaded once, here.
    limits : Limits or None, default=None
        Upload and concurrency limits; None uses the defaults of
        :class:`Limits`.

    Returns
    -------
    starlette.applications.Starlette
        An ASGI application: run it with uvicorn, or test it with
        ``starlette.testclient.TestClient``.
    """
    limits = Limits() if limits is None else limits
    if not isinstance(limits, Limits):
        raise InvalidTypeError(
            f"limits must be an ngep.web.Limits, got {type(limits).__name__}"
        )
    if not models or not all(isinstance(m, _service.ServedModel) for m in models):
        models = _service.load_models(models)
    static = _static_files()
    state = {"limiter": None}

    def limiter():
        # created on first use, inside the running event loop
        if state["limiter"] is None:
            state["limiter"] = anyio.CapacityLimiter(limits.n_workers)
        return state["limiter"]

    async def index(request):
        return Response(static["index.html"], media_type=_STATIC_TYPES["index.html"])

    async def static_file(request):
        name = request.path_params["name"]
        if name not in static:  # a table lookup: "../x", "%2e%2e" never match
            return _error(404, "not found")
        return Response(
            static[name],
            media_type=_STATIC_TYPES[name],
            headers={"cache-control": "no-cache"},
        )

    async def api_models(request):
        return JSONResponse(
            {
                "models": [m.describe() for m in models],
                "formats": list(_service.supported_suffixes()),
                "limits": {
                    "max_file_bytes": limits.max_file_bytes,
                    "max_request_bytes": limits.max_request_bytes,
                    "max_files": limits.max_files,
                },
            }
        )

    async def api_predict(request):
        try:
            uploads = await read_multipart(
                request.headers.get("content-type"),
                request.stream(),
                limits,
                content_length=request.headers.get("content-length"),
            )
        except UploadTooLarge as exc:
            return _error(413, str(exc))
        except BadUpload as exc:
            return _error(400, str(exc))
        except ClientDisconnect:
            # the client left mid-upload; nobody reads this answer
            return _error(400, "the client disconnected before the upload ended")
        if not uploads:
            return _error(
                400, "no files: send them as multipart/form-data in the field 'files'"
            )
        picture = _truthy(request.query_params.get("picture", "0"))
        results = [None] * len(uploads)

        async def one(i, upload):
            results[i] = await anyio.to_thread.run_sync(
                _process, models, upload, limits, picture, limiter=limiter()
            )

        async with anyio.create_task_group() as group:
            for i, upload in enumerate(uploads):
                group.start_soon(one, i, upload)
        return JSONResponse({"results": results})

    async def health(request):
        return JSONResponse({"status": "ok", "models": [m.name for m in models]})

    async def not_found(request, exc):
        return _error(
            getattr(exc, "status_code", 404), getattr(exc, "detail", "not found")
        )

    async def server_error(request, exc):
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(500, "internal error; the server log has the details")

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/static/{name}", static_file, methods=["GET", "HEAD"]),
        Route("/api/models", api_models, methods=["GET"]),
        Route("/api/predict", api_predict, methods=["POST"]),
        Route("/api/health", health, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found, Exception: server_error},
    )
    app.add_middleware(_SecurityHeaders)
    app.state.models = models
    app.state.limits = limits
    return app


def _process(models, upload, limits, picture):
    """Read, measure, predict (and draw) one uploaded file; never raises."""
    entry = {"file": upload.name}
    try:
        morphology, notes = _service.read_upload(
            upload.name, upload.data, max_unpacked_bytes=limits.max_unpacked_bytes
        )
        predictions = _service.predict(models, morphology)
        entry.update(
            status="ok",
            n_nodes=int(morphology.n_nodes),
            predictions=predictions,
            measurements=_service.measure(morphology),
            notes=notes,
        )
        if picture:
            entry["picture"] = _service.png_data_url(_service.picture_png(morphology))
    except MorphologyFormatError as exc:
        entry.update(status="error", error=str(exc), line=exc.line)
    except (NgepError, ValueError, TypeError) as exc:
        entry.update(status="error", error=_with_name(upload.name, exc))
    except Exception as exc:  # noqa: BLE001 - one file never fails the others
        logger.exception("%s: unexpected error", upload.name)
        entry.update(
            status="error",
            error=f"{upload.name}: could not be processed ({type(exc).__name__}); "
            "the server log has the details",
        )
    return entry


def _with_name(name, exc):
    message = str(exc) or type(exc).__name__
    return message if message.startswith(name) else f"{name}: {message}"
