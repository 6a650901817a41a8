"""MCP over HTTP inside the app: Streamable HTTP at `/mcp` and the legacy SSE transport at `/sse` + `/messages/`.

Both sit behind one bearer gate that turns the `Authorization` header into a `Principal` (domain/mcp_access.py)
and hands it to the tools through a context variable (the SDK carries it into stateful sessions too). Streamable
HTTP is stateless with JSON responses unless `BKEND_MCP_HTTP_STATEFUL=true` (sessions and SSE streaming). A
connection picks its toolsets with `?toolsets=core,bkend` (`/mcp` and `/sse`); each selection gets its own
`MCPServer`, built on first use, whose session manager runs inside the app's lifespan.

Guardrails per connection (`mcp/connection.py`): `?readOnly=true`, `?project=…&environment=…` narrow the server's
own policy (`BKEND_MCP_READ_ONLY`, `BKEND_MCP_PROJECT`, `BKEND_MCP_ENVIRONMENT`) and ride on the principal of every
request; `?dynamic=true` (or `BKEND_MCP_DYNAMIC_TOOLSETS`) selects a server with dynamic toolsets, which needs a
session: SSE, or Streamable HTTP with `BKEND_MCP_HTTP_STATEFUL=true` (stateless HTTP refuses `?dynamic=true`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup, TaskStatus
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.streamable_http_manager import DEFAULT_MAX_REQUEST_BODY_SIZE, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.deployment import allowed_hosts, allowed_origins, mcp_url
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_access import authenticate_bearer, local_owner_principal
from bkend_mcp.domain.principal import ConnectionPolicy, Principal
from bkend_mcp.mcp import http_exchange
from bkend_mcp.mcp.connection import flag, narrowed_by_query, policy_from_env, query_values
from bkend_mcp.mcp.server import TOOLSETS, build_server, dynamic_default, selected_toolsets
from bkend_mcp.mcp.toolkit import serving
from bkend_mcp.rest.http import InFlight, JSONResponse

log = logging.getLogger("bkend_mcp.mcp")
ServedKey = tuple[tuple[str, ...], bool]
"""(toolsets in canonical order, dynamic toolsets)."""
DYNAMIC_SUFFIX = "+dynamic"
MAX_REMEMBERED_QUERIES = 256
"""How many distinct `/mcp` query strings `McpHub` remembers the transport of (each names toolsets and flags)."""
SSE_SESSION = re.compile(rb"session_id=([0-9a-f]{32})")

_principal: ContextVar[Principal | None] = ContextVar("bkend_mcp_http_principal", default=None)


def current_principal() -> Principal:
    """The principal of the HTTP request being served; what `build_server` calls `principal_of`."""
    principal = _principal.get()
    if principal is None:
        raise BkendError("common/authentication-required", "No authenticated MCP principal for this request")
    return principal


@dataclass(frozen=True, slots=True)
class McpMount:
    routes: list[BaseRoute]
    running: Callable[[Backend], contextlib.AbstractAsyncContextManager[None]]
    """Enter inside the app lifespan, once the backend is open: runs the MCP session managers."""


def mount_mcp(config: Config) -> McpMount:
    """The MCP transports for `create_app`: their routes and the context their session managers run in."""
    config.check_mcp_auth()
    hub = McpHub(config)
    routes: list[BaseRoute] = [
        Route("/mcp", BearerGate(hub.streamable_http, hub)),
        Route("/sse", BearerGate(hub.sse, hub), methods=["GET"]),
        Route("/messages/", BearerGate(hub.sse, hub), methods=["POST"]),
        Route("/messages/{toolsets}/", BearerGate(hub.sse, hub), methods=["POST"]),
    ]
    return McpMount(routes, hub.running)


def transport_security(config: Config) -> TransportSecuritySettings:
    """DNS-rebinding protection from the configured host and public URL (`BKEND_MCP_ALLOWED_HOSTS=*` turns it off)."""
    hosts = allowed_hosts(config)
    if "*" in hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=allowed_origins(config))


@dataclass(slots=True)
class Served:
    """One toolset selection: its server's Streamable HTTP session manager and its SSE app."""

    manager: StreamableHTTPSessionManager
    sse: Starlette


