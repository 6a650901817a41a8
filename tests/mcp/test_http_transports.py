"""Streamable HTTP (`/mcp`) and legacy SSE (`/sse`) against a real `bkend-mcp serve`, driven by the SDK's own
clients with a personal access token; plus the raw-HTTP contract: 401 challenge, stateless calls without
`initialize`, protocol version echo, per-connection toolsets, DNS-rebinding protection and the `none` mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from starlette.testclient import TestClient

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.rest.app import create_app
from tests.mcp.live_server import LiveServer, live_server

JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("transports") / "data") as running:
        yield running


@asynccontextmanager
async def streamable(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers=headers) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
            yield client


@asynccontextmanager
async def sse(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with Client(sse_client(url, headers=headers), mode="legacy") as client:
        yield client


def a_read_call(names: list[str]) -> tuple[str, dict[str, Any]]:
    """A read-only core tool to call: the ones the other toolsets add may not exist yet."""
    for name, arguments in (("get_context", {}), ("list_tables", {}), ("list_organizations", {})):
        if name in names:
            return name, arguments
    pytest.skip("no read-only core tool is registered yet")


async def list_and_call(connection: AbstractAsyncContextManager[Client]) -> tuple[list[str], Any]:
    async with connection as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        name, arguments = a_read_call(names)
        return names, await client.call_tool(name, arguments)


def test_streamable_http_client_lists_and_calls_tools_with_a_pat(server):
    names, result = anyio.run(list_and_call, streamable(server.mcp, server.bearer()))
    assert names and not result.is_error, result.content


def test_sse_client_lists_and_calls_tools_with_a_pat(server):
    names, result = anyio.run(list_and_call, sse(f"{server.base}/sse", server.bearer()))
    assert names and not result.is_error, result.content


def test_sse_and_streamable_http_offer_the_same_tools(server):
    http_names, _ = anyio.run(list_and_call, streamable(server.mcp, server.bearer()))
    sse_names, _ = anyio.run(list_and_call, sse(f"{server.base}/sse", server.bearer()))
    assert sse_names == http_names


def test_toolsets_are_chosen_per_connection(server):
    everything, _ = anyio.run(list_and_call, streamable(server.mcp, server.bearer()))
    core, _ = anyio.run(list_and_call, streamable(f"{server.mcp}?toolsets=core", server.bearer()))
    core_sse, _ = anyio.run(list_and_call, sse(f"{server.base}/sse?toolsets=core", server.bearer()))
    assert set(core) <= set(everything) and core_sse == core
    assert not [name for name in core if name.startswith("backend_")]


def test_unknown_toolset_is_a_json_rpc_error(server):
    response = httpx.post(f"{server.mcp}?toolsets=nope", json=TOOLS_LIST, headers={**JSON_RPC, **server.bearer()})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32602 and "nope" in response.json()["error"]["message"]


@pytest.mark.parametrize("method, path", [("POST", "/mcp"), ("GET", "/mcp"), ("GET", "/sse"), ("POST", "/messages/")])
def test_no_token_is_401_with_a_resource_metadata_challenge(server, method, path):
    response = httpx.request(method, server.base + path, json=TOOLS_LIST, headers=JSON_RPC)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert f'resource_metadata="{server.base}/.well-known/oauth-protected-resource/mcp"' in challenge


def test_a_bad_or_revoked_looking_token_is_401(server):
    for token in ("mcp_" + "0" * 64, "eyJhbGciOiJIUzI1NiJ9.e30.x", "garbage"):
        headers = {**JSON_RPC, "Authorization": f"Bearer {token}"}
        assert httpx.post(server.mcp, json=TOOLS_LIST, headers=headers).status_code == 401


def test_stateless_tools_list_needs_no_initialize(server):
    response = httpx.post(server.mcp, json=TOOLS_LIST, headers={**JSON_RPC, **server.bearer()})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in response.headers
    assert response.json()["result"]["tools"]


@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18", "2024-11-05"])
def test_initialize_echoes_a_supported_protocol_version(server, version):
    body = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": version}}
    result = httpx.post(server.mcp, json=body, headers={**JSON_RPC, **server.bearer()}).json()["result"]
    assert result["protocolVersion"] == version and result["serverInfo"]["name"] == "bkend"
    assert "get_context" in result["instructions"]


def test_tool_call_over_raw_json_rpc(server):
    listed = httpx.post(server.mcp, json=TOOLS_LIST, headers={**JSON_RPC, **server.bearer()}).json()
    names = [tool["name"] for tool in listed["result"]["tools"]]
    name, arguments = a_read_call(names)
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    result = httpx.post(server.mcp, json=call, headers={**JSON_RPC, **server.bearer()}).json()["result"]
    assert result["isError"] is False and result["structuredContent"]


def test_reader_token_gets_forbidden_on_a_write_tool(server):
    async def attempt() -> Any:
        async with streamable(server.mcp, server.bearer("reader")) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            if "create_table" not in names:
                pytest.skip("create_table is not registered yet")
            fields = [{"name": "t", "type": "string"}]
            return await client.call_tool("create_table", {"table": "notes", "fields": fields})

    result = anyio.run(attempt)
    assert result.is_error and result.structured_content["error"]["code"] == "FORBIDDEN"
    assert "table:create" in result.structured_content["error"]["message"]


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Host": "evil.example"}, 421),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "http://localhost:3000"}, 200),
    ],
    ids=["foreign-host", "foreign-origin", "loopback-origin"],
)
def test_dns_rebinding_protection(server, headers, status):
    response = httpx.post(server.mcp, json=TOOLS_LIST, headers={**JSON_RPC, **server.bearer(), **headers})
    assert response.status_code == status


def test_auth_none_acts_as_the_local_owner_and_is_loopback_only(tmp_path, monkeypatch):
    config = Config(data_dir=tmp_path / "data", mcp_auth="none")
    backend = open_backend(config)
    try:
        with TestClient(create_app(config, backend), base_url="http://127.0.0.1:8000") as client:
            response = client.post("/mcp", json=TOOLS_LIST, headers=JSON_RPC)
            assert response.status_code == 200 and response.json()["result"]["tools"]
            assert client.get("/.well-known/oauth-authorization-server").status_code == 404
    finally:
        backend.close()
    monkeypatch.setenv("BKEND_MCP_AUTH", "none")
    monkeypatch.setenv("BKEND_HOST", "0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        Config.from_env()


def test_auth_token_mode_accepts_only_personal_access_tokens(tmp_path):
    config = Config(data_dir=tmp_path / "data", mcp_auth="token")
    backend = open_backend(config)
    try:
        with TestClient(create_app(config, backend), base_url="http://127.0.0.1:8000") as client:
            response = client.post("/mcp", json=TOOLS_LIST, headers={**JSON_RPC, "Authorization": "Bearer x.y.z"})
            assert response.status_code == 401 and "resource_metadata" not in response.headers["www-authenticate"]
            assert client.get("/.well-known/oauth-protected-resource/mcp").status_code == 404
    finally:
        backend.close()


@asynccontextmanager
async def discovering(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    """The SDK client in its default mode: it probes `server/discover` and speaks 2026-07-28 when offered."""
    async with httpx2.AsyncClient(headers=headers) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            yield client


def test_a_2026_client_lists_and_calls_tools_in_single_exchanges(server):
    async def version() -> str:
        async with discovering(server.mcp, server.bearer()) as client:
            return client.protocol_version

    assert anyio.run(version) == "2026-07-28"
    names, result = anyio.run(list_and_call, discovering(server.mcp, server.bearer()))
    legacy_names, _ = anyio.run(list_and_call, streamable(server.mcp, server.bearer()))
    assert set(names) == set(legacy_names)
    assert not result.is_error and result.structured_content


def test_a_2026_single_exchange_keeps_the_token_and_scope_checks(server):
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    fields = [{"name": "t", "type": "string"}]
    call = {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/call",
        "params": {"name": "create_table", "arguments": {"table": "notes2026", "fields": fields}, "_meta": meta},
    }
    headers = {**JSON_RPC, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "create_table"}
    assert httpx.post(server.mcp, json=call, headers=headers).status_code == 401
    result = httpx.post(server.mcp, json=call, headers={**headers, **server.bearer("reader")}).json()["result"]
    assert result["isError"] is True and result["structuredContent"]["error"]["code"] == "FORBIDDEN"
