"""The browser origins a project allows (console "CORS", MCP `manage_cors`), kept in `settings.corsOrigins`.

An origin is `scheme://host[:port]`: http or https, no wildcard, no path, query or credentials; at most
`MAX_ORIGINS` per project (spec/mcp-and-console.md §4.12, §6.3). An empty list means "any origin" in dev
environments and "no foreign origin" in every other environment (§7 #16, decision in docs/decisions.md);
`origin_allowed` states that rule, and the `policy_for_*` lookups give the HTTP layer (`rest/cors.py`) the list
and environment type a request addresses. They read the store; `PolicyMemo` keeps their answers as long as the
control cache would (a change applies on the next request in this process, within `CACHE_TTL_SECONDS` in the
others).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from time import monotonic
from typing import Any

from bkend_mcp.domain import addressing, keys, tenancy
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


# --- enforcement lookups (the HTTP layer asks these through a `PolicyMemo`) ---------------------------------------


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """The browser origins one environment accepts: its project's list and the environment's type."""

    origins: tuple[str, ...]
    environment_type: str

    def allows(self, origin: str) -> bool:
        return origin_allowed(list(self.origins), self.environment_type, origin)


def _policy(project: dict[str, Any] | None, environment: dict[str, Any] | None) -> OriginPolicy | None:
    if project is None or environment is None:
        return None
    kind = environment.get("environmentType") or environment.get("environment") or "custom"
    return OriginPolicy(tuple(_stored(project)), kind)


def _by_ids(backend: Backend, project_id: str, environment_id: str) -> OriginPolicy | None:
    return _policy(backend.control("projects").get(project_id), backend.control("environments").get(environment_id))


def policy_for_reference(backend: Backend, project_ref: str, environment: str) -> OriginPolicy | None:
    """The policy of a project (id or slug) and environment name; None when either does not exist."""
    project = tenancy.find_project(backend, project_ref)
    if project is None:
        return None
    return _policy(project, tenancy.find_environment(backend, project["_id"], environment))


def policy_for_headers(backend: Backend, headers: Mapping[str, str]) -> OriginPolicy | None:
    """The policy of the environment a data/auth/files request addresses (`X-API-Key`, or `x-project-id` +
    `x-environment`), or None when it names none that exists: such a request can only fail, with no data."""
    api_key = (headers.get("x-api-key") or "").strip()
    try:
        if api_key:
            key = keys.verify_key(backend, api_key)
            return _by_ids(backend, key["projectId"], key["environmentId"])
    except BkendError:
        return None
    project = (headers.get("x-project-id") or "").strip()
    if project:
        return policy_for_reference(backend, project, (headers.get("x-environment") or "dev").strip())
    return None


def policy_for_storage_key(backend: Backend, key: str) -> OriginPolicy | None:
    """The policy of the environment a storage key belongs to (keys start `{projectId}/{environment}/`)."""
    project_id, _, rest = key.partition("/")
    environment = rest.partition("/")[0]
    if not project_id or not environment:
        return None
    return policy_for_reference(backend, project_id, environment)


def memo_key(headers: Mapping[str, str]) -> Hashable:
    """What `policy_for_headers` depends on."""
    api_key = (headers.get("x-api-key") or "").strip()
    if api_key:
        return ("key", api_key)
    return ("ref", (headers.get("x-project-id") or "").strip(), (headers.get("x-environment") or "dev").strip())


class PolicyMemo:
    """Recent `policy_for_*` answers, so a cross-origin request need not hop to the worker pool to ask again.
    An answer is trusted exactly as the control cache trusts its entries: until a write to a watched control
    collection through this backend (the cache's `generation` moves) or for `ttl` seconds."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[int, float, OriginPolicy | None]] = {}

    def get(self, backend: Backend, key: Hashable) -> tuple[bool, OriginPolicy | None]:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == backend.cache.generation and monotonic() - entry[1] < backend.cache.ttl:
            return True, entry[2]
        return False, None

    def put(self, key: Hashable, generation: int, loaded_at: float, policy: OriginPolicy | None) -> None:
        """`generation` and `loaded_at` as they were before the lookup started (a write during it retires it)."""
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (generation, loaded_at, policy)
