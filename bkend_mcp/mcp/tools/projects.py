"""Project tools: list, inspect, create, update and delete projects of the organization."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import projects
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, WRITE_IDEMPOTENT, Confirm, Limit, Page

ProjectRef = Annotated[str, Field(description="Project id or slug")]
EnvironmentName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,31}$")]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def list_projects(page: Page = 1, limit: Limit = 20) -> dict[str, Any]:
        """List the projects you can reach, each with its environments. Returns {items, pagination}."""
        return await kit.call("project:read", lambda b, p: projects.list_projects(b, p, page, limit))

    @server.tool(annotations=READ)
    async def get_project(project: ProjectRef) -> dict[str, Any]:
        """One project with settings, each environment and counts (tables, API keys, users, files)."""
        return await kit.call("project:read", lambda b, p: projects.get_project(b, p, project))

    @server.tool(annotations=WRITE)
    async def create_project(
        name: Annotated[str, Field(description="Display name", min_length=1, max_length=100)],
        slug: Annotated[
            str | None,
            Field(
                description="URL-safe id, unique in the organization; default: derived from the name",
                pattern=r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$",
            ),
        ] = None,
        description: Annotated[str | None, Field(max_length=500)] = None,
        primaryCloud: Annotated[Literal["local", "aws", "gcp", "azu"], Field(description="Informational")] = "local",
        primaryRegion: Annotated[str, Field(description="Informational", min_length=1, max_length=64)] = "local",
        environments: Annotated[
            list[EnvironmentName] | None,
            Field(description='Environments to create (default ["dev"])', min_length=1, max_length=10),
        ] = None,
        organizationId: Annotated[str | None, Field(description="Default: your only organization")] = None,
    ) -> dict[str, Any]:
        """Create a project with its environments. Each environment gets a publishable key named `default`,
        returned in full (environments[].publishableKey.key) for the app's .env file."""
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
        settings: Annotated[
            dict[str, Any] | None, Field(description="Keys merged into the current settings (e.g. corsOrigins)")
        ] = None,
    ) -> dict[str, Any]:
        """Rename a project or change its description or settings. The slug never changes."""
        return await kit.call(
            "project:update",
            lambda b, p: projects.update_project(b, p, project, name=name, description=description, settings=settings),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_project(
        project: ProjectRef,
        confirm: Confirm = None,
    ) -> dict[str, Any]:
        """Delete a project with ALL its environments, tables, records, users and keys. Irreversible: ask the user
        first, then pass confirm = the project's slug."""
        return await kit.call("project:delete", lambda b, p: projects.delete_project(b, p, project, confirm))
