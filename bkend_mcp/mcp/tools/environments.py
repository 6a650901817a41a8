"""Environment tools: the dev / staging / prod (or custom) environments of a project."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import projects
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, WRITE_IDEMPOTENT, Confirm, Project

EnvironmentRef = str


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def list_environments(project: Project = None) -> dict[str, Any]:
        """List a project's environments (each has its own tables, data, users, files, keys)."""
        return await kit.call("environment:read", lambda b, p: projects.list_environments(b, p, project))

    @server.tool(annotations=READ)
    async def get_environment(environment: EnvironmentRef, project: Project = None) -> dict[str, Any]:
        """One environment of a project, with its counts."""
        return await kit.call("environment:read", lambda b, p: projects.get_environment(b, p, environment, project))

    @server.tool(annotations=WRITE)
    async def create_environment(
        name: Annotated[str, Field(description="dev, staging, prod or custom", pattern=r"^[a-z][a-z0-9-]{1,31}$")],
        type: Annotated[
            Literal["dev", "staging", "prod", "custom"] | None,
            Field(description="Default: from the name"),
        ] = None,
        copySchemaFrom: Annotated[
            str | None, Field(description="Environment whose tables to copy", max_length=64)
        ] = None,
        project: Project = None,
    ) -> dict[str, Any]:
        """Create an environment with a publishable key. copySchemaFrom copies another environment's tables, not
        their data."""
        return await kit.call(
            "environment:create",
            lambda b, p: projects.create_environment(
                b, p, name=name, environment_type=type, copy_schema_from=copySchemaFrom, project=project
            ),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_environment(
        environment: EnvironmentRef,
        confirm: Confirm = None,
        project: Project = None,
    ) -> dict[str, Any]:
        """Delete an environment with ALL its data (not a project's last). Irreversible: ask the user, then pass
        confirm = the environment name."""
        return await kit.call(
            "environment:delete", lambda b, p: projects.delete_environment(b, p, environment, confirm, project)
        )

    @server.tool(annotations=WRITE_IDEMPOTENT)
    async def set_mcp_access(
        environment: EnvironmentRef,
        access: Annotated[Literal["write", "read", "none"], Field(description="read: MCP may only read; none: no MCP")],
        project: Project = None,
    ) -> dict[str, Any]:
        """Limit what MCP may do in an environment, e.g. make prod read-only. MCP can only tighten it; an owner
        loosens it in the console."""
        return await kit.call(
            "project:update", lambda b, p: projects.set_mcp_access(b, p, environment, access, project)
        )
