"""Table management over REST (`/v1/tables`), for an environment's secret key or the tenant."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain import management
from bkend_mcp.rest.data import ALL_METHODS, by_method
from bkend_mcp.rest.http import as_caller, int_param, read_json, respond


async def list_tables(request: Request) -> Response:
    return respond(request, await as_caller(request, management.list_tables))


async def create_table(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: management.create_table(b, c, body)), 201)


async def get_table(request: Request) -> Response:
    ref = request.path_params["table"]
    return respond(request, await as_caller(request, lambda b, c: management.get_table(b, c, ref)))


async def update_table(request: Request) -> Response:
    ref, body = request.path_params["table"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: management.update_table(b, c, ref, body)))


async def delete_table(request: Request) -> Response:
    ref = request.path_params["table"]
    return respond(request, await as_caller(request, lambda b, c: management.delete_table(b, c, ref)))


async def manage_fields(request: Request) -> Response:
    ref, body = request.path_params["table"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: management.manage_fields(b, c, ref, body)))


async def manage_indexes(request: Request) -> Response:
    ref, body = request.path_params["table"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: management.manage_indexes(b, c, ref, body)))


async def schema_versions(request: Request) -> Response:
    ref, page, limit = request.path_params["table"], int_param(request, "page", 1), int_param(request, "limit", 20)
    return respond(
        request, await as_caller(request, lambda b, c: management.list_schema_versions(b, c, ref, page, limit))
    )


async def rollback_schema(request: Request) -> Response:
    ref, version = request.path_params["table"], request.path_params["version"]
    return respond(request, await as_caller(request, lambda b, c: management.rollback_schema(b, c, ref, version)))


async def index_versions(request: Request) -> Response:
    ref, page, limit = request.path_params["table"], int_param(request, "page", 1), int_param(request, "limit", 20)
    return respond(
        request, await as_caller(request, lambda b, c: management.list_index_versions(b, c, ref, page, limit))
    )


async def rollback_indexes(request: Request) -> Response:
    ref, version = request.path_params["table"], request.path_params["version"]
    return respond(request, await as_caller(request, lambda b, c: management.rollback_indexes(b, c, ref, version)))


ROUTES = {
    "/v1/tables": {"GET": list_tables, "POST": create_table},
    "/v1/tables/{table}": {"GET": get_table, "PATCH": update_table, "DELETE": delete_table},
    "/v1/tables/{table}/fields": {"POST": manage_fields, "PATCH": manage_fields},
    "/v1/tables/{table}/indexes": {"POST": manage_indexes, "PATCH": manage_indexes},
    "/v1/tables/{table}/schema-versions": {"GET": schema_versions},
    "/v1/tables/{table}/schema-versions/{version:int}/rollback": {"POST": rollback_schema},
    "/v1/tables/{table}/index-versions": {"GET": index_versions},
    "/v1/tables/{table}/index-versions/{version:int}/rollback": {"POST": rollback_indexes},
}


def routes() -> list[BaseRoute]:
    return [Route(path, by_method(endpoints), methods=ALL_METHODS) for path, endpoints in ROUTES.items()]
