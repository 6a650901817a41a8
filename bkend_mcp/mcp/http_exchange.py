"""One stateless Streamable HTTP request answered in the request's own task, without the SDK's per-request
transport.

In stateless JSON-response mode the SDK's session manager builds, for every POST, a transport with four memory
streams, a message-router task, a dispatcher and a server task, then hands the message through them and the
answer back (about 1 ms of a 2-core machine per request, decisions.md "MCP over HTTP: one exchange, one task").
A POST carrying one ordinary JSON-RPC request needs none of it: this module runs the same server kernel
(`ServerRunner.on_request`, as the SDK's `serve_one` does: the middlewares, the guardrails, the handlers) on it
directly and writes the answer the SDK's transport would write, byte for byte.

Only the plain case takes this path: a POST with a supported (or no) `MCP-Protocol-Version`, passing the SDK's own
Host/Origin/Content-Type check, accepting JSON, with a body under the size limit that parses as one JSON-RPC
request other than `initialize`. Everything else (other methods, batches, notifications, responses, parse and
validation errors, oversized bodies, the 2026-07-28 single exchange) goes to the SDK's manager with the body it
sent replayed, so every refusal stays the SDK's own. `tests/mcp/test_http_exchange.py` sends one table of requests
to both paths and compares the answers.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson
import pydantic_core
from mcp.server.connection import Connection
from mcp.server.runner import ServerRunner, aclose_shielded
from mcp.server.streamable_http import check_accept_headers
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecurityMiddleware
from mcp.shared.dispatcher import CallOptions
from mcp.shared.exceptions import NoBackChannelError
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.shared.jsonrpc_dispatcher import handler_exception_to_error_data
from mcp.shared.message import ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import (
    DEFAULT_NEGOTIATED_VERSION,
    ErrorData,
    JSONRPCError,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
    jsonrpc_message_adapter,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

log = logging.getLogger("bkend_mcp.mcp")
JSON = "application/json"
JSON_BYTES = JSON.encode("ascii")
VERSION_HEADER = MCP_PROTOCOL_VERSION_HEADER.encode("ascii")
NO_CHANNEL = Connection.from_envelope(DEFAULT_NEGOTIATED_VERSION, None, None).outbound
"""The SDK's "this connection cannot push to its peer" outbound (the object `Connection.has_standalone_channel` tells
by identity), taken from a connection the SDK built."""
TRANSPORT = TransportContext(kind="streamable-http", can_send_request=False)
"""What the SDK's stateless transport tells handlers: no back-channel (no session for a reply to land in)."""


@dataclass(slots=True)
class Exchange:
    """The `DispatchContext` of one request answered in JSON: no back-channel, and nowhere for a notification or
    a progress report to go (the SDK's JSON-mode transport drops them too)."""

    request_id: RequestId
    message_metadata: ServerMessageMetadata
    transport: TransportContext = TRANSPORT
    cancel_requested: anyio.Event = field(default_factory=anyio.Event)
    can_send_request: bool = False

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        raise NoBackChannelError(method)

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None) -> None:
        log.debug("dropped %s: a JSON response carries only the result", method)

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        return None


