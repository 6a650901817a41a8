"""The context footprint of the default toolset (issue 10): the compact `tools/list` of `core,bkend` stays under
40,000 bytes (≈ 10,000 tokens at 4 bytes a token, as tests/bench/tool_footprint.py counts), and trimming it never
leaves a tool without a description or an argument without its constraints."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import ListToolsResult, Tool

from bkend_mcp.domain.mcp_access import local_owner_principal
from bkend_mcp.mcp.listing import ANNOTATION_DEFAULTS
from bkend_mcp.mcp.server import build_server

pytestmark = pytest.mark.anyio

MAX_DEFAULT_BYTES = 40_000


async def listed(backend: Any, toolsets: tuple[str, ...] = ("core", "bkend")) -> list[Tool]:
    owner = local_owner_principal(backend, client_id="footprint")
    async with Client(build_server(backend, lambda: owner, toolsets=toolsets)) as client:
        return (await client.list_tools()).tools


def wire_bytes(tools: list[Tool]) -> int:
    """The `tools/list` result as the server sends it: compact JSON, UTF-8 (as the bench measures it)."""
    return len(ListToolsResult(tools=tools).model_dump_json(by_alias=True, exclude_none=True).encode())


async def test_the_default_toolset_lists_in_under_40000_bytes(env):
    tools = await listed(env.backend)
    assert len(tools) == 58
    size = wire_bytes(tools)
    assert size < MAX_DEFAULT_BYTES, f"default tools/list is {size:,} bytes (≈ {size // 4:,} tokens)"


async def test_every_listed_tool_keeps_a_description_and_its_argument_constraints(env):
    tools = {tool.name: tool for tool in await listed(env.backend)}
    for name, tool in tools.items():
        assert tool.description and len(tool.description.split()) >= 4, name
        assert tool.input_schema.get("type") == "object", name
        assert tool.annotations is not None and tool.annotations.open_world_hint in (False, None), name
        dumped = tool.annotations.model_dump(by_alias=True, exclude_none=True)
        assert not {k: v for k, v in dumped.items() if ANNOTATION_DEFAULTS.get(k, ...) == v}, name
    query = tools["query_data"].input_schema["properties"]
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 100)
    assert query["sortDirection"]["enum"] == ["asc", "desc"] and "description" in query["filter"]
    users = tools["manage_users"].input_schema["properties"]
    assert users["action"]["enum"][0] == "list" and users["limit"]["maximum"] == 100
    auth = tools["manage_auth"].input_schema["properties"]
    assert (auth["magicLinkExpirationMinutes"]["minimum"], auth["magicLinkExpirationMinutes"]["maximum"]) == (1, 1440)
    fields = tools["create_table"].input_schema["properties"]["fields"]
    assert fields["maxItems"] == 200 and fields["items"]["additionalProperties"] is False
    assert fields["items"]["properties"]["name"]["pattern"] == "^[A-Za-z][A-Za-z0-9_]{0,63}$"
    assert all(tools[n].description.startswith("Call get_context first") for n in tools if n.startswith("backend_"))
