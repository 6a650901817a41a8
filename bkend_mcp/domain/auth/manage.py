"""The tenant's auth tools (spec/mcp-and-console.md §6.3 "Auth configuration and app users"): `manage_auth` and
`manage_users`, each a flat argument object with an `action`.

`AUTH_ACTIONS` and `USER_ACTIONS` are the tables: per action, the scope it needs, the keys it requires, the keys
it accepts, and the domain function it runs as the environment's admin. A key the action does not use is a
validation error (rather than silently ignored), so a model that mixed up two actions learns it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain import addressing
from bkend_mcp.domain.auth import (
    auth_admin,
    deletion,
    emails,
    recovery,
    settings,
    template_admin,
    urls,
    user_admin,
    users,
)
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal

Run = Callable[[Backend, Caller, dict[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Action:
    scope: str
    run: Run
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


# --- manage_auth -------------------------------------------------------------------------------------------------

EMAIL_CONFIG_KEYS = ("passwordPolicy", "magicLinkEnabled", "magicLinkExpirationMinutes", "settings")
PROVIDER_KEYS = ("clientId", "clientSecret", "redirectUri", "scopes", "enabled", "additionalClientIds", "endpoints")
MAIL_KEYS = auth_admin.EMAIL_CONFIG_KEYS


def _update_email_config(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    changes = {**(a.pop("settings", None) or {}), **a}
    auth_admin.update_email_provider(b, c, changes)
    return auth_admin.config_overview(b, c)


def _set_provider(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    provider = a.pop("provider")
    return auth_admin.set_oauth_provider(b, c, provider, a)


AUTH_ACTIONS: dict[str, Action] = {
    "get_config": Action("auth-config:read", lambda b, c, a: auth_admin.config_overview(b, c)),
    "update_email_config": Action("auth-config:update", _update_email_config, optional=EMAIL_CONFIG_KEYS),
    "set_oauth_provider": Action("auth-config:update", _set_provider, ("provider",), PROVIDER_KEYS),
    "delete_oauth_provider": Action(
        "auth-config:update", lambda b, c, a: auth_admin.delete_oauth_provider(b, c, a["provider"]), ("provider",)
    ),
    "get_email_settings": Action("auth-config:read", lambda b, c, a: auth_admin.email_settings(b, c)),
    "update_email_settings": Action(
        "auth-config:update", lambda b, c, a: auth_admin.update_email_settings(b, c, a), optional=MAIL_KEYS
    ),
    "list_email_templates": Action(
        "auth-config:read", lambda b, c, a: template_admin.list_templates(b, c, a.get("locale")), optional=("locale",)
    ),
    "get_email_template": Action(
        "auth-config:read",
        lambda b, c, a: template_admin.get_template(b, c, a["category"], a.get("locale")),
        ("category",),
        ("locale",),
    ),
    "update_email_template": Action(
        "auth-config:update",
        lambda b, c, a: template_admin.update_template(b, c, a.pop("category"), a),
        ("category", "subject", "body"),
        ("locale",),
    ),
    "reset_email_template": Action(
        "auth-config:update",
        lambda b, c, a: template_admin.reset_template(b, c, a["category"], a.get("locale")),
        ("category",),
        ("locale",),
    ),
    "preview_email_template": Action(
        "auth-config:read",
        lambda b, c, a: template_admin.preview(b, c, a["category"], a.get("locale"), a.get("sampleData")),
        ("category",),
        ("locale", "sampleData"),
    ),
}


# --- manage_users ------------------------------------------------------------------------------------------------


def _find(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    """The live user named by `userId` or `email` (exactly one of them)."""
    if ("userId" in a) == ("email" in a):
        raise _invalid("userId", "Pass either 'userId' or 'email'")
    if "userId" in a:
        return user_admin.live_user(b, c.environment_id, a["userId"])
    user = users.find_by_email(b, c.environment_id, emails.normalize(a["email"]))
    if user is None:
        raise BkendError("user/not-found", f"No user has the address '{a['email']}'")
    return user


def _get(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return user_admin.full_user(b, c.environment_id, _find(b, c, a), accounts=True)


def _list(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    return user_admin.list_users(b, c, {**a, "includeAccounts": "true"})


def _create(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    if "name" not in a and isinstance(a.get("email"), str):
        a["name"] = emails.local_part(a["email"].strip().lower())
    return user_admin.create(b, c, a)


def _update(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(a["data"], dict):
        raise _invalid("data", "'data' must be an object of fields to change")
    user_admin.update_user(b, c, a["userId"], a["data"])
    return _get(b, c, {"userId": a["userId"]})


def _set_role(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    user_admin.set_role(b, c, a["userId"], {"role": a["role"]})
    return _get(b, c, {"userId": a["userId"]})


def _delete(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    user = user_admin.live_user(b, c.environment_id, a["userId"])
    deletion.delete_user(b, c.environment_id, user["_id"], "admin")
    return {"deleted": True, "id": user["_id"]}


def _send_reset(b: Backend, c: Caller, a: dict[str, Any]) -> dict[str, Any]:
    user = _find(b, c, {k: a[k] for k in ("userId", "email") if k in a})
    if user.get("status") != "active":
        raise BkendError("user/forbidden", "The user is banned; unban them first")
    current = settings.load(b, c.environment_id)
    base = urls.check_optional(current, a.get("callbackUrl")) or current.password_reset_url
    recovery.send_reset_mail(b, c.environment_id, user, base)
    return {"sent": True, "email": user["email"]}


LIST_KEYS = ("search", "searchType", "page", "limit", "sortBy", "sortDirection")
USER_ACTIONS: dict[str, Action] = {
    "list": Action("user:read", _list, optional=LIST_KEYS),
    "get": Action("user:read", _get, optional=("userId", "email")),
    "create": Action("user:create", _create, ("email",), ("name", "nickname", "password", "role", "emailVerified")),
    "update": Action("user:update", _update, ("userId", "data")),
    "set_role": Action("user:update", _set_role, ("userId", "role")),
    "delete": Action("user:delete", _delete, ("userId",)),
    "send_password_reset": Action("user:update", _send_reset, optional=("userId", "email", "callbackUrl")),
}


# --- running -----------------------------------------------------------------------------------------------------


def scope_of(table: dict[str, Action], action: str) -> str | None:
    """The scope an action needs (None for an unknown action: the call then fails validation)."""
    chosen = table.get(action)
    return chosen.scope if chosen else None


def run(
    table: dict[str, Action],
    backend: Backend,
    principal: Principal,
    action: str,
    arguments: dict[str, Any],
    *,
    project: str | None = None,
    environment: str | None = None,
) -> Any:
    """Check the arguments against the action, then run it as the admin of the chosen environment."""
    chosen = table.get(action)
    if chosen is None:
        raise _invalid("action", f"Unknown action '{action}'; use one of {', '.join(table)}")
    given = {k: v for k, v in arguments.items() if v is not None}
    problems = [f"'{k}' is required for {action}" for k in chosen.required if k not in given]
    problems += [f"'{k}' is not used by {action}" for k in given if k not in (*chosen.required, *chosen.optional)]
    if problems:
        details = [{"field": p.split("'")[1], "reason": "invalid", "message": p} for p in problems]
        raise BkendError("common/invalid-parameters", problems[0], details)
    resolve = addressing.resolve_environment if chosen.scope.endswith(":read") else addressing.writable_environment
    env = resolve(backend, principal, project, environment)
    result = chosen.run(backend, addressing.environment_caller(env, principal), given)
    return result if isinstance(result, dict) else {"items": result}


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])
