"""CORS decided per request from the project and environment it addresses (spec/data.md §5.11, compat.md C16,
storage.md §18, mcp-and-console.md §4.12 and §7 #16). The rule is `domain/cors.py`; this module only sorts the
path into a kind, asks the domain (in the worker pool, through the control cache) and writes the headers.

- `/console`, `/v1/console/…`: same-origin only; preflights are not answered, responses carry no CORS headers.
- `/mcp…`, `/sse`, `/messages/…`, `/.well-known/…`, `/health`: any origin (MCP clients, the MCP Inspector).
- `/_storage/o/{key}`, `/cdn/{key}`, `/img/{options}/{key}`: the environment the key belongs to decides, for
  preflights too (the key is in the path).
- everything else (the API): preflights carry no key, so they are answered for any origin; the actual request
  is decided by the environment of `X-API-Key`, or of `x-project-id` + `x-environment`.

A request that names no environment that exists (no key, a wrong one, an unknown storage prefix) gets the
permissive answer: it can only end in an error that holds no project data, and the browser can then read why.
A refused origin gets no `Access-Control-Allow-Origin`, so the browser keeps the response from the page.
"""

from __future__ import annotations

from enum import Enum
from time import monotonic

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bkend_mcp.domain import cors
from bkend_mcp.domain.backend import Backend

METHODS = "GET, POST, PATCH, DELETE, PUT, OPTIONS"
DEFAULT_ALLOWED_HEADERS = "X-API-Key, Authorization, Content-Type, x-project-id, x-environment"
EXPOSED = (
    "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, WWW-Authenticate, Mcp-Session-Id, "
    "Mcp-Protocol-Version, ETag"
)
MAX_AGE = "600"


class Kind(Enum):
    SAME_ORIGIN = "same-origin"
    OPEN = "open"
    STORAGE = "storage"
    API = "api"


SAME_ORIGIN_PREFIXES = ("/console/", "/v1/console/")
SAME_ORIGIN_PATHS = ("/console", "/v1/console")
OPEN_PREFIXES = ("/mcp/", "/messages/", "/.well-known/")
OPEN_PATHS = ("/mcp", "/sse", "/health")
STORAGE_PREFIXES = ("/_storage/o/", "/cdn/")


def kind_of(path: str) -> tuple[Kind, str]:
    """The kind of route and, for storage routes, the object key in the path."""
    if path in SAME_ORIGIN_PATHS or path.startswith(SAME_ORIGIN_PREFIXES):
        return Kind.SAME_ORIGIN, ""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return Kind.OPEN, ""
    for prefix in STORAGE_PREFIXES:
        if path.startswith(prefix):
            return Kind.STORAGE, path[len(prefix) :]
    if path.startswith("/img/"):
        return Kind.STORAGE, path[len("/img/") :].partition("/")[2]
    return Kind.API, ""


def _origin(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"origin":
            return value.decode("latin-1")
    return None


def _policy(backend: Backend, kind: Kind, key: str, headers: Headers) -> cors.OriginPolicy | None:
    if kind is Kind.STORAGE:
        return cors.policy_for_storage_key(backend, key)
    return cors.policy_for_headers(backend, headers)


def _storage_scope(key: str) -> str:
    return "/".join(key.split("/", 2)[:2])


def _preflight(origin: str, requested_headers: str | None) -> PlainTextResponse:
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": requested_headers or DEFAULT_ALLOWED_HEADERS,
        "Access-Control-Max-Age": MAX_AGE,
        "Vary": "Origin",
    }
    return PlainTextResponse("OK", headers=headers)


class CorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.memo = cors.PolicyMemo()

    async def _allowed(self, scope: Scope, kind: Kind, key: str, origin: str) -> bool:
        """Asked of the memo first; only a miss goes to the worker pool (the lookup may read the store)."""
        app = scope["app"]
        backend: Backend = app.state.backend
        headers = Headers(scope=scope)
        memo_key = ("storage", _storage_scope(key)) if kind is Kind.STORAGE else cors.memo_key(headers)
        known, policy = self.memo.get(backend, memo_key)
        if not known:
            generation, started = backend.cache.generation, monotonic()
            policy = await anyio.to_thread.run_sync(_policy, backend, kind, key, headers, limiter=app.state.limiter)
            self.memo.put(memo_key, generation, started, policy)
        return policy is None or policy.allows(origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _origin(scope) if scope["type"] == "http" else None
        if origin is None:
            await self.app(scope, receive, send)
            return
        kind, key = kind_of(scope["path"])
        if kind is Kind.SAME_ORIGIN:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            allowed = kind is not Kind.STORAGE or await self._allowed(scope, kind, key, origin)
            response = (
                _preflight(origin, headers.get("access-control-request-headers"))
                if allowed
                else PlainTextResponse("Disallowed CORS origin", status_code=400, headers={"Vary": "Origin"})
            )
            await response(scope, receive, send)
            return
        allowed = kind is Kind.OPEN or await self._allowed(scope, kind, key, origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = EXPOSED
            await send(message)

        await self.app(scope, receive, send_with_cors)