class McpHub:
    def __init__(self, config: Config):
        self.config = config
        self.security = transport_security(config)
        self.backend: Backend | None = None
        self.limiter = anyio.CapacityLimiter(config.worker_threads)
        self.fixed_principal: Principal | None = None
        self.policy = policy_from_env(os.environ)
        self.dynamic_default = dynamic_default()
        if self.dynamic_default and not config.mcp_http_stateful:
            log.warning("BKEND_MCP_DYNAMIC_TOOLSETS applies to SSE only: stateless Streamable HTTP keeps no session")
        self._served: dict[ServedKey, Served] = {}
        self._by_query: dict[bytes, Served] = {}
        """Streamable HTTP: a query string → what serves it (parsed once; most clients send the same one each time)."""
        self._sse_policies: dict[str, ConnectionPolicy] = {}
        """SSE session id → the policy its `GET /sse` was opened with."""
        self._lock = anyio.Lock()
        self._task_group: TaskGroup | None = None

    @contextlib.asynccontextmanager
    async def running(self, backend: Backend) -> AsyncIterator[None]:
        self.backend = backend
        if self.config.mcp_auth == "none":
            self.fixed_principal = await anyio.to_thread.run_sync(local_owner_principal, backend)
        async with anyio.create_task_group() as task_group:
            self._task_group = task_group
            try:
                yield
            finally:
                task_group.cancel_scope.cancel()
                self._task_group = None
                self._served.clear()
                self._by_query.clear()

    async def authenticate(self, scope: Scope) -> Principal:
        """Who sends this request: its token checked against the store, or remembered while nothing can have changed
        the answer (`mcp_access.authenticate_bearer`; a revoked token fails on the next request, whichever process
        revoked it). A lone request on the embedded engine is checked on the event loop
        (one indexed read, ~0.1 ms), as REST does with its quick calls; otherwise in the worker pool."""
        if self.fixed_principal is not None:
            return self.fixed_principal
        backend = self.backend
        if backend is None:
            raise RuntimeError("the MCP transports are not running: enter McpMount.running in the app lifespan")
        authorization = Headers(scope=scope).get("authorization")
        if _alone(scope):
            return authenticate_bearer(backend, authorization)
        return await anyio.to_thread.run_sync(authenticate_bearer, backend, authorization, limiter=self.limiter)

    def with_connection_policy(self, principal: Principal, scope: Scope) -> Principal:
        """The principal with the connection's policy: the server's, narrowed by this request's query (`readOnly`,
        pins). A message posted to an SSE session keeps the policy its `GET /sse` opened the session with."""
        query = scope.get("query_string", b"").decode("latin-1")
        session = parse_qs(query).get("session_id", [""])[0] if query else ""
        return principal.with_policy(narrowed_by_query(self._sse_policies.get(session, self.policy), query))

    async def streamable_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        served = self._by_query.get(query)
        if served is None:
            try:
                dynamic = self._dynamic(scope, sessions=self.config.mcp_http_stateful)
                served = await self._served_for(_query_toolsets(scope), dynamic)
            except BkendError as exc:
                await _rpc_error(exc)(scope, receive, send)
                return
            if len(self._by_query) < MAX_REMEMBERED_QUERIES:
                self._by_query[query] = served
        await http_exchange.answer(served.manager, scope, receive, send)

    async def sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            path_key = scope.get("path_params", {}).get("toolsets")
            if path_key:
                toolsets, dynamic = _parse_key_text(path_key)
                served = await self._served_for(toolsets, dynamic)
            else:
                served = await self._served_for(_query_toolsets(scope), self._dynamic(scope, sessions=True))
        except BkendError as exc:
            await _rpc_error(exc)(scope, receive, send)
            return
        if scope["method"] != "GET":
            await served.sse(scope, receive, send)
            return
        opened: list[str] = []
        policy = current_principal().policy

        async def remembering(message: Message) -> None:
            """Bind the session to the policy of the request that opens it (its `endpoint` event names it)."""
            found = SSE_SESSION.search(message.get("body", b"")) if not opened else None
            if found:
                opened.append(found.group(1).decode())
                if policy is not None:
                    self._sse_policies[opened[0]] = policy
            await send(message)

        try:
            await served.sse(scope, receive, remembering)
        finally:
            for session in opened:
                self._sse_policies.pop(session, None)

    def _dynamic(self, scope: Scope, *, sessions: bool) -> bool:
        """`?dynamic=`, else the server's default (ignored where the transport keeps no session)."""
        value = query_values(scope.get("query_string", b"").decode("latin-1")).get("dynamic")
        if value is None:
            return self.dynamic_default and sessions
        if flag(value) and not sessions:
            raise BkendError(
                "mcp/dynamic-needs-session",
                "Dynamic toolsets need a session that outlives one request, and this server runs stateless "
                "Streamable HTTP: start it with BKEND_MCP_HTTP_STATEFUL=true, use /sse, or connect without "
                "?dynamic=true.",
            )
        return flag(value)

    async def _served_for(self, requested: str | None, dynamic: bool) -> Served:
        key = (_toolset_key(requested), dynamic)
        served = self._served.get(key)
        if served is not None:
            return served
        async with self._lock:
            if key not in self._served:
                self._served[key] = await self._serve(key)
            return self._served[key]

    async def _serve(self, key: ServedKey) -> Served:
        if self._task_group is None or self.backend is None:
            raise RuntimeError("the MCP transports are not running: enter McpMount.running in the app lifespan")
        stateful = self.config.mcp_http_stateful
        toolsets, dynamic = key
        server = build_server(
            self.backend, current_principal, toolsets=toolsets, dynamic_toolsets=dynamic, log_level="WARNING"
        )
        body_limit = max(self.config.max_body_bytes, DEFAULT_MAX_REQUEST_BODY_SIZE)
        server.streamable_http_app(
            json_response=not stateful,
            stateless_http=not stateful,
            transport_security=self.security,
            max_request_body_size=body_limit,
        )
        await self._task_group.start(_run_session_manager, server.session_manager)
        message_path = "/messages/" if key == (_toolset_key(None), False) else f"/messages/{_key_text(key)}/"
        sse = server.sse_app(
            message_path=message_path, transport_security=self.security, max_request_body_size=body_limit
        )
        return Served(server.session_manager, sse)


