"""Stateless Streamable HTTP answers a lone ordinary JSON-RPC request in the request's own task
(`mcp/http_exchange.py`) and leaves everything else to the SDK's transport. One table of requests goes to the
real app twice, once as served and once with the SDK's transport for every request: status, headers and body must
be the same bytes, and each row says which path it must take (so the comparison cannot pass by both sides
silently taking the SDK's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp.shared.message import ServerMessageMetadata
from mcp_types import JSONRPCRequest, JSONRPCResponse
from starlette.testclient import TestClient

from bkend_mcp.config import Config
from bkend_mcp.domain import tenancy
from bkend_mcp.domain.bootstrap import FIRST_PROJECT_SLUG
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.mcp import http_exchange
from bkend_mcp.rest.app import create_app
from tests.mcp.live_server import _seed

BASE = "http://127.0.0.1:8000"
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def rpc(method: str, params: Any = None, id: Any = 1) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message).encode()


def tool(name: str, **arguments: Any) -> bytes:
    return rpc("tools/call", {"name": name, "arguments": arguments})


@dataclass(frozen=True)
class Exchange:
    name: str
    body: bytes | None
    direct: bool
    """Whether the request must be answered without the SDK's transport."""
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    chunked: bool = False
    """Send the body without Content-Length, in pieces."""


