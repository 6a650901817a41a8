"""Project-level management routes: the project, its environments, CORS, and per environment the API keys and the
app-user auth settings (bkend_mcp/docs/management-api.md)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain import cors, key_admin, projects
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_env
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.rest.console_http import call, read_object, reply, shaped
from bkend_mcp.rest.http import int_param

PROJECT = "/v1/console/projects/{project}"
ENV = f"{PROJECT}/environments/{{env}}"


def where(request: Request) -> dict[str, Any]:
    """The project and environment named in the path, as the domain's `project` / `environment` arguments."""
    return {"project": request.path_params["project"], "environment": request.path_params.get("env")}


async def get_project(request: Request) -> Response:
    at = where(request)
    work = lambda b, p: projects.get_project(b, p, at["project"])  # noqa: E731
    return reply(await call(request, "project:read", work, project=at["project"]))


async def update_project(request: Request) -> Response:
    at, body = where(request), shaped(await read_object(request), {"settings": "object"})
    work = lambda b, p: projects.update_project(b, p, at["project"], **_only(body, NAMES_PROJECT))  # noqa: E731
    return reply(await call(request, "project:update", work, project=at["project"]))


async def delete_project(request: Request) -> Response:
    at, body = where(request), await read_object(request)
    work = lambda b, p: projects.delete_project(b, p, at["project"], body.get("confirm"))  # noqa: E731
    return reply(await call(request, "project:delete", work, project=at["project"]))


async def list_environments(request: Request) -> Response:
    at = where(request)
    work = lambda b, p: projects.list_environments(b, p, at["project"])  # noqa: E731
    return reply(await call(request, "environment:read", work, project=at["project"]))


async def create_environment(request: Request) -> Response:
    at, body = where(request), await read_object(request)
    options, name = _only(body, NAMES_ENV, "name"), body.get("name")  # the domain checks the name's type

    def work(b: Backend, p: Principal) -> dict[str, Any]:
        return projects.create_environment(b, p, name=name, project=at["project"], **options)  # type: ignore[arg-type]

    return reply(await call(request, "environment:create", work, project=at["project"]), 201)


async def get_environment(request: Request) -> Response:
    at = where(request)
    work = lambda b, p: projects.get_environment(b, p, at["environment"], at["project"])  # noqa: E731
    return reply(await call(request, "environment:read", work, project=at["project"]))


async def delete_environment(request: Request) -> Response:
    at, body = where(request), await read_object(request)
    work = lambda b, p: projects.delete_environment(b, p, at["environment"], body.get("confirm"), at["project"])  # noqa: E731
    return reply(await call(request, "environment:delete", work, project=at["project"]))


def _cors(action: str, scope: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        at = where(request)
        origin = (await read_object(request)).get("origin") if action != "list" else None
        work = lambda b, p: cors.manage_cors(b, p, action, origin, at["project"])  # noqa: E731
        return reply(await call(request, scope, work, project=at["project"]))

    return endpoint


def _keys(action: str, status: int = 200):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        at = where(request)
        body = await read_object(request) if action == "create" else {}
        options = {**_only(body, NAMES_KEY), "key_id": request.path_params.get("key")}
        work = lambda b, p: key_admin.manage_api_keys(b, p, action, **at, **options)  # noqa: E731
        return reply(await call(request, key_admin.ACTION_SCOPES[action], work, project=at["project"]), status)

    return endpoint


async def auth_settings(request: Request) -> Response:
    at = where(request)
    work = lambda b, p: console_env.auth_settings(b, p, at["project"], at["environment"])  # noqa: E731
    return reply(await call(request, "auth-config:read", work, project=at["project"]))


async def update_auth_settings(request: Request) -> Response:
    at, body = where(request), await read_object(request)
    work = lambda b, p: console_env.update_auth_settings(b, p, body, at["project"], at["environment"])  # noqa: E731
    return reply(await call(request, "auth-config:update", work, project=at["project"]))


async def auth_outbox(request: Request) -> Response:
    at, limit, to = where(request), int_param(request, "limit", 20), request.query_params.get("to")
    work = lambda b, p: console_env.auth_outbox(b, p, at["project"], at["environment"], limit, to)  # noqa: E731
    return reply(await call(request, "auth-config:read", work, project=at["project"]))


NAMES_PROJECT = {"name": "name", "description": "description", "settings": "settings"}
NAMES_ENV = {"environmentType": "environment_type", "copySchemaFrom": "copy_schema_from"}
NAMES_KEY = {"type": "key_type", "name": "name", "scopes": "scopes", "expiresAt": "expires_at"}


def _only(body: dict[str, Any], names: dict[str, str], *also: str) -> dict[str, Any]:
    """The body's keys under the domain's argument names; any other key (beyond `also`) is refused, naming it."""
    unknown = [k for k in body if k not in names and k not in also]
    if unknown:
        message = f"'{unknown[0]}' is not accepted here (accepted: {', '.join([*names, *also])})"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": unknown[0], "reason": "unknown-field", "message": message}]
        )
    return {names[k]: v for k, v in body.items() if k in names}


ROUTES = {
    PROJECT: {"GET": get_project, "PATCH": update_project, "DELETE": delete_project},
    f"{PROJECT}/environments": {"GET": list_environments, "POST": create_environment},
    ENV: {"GET": get_environment, "DELETE": delete_environment},
    f"{PROJECT}/cors": {
        "GET": _cors("list", "cors:read"),
        "POST": _cors("add", "cors:update"),
        "DELETE": _cors("remove", "cors:update"),
    },
    f"{ENV}/api-keys": {"GET": _keys("list"), "POST": _keys("create", 201)},
    f"{ENV}/api-keys/{{key}}": {"DELETE": _keys("revoke")},
    f"{ENV}/auth/settings": {"GET": auth_settings, "PATCH": update_auth_settings},
    f"{ENV}/auth/outbox": {"GET": auth_outbox},
}
