"""Organization tools: the organizations the credential can see."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import projects
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import READ


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def list_organizations() -> dict[str, Any]:
        """List the organizations this connection can use, with your role."""
        return await kit.call("organization:read", projects.list_organizations)

    @server.tool(annotations=READ)
    async def get_organization(
        organizationId: Annotated[str | None, Field(description="Id or slug; default: this connection's")] = None,
    ) -> dict[str, Any]:
        """One organization: name, slug, plan, status and your role."""
        return await kit.call("organization:read", lambda b, p: projects.get_organization(b, p, organizationId))
