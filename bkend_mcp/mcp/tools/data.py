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
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, Environment, Project, Table

AsUser = Annotated[
    str | None,
    Field(
        description="Act as this app user (id or e-mail): their permissions and row rules apply, new records are "
        "theirs. Omit to act as admin (no row rules)."
    ),
]
Filter = Annotated[
    dict[str, Any] | None,
    Field(
        description='ANDed conditions: {"field": value} or {"field": {"$op": value}}, ops $eq $ne $gt $gte $lt $lte '
        '$in $nin $regex (+$options "i") $exists $contains; dotted paths; ISO-8601 dates. E.g. {"views": {"$gte": 10}}'
    ),
]
OrFilters = Annotated[
    list[dict[str, Any]] | None,
    Field(description="Filters of which at least one must hold (ANDed with filter)"),
]
Direction = Annotated[Literal["asc", "desc"] | None, Field(description="Sort direction; default desc")]
DryRun = Annotated[bool, Field(description="Report what would change; write nothing")]
Limit = Annotated[
    int,
    Field(ge=1, le=bulk.MAX_LIMIT, description="Most records a filter may match; more is an error unless all=true"),
]
All = Annotated[bool, Field(description="Allow any number of matches (an empty filter = every record)")]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    kit = kit.fenced()

    @server.tool(annotations=WRITE)
    async def insert_data(
        table: Table,
        records: Annotated[
            dict[str, Any] | Annotated[list[dict[str, Any]], Field(min_length=1, max_length=bulk.MAX_INSERT)],
            Field(description="One record (an object) or 1-100 records (an array of objects)"),
        ],
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Insert one or more records. Every record is checked first (types, required fields, constraints,
        defaults, column permissions); if any fails, nothing is written and the error lists
        {index, field, reason, message} for each problem. A unique-value clash writes nothing either.
        System fields (id, createdAt, updatedAt) are set by the server; sent values are ignored with a warning.
        Returns {items, count}."""
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:create",
            lambda b, p: tenant_data.insert_data(b, p, table, records, **where),
            codes=RECORD_WRITE_CODES,
        )

    @server.tool(annotations=READ)
    async def query_data(
        table: Table,
        id: Annotated[str | None, Field(description="Return this one record (or NOT_FOUND)")] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        search: Annotated[str | None, Field(max_length=256, description="Case-insensitive text search")] = None,
        searchType: Annotated[str | None, Field(description="Field to search; default all string fields")] = None,
        sortBy: Annotated[str | None, Field(description="Field to sort by; default createdAt")] = None,
        sortDirection: Direction = None,
        page: Annotated[int, Field(ge=1, description="Page number, from 1")] = 1,
        limit: Annotated[int, Field(ge=1, le=100, description="Records per page (1-100)")] = 20,
        select: Annotated[list[str] | None, Field(description="Only these fields (system fields always)")] = None,
        countOnly: Annotated[bool, Field(description="Return only {count} of the matching records")] = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Read records: one by id, or a filtered, searched, sorted page {items, pagination:{total, page, limit,
        totalPages, hasNext, hasPrev}}, or just {count}. Same rules as GET /v1/data/{table}."""
        options = {
            "record_id": id, "filter": filter, "or_filters": orFilters, "search": search, "search_type": searchType,
            "sort_by": sortBy, "sort_direction": sortDirection, "page": page, "limit": limit, "select": select,
            "count_only": countOnly,
        }  # fmt: skip
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call("table:data:read", lambda b, p: tenant_data.query_data(b, p, table, **where, **options))

    @server.tool(annotations=DESTRUCTIVE)
    async def update_data(
        table: Table,
        data: Annotated[dict[str, Any] | None, Field(description="Fields to set (partial; others unchanged)")] = None,
        id: Annotated[str | None, Field(description="Update this one record")] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        unset: Annotated[list[str] | None, Field(description="Fields to remove (not required ones)")] = None,
        limit: Limit = bulk.DEFAULT_LIMIT,
        all: All = False,
        dryRun: DryRun = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Update records chosen by `id` or by `filter` (+orFilters): set `data`, remove `unset` fields. Each
        record is checked like PATCH /v1/data/{table}/{id} before any is written; updatedAt is bumped. More than
        `limit` matches is LIMIT_EXCEEDED unless all=true. Returns {matched, modified, ids, items (first 20)};
        with dryRun, {dryRun, matched, ids} and nothing written."""
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
        id: Annotated[str | None, Field(description="Delete this one record")] = None,
        ids: Annotated[
            list[str] | None, Field(min_length=1, max_length=bulk.MAX_IDS, description="Delete these records")
        ] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        confirm: Annotated[bool, Field(description="Required (true) to delete by filter; irreversible")] = False,
        limit: Limit = bulk.DEFAULT_LIMIT,
        all: All = False,
        dryRun: DryRun = False,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Permanently delete records chosen by `id`, `ids` (up to 100) or `filter` (+orFilters). Deleting by
        filter needs confirm=true (use dryRun=true first to see the matches). Returns {deleted, ids}."""
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
                description='Up to 10 of {"op": count|sum|avg|min|max|distinct_count, "field": …(not for count), '
                '"as": name}. Example: [{"op": "count"}, {"op": "sum", "field": "total", "as": "revenue"}]',
            ),
        ],
        groupBy: Annotated[
            list[str | dict[str, Any]] | None,
            Field(
                max_length=3,
                description='Up to 3 field names, or {"field": "createdAt", "unit": "day"|"week"|"month"} for dates '
                "(week = the Monday it starts on)",
            ),
        ] = None,
        filter: Filter = None,
        orFilters: OrFilters = None,
        unwind: Annotated[str | None, Field(description="Array field to split into one row per element")] = None,
        sortBy: Annotated[str | None, Field(description="A metric name or groupBy field; default first metric")] = None,
        sortDirection: Annotated[Literal["asc", "desc"], Field(description="Sort direction")] = "desc",
        limit: Annotated[int, Field(ge=1, le=1000, description="Most groups returned")] = 100,
        asUser: AsUser = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Group records and compute metrics, e.g. posts per author or revenue per month. Returns
        {groups: [{key: {field: value}, <metric>: number}], totals, groupCount, scanned}. Reads at most 100,000
        matching records (then `capped: true`)."""
        options = {
            "metrics": metrics, "group_by": groupBy, "filter": filter, "or_filters": orFilters, "unwind": unwind,
            "sort_by": sortBy, "sort_direction": sortDirection, "limit": limit,
        }  # fmt: skip
        where = {"project": project, "environment": environment, "as_user": asUser}
        return await kit.call(
            "table:data:read", lambda b, p: tenant_data.aggregate_data(b, p, table, **where, **options)
        )
