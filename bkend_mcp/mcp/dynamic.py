"""Dynamic toolsets (`--dynamic-toolsets`, `BKEND_MCP_DYNAMIC_TOOLSETS=1`, `?dynamic=true`): a session starts with
`get_context`, `search_docs`, `list_toolsets` and `enable_toolset`; enabling a group adds its tools to this
session's `tools/list` and sends `notifications/tools/list_changed`, so the client lists again and the model can
call them at once. Less context is spent on tools the conversation never needs.

The enabled groups are per-connection state, so this needs a session that outlives one request: stdio, SSE, or
Streamable HTTP with `BKEND_MCP_HTTP_STATEFUL=true`. Stateless HTTP refuses `?dynamic=true`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolListChangedNotification
from pydantic import Field

from bkend_mcp.domain.errors import BkendError
from bkend_mcp.mcp.toolkit import ToolKit, error_result
from bkend_mcp.mcp.tools.args import READ

if TYPE_CHECKING:
    from bkend_mcp.mcp.guardrails import Catalogue

ALWAYS_GROUP = "session"
"""The group whose tools every session has: get_context, search_docs, list_toolsets, enable_toolset."""
STATE_KEY = "bkend_mcp.enabled_toolsets"
GROUP_NAMES = {"bkend_compat": "bkend", "legacy": "bkend-legacy"}
"""Tool module → group name, where they differ."""
DESCRIPTIONS = {
    "organizations": "Organizations you can use and your role",
    "projects": "List, inspect, create, update and delete projects",
    "environments": "Environments of a project (dev, staging, prod…), their MCP access setting",
    "tables": "Tables: fields and schema versions, indexes, permissions (row-level security)",
    "data": "Insert, query, update, delete and aggregate records",
    "storage": "Files: list, read, upload, update, delete",
    "auth": "App-user auth settings (providers, email templates) and app users",
    "keys": "API keys (publishable pk_, secret sk_) of an environment",
    "cors": "Browser origins allowed to call the REST API",
    "activity": "The log of MCP tool calls",
    "bkend": "Hosted bkend's backend_* tool names and shapes",
    "bkend-legacy": "bkend v0.0.10 tool names (backend_data_*, deletes)",
}


def group_name(module: str) -> str:
    return GROUP_NAMES.get(module, module)


def enabled(session: Any) -> set[str]:
    """The groups enabled on this session's connection (empty when the transport keeps no connection)."""
    # The SDK keeps per-connection scratch state in `Connection.state`; `ServerSession` holds its connection but
    # has no public accessor for it.
    state = getattr(getattr(session, "_connection", None), "state", None)
    if not isinstance(state, dict):
        return set()
    found: set[str] = state.setdefault(STATE_KEY, set())
    return found


def register(server: MCPServer[Any], kit: ToolKit, catalogue: Catalogue) -> None:
    def tools_of(group: str) -> list[str]:
        names = catalogue.groups().get(group, [])
        principal = kit.principal()
        return [n for n in names if catalogue.listed(n, principal, {group})]

    @server.tool(annotations=READ)
    async def list_toolsets(ctx: Context[Any, Any]) -> dict[str, Any]:
        """The tool groups of this server, whether each is enabled in this session, and their tools. Enable the
        ones the task needs with enable_toolset."""
        on = enabled(ctx.session)
        items = [
            {"name": group, "description": DESCRIPTIONS.get(group, ""), "enabled": group in on or group == ALWAYS_GROUP,
             "tools": tools_of(group)}
            for group in catalogue.groups()
        ]  # fmt: skip
        return {"items": items}

    @server.tool(annotations=READ)
    async def enable_toolset(
        names: Annotated[
            list[str], Field(min_length=1, max_length=20, description='Groups from list_toolsets, e.g. ["tables"]')
        ],
        ctx: Context[Any, Any],
    ) -> dict[str, Any]:
        """Add tool groups to this session (e.g. tables, data, keys). The client is told that the tool list
        changed; the new tools can be called right away."""
        known = catalogue.groups()
        unknown = [n for n in names if n not in known]
        if unknown:
            message = f"Unknown toolset '{unknown[0]}'; known: {', '.join(known)}"
            return error_result(BkendError("common/invalid-parameters", message))  # type: ignore[return-value]
        on = enabled(ctx.session)
        added = [n for n in dict.fromkeys(names) if n not in on and n != ALWAYS_GROUP]
        on.update(added)
        if added:
            await ctx.session.send_notification(ToolListChangedNotification(), related_request_id=ctx.request_id)
        return {"enabled": sorted(on), "added": added, "tools": [t for n in added for t in tools_of(n)]}
