"""Dynamic toolsets over the in-memory client: a session starts with four tools, `enable_toolset` sends
`notifications/tools/list_changed` and the enabled tools then run in the same session; other groups stay closed."""

from __future__ import annotations

import pytest
from mcp.types import ToolListChangedNotification

from tests.mcp.guardrails_support import principal, session

pytestmark = pytest.mark.anyio
STARTING_TOOLS = {"get_context", "search_docs", "list_toolsets", "enable_toolset"}


async def test_a_dynamic_session_starts_with_the_session_tools_and_says_its_list_can_change(env):
    async with session(env.backend, principal(), ("core", "bkend"), dynamic=True) as s:
        assert set(await s.tools()) == STARTING_TOOLS
        assert s.client.server_capabilities.tools.list_changed is True
        groups = {g["name"]: g for g in (await s.ok("list_toolsets"))["items"]}
    assert {"tables", "data", "keys", "bkend", "activity"} <= set(groups)
    assert "create_table" in groups["tables"]["tools"] and groups["tables"]["enabled"] is False
    assert groups["session"]["enabled"] is True


async def test_enabling_a_toolset_notifies_the_client_and_its_tools_then_run(env):
    async with session(env.backend, principal(), ("core",), dynamic=True) as s:
        early = await s.error("create_table", table="posts")
        assert early["restCode"] == "mcp/toolset-not-enabled" and "enable_toolset" in early["message"]
        enabled = await s.ok("enable_toolset", names=["tables", "data"])
        assert enabled["added"] == ["tables", "data"] and "insert_data" in enabled["tools"]
        assert any(isinstance(n, ToolListChangedNotification) for n in s.notifications)
        listed = set(await s.tools())
        assert {"create_table", "insert_data", "query_data"} <= listed and "manage_api_keys" not in listed
        await s.ok("create_table", table="posts", fields=[{"name": "title", "type": "string"}])
        assert (await s.ok("insert_data", table="posts", records={"title": "hi"}))["count"] == 1
        again = len(s.notifications)
        await s.ok("enable_toolset", names=["tables"])  # nothing new: no second notification
        assert len(s.notifications) == again
        assert (await s.error("enable_toolset", names=["nope"]))["code"] == "VALIDATION_ERROR"


async def test_dynamic_read_only_sessions_enable_only_read_tools(env):
    async with session(env.backend, principal(read_only=True), ("core",), dynamic=True) as s:
        enabled = await s.ok("enable_toolset", names=["tables"])
        listed = set(await s.tools())
    assert "list_tables" in enabled["tools"] and "create_table" not in enabled["tools"]
    assert "list_tables" in listed and "create_table" not in listed


async def test_each_session_has_its_own_toolsets(env):
    async with session(env.backend, principal(), ("core",), dynamic=True) as first:
        await first.ok("enable_toolset", names=["tables"])
    async with session(env.backend, principal(), ("core",), dynamic=True) as second:
        assert set(await second.tools()) == STARTING_TOOLS
