"""`/v1/mcp-access`: how far MCP may go in the environment of the secret key (`mcpAccess`: write, read or none).

An owner's switch, so it takes the environment's secret key (`sk_`) like table management; MCP itself can only
tighten it (`set_mcp_access`). Rules: `domain/guardrails.py`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain import guardrails
from bkend_mcp.rest.data import ALL_METHODS, by_method
from bkend_mcp.rest.http import as_caller, read_json, respond


async def get_access(request: Request) -> Response:
    return respond(request, await as_caller(request, guardrails.environment_access))


async def set_access(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: guardrails.set_environment_access(b, c, body)))


ROUTES = {"/v1/mcp-access": {"GET": get_access, "PUT": set_access, "PATCH": set_access}}


def routes() -> list[BaseRoute]:
    return [Route(path, by_method(endpoints), methods=ALL_METHODS) for path, endpoints in ROUTES.items()]
