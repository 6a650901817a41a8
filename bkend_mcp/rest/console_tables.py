"""Table routes of the management API: tables, fields, indexes, versions, OpenAPI, and the data browser's rows
(bkend_mcp/docs/management-api.md "Tables", "Rows"). Shapes are the MCP table tools' (`table_admin`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain import table_admin
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_data
from bkend_mcp.domain.principal import Principal
from bkend_mcp.rest.console_http import call, page_args, read_object, reply, shaped
from bkend_mcp.rest.console_projects import ENV, where
from bkend_mcp.rest.http import query_lists

TABLE = f"{ENV}/tables/{{table}}"
CREATE_NAMES = {
    "fields": "fields",
    "schema": "bson_schema",
    "displayName": "display_name",
    "description": "description",
    "indexes": "indexes",
}
RULE_KEYS = ("permissions", "expressionPermissions", "columnPermissions", "rowFilters")
CREATE_SHAPES = {"table": "string", "fields": "objects", "schema": "object", "indexes": "objects"}
FIELD_SHAPES = {"add": "objects", "remove": "strings", "require": "strings", "unrequire": "strings"}
INDEX_SHAPES = {"add": "objects", "remove": "strings"}


def _table(request: Request) -> tuple[str, dict[str, Any]]:
    return request.path_params["table"], where(request)


async def list_tables(request: Request) -> Response:
    at, (page, limit) = where(request), page_args(request, 100)
    system = request.query_params.get("includeSystem") == "true"
    work = lambda b, p: table_admin.list_tables(b, p, at["project"], at["environment"], system, page, limit)  # noqa: E731
    return reply(await call(request, "table:read", work, project=at["project"]))


async def create_table(request: Request) -> Response:
    at, body = where(request), shaped(await read_object(request), CREATE_SHAPES)
    options = {CREATE_NAMES[k]: v for k, v in body.items() if k in CREATE_NAMES}
    rules = {k: body[k] for k in RULE_KEYS if k in body}
    name = body.get("table")  # the domain checks the name

    def work(b: Backend, p: Principal) -> dict[str, Any]:
        return table_admin.create_table(b, p, table=name, rules=rules, **options, **at)  # type: ignore[arg-type]

    return reply(await call(request, "table:create", work, project=at["project"]), 201)


async def get_table(request: Request) -> Response:
    table, at = _table(request)
    return reply(
        await call(request, "table:read", lambda b, p: table_admin.get_table(b, p, table, **at), project=at["project"])
    )


async def update_table(request: Request) -> Response:
    (table, at), body = _table(request), await read_object(request)
    work = lambda b, p: table_admin.update_table(b, p, table, body, **at)  # noqa: E731
    return reply(await call(request, "table:update", work, project=at["project"]))


async def delete_table(request: Request) -> Response:
    (table, at), body = _table(request), await read_object(request)
    work = lambda b, p: table_admin.delete_table(b, p, table, body.get("confirm"), **at)  # noqa: E731
    return reply(await call(request, "table:delete", work, project=at["project"]))


async def manage_fields(request: Request) -> Response:
    (table, at), body = _table(request), shaped(await read_object(request), FIELD_SHAPES)
    changes = {k: body.get(k) for k in ("add", "remove", "require", "unrequire")}
    dry_run = body.get("dryRun") is True
    work = lambda b, p: table_admin.manage_fields(b, p, table, dry_run=dry_run, **changes, **at)  # noqa: E731
    return reply(await call(request, "table:update", work, project=at["project"]))


async def manage_indexes(request: Request) -> Response:
    (table, at), body = _table(request), shaped(await read_object(request), INDEX_SHAPES)
    work = lambda b, p: table_admin.manage_indexes(b, p, table, add=body.get("add"), remove=body.get("remove"), **at)  # noqa: E731
    return reply(await call(request, "table:update", work, project=at["project"]))


async def schema_versions(request: Request) -> Response:
    (table, at), (page, limit) = _table(request), page_args(request)
    full = request.query_params.get("includeSchema") == "true"
    work = lambda b, p: table_admin.list_schema_versions(b, p, table, page, limit, full, **at)  # noqa: E731
    return reply(await call(request, "table:read", work, project=at["project"]))


async def rollback_schema(request: Request) -> Response:
    (table, at), version = _table(request), request.path_params["version"]
    work = lambda b, p: table_admin.rollback_schema(b, p, table, version, **at)  # noqa: E731
    return reply(await call(request, "table:update", work, project=at["project"]))


async def index_versions(request: Request) -> Response:
    (table, at), (page, limit) = _table(request), page_args(request)
    work = lambda b, p: table_admin.list_index_versions(b, p, table, page, limit, **at)  # noqa: E731
    return reply(await call(request, "table:read", work, project=at["project"]))


async def rollback_indexes(request: Request) -> Response:
    (table, at), version = _table(request), request.path_params["version"]
    work = lambda b, p: table_admin.rollback_indexes(b, p, table, version, **at)  # noqa: E731
    return reply(await call(request, "table:update", work, project=at["project"]))


async def openapi(request: Request) -> Response:
    table, at = _table(request)
    work = lambda b, p: table_admin.table_openapi(b, p, table, **at)  # noqa: E731
    return reply(await call(request, "table:read", work, project=at["project"]))


async def list_rows(request: Request) -> Response:
    (table, at), params = _table(request), query_lists(request)
    work = lambda b, p: console_data.list_rows(b, p, table, params, **at)  # noqa: E731
    return reply(await call(request, "table:data:read", work, project=at["project"]))


async def create_row(request: Request) -> Response:
    (table, at), body = _table(request), await read_object(request)
    work = lambda b, p: console_data.create_row(b, p, table, body, **at)  # noqa: E731
    return reply(await call(request, "table:data:create", work, project=at["project"]), 201)


async def get_row(request: Request) -> Response:
    (table, at), row = _table(request), request.path_params["row"]
    work = lambda b, p: console_data.get_row(b, p, table, row, **at)  # noqa: E731
    return reply(await call(request, "table:data:read", work, project=at["project"]))


async def update_row(request: Request) -> Response:
    (table, at), row, body = _table(request), request.path_params["row"], await read_object(request)
    work = lambda b, p: console_data.update_row(b, p, table, row, body, **at)  # noqa: E731
    return reply(await call(request, "table:data:update", work, project=at["project"]))


async def delete_row(request: Request) -> Response:
    (table, at), row = _table(request), request.path_params["row"]
    work = lambda b, p: console_data.delete_row(b, p, table, row, **at)  # noqa: E731
    return reply(await call(request, "table:data:delete", work, project=at["project"]))


ROUTES = {
    f"{ENV}/tables": {"GET": list_tables, "POST": create_table},
    TABLE: {"GET": get_table, "PATCH": update_table, "DELETE": delete_table},
    f"{TABLE}/fields": {"POST": manage_fields},
    f"{TABLE}/indexes": {"POST": manage_indexes},
    f"{TABLE}/schema-versions": {"GET": schema_versions},
    f"{TABLE}/schema-versions/{{version:int}}/rollback": {"POST": rollback_schema},
    f"{TABLE}/index-versions": {"GET": index_versions},
    f"{TABLE}/index-versions/{{version:int}}/rollback": {"POST": rollback_indexes},
    f"{TABLE}/openapi": {"GET": openapi},
    f"{TABLE}/rows": {"GET": list_rows, "POST": create_row},
    f"{TABLE}/rows/{{row}}": {"GET": get_row, "PATCH": update_row, "DELETE": delete_row},
}
