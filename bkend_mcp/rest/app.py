"""The ASGI app: `/health`, table management, the data API and its shorthand; one error renderer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bkend_mcp import __version__
from bkend_mcp.config import Config
from bkend_mcp.domain.backend import Backend, open_backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.mcp.http import mount_mcp
from bkend_mcp.rest import (
    auth,
    auth_account,
    auth_admin,
    auth_social,
    blob_routes,
    console,
    data,
    files,
    mcp_access,
    oauth,
    tables,
    users,
)
from bkend_mcp.rest.errors import ErrorMiddleware, http_exception
from bkend_mcp.rest.http import JSONResponse
from bkend_mcp.rest.security_headers import SecurityHeadersMiddleware
from bkend_mcp.rest.storage_tasks import storage_sweeper

CORS_METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"]


async def health(request: Request) -> Response:
    backend: Backend = request.app.state.backend
    engine = "mongodb" if backend.config.mongodb_uri else "sqlite"
    return JSONResponse({"status": "ok", "version": __version__, "store": engine})


def create_app(config: Config, backend: Backend | None = None) -> Starlette:
    """The app for `config`. Given a `backend` (tests), it is used as is; otherwise one is opened at startup
    and closed at shutdown."""
    mcp = mount_mcp(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = app.state.backend is None
        if owned:
            app.state.backend = await anyio.to_thread.run_sync(open_backend, config)
            await anyio.to_thread.run_sync(first_start, app.state.backend)
        try:
            async with mcp.running(app.state.backend), storage_sweeper(app.state.backend):
                yield
        finally:
            if owned:
                app.state.backend.close()

    routes = [
        Route("/health", health),
        *data.routes(),  # first: the busiest; Starlette matches in order and nothing else is under /v1/data/
        *tables.routes(),
        *mcp_access.routes(),
        *auth.routes(),
        *auth_social.routes(),
        *auth_account.routes(),
        *auth_admin.routes(),
        *users.routes(),
        *files.routes(),
        *blob_routes.routes(),
        *console.routes(),
        *data.shorthand_routes(),
        *oauth.routes(config),
        *mcp.routes,
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(
            CORSMiddleware,
            allow_origin_regex=".*",
            allow_methods=CORS_METHODS,
            allow_headers=["*"],
            expose_headers=[
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "WWW-Authenticate",
                "Mcp-Session-Id",
                "Mcp-Protocol-Version",
                "ETag",
            ],
            max_age=600,
        ),
        Middleware(ErrorMiddleware),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers={HTTPException: http_exception}
    )
    app.state.backend = backend
    app.state.limiter = anyio.CapacityLimiter(config.worker_threads)
    return app
