"""What every REST handler shares: reading a JSON body, calling the domain off the event loop, rendering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, validation_error
from bkend_mcp.domain.identity import resolve_caller

T = TypeVar("T")


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
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise validation_error([{"field": "body", "reason": "type", "message": "the request body is not valid JSON"}])


async def run(request: Request, work: Callable[[Backend], T]) -> T:
    """Run domain code in the bounded worker pool, never on the event loop."""
    backend = backend_of(request)
    return await anyio.to_thread.run_sync(work, backend, limiter=request.app.state.limiter)


async def as_caller(request: Request, work: Callable[[Backend, Caller], T]) -> T:
    """Resolve who is asking from the headers, then do `work` as them — both in the worker pool."""
    headers = request.headers
    return await run(request, lambda backend: work(backend, resolve_caller(backend, headers)))


def respond(request: Request, body: Any, status: int = 200) -> Response:
    if backend_of(request).config.response_envelope == "wrapped":
        body = {"success": True, "data": body}
    return JSONResponse(body, status_code=status)


def query_lists(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
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
