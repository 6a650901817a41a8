"""What every REST handler shares: reading a JSON body, calling the domain off the event loop, rendering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bkend_mcp.domain import api_activity
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, validation_error
from bkend_mcp.domain.identity import resolve_caller

T = TypeVar("T")
MANAGEMENT_ROUTES = (
    "/v1/tables",
    "/v1/mcp-access",
    "/v1/auth/providers",
    "/v1/auth/email-templates",
    "/v1/users",
    "/v1/files/settings",
)
"""Route prefixes whose writes are management actions, filed in the activity log (`domain/api_activity.py`)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY = "bkend.body"
"""Where `read_json` leaves the parsed body in the ASGI scope, for the activity entry of a management write."""


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def backend_of(request: Request) -> Backend:
    return request.app.state.backend


async def read_json(request: Request) -> Any:
    """The body as JSON. Empty → `{}` (compat C7); too large → 413; not JSON → 400 naming the body."""
    limit = backend_of(request).config.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BkendError("data/payload-too-large", f"Request body exceeds {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise BkendError("data/payload-too-large", f"Request body exceeds {limit} bytes")
    if not raw.strip():
        return {}
    try:
        request.scope[BODY] = body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise validation_error([{"field": "body", "reason": "type", "message": "the request body is not valid JSON"}])
    return body


class InFlight:
    """How many HTTP requests the app is serving right now (counted by `CountRequests`), and whether a lone quick
    call may run on the event loop at all: with the embedded engine it may; a network engine (MongoDB) can stall
    for its whole timeout when the server goes away, so its calls always take the pool."""

    __slots__ = ("count", "inline")

    def __init__(self, *, inline: bool = True) -> None:
        self.count = 0
        self.inline = inline

    def alone(self) -> bool:
        """Whether the request asking is the only one in flight and may use the engine on the event loop."""
        return self.inline and self.count <= 1


class CountRequests:
    """Pure ASGI middleware keeping `InFlight` up to date, so `run(..., quick=True)` knows when it is alone."""

    def __init__(self, app: ASGIApp, in_flight: InFlight) -> None:
        self.app, self.in_flight = app, in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight.count -= 1


async def run(request: Request, work: Callable[[Backend], T], *, quick: bool = False) -> T:
    """Run domain code in the bounded worker pool. A `quick` call (one record by id: a few hundred µs) runs on
    the event loop instead when its request is the only one in flight: nothing else waits for the loop then,
    and the pool's two thread hand-offs would cost about as much as the call (decisions.md, issue #7)."""
    state = request.app.state
    if quick and state.in_flight.alone():
        return work(state.backend)
    return await anyio.to_thread.run_sync(work, state.backend, limiter=state.limiter)


async def as_caller(request: Request, work: Callable[[Backend, Caller], T], *, quick: bool = False) -> T:
    """Resolve who is asking from the headers, then do `work` as them — both in the worker pool (see `run`)."""
    headers = request.headers
    action = management_action(request)
    if action is None:
        return await run(request, lambda backend: work(backend, resolve_caller(backend, headers)), quick=quick)
    arguments = {**request.path_params, "body": request.scope.get(BODY)}
    return await run(
        request,
        lambda backend: api_activity.logged(backend, resolve_caller(backend, headers), action, arguments, work),
    )


def management_action(request: Request) -> str | None:
    """`rest <METHOD> <route>` for a write to a management route, else None."""
    if request.method in SAFE_METHODS:
        return None
    path = getattr(request.scope.get("route"), "path", "")
    return f"rest {request.method} {path}" if path.startswith(MANAGEMENT_ROUTES) else None


def respond(request: Request, body: Any, status: int = 200) -> Response:
    if backend_of(request).config.response_envelope == "wrapped":
        body = {"success": True, "data": body}
    return JSONResponse(body, status_code=status)


def query_lists(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    if not request.scope.get("query_string"):
        return params
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise validation_error([{"field": name, "reason": "type", "message": f"'{name}' must be an integer"}]) from None
