"""spec/mcp-and-console.md §6.8 checks 1, 6 and 7 over every transport with the SDK's own clients: stdio
(`bkend-mcp mcp`), Streamable HTTP (`/mcp`) and SSE (`/sse`) give the same tools and the same cookbook results."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from bkend_mcp.mcp.listing import effective_annotations
from tests.mcp.live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]
CORE_SAMPLE = {"get_context", "search_docs", "create_table", "insert_data", "query_data", "update_data",
               "delete_data", "aggregate_data", "manage_api_keys"}  # fmt: skip
BKEND_SAMPLE = {"backend_table_create", "backend_field_manage", "backend_project_list", "backend_env_list"}
ANNOTATIONS = {  # tool → (readOnlyHint, destructiveHint)
    "query_data": (True, None),
    "insert_data": (False, False),
    "delete_data": (False, True),
    "delete_table": (False, True),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("acceptance") / "data") as running:
        yield running


def stdio(data_dir: Path) -> AbstractAsyncContextManager[Client]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BKEND_")}
    params = StdioServerParameters(
        command=sys.executable, cwd=str(ROOT), env=env, args=["-m", "bkend_mcp", "mcp", "--data-dir", str(data_dir)]
    )
    return Client(params, mode="legacy")


@asynccontextmanager
async def streamable(server: LiveServer) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers=server.bearer(), timeout=30) as http:
        async with Client(streamable_http_client(server.mcp, http_client=http), mode="legacy") as client:
            yield client


def sse(server: LiveServer) -> AbstractAsyncContextManager[Client]:
    return Client(sse_client(f"{server.base}/sse", headers=server.bearer()), mode="legacy")


async def call(client: Client, name: str, **arguments: Any) -> tuple[bool, dict[str, Any]]:
    result = await client.call_tool(name, arguments)
    return result.is_error, result.structured_content or {}


async def cookbook(client: Client, table: str) -> dict[str, Any]:
    """The cookbook smoke test of §6.8 item 6; returns what each step showed, for comparison across transports."""
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    seen: dict[str, Any] = {"tools": sorted(tools)}
    hints = {n: effective_annotations(tools[n].annotations) for n in ANNOTATIONS}
    seen["annotations"] = {n: (h.read_only_hint, h.destructive_hint) for n, h in hints.items()}  # fmt: skip
    failed, made = await call(client, "create_table", table=table, fields=[
        {"name": "title", "type": "string", "required": True},
        {"name": "published", "type": "boolean", "default": False},
        {"name": "views", "type": "number"}])  # fmt: skip
    assert not failed, made
    records = [{"title": f"Post {i}", "views": i, **({"published": True} if i % 2 else {})} for i in range(1, 6)]
    failed, inserted = await call(client, "insert_data", table=table, records=records)
    assert not failed and inserted["count"] == 5, inserted
    _, published = await call(client, "query_data", table=table, filter={"published": True}, sortBy="views",
                              sortDirection="desc")  # fmt: skip
    seen["published"] = [item["title"] for item in published["items"]]
    _, updated = await call(client, "update_data", table=table, filter={"published": False}, data={"views": 0})
    seen["updated"] = (updated["matched"], updated["modified"])
    _, report = await call(client, "aggregate_data", table=table, groupBy=["published"], metrics=[{"op": "count"}])
    seen["groups"] = report["groups"]
    failed, refused = await call(client, "delete_data", table=table, filter={"published": False})
    seen["refused"] = (failed, refused["error"]["code"])
    _, deleted = await call(client, "delete_data", table=table, filter={"published": False}, confirm=True)
    _, left = await call(client, "query_data", table=table, countOnly=True)
    seen["deleted"], seen["left"] = deleted["deleted"], left["count"]
    return seen


EXPECTED = {
    "published": ["Post 5", "Post 3", "Post 1"],
    "updated": (2, 2),
    "groups": [{"key": {"published": True}, "count": 3}, {"key": {"published": False}, "count": 2}],
    "refused": (True, "CONFIRMATION_REQUIRED"),
    "deleted": 2,
    "left": 3,
    "annotations": {"query_data": (True, None), "insert_data": (False, False), "delete_data": (False, True),
                    "delete_table": (False, True)},
}  # fmt: skip

TRANSPORTS: dict[str, Callable[..., AbstractAsyncContextManager[Client]]] = {
    "stdio": lambda server, tmp: stdio(tmp / "stdio-data"),
    "streamable-http": lambda server, tmp: streamable(server),
    "sse": lambda server, tmp: sse(server),
}


@pytest.mark.parametrize("transport", list(TRANSPORTS))
def test_cookbook_flow_gives_the_same_results_on_every_transport(server, tmp_path, transport):
    async def scenario() -> dict[str, Any]:
        async with TRANSPORTS[transport](server, tmp_path) as client:
            return await cookbook(client, f"posts_{transport.replace('-', '_')}")

    seen = anyio.run(scenario)
    assert CORE_SAMPLE | BKEND_SAMPLE <= set(seen.pop("tools"))
    assert seen == EXPECTED
