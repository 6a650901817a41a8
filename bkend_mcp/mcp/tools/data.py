"""Core data tools (spec/mcp-and-console.md §6.3 "Data"): insert, query, update, delete and aggregate records.

Each handler hands its arguments to one function of `domain/tenant_data.py`; the record rules are those of the
REST data API, so a record the tools accept is one `POST /v1/data/{table}` would accept. Records hold what app users
wrote, so results come back fenced (`kit.fenced()`, `mcp/fence.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import bulk, tenant_data
from bkend_mcp.mcp.toolkit import RECORD_WRITE_CODES, ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, Environment, Page, Project, Table

AsUser = Annotated[
    str | None,
    Field(description="Act as this app user (id or e-mail); omit: admin"),
]
Filter = Annotated[
    dict[str, Any] | None,
    Field(
        description='ANDed {"field": value | {"$op": value}}, ops $eq $ne $gt $gte $lt $lte $in $nin $regex $exists '
        "$contains"
    ),
]
OrFilters = Annotated[
    list[dict[str, Any]] | None,
    Field(description="Any one must hold"),
]
Direction = Annotated[Literal["asc", "desc"] | None, Field(description="Default desc")]
DryRun = bool
Limit = Annotated[
    int,
    Field(ge=1, le=bulk.MAX_LIMIT, description="Max matches, else an error unless all=true"),
]
All = bool


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    kit = kit.fenced()

    @server.tool(annotations=WRITE)
    async def insert_data(
        table: Table,
        records: Annotated[
            dict[str, Any] | Annotated[list[dict[str, Any]], Field(min_length=1, max_length=bulk.MAX_INSERT)],
            Field(description="One record or an array of 1-100"),
        ],
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Insert records. All are validated first: if any fails, nothing is written and the error lists each
        {index, field, reason}."""
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:create",
            lambda b, p: tenant_data.insert_data(b, p, table, records, **where),
            codes=RECORD_WRITE_CODES,
            quick=True,
            rendered=True,
        )

    @server.tool(annotations=READ)
    async def query_data(
        table: Table,
        id: str | None = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        search: Annotated[str | None, Field(max_length=256, description="Case-insensitive text")] = None,
        searchType: Annotated[str | None, Field(description="Field to search; default all strings")] = None,
        sortBy: Annotated[str | None, Field(description="Default createdAt")] = None,
        sortDirection: Direction = None,
        page: Page = 1,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        select: Annotated[list[str] | None, Field(description="Only these fields (+ system fields)")] = None,
        countOnly: bool = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Read records: one by id, a filtered, searched, sorted page, or a count. Same rules as the REST API."""
        options = {
            "record_id": id, "filter": filter, "or_filters": orFilters, "search": search, "search_type": searchType,
            "sort_by": sortBy, "sort_direction": sortDirection, "page": page, "limit": limit, "select": select,
            "count_only": countOnly,
        }  # fmt: skip
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:read",
            lambda b, p: tenant_data.query_data(b, p, table, **where, **options),
            quick=True,
            rendered=True,
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def update_data(
        table: Table,
        data: Annotated[dict[str, Any] | None, Field(description="Fields to set (others unchanged)")] = None,
        id: str | None = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        unset: Annotated[list[str] | None, Field(description="Fields to remove")] = None,
        limit: Limit = bulk.DEFAULT_LIMIT,
        all: All = False,
        dryRun: DryRun = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Update the record `id` or those matching `filter`: set `data`, remove `unset` fields. All are validated
        before any is written."""
        selection = {"record_id": id, "filter": filter, "or_filters": orFilters, "limit": limit, "all": all}
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:update",
            lambda b, p: tenant_data.update_data(
                b, p, table, bulk.Selection(**selection), data, unset or (), dry_run=dryRun, **where
            ),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_data(
        table: Table,
        id: str | None = None,
        ids: Annotated[list[str] | None, Field(min_length=1, max_length=bulk.MAX_IDS)] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        confirm: Annotated[bool, Field(description="true to delete by filter")] = False,
        limit: Limit = bulk.DEFAULT_LIMIT,
        all: All = False,
        dryRun: DryRun = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Permanently delete records by `id`, `ids` or `filter`. By filter: dryRun first, then confirm=true once
        the user agreed."""
        selection = {"record_id": id, "ids": ids, "filter": filter, "or_filters": orFilters, "limit": limit, "all": all}
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:delete",
            lambda b, p: tenant_data.delete_data(
                b, p, table, bulk.Selection(**selection), confirm=confirm, dry_run=dryRun, **where
            ),
        )

    @server.tool(annotations=READ)
    async def aggregate_data(
        table: Table,
        metrics: Annotated[
            list[dict[str, Any]],
            Field(
                min_length=1,
                max_length=10,
                description='{"op": count|sum|avg|min|max|distinct_count, "field" (not for count), "as": name}',
            ),
        ],
        groupBy: Annotated[
            list[str | dict[str, Any]] | None,
            Field(
                max_length=3,
                description='Field names, or {"field", "unit": day|week|month} for dates',
            ),
        ] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        unwind: Annotated[str | None, Field(description="Array field: one row per element")] = None,
        sortBy: Annotated[str | None, Field(description="Metric or groupBy field")] = None,
        sortDirection: Literal["asc", "desc"] = "desc",
        limit: Annotated[int, Field(ge=1, le=1000)] = 100,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Group records and compute metrics, e.g. posts per author or revenue per month. Scans at most 100,000
        records (then capped: true)."""
        options = {
            "metrics": metrics, "group_by": groupBy, "filter": filter, "or_filters": orFilters, "unwind": unwind,
            "sort_by": sortBy, "sort_direction": sortDirection, "limit": limit,
        }  # fmt: skip
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:read", lambda b, p: tenant_data.aggregate_data(b, p, table, **where, **options)
        )
