"""Activity tool: the log of MCP tool calls (who, which tool, arguments with secrets redacted, outcome, duration)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import activity
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import READ, Limit, Page

When = Annotated[str | None, Field(description="ISO-8601", max_length=40)]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    fenced = kit.fenced()  # logged arguments hold what callers sent, records included

    @server.tool(annotations=READ)
    async def get_activity(
        tool: Annotated[str | None, Field(max_length=64)] = None,
        outcome: Annotated[str | None, Field(description="ok, error or an error code")] = None,
        since: When = None,
        until: When = None,
        page: Page = 1,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """Recent MCP tool calls, newest first: tool, arguments (secrets redacted), outcome, duration, client."""
        filters = {"tool": tool, "outcome": outcome, "since": since, "until": until, "page": page, "limit": limit}
        return await fenced.call(None, lambda b, p: activity.list_activity(b, p, **filters))
