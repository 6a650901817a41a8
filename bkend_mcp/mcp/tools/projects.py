"""Project tools: list, inspect, create, update and delete projects of the organization."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import projects
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, WRITE_IDEMPOTENT, Confirm, Limit, Page

ProjectRef = str
EnvironmentName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,31}$")]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def list_projects(page: Page = 1, limit: Limit = 20) -> dict[str, Any]:
        """List your projects with their environments."""
        return await kit.call("project:read", lambda b, p: projects.list_projects(b, p, page, limit))

    @server.tool(annotations=READ)
    async def get_project(project: ProjectRef) -> dict[str, Any]:
        """One project with settings, environments and counts."""
        return await kit.call("project:read", lambda b, p: projects.get_project(b, p, project))

    @server.tool(annotations=WRITE)
    async def create_project(
        name: Annotated[str, Field(min_length=1, max_length=100)],
        slug: Annotated[
            str | None,
            Field(
                description="Default: from the name",
                pattern=r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$",
            ),
        ] = None,
        description: Annotated[str | None, Field(max_length=500)] = None,
        primaryCloud: Literal["local", "aws", "gcp", "azu"] = "local",
        primaryRegion: Annotated[str, Field(min_length=1, max_length=64)] = "local",
        environments: Annotated[
            list[EnvironmentName] | None,
            Field(description='Default ["dev"]', min_length=1, max_length=10),
        ] = None,
        organizationId: Annotated[str | None, Field(description="Default: the only one")] = None,
    ) -> dict[str, Any]:
        """Create a project with its environments, each with a publishable key (environments[].publishableKey.key,
        for the app's .env)."""
        return await kit.call(
            "project:create",
            lambda b, p: projects.create_project(
                b,
                p,
                name=name,
                slug=slug,
                description=description,
                primary_cloud=primaryCloud,
                primary_region=primaryRegion,
                environments=environments,
                organization=organizationId,
            ),
        )

    @server.tool(annotations=WRITE_IDEMPOTENT)
    async def update_project(
        project: ProjectRef,
        name: Annotated[str | None, Field(min_length=1, max_length=100)] = None,
        description: Annotated[str | None, Field(max_length=500)] = None,
        settings: Annotated[dict[str, Any] | None, Field(description="Merged into the settings")] = None,
    ) -> dict[str, Any]:
        """Rename a project or change its description or settings (not the slug)."""
        return await kit.call(
            "project:update",
            lambda b, p: projects.update_project(b, p, project, name=name, description=description, settings=settings),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_project(
        project: ProjectRef,
        confirm: Confirm = None,
    ) -> dict[str, Any]:
        """Delete a project with ALL its environments and data. Irreversible: ask the user, then pass confirm = the
        project's slug."""
        return await kit.call("project:delete", lambda b, p: projects.delete_project(b, p, project, confirm))
