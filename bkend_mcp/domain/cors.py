"""The browser origins a project allows (console "CORS", MCP `manage_cors`), kept in `settings.corsOrigins`.

An origin is `scheme://host[:port]`: http or https, no wildcard, no path, query or credentials; at most
`MAX_ORIGINS` per project (spec/mcp-and-console.md §4.12, §6.3). An empty list means "any origin" in dev
environments (§7 #16); `origin_allowed` states that rule for the HTTP layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bkend_mcp.domain import addressing, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal

MAX_ORIGINS = 3
ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?$"
)
ACTION_SCOPES = {"list": "cors:read", "add": "cors:update", "remove": "cors:update"}
"""`manage_cors` action → the scope it needs."""
WRITING_ACTIONS = ("add", "remove")


def _invalid(origin: Any, why: str) -> BkendError:
    message = f"'{origin}' is not a valid origin: {why}. Use scheme://host[:port], e.g. https://app.example.com"
    return BkendError(
        "common/invalid-parameters", message, [{"field": "origin", "reason": "pattern", "message": message}]
    )


def check_origin(origin: Any) -> str:
    """The origin in canonical form (lower case, no trailing `/`), or `common/invalid-parameters` naming the rule."""
    if not isinstance(origin, str) or not origin.strip():
        raise _invalid(origin, "it must be a non-empty string")
    text = origin.strip().lower()
    text = text[:-1] if text.endswith("/") and text.count("/") == 3 else text
    if "*" in text:
        raise _invalid(origin, "wildcards are not allowed; list each origin")
    match = ORIGIN.match(text)
    if match is None:
        raise _invalid(origin, "it needs http:// or https://, a host, an optional port and nothing else (no path)")
    if match["port"] is not None and not 0 < int(match["port"]) < 65536:
        raise _invalid(origin, "the port must be 1-65535")
    return text


def check_origins(origins: Any) -> list[str]:
    """A whole replacement list (project settings), each origin checked, duplicates dropped, at most the max."""
    if not isinstance(origins, list):
        raise _invalid(origins, "'corsOrigins' must be a list of origins")
    checked = list(dict.fromkeys(check_origin(o) for o in origins))
    if len(checked) > MAX_ORIGINS:
        raise BkendError("common/limit-exceeded", f"A project allows at most {MAX_ORIGINS} CORS origins")
    return checked


def _stored(project: dict[str, Any]) -> list[str]:
    return list((project.get("settings") or {}).get("corsOrigins") or [])


def _result(origins: list[str]) -> dict[str, Any]:
    return {"origins": origins, "max": MAX_ORIGINS}


def _save(backend: Backend, principal: Principal, project: dict[str, Any], origins: list[str]) -> dict[str, Any]:
    settings = {**(project.get("settings") or {}), "corsOrigins": origins}
    saved = tenancy.update_project(backend, principal.tenant_id, project["id"], {"settings": settings})
    return _result(_stored(saved))


def list_origins(backend: Backend, principal: Principal, project: dict[str, Any], origin: str | None) -> dict[str, Any]:
    return _result(_stored(project))


def add_origin(backend: Backend, principal: Principal, project: dict[str, Any], origin: str | None) -> dict[str, Any]:
    wanted, current = check_origin(origin), _stored(project)
    if wanted in current:
        return _result(current)
    if len(current) >= MAX_ORIGINS:
        raise BkendError(
            "common/limit-exceeded",
            f"A project allows at most {MAX_ORIGINS} CORS origins; remove one of {', '.join(current)} first",
        )
    return _save(backend, principal, project, [*current, wanted])


def remove_origin(
    backend: Backend, principal: Principal, project: dict[str, Any], origin: str | None
) -> dict[str, Any]:
    unwanted, current = check_origin(origin), _stored(project)
    if unwanted not in current:
        raise BkendError("common/not-found", f"Origin '{unwanted}' is not in the project's CORS list")
    return _save(backend, principal, project, [o for o in current if o != unwanted])


ACTIONS: dict[str, Callable[[Backend, Principal, dict[str, Any], str | None], dict[str, Any]]] = {
    "list": list_origins,
    "add": add_origin,
    "remove": remove_origin,
}


def manage_cors(
    backend: Backend, principal: Principal, action: str, origin: str | None = None, project: str | None = None
) -> dict[str, Any]:
    """`list` / `add` / `remove` one origin of the project; returns `{origins, max}`."""
    if action not in ACTIONS:
        raise BkendError("common/invalid-parameters", f"'action' must be one of: {', '.join(ACTIONS)}")
    if action != "list" and origin is None:
        raise _invalid(origin, f"'{action}' needs an 'origin'")
    resolve = addressing.writable_project if action in WRITING_ACTIONS else addressing.resolve_project
    return ACTIONS[action](backend, principal, resolve(backend, principal, project), origin)


def origin_allowed(origins: list[str], environment_type: str, origin: str) -> bool:
    """An empty list allows every origin in a dev environment and none elsewhere; otherwise exact match."""
    if not origins:
        return environment_type == "dev"
    return origin.lower().rstrip("/") in origins