async def _run_session_manager(
    manager: StreamableHTTPSessionManager, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
) -> None:
    _principal.set(None)  # this task outlives the request that started it
    auth_context_var.set(None)
    async with manager.run():
        task_status.started()
        await anyio.sleep_forever()


def _alone(scope: Scope) -> bool:
    """Whether this is the only request the app is serving and its engine may be read on the event loop
    (`rest/http.py` InFlight: the embedded engine may, MongoDB may not)."""
    state = getattr(scope.get("app"), "state", None)
    in_flight: InFlight | None = getattr(state, "in_flight", None)
    return in_flight is not None and in_flight.alone()


def _query_toolsets(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("toolsets")
    return values[0] if values else None


def _key_text(key: ServedKey) -> str:
    return ",".join(key[0]) + (DYNAMIC_SUFFIX if key[1] else "")


def _parse_key_text(text: str) -> tuple[str, bool]:
    dynamic = text.endswith(DYNAMIC_SUFFIX)
    return (text[: -len(DYNAMIC_SUFFIX)] if dynamic else text), dynamic


def _toolset_key(requested: str | None) -> tuple[str, ...]:
    """The selection in canonical order; raises BkendError for an unknown toolset."""
    try:
        chosen = set(selected_toolsets(requested))
    except ValueError as exc:
        raise BkendError("common/invalid-parameters", str(exc)) from None
    return tuple(name for name in TOOLSETS if name in chosen)


class BearerGate:
    """Authenticate every MCP HTTP request before the transport sees it.

    Failure: 401 `{"error": "invalid_token", ...}` with `WWW-Authenticate: Bearer …, resource_metadata=…`, which is
    what makes an MCP client start OAuth discovery. Success: the principal is set for the tools, and `scope["user"]`
    and the SDK's auth context carry it the way the SDK expects (`get_access_token()` works in tools), so a stateful
    or SSE session stays bound to the credential that opened it.
    (An ASGI object, not a function, so that Starlette's `Route` hands it the raw request.)
    """

    def __init__(self, app: ASGIApp, hub: McpHub):
        self.app = app
        self.hub = hub
        config = hub.config
        self.resource_metadata = (
            f"{config.base_url}/.well-known/oauth-protected-resource/mcp" if config.mcp_auth == "oauth" else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            principal = await self.hub.authenticate(scope)
        except BkendError as exc:
            await self._refuse(exc)(scope, receive, send)
            return
        try:
            principal = self.hub.with_connection_policy(principal, scope)
        except BkendError as exc:
            await _rpc_error(exc)(scope, receive, send)
            return
        user = AuthenticatedUser(_sdk_token(principal, self.hub.config))
        scope["user"] = user
        principal_token, user_token = _principal.set(principal), auth_context_var.set(user)
        try:
            with serving(lambda: _alone(scope)):
                await self.app(scope, receive, send)
        finally:
            auth_context_var.reset(user_token)
            _principal.reset(principal_token)

    def _refuse(self, exc: BkendError) -> JSONResponse:
        description = exc.message.replace('"', "'").encode("ascii", "replace").decode()  # header text is ASCII
        challenge = f'Bearer error="invalid_token", error_description="{description}"'
        if self.resource_metadata:
            challenge += f', resource_metadata="{self.resource_metadata}"'
        body = {"error": "invalid_token", "error_description": exc.message}
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge})


def _sdk_token(principal: Principal, config: Config) -> AccessToken:
    who = (principal.client_id or "", principal.scopes, principal.tenant_id, principal.organization_id)
    return _access_token(*who, mcp_url(config))


@lru_cache(maxsize=256)
def _access_token(
    client_id: str, scopes: tuple[str, ...], subject: str, organization_id: str | None, issuer: str
) -> AccessToken:
    """The SDK's view of a credential, built once per distinct credential (a pydantic model per request showed up
    in the profile); never mutated."""
    return AccessToken(
        token="",
        client_id=client_id,
        scopes=list(scopes),
        subject=subject,
        claims={"iss": issuer, "org": organization_id},
    )


def _rpc_error(exc: BkendError) -> JSONResponse:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": None, "error": {"code": exc.rpc_code, "message": exc.message}}
    return JSONResponse(body, status_code=exc.status)
