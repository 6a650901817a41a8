"""The `bkend-legacy` toolset (off by default): bkend v0.0.8/v0.0.10 tool names and top-level id arguments
(spec/mcp-and-console.md §2.7, §6.5), each one call into `domain/compat_legacy.py`. Deletes need no `confirm`,
as in bkend, but are marked destructive."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import compat_legacy as legacy
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, Limit, Page

OrgId = Annotated[str | None, Field(description="Optional; checked against the table's organization")]
ProjectId = Annotated[str | None, Field(description="Optional when tableId implies it; checked when sent")]
EnvId = Annotated[str | None, Field(description="Optional when tableId implies it; checked when sent")]
TableId = Annotated[str, Field(description="Table id (tbl_…) or name")]
RecordId = str
VersionId = Annotated[str | int, Field(description="Version id (sv_…/iv_…) or version number")]
Data = Annotated[dict[str, Any], Field(description="Record fields")]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    _schema_tool(server, kit)
    _structure(server, kit)
    _records(server, kit.fenced())  # records hold what app users wrote


def _schema_tool(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def get_operation_schema(
        operation: Annotated[str, Field(description="A tool name, e.g. backend_data_create")],
        schemaType: Annotated[Literal["input", "output", "both"], Field(description="Which schema")] = "input",
    ) -> dict[str, Any]:
        """The JSON schema of a tool's input and/or output."""
        schemas = {t.name: {"input": t.input_schema, "output": t.output_schema} for t in await server.list_tools()}
        return await kit.call(None, lambda b, p: legacy.operation_schema(schemas, operation, schemaType))


def _structure(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=DESTRUCTIVE)
    async def backend_project_delete(projectId: str, organizationId: OrgId = None) -> dict[str, Any]:
        """Delete a project with all its environments, tables, records and keys. Irreversible."""
        return await kit.call("project:delete", lambda b, p: legacy.project_delete(b, p, projectId, organizationId))

    @server.tool(annotations=DESTRUCTIVE)
    async def backend_env_delete(
        environmentId: str, organizationId: OrgId = None, projectId: ProjectId = None
    ) -> dict[str, Any]:
        """Delete an environment with its tables, records and keys (never a project's last one). Irreversible."""
        ids = {"organization_id": organizationId, "project_id": projectId}
        return await kit.call("environment:delete", lambda b, p: legacy.env_delete(b, p, environmentId, **ids))

    @server.tool(annotations=DESTRUCTIVE)
    async def backend_table_delete(
        tableId: TableId, organizationId: OrgId = None, projectId: ProjectId = None, environmentId: EnvId = None
    ) -> dict[str, Any]:
        """Delete a table and all its records. Irreversible."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:delete", lambda b, p: legacy.table_delete(b, p, tableId, **ids))

    @server.tool(annotations=READ)
    async def backend_schema_version_get(
        tableId: TableId, versionId: VersionId, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """One schema version of a table, with its schema."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:read", lambda b, p: legacy.schema_version_get(b, p, tableId, versionId, **ids))

    @server.tool(annotations=DESTRUCTIVE)
    async def backend_schema_version_apply(
        tableId: TableId, versionId: VersionId, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Roll the schema back to a version (as a new version); removed fields' data is not restored."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:update", lambda b, p: legacy.schema_version_apply(b, p, tableId, versionId, **ids))

    @server.tool(annotations=READ)
    async def backend_index_version_get(
        tableId: TableId, versionId: VersionId, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """One index version of a table."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:read", lambda b, p: legacy.index_version_get(b, p, tableId, versionId, **ids))


def _records(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def backend_data_list(
        tableId: TableId,
        page: Page = 1,
        limit: Limit = 20,
        sortBy: str | None = None,
        sortDirection: Literal["asc", "desc"] = "desc",
        andFilters: Annotated[
            dict[str, Any] | None, Field(description='All must hold, e.g. {"age": {"$gte": 18}}; $eq $ne $gt $gte '
                                         "$lt $lte $in $nin")
        ] = None,
        orFilters: Annotated[list[dict[str, Any]] | None, Field(description="At least one must hold")] = None,
        organizationId: OrgId = None,
        projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """List records as the environment admin: {items, pagination}."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        options = {"page": page, "limit": limit, "sort_by": sortBy, "sort_direction": sortDirection,
                   "and_filters": andFilters, "or_filters": orFilters}  # fmt: skip
        return await kit.call("table:data:read", lambda b, p: legacy.data_list(b, p, tableId, **options, **ids))

    @server.tool(annotations=READ)
    async def backend_data_get(
        tableId: TableId, recordId: RecordId, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """One record."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:data:read", lambda b, p: legacy.data_get(b, p, tableId, recordId, **ids))

    @server.tool(annotations=WRITE)
    async def backend_data_create(
        tableId: TableId, data: Data, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Create one record (validated like POST /v1/data/{table}); returns it."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:data:create", lambda b, p: legacy.data_create(b, p, tableId, data, **ids))

    @server.tool(annotations=DESTRUCTIVE)
    async def backend_data_update(
        tableId: TableId, recordId: RecordId, data: Data, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Partially update one record (null removes a field); returns the full record."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call(
            "table:data:update", lambda b, p: legacy.data_update(b, p, tableId, recordId, data, **ids)
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def backend_data_delete(
        tableId: TableId, recordId: RecordId, organizationId: OrgId = None, projectId: ProjectId = None,
        environmentId: EnvId = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Permanently delete one record. Returns {success: true}."""
        ids = {"organization_id": organizationId, "project_id": projectId, "environment_id": environmentId}
        return await kit.call("table:data:delete", lambda b, p: legacy.data_delete(b, p, tableId, recordId, **ids))
