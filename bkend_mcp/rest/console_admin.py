"""Per-environment administration routes of the management API: app-user auth configuration and mail templates,
app users, files, MCP access, and the organization's activity log (bkend_mcp/docs/management-api.md). Auth and
user routes run the MCP `manage_auth` / `manage_users` action tables, so both interfaces check the same keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain import activity
from bkend_mcp.domain.auth import manage
from bkend_mcp.domain.console import console_env
from bkend_mcp.domain.files import tenant_files
from bkend_mcp.rest.console_http import call, call_in_session, page_args, read_object, reply, shaped
from bkend_mcp.rest.console_projects import ENV, where
from bkend_mcp.rest.http import int_param

Arguments = Callable[[Request, dict[str, Any]], dict[str, Any]]
WRITES = ("POST", "PUT", "PATCH")


def _action(table: dict[str, manage.Action], action: str, arguments: Arguments, status: int = 200):  # type: ignore[no-untyped-def]
    """An endpoint running one action of a `manage` table with the arguments read from the request."""

    async def endpoint(request: Request) -> Response:
        at = where(request)
        body = await read_object(request) if request.method in WRITES else {}
        given = arguments(request, body)
        work = lambda b, p: manage.run(table, b, p, action, given, **at)  # noqa: E731
        return reply(await call(request, manage.scope_of(table, action), work, project=at["project"]), status)

    return endpoint


def _query(*names: str) -> Arguments:
    return lambda request, body: {n: request.query_params[n] for n in names if n in request.query_params}


def _path(name: str, as_: str) -> Arguments:
    return lambda request, body: {as_: request.path_params[name]}


def _body_and(name: str, as_: str, *query: str) -> Arguments:
    return lambda request, body: {**body, as_: request.path_params[name], **_query(*query)(request, body)}


def _nothing(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return {}


def _body(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    return body


AUTH, USERS = manage.AUTH_ACTIONS, manage.USER_ACTIONS
TEMPLATE = f"{ENV}/auth/templates/{{category}}"
USER = f"{ENV}/users/{{user}}"

# --- files -------------------------------------------------------------------------------------------------------

UPLOAD_SHAPES = {"filename": "string", "contentType": "string", "contentBase64": "string"}


async def list_files(request: Request) -> Response:
    at, params = where(request), dict(request.query_params)
    work = lambda b, p: tenant_files.list_files(b, p, params, **at)  # noqa: E731
    return reply(await call(request, "file:read", work, project=at["project"]))


async def get_file(request: Request) -> Response:
    at, file_id, expires = where(request), request.path_params["file"], int_param(request, "expiresIn", 3600)
    work = lambda b, p: tenant_files.get_file(b, p, file_id, expires_in=expires, **at)  # noqa: E731
    return reply(await call(request, "file:read", work, project=at["project"]))


async def upload_file(request: Request) -> Response:
    at, body = where(request), shaped(await read_object(request), UPLOAD_SHAPES)
    fields = {k: body.get(k) for k in ("filename", "contentType", "visibility", "category")}
    content = body.get("contentBase64")
    work = lambda b, p: tenant_files.upload_file(b, p, fields=fields, content_base64=content, **at)  # noqa: E731
    return reply(await call(request, "file:create", work, project=at["project"]), 201)


async def update_file(request: Request) -> Response:
    at, file_id, body = where(request), request.path_params["file"], await read_object(request)
    changes = {k: body.get(k) for k in ("visibility", "originalName", "category", "tags", "metadata")}
    work = lambda b, p: tenant_files.update_file(b, p, file_id, changes, **at)  # noqa: E731
    return reply(await call(request, "file:update", work, project=at["project"]))


async def delete_file(request: Request) -> Response:
    at, file_id, body = where(request), request.path_params["file"], await read_object(request)
    confirm = body.get("confirm") is True
    work = lambda b, p: tenant_files.delete_file(b, p, file_id, confirm=confirm, **at)  # noqa: E731
    return reply(await call(request, "file:delete", work, project=at["project"]))


# --- MCP access, activity ----------------------------------------------------------------------------------------


async def mcp_access(request: Request) -> Response:
    at = where(request)
    work = lambda b, p: console_env.mcp_access(b, p, at["project"], at["environment"])  # noqa: E731
    return reply(await call(request, "environment:read", work, project=at["project"]))


async def set_mcp_access(request: Request) -> Response:
    at, body = where(request), await read_object(request)
    work = lambda b, p: console_env.set_mcp_access(b, p, body, at["project"], at["environment"])  # noqa: E731
    return reply(await call_in_session(request, work))


async def list_activity(request: Request) -> Response:
    org, (page, limit) = request.path_params["org"], page_args(request)
    filters = {k: request.query_params.get(k) for k in ("tool", "outcome", "since", "until")}
    work = lambda b, p: activity.list_activity(b, p, page=page, limit=limit, **filters)  # noqa: E731
    return reply(await call(request, "organization:read", work, organization=org))


ROUTES = {
    f"{ENV}/auth/config": {"GET": _action(AUTH, "get_config", _nothing)},
    f"{ENV}/auth/email": {"PATCH": _action(AUTH, "update_email_config", _body)},
    f"{ENV}/auth/providers/{{provider}}": {
        "PUT": _action(AUTH, "set_oauth_provider", _body_and("provider", "provider")),
        "DELETE": _action(AUTH, "delete_oauth_provider", _path("provider", "provider")),
    },
    f"{ENV}/auth/email-settings": {
        "GET": _action(AUTH, "get_email_settings", _nothing),
        "PATCH": _action(AUTH, "update_email_settings", _body),
    },
    f"{ENV}/auth/templates": {"GET": _action(AUTH, "list_email_templates", _query("locale"))},
    TEMPLATE: {
        "GET": _action(AUTH, "get_email_template", _body_and("category", "category", "locale")),
        "PUT": _action(AUTH, "update_email_template", _body_and("category", "category")),
        "DELETE": _action(AUTH, "reset_email_template", _body_and("category", "category", "locale")),
    },
    f"{TEMPLATE}/preview": {"POST": _action(AUTH, "preview_email_template", _body_and("category", "category"))},
    f"{ENV}/users": {
        "GET": _action(USERS, "list", _query(*manage.LIST_KEYS)),
        "POST": _action(USERS, "create", _body, 201),
    },
    USER: {
        "GET": _action(USERS, "get", _path("user", "userId")),
        "PATCH": _action(USERS, "update", lambda request, body: {"userId": request.path_params["user"], "data": body}),
        "DELETE": _action(USERS, "delete", _path("user", "userId")),
    },
    f"{USER}/role": {"PUT": _action(USERS, "set_role", _body_and("user", "userId"))},
    f"{USER}/password-reset": {"POST": _action(USERS, "send_password_reset", _body_and("user", "userId"))},
    f"{ENV}/files": {"GET": list_files, "POST": upload_file},
    f"{ENV}/files/{{file}}": {"GET": get_file, "PATCH": update_file, "DELETE": delete_file},
    f"{ENV}/mcp-access": {"GET": mcp_access, "PUT": set_mcp_access},
    "/v1/console/organizations/{org}/activity": {"GET": list_activity},
}
