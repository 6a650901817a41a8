"""The ASGI app: `/health`, table management, the data API and its shorthand; one error renderer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bkend_mcp import __version__
from bkend_mcp.config import Config
from bkend_mcp.domain.backend import Backend, open_backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.mcp.http import mount_mcp
from bkend_mcp.rest import (
    access_log,
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
from bkend_mcp.rest.cors import CorsMiddleware
from bkend_mcp.rest.errors import ErrorMiddleware, http_exception
from bkend_mcp.rest.http import CountRequests, InFlight, JSONResponse
from bkend_mcp.rest.security_headers import SecurityHeadersMiddleware
from bkend_mcp.rest.storage_tasks import storage_sweeper


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
        *mcp.routes,  # before the ~180 REST routes Starlette would try one by one; no REST path overlaps them
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
    ]
    in_flight = InFlight(inline=config.mongodb_uri is None)
    access_log.redact_secrets()  # query-string credentials (invitations, signed URLs) never reach the log
    middleware = [
        Middleware(CountRequests, in_flight=in_flight),
        Middleware(SecurityHeadersMiddleware),
        Middleware(CorsMiddleware),
        Middleware(ErrorMiddleware),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers={HTTPException: http_exception}
    )
    app.state.backend = backend
    app.state.limiter = anyio.CapacityLimiter(config.worker_threads)
    app.state.in_flight = in_flight
    return app
