"""CORS tool: the browser origins a project allows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import cors
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import WRITE, Project


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=WRITE)
    async def manage_cors(
        action: Literal["list", "add", "remove"],
        origin: Annotated[
            str | None,
            Field(
                description="scheme://host[:port], no * or path",
                max_length=255,
            ),
        ] = None,
        project: Project = None,
    ) -> dict[str, Any]:
        """List, add or remove the browser origins allowed to call the project's REST API (at most 3)."""
        return await kit.call(cors.ACTION_SCOPES[action], lambda b, p: cors.manage_cors(b, p, action, origin, project))
