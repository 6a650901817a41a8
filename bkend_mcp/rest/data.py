"""The app-facing data API: `/v1/data/{table}...` and the `/v1/{table}...` shorthand (spec/data.md §0.1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain import openapi, records
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.rest.http import as_caller, query_lists, read_json, respond

Endpoint = Callable[[Request], Awaitable[Response]]
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
RESERVED_NAMESPACES = frozenset(
    {
        "data",
        "auth",
        "users",
        "files",
        "storage",
        "mcp",
        "organizations",
        "orgs",
        "projects",
        "environments",
        "tables",
        "api-keys",
        "access-tokens",
        "webhooks",
        "realtime",
        "health",
        "openapi",
        "docs",
        "console",
        "admin",
        ".well-known",
    }
)


async def list_records(request: Request) -> Response:
    table, params = request.path_params["table"], query_lists(request)
    result = await as_caller(request, lambda b, c: records.list_records(b, c, table, params))
    return respond(request, result)


async def create_record(request: Request) -> Response:
    table, body = request.path_params["table"], await read_json(request)
    result = await as_caller(request, lambda b, c: records.create_record(b, c, table, body))
    return respond(request, result, 201)


async def get_record(request: Request) -> Response:
    table, record_id, params = request.path_params["table"], request.path_params["id"], query_lists(request)
    result = await as_caller(request, lambda b, c: records.get_record(b, c, table, record_id, params))
    return respond(request, result)


async def update_record(request: Request) -> Response:
    table, record_id, body = request.path_params["table"], request.path_params["id"], await read_json(request)
    result = await as_caller(request, lambda b, c: records.update_record(b, c, table, record_id, body))
    return respond(request, result)


async def delete_record(request: Request) -> Response:
    table, record_id = request.path_params["table"], request.path_params["id"]
    await read_json(request)  # an empty body with Content-Type: application/json is fine (C7)
    result = await as_caller(request, lambda b, c: records.delete_record(b, c, table, record_id))
    return respond(request, result)


async def table_spec(request: Request) -> Response:
    table = request.path_params["table"]
    return respond(request, await as_caller(request, lambda b, c: openapi.table_spec(b, c, table)))


async def table_openapi(request: Request) -> Response:
    table = request.path_params["table"]
    return respond(request, await as_caller(request, lambda b, c: openapi.openapi_document(b, c, table)))


def by_method(endpoints: dict[str, Endpoint], *, shorthand: bool = False) -> Endpoint:
    """One endpoint per method from a table; other methods get 405 with `Allow`. Shorthand routes refuse the
    reserved first segments, which belong to other APIs."""
    allow = ", ".join(endpoints)

    async def endpoint(request: Request) -> Response:
        if shorthand and request.path_params["table"] in RESERVED_NAMESPACES:
            raise BkendError("common/not-found", f"No route for {request.url.path}")
        handler = endpoints.get(request.method)
        if handler is None:
            raise BkendError(
                "data/method-not-allowed",
                f"{request.method} is not allowed here; use {allow}",
                headers={"Allow": allow},
            )
        return await handler(request)

    return endpoint


def _routes(prefix: str, *, shorthand: bool) -> list[BaseRoute]:
    table = {
        "": {"GET": list_records, "POST": create_record},
        "/spec": {"GET": table_spec},
        "/openapi": {"GET": table_openapi},
        "/{id}": {"GET": get_record, "PATCH": update_record, "DELETE": delete_record},
    }
    routes: list[BaseRoute] = []
    for suffix, endpoints in table.items():
        endpoint = by_method(endpoints, shorthand=shorthand)
        for path in (f"{prefix}{{table}}{suffix}", f"{prefix}{{table}}{suffix}/"):
            routes.append(Route(path, endpoint, methods=ALL_METHODS))
    return routes


def routes() -> list[BaseRoute]:
    return _routes("/v1/data/", shorthand=False)


def shorthand_routes() -> list[BaseRoute]:
    """Mounted last, after every fixed `/v1/<namespace>` route."""
    return _routes("/v1/", shorthand=True)