async def answer(manager: StreamableHTTPSessionManager, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one request to a stateless JSON-response manager: directly when it is a lone ordinary request,
    otherwise through the manager (which then reads the body from the start)."""
    if not _plain_post(manager, scope):
        await manager.handle_request(scope, receive, send)
        return
    messages, body = await _read_body(receive, manager.max_request_body_size)
    request = Request(scope, _replay(messages, receive))
    rpc = None if body is None else await _lone_request(manager, request, body)
    if rpc is None:
        await manager.handle_request(scope, _replay(messages, receive), send)
        return
    await _respond(manager, request, rpc, scope, receive, send)


def _plain_post(manager: StreamableHTTPSessionManager, scope: Scope) -> bool:
    """A POST the session manager would give to its stateless JSON transport, within the declared size limit."""
    if scope["method"] != "POST" or not (manager.stateless and manager.json_response):
        return False
    for name, value in scope["headers"]:
        if name == b"content-length" and (not value.isdigit() or int(value) > manager.max_request_body_size):
            return False
        if name == VERSION_HEADER and value.decode("latin-1") not in HANDSHAKE_PROTOCOL_VERSIONS:
            return False
    return True


async def _read_body(receive: Receive, limit: int) -> tuple[list[Message], bytes | None]:
    """The messages read and the whole body, or None for the body when it is not one complete request under
    `limit` (the manager then gives its own answer: 413, or whatever a disconnect deserves)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > limit:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = deque(messages)

    async def replay() -> Message:
        return pending.popleft() if pending else await receive()

    return replay


async def _lone_request(manager: StreamableHTTPSessionManager, request: Request, body: bytes) -> JSONRPCRequest | None:
    """The request in `body` when the SDK's transport would dispatch it as an ordinary request, else None."""
    headers = request.headers
    if await TransportSecurityMiddleware(manager.security_settings).validate_request(request, is_post=True):
        return None
    if not check_accept_headers(request)[0]:
        return None
    content_type = headers.get("content-type", "")
    if not any(part.strip() == JSON for part in content_type.split(";")[0].split(",")):
        return None
    try:
        message = jsonrpc_message_adapter.validate_python(pydantic_core.from_json(body), by_name=False)
    except (ValueError, ValidationError):
        return None
    if not isinstance(message, JSONRPCRequest) or message.method == "initialize":
        return None
    return message


async def _respond(
    manager: StreamableHTTPSessionManager,
    request: Request,
    rpc: JSONRPCRequest,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Run the server kernel on `rpc` and write its answer as the SDK's JSON-mode transport does."""
    version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER, DEFAULT_NEGOTIATED_VERSION)
    exchange = Exchange(rpc.id, ServerMessageMetadata(request_context=request, can_send_request=False))
    connection = _connection(version)
    content: str | bytes
    try:
        result = await _serve_one(manager, exchange, rpc, connection)
        content = _success(rpc.id, result)
    except Exception as exc:
        error = handler_exception_to_error_data(exc)
        if error is None:
            log.exception("MCP handler for %r raised", rpc.method)
            error = ErrorData(code=0, message=str(exc))  # what the SDK's dispatcher answers (its v1 compatibility)
        content = JSONRPCError(jsonrpc="2.0", id=rpc.id, error=error).model_dump_json(by_alias=True, exclude_unset=True)
    body = content.encode() if isinstance(content, str) else content
    headers = [(b"content-type", JSON_BYTES), (b"content-length", str(len(body)).encode("ascii"))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _connection(version: str) -> Connection:
    """What `Connection.from_envelope(version, None, None)` builds (born ready, no back-channel, no client info),
    without validating the two absent values into models first (each `None` raised and caught a pydantic
    `ValidationError`: ~25 µs a request)."""
    connection = Connection(NO_CHANNEL, protocol_version=version)
    connection.initialized.set()
    return connection


async def _serve_one(
    manager: StreamableHTTPSessionManager, exchange: Exchange, rpc: JSONRPCRequest, connection: Connection
) -> dict[str, Any]:
    """The SDK's `serve_one`, except that the connection's exit stack is unwound (shielded, bounded:
    `aclose_shielded`) only when a handler or middleware registered something on it. Nothing does by default, and
    the shielded cancel scope cost ~50 µs a request."""
    runner = ServerRunner(manager.app, connection, _lifespan(manager))
    try:
        return await runner.on_request(exchange, rpc.method, rpc.params)
    finally:
        if _registered(connection.exit_stack):
            await aclose_shielded(connection)


def _registered(stack: AsyncExitStack) -> bool:
    """Whether anything was pushed on `stack` (if the standard library ever renames its queue: assume so)."""
    return bool(getattr(stack, "_exit_callbacks", True))


def _success(request_id: RequestId, result: dict[str, Any]) -> str | bytes:
    """The success envelope as the SDK writes it. The result is wire-shaped JSON already (the kernel dumped it),
    so orjson writes the same bytes as `JSONRPCResponse.model_dump_json` without validating it into a model and
    walking it twice (~0.1 ms for a page of records); what orjson cannot encode (an integer beyond 64 bits) takes
    the model."""
    try:
        return orjson.dumps({"jsonrpc": "2.0", "id": request_id, "result": result})
    except TypeError:
        reply = JSONRPCResponse(jsonrpc="2.0", id=request_id, result=result)
        return reply.model_dump_json(by_alias=True, exclude_unset=True)


def _lifespan(manager: StreamableHTTPSessionManager) -> Any:
    """The server lifespan's state, entered once by the running manager (the SDK keeps it on the manager)."""
    return manager._lifespan_state
