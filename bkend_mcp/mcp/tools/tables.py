"""Table tools: tables, their fields (schema versions), indexes (index versions) and permissions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field, WithJsonSchema

from bkend_mcp.domain import table_admin
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import (
    DESTRUCTIVE,
    READ,
    WRITE,
    WRITE_IDEMPOTENT,
    ColumnPermissions,
    Confirm,
    Environment,
    ExpressionPermissions,
    FieldDef,
    IndexDef,
    Limit,
    Page,
    Permissions,
    Project,
    RowFilters,
    Table,
)

NewTable = Annotated[
    str, Field(description="Not users/accounts/sessions/files", pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
]
FieldNames = Annotated[list[str] | None, Field(max_length=200)]
PermissionObject = Literal["permissions", "expressionPermissions", "columnPermissions", "rowFilters"]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=READ)
    async def list_tables(
        project: Project = None,
        environment: Environment = None,
        includeSystem: Annotated[bool, Field(description="Also built-in users/accounts/sessions/files")] = False,
        page: Page = 1,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        """List an environment's tables with record and field counts."""
        return await kit.call(
            "table:read",
            lambda b, p: table_admin.list_tables(b, p, project, environment, includeSystem, page, limit),
        )

    @server.tool(annotations=READ)
    async def get_table(table: Table, project: Project = None, environment: Environment = None) -> dict[str, Any]:
        """One table: fields, indexes, permissions, versions, record count, and its REST endpoints for app code."""
        return await kit.call("table:read", lambda b, p: table_admin.get_table(b, p, table, project, environment))

    @server.tool(annotations=WRITE)
    async def create_table(
        table: NewTable,
        fields: Annotated[list[FieldDef] | None, Field(max_length=200)] = None,
        schema: Annotated[
            dict[str, Any] | None,
            Field(description='Instead of fields: BSON map {"title": {"bsonType": "string"}}, "required": [names]'),
        ] = None,
        displayName: Annotated[str | None, Field(max_length=100)] = None,
        description: Annotated[str | None, Field(max_length=1000)] = None,
        indexes: Annotated[list[IndexDef] | None, Field(max_length=60)] = None,
        permissions: Permissions = None,
        expressionPermissions: ExpressionPermissions = None,
        columnPermissions: ColumnPermissions = None,
        rowFilters: RowFilters = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Create a table. Show the user the proposed fields first and create it once they agree. Records also get
        id, createdAt, updatedAt, createdBy."""
        rules = {"permissions": permissions, "expressionPermissions": expressionPermissions,
                 "columnPermissions": columnPermissions, "rowFilters": rowFilters}  # fmt: skip
        return await kit.call(
            "table:create",
            lambda b, p: table_admin.create_table(
                b,
                p,
                table=table,
                fields=fields,
                bson_schema=schema,
                display_name=displayName,
                description=description,
                indexes=indexes,
                rules=rules,
                project=project,
                environment=environment,
            ),
        )

    @server.tool(annotations=WRITE_IDEMPOTENT)
    async def update_table(
        table: Table,
        displayName: Annotated[str | None, Field(max_length=100)] = None,
        description: Annotated[str | None, Field(max_length=1000)] = None,
        permissions: Permissions = None,
        expressionPermissions: ExpressionPermissions = None,
        columnPermissions: ColumnPermissions = None,
        rowFilters: RowFilters = None,
        clear: Annotated[list[PermissionObject] | None, Field(description="Reset to the defaults")] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Change a table's display name, description or permissions (row-level security); each permission object
        sent replaces the stored one."""
        sent: dict[str, Any] = {"displayName": displayName, "description": description, "permissions": permissions,
                                "expressionPermissions": expressionPermissions, "columnPermissions": columnPermissions,
                                "rowFilters": rowFilters}  # fmt: skip
        changes = {k: v for k, v in sent.items() if v is not None} | {str(name): None for name in clear or []}
        return await kit.call(
            "table:update", lambda b, p: table_admin.update_table(b, p, table, changes, project, environment)
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_table(
        table: Table, confirm: Confirm = None, project: Project = None, environment: Environment = None
    ) -> dict[str, Any]:
        """Delete a table and ALL its records. Irreversible: ask the user, then pass confirm = table name."""
        return await kit.call(
            "table:delete", lambda b, p: table_admin.delete_table(b, p, table, confirm, project, environment)
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def manage_fields(
        table: Table,
        add: Annotated[
            list[FieldDef] | None,
            WithJsonSchema({"type": "array", "items": {"type": "object"}}),
            Field(description="FieldDefs (as in create_table) to add or merge", max_length=200),
        ] = None,
        remove: Annotated[
            list[str] | None,
            Field(description="Their values are erased", max_length=200),
        ] = None,
        require: FieldNames = None,
        unrequire: FieldNames = None,
        dryRun: bool = False,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Add, redefine, remove, require or unrequire fields (a new schema version). Defaults apply to new records
        only."""
        return await kit.call(
            "table:update",
            lambda b, p: table_admin.manage_fields(
                b,
                p,
                table,
                add=add,
                remove=remove,
                require=require,
                unrequire=unrequire,
                dry_run=dryRun,
                project=project,
                environment=environment,
            ),
        )

    @server.tool(annotations=WRITE)
    async def manage_indexes(
        table: Table,
        add: Annotated[list[IndexDef] | None, Field(description="Same name replaces", max_length=60)] = None,
        remove: Annotated[list[str] | None, Field(description="Index names", max_length=60)] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Add or remove custom indexes (a new index version). A unique index over duplicate values is refused."""
        return await kit.call(
            "table:update",
            lambda b, p: table_admin.manage_indexes(
                b, p, table, add=add, remove=remove, project=project, environment=environment
            ),
        )

    @server.tool(annotations=READ)
    async def list_schema_versions(
        table: Table,
        page: Page = 1,
        limit: Limit = 20,
        includeSchema: Annotated[bool, Field()] = False,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """A table's schema versions (one per field change), newest first, for rollback_schema."""
        return await kit.call(
            "table:read",
            lambda b, p: table_admin.list_schema_versions(
                b, p, table, page, limit, includeSchema, project, environment
            ),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def rollback_schema(
        table: Table,
        version: Annotated[int, Field(ge=1)],
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Make an older schema version current again (as a new version); erased values do not come back."""
        return await kit.call(
            "table:update", lambda b, p: table_admin.rollback_schema(b, p, table, version, project, environment)
        )

    @server.tool(annotations=READ)
    async def list_index_versions(
        table: Table, page: Page = 1, limit: Limit = 20, project: Project = None, environment: Environment = None
    ) -> dict[str, Any]:
        """A table's index versions (one per index change), newest first."""
        return await kit.call(
            "table:read",
            lambda b, p: table_admin.list_index_versions(b, p, table, page, limit, project, environment),
        )
