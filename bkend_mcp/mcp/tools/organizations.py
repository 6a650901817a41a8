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
        """List the organizations this connection can use (an OAuth token is bound to one), with your role."""
        return await kit.call("organization:read", projects.list_organizations)

    @server.tool(annotations=READ)
    async def get_organization(
        organizationId: Annotated[
            str | None, Field(description="Organization id or slug; default: this connection's organization")
        ] = None,
    ) -> dict[str, Any]:
        """One organization: id, name, slug, plan, status and your role in it."""
        return await kit.call("organization:read", lambda b, p: projects.get_organization(b, p, organizationId))
