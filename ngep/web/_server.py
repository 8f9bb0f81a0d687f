# SPDX-License-Identifier: BSD-3-Clause
"""Running the app with uvicorn."""

import logging

__all__ = ["serve"]

logger = logging.getLogger("ngep.web")


def serve(models=None, *, host="127.0.0.1", port=8000, limits=None, log_level="info"):
    """Load the models once and serve the web app until interrupted.

    Parameters
    ----------
    models : list of str, default=None
        Shipped pretrained model names or model files; None serves every
        shipped model.
    host : str, default="127.0.0.1"
        Interface to listen on. The default answers only this machine; to
        share it, put a reverse proxy in front rather than listening on
        ``0.0.0.0`` (see the "Web app" page of the user guide).
    port : int, default=8000
        TCP port; 0 picks a free one.
    limits : Limits or None, default=None
        Upload and concurrency limits.
    log_level : str, default="info"
        uvicorn's log level.
    """
    import uvicorn

    from ngep.web._app import create_app

    app = create_app(models, limits=limits)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        # no "server: uvicorn" banner; proxies' X-Forwarded-* only from loopback
        server_header=False,
        forwarded_allow_ips="127.0.0.1",
        # a slow or stuck client cannot hold a connection open for long
        timeout_keep_alive=5,
        limit_concurrency=200,
    )
    uvicorn.Server(config).run()
