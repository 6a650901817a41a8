"""The app-facing data API: `/v1/data/{table}...` and the `/v1/{table}...` shorthand (spec/data.md §0.1)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, request_response
from starlette.types import Receive, Scope, Send

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
    result = await as_caller(request, lambda b, c: records.create_record(b, c, table, body), quick=True)
    return respond(request, result, 201)


async def get_record(request: Request) -> Response:
    table, record_id, params = request.path_params["table"], request.path_params["id"], query_lists(request)
    result = await as_caller(request, lambda b, c: records.get_record(b, c, table, record_id, params), quick=True)
    return respond(request, result)


async def update_record(request: Request) -> Response:
    table, record_id, body = request.path_params["table"], request.path_params["id"], await read_json(request)
    result = await as_caller(request, lambda b, c: records.update_record(b, c, table, record_id, body), quick=True)
    return respond(request, result)


async def delete_record(request: Request) -> Response:
    table, record_id = request.path_params["table"], request.path_params["id"]
    await read_json(request)  # an empty body with Content-Type: application/json is fine (C7)
    result = await as_caller(request, lambda b, c: records.delete_record(b, c, table, record_id), quick=True)
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


ENDPOINTS: dict[str, dict[str, Endpoint]] = {
    "": {"GET": list_records, "POST": create_record},
    "/spec": {"GET": table_spec},
    "/openapi": {"GET": table_openapi},
    "/{id}": {"GET": get_record, "PATCH": update_record, "DELETE": delete_record},
}
"""The routes under `{prefix}{table}`, each also answered with a trailing slash."""


class TableRoutes(BaseRoute):
    """Every route of `ENDPOINTS` under one prefix, found with one regex match instead of one per path (eight):
    the data API is the busiest part of the app, and every other request tried these routes first too. Paths,
    parameters and the 405 of a method no route has are those of the eight `Route`s it stands for, except that
    `PATCH`/`DELETE` of `/spec` or `/openapi` address a record of that id (404), as the OpenAPI document says."""

    def __init__(self, prefix: str, *, shorthand: bool) -> None:
        self.path = f"{prefix}{{table}}"
        self._regex = re.compile("^" + re.escape(prefix) + r"(?P<table>[^/]+)(?:/(?P<rest>[^/]+))?/?$")
        self._endpoints = {suffix: by_method(table, shorthand=shorthand) for suffix, table in ENDPOINTS.items()}
        self._apps = {endpoint: request_response(endpoint) for endpoint in self._endpoints.values()}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        found = self._regex.match(get_route_path(scope)) if scope["type"] == "http" else None
        if found is None:
            return Match.NONE, {}
        table, rest = found.group("table", "rest")
        params = {**scope.get("path_params", {}), "table": table}
        if rest is None:
            suffix = ""
        elif rest in ("spec", "openapi") and scope["method"] in ("GET", "HEAD"):
            suffix = "/" + rest  # any other method is about a record with that id (there is none: 404, not 405)
        else:
            suffix, params["id"] = "/{id}", rest
        child = {"endpoint": self._endpoints[suffix], "path_params": params}
        return (Match.FULL if scope["method"] in ALL_METHODS else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ALL_METHODS:
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(ALL_METHODS)})
        await self._apps[scope["endpoint"]](scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


def routes() -> list[BaseRoute]:
    return [TableRoutes("/v1/data/", shorthand=False)]


def shorthand_routes() -> list[BaseRoute]:
    """Mounted last, after every fixed `/v1/<namespace>` route."""
    return [TableRoutes("/v1/", shorthand=True)]