TOO_BIG = b" " * (max(Config().max_body_bytes, DEFAULT_MAX_REQUEST_BODY_SIZE) + 1)
EXCHANGES = [
    Exchange("ping", rpc("ping"), True),
    Exchange("ping-with-string-id", rpc("ping", id="a-1"), True),
    Exchange("ping-with-empty-params", rpc("ping", {}), True),
    Exchange("tools-list", rpc("tools/list"), True),
    Exchange("read-tool", tool("list_tables"), True),
    Exchange("context-tool", tool("get_context"), True),
    Exchange("tool-error-unknown-table", tool("query_data", table="no_such_table"), True),
    Exchange("tool-error-bad-write", tool("insert_data", table="no_such_table", records={"a": 1}), True),
    Exchange("invalid-arguments", tool("query_data", table="t", limit=0), True),
    Exchange("unknown-tool", tool("no_such_tool"), True),
    Exchange("tools-call-without-name", rpc("tools/call", {"arguments": {}}), True),
    Exchange("unknown-method", rpc("no/such-method"), True),
    Exchange("resources-list", rpc("resources/list"), True),
    Exchange("prompts-list", rpc("prompts/list"), True),
    Exchange("progress-token", rpc("tools/call", {"name": "list_tables", "_meta": {"progressToken": 7}}), True),
    Exchange("supported-protocol-header", rpc("ping"), True, {"MCP-Protocol-Version": "2025-06-18"}),
    Exchange("json-with-charset", rpc("ping"), True, {"Content-Type": "application/json; charset=utf-8"}),
    Exchange("accept-wildcard", rpc("ping"), True, {"Accept": "*/*"}),
    Exchange("accept-json-only", rpc("ping"), True, {"Accept": "application/json"}),
    Exchange("session-id-ignored", rpc("ping"), True, {"Mcp-Session-Id": "0123abcd"}),
    Exchange("loopback-origin", rpc("ping"), True, {"Origin": "http://localhost:3000"}),
    Exchange("chunked-body", rpc("tools/list"), True, chunked=True),
    Exchange("huge-integer-id", b'{"jsonrpc": "2.0", "id": 123456789012345678901234567890, "method": "ping"}', True),
    Exchange(
        "initialize",
        rpc(
            "initialize",
            {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
        ),
        False,
    ),  # fmt: skip
    Exchange("notification", b'{"jsonrpc": "2.0", "method": "notifications/initialized"}', False),
    Exchange("posted-response", b'{"jsonrpc": "2.0", "id": 5, "result": {}}', False),
    Exchange("batch", b"[" + rpc("ping") + b"," + rpc("ping", id=2) + b"]", False),
    Exchange("parse-error", b'{"jsonrpc": "2.0", "id": 1, "method": ', False),
    Exchange("empty-body", b"", False),
    Exchange("not-json-rpc", b'{"jsonrpc": "1.0", "id": 1, "method": "ping"}', False),
    Exchange("null-id", b'{"jsonrpc": "2.0", "id": null, "method": "ping"}', False),
    Exchange("float-id", b'{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', False),
    Exchange("no-method", b'{"jsonrpc": "2.0", "id": 1}', False),
    Exchange("params-as-list", b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": []}', False),
    Exchange("accept-sse-only", rpc("ping"), False, {"Accept": "text/event-stream"}),
    Exchange("accept-html", rpc("ping"), False, {"Accept": "text/html"}),
    Exchange("content-type-text", rpc("ping"), False, {"Content-Type": "text/plain"}),
    Exchange("content-type-uppercase", rpc("ping"), False, {"Content-Type": "Application/JSON"}),
    Exchange("unknown-protocol-version", rpc("ping"), False, {"MCP-Protocol-Version": "1999-01-01"}),
    Exchange("foreign-host", rpc("ping"), False, {"Host": "evil.example"}),
    Exchange("foreign-origin", rpc("ping"), False, {"Origin": "https://evil.example"}),
    Exchange("declared-too-large", TOO_BIG, False),
    Exchange("chunked-too-large", TOO_BIG, False, chunked=True),
    Exchange("head", None, False, method="HEAD"),
    Exchange("delete", None, False, method="DELETE"),
    Exchange("put", rpc("ping"), False, method="PUT"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("exchange") / "data"
    _org, _project, tokens = _seed(data_dir)
    with TestClient(create_app(Config(data_dir=data_dir)), base_url=BASE) as client:
        yield client, {**JSON_RPC, "Authorization": f"Bearer {tokens['owner']}"}


def send(client: TestClient, headers: dict[str, str], exchange: Exchange) -> tuple[int, list[Any], bytes]:
    merged = {**headers, **exchange.headers}
    content: Any = exchange.body
    if exchange.chunked and exchange.body is not None:
        body = exchange.body
        content = (body[i : i + 1000] for i in range(0, len(body), 1000))
    response = client.request(exchange.method, "/mcp", content=content, headers={k: v for k, v in merged.items() if v})
    return response.status_code, response.headers.multi_items(), response.content


@pytest.mark.parametrize("exchange", EXCHANGES, ids=[e.name for e in EXCHANGES])
def test_a_request_gets_the_answer_the_sdk_transport_gives(app, exchange, monkeypatch):
    client, headers = app
    answered_directly: list[bool] = []
    respond = http_exchange._respond

    async def counting(*args: Any) -> None:
        answered_directly.append(True)
        await respond(*args)

    monkeypatch.setattr(http_exchange, "_respond", counting)
    served = send(client, headers, exchange)
    assert bool(answered_directly) == exchange.direct

    async def sdk_only(manager, scope, receive, send) -> None:
        await manager.handle_request(scope, receive, send)

    monkeypatch.setattr(http_exchange, "answer", sdk_only)
    assert send(client, headers, exchange) == served


def test_a_revoked_token_fails_on_the_very_next_request(app):
    """The lone request authenticates on the event loop, but still against the store: no cached principal."""
    client, headers = app
    backend = client.app.state.backend
    org = tenancy.find_project(backend, FIRST_PROJECT_SLUG)["organizationId"]
    made = pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org, scopes=None, name="gone")
    bearer = {**headers, "Authorization": f"Bearer {made['token']}"}
    assert send(client, bearer, EXCHANGES[0])[0] == 200
    pats.revoke_pat(backend, tenancy.LOCAL_OWNER_ID, made["id"])
    status, _, body = send(client, bearer, EXCHANGES[0])
    assert status == 401 and json.loads(body)["error"] == "invalid_token"


@pytest.mark.parametrize(
    "result",
    [{"v": 2**70}, {"content": [{"type": "text", "text": "é\u2028\x00"}], "structuredContent": {"x": 1e21, "y": -0.0}}],
    ids=["beyond-64-bits", "text-and-floats"],
)
def test_the_success_envelope_has_the_sdks_bytes(result):
    sdk = JSONRPCResponse(jsonrpc="2.0", id=7, result=result).model_dump_json(by_alias=True, exclude_unset=True)
    written = http_exchange._success(7, result)
    assert (written if isinstance(written, str) else written.decode()) == sdk


def _ping_served_directly(connection: Connection) -> dict[str, Any]:
    """A ping through `_serve_one` on a bare SDK server, on `connection`."""
    manager = SimpleNamespace(app=Server("exchange-test"), _lifespan_state={})
    request = JSONRPCRequest(jsonrpc="2.0", id=1, method="ping")
    exchange = http_exchange.Exchange(1, ServerMessageMetadata(request_context=None, can_send_request=False))
    return anyio.run(http_exchange._serve_one, manager, exchange, request, connection)


def test_a_cleanup_registered_on_the_connection_runs_when_the_answer_is_made():
    ran: list[str] = []
    connection = http_exchange._connection("2025-03-26")
    connection.exit_stack.callback(ran.append, "closed")
    assert _ping_served_directly(connection) == {}
    assert ran == ["closed"]


def test_the_direct_connection_is_the_one_the_sdk_builds_from_an_empty_envelope():
    connection = http_exchange._connection("2025-06-18")
    assert _ping_served_directly(connection) == {}
    sdk = Connection.from_envelope("2025-06-18", None, None)
    seen = ("protocol_version", "client_params", "client_capabilities", "has_standalone_channel", "initialize_accepted")
    assert {name: getattr(connection, name) for name in seen} == {name: getattr(sdk, name) for name in seen}
    assert connection.initialized.is_set() and not connection.has_standalone_channel
