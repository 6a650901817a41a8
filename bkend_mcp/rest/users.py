"""The user API over REST: `/v1/users…` (spec/auth.md §2.10 #37-#42, §2.11 #43-#44, #48-#55; compat C21, C23).

The avatar routes of §2.11 (#45-#47) are storage-backed and live with the file API (`rest/files.py`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.auth import user_admin, user_settings
from bkend_mcp.rest.http import as_caller, read_json, respond


def routes() -> list[BaseRoute]:
    table = [
        ("/v1/users", "GET", list_users),
        ("/v1/users", "POST", create_user),
        ("/v1/users/{user_id}", "GET", get_user),
        ("/v1/users/{user_id}", "PATCH", update_user),
        ("/v1/users/{user_id}", "DELETE", delete_user),
        ("/v1/users/{user_id}/role", "PATCH", set_role),
        ("/v1/users/{user_id}/profile", "GET", get_profile),
        ("/v1/users/{user_id}/profile", "PATCH", update_profile),
    ]
    for section in user_settings.SECTIONS:
        table += [(f"/v1/users/{{user_id}}/{section}", "GET", get_section)]
        table += [(f"/v1/users/{{user_id}}/{section}", "PATCH", update_section)]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


async def list_users(request: Request) -> Response:
    params = dict(request.query_params)
    return respond(request, await as_caller(request, lambda b, c: user_admin.list_users(b, c, params)))


async def create_user(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: user_admin.create(b, c, body)), 201)


async def get_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    return respond(request, await as_caller(request, lambda b, c: user_admin.get_user(b, c, user_id)))


async def update_user(request: Request) -> Response:
    user_id, body = request.path_params["user_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: user_admin.update_user(b, c, user_id, body)))


async def delete_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    await read_json(request)  # an empty body with Content-Type: application/json is fine (C7)
    return respond(request, await as_caller(request, lambda b, c: user_admin.delete(b, c, user_id)))


async def set_role(request: Request) -> Response:
    user_id, body = request.path_params["user_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: user_admin.set_role(b, c, user_id, body)))


async def get_profile(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    return respond(request, await as_caller(request, lambda b, c: user_admin.get_profile(b, c, user_id)))


async def update_profile(request: Request) -> Response:
    user_id, body = request.path_params["user_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: user_admin.update_profile(b, c, user_id, body)))


def _section(request: Request) -> str:
    return request.url.path.rstrip("/").rsplit("/", 1)[1]


async def get_section(request: Request) -> Response:
    user_id, section = request.path_params["user_id"], _section(request)
    return respond(request, await as_caller(request, lambda b, c: user_admin.get_section(b, c, user_id, section)))


async def update_section(request: Request) -> Response:
    user_id, section, body = request.path_params["user_id"], _section(request), await read_json(request)
    result = await as_caller(request, lambda b, c: user_admin.update_section(b, c, user_id, section, body))
    return respond(request, result)
