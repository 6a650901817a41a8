"""How a tenant names things: a project by id or slug, an environment by name or id, a table by name or `tbl_` id,
with the defaults of spec/mcp-and-console.md §6.1 rule 3, and the `Caller` a tenant acts as inside an environment.

Every tool finds its project, environment and table here, so the MCP guardrails live here too
(`domain/guardrails.py`): a pinned connection sees only its pinned project and environment (naming another is
"not found"), an environment with `mcpAccess: none` is refused, and every write resolves through a `writable_*`
function, which refuses it in read-only mode before anything is written.

What a name resolves to (the visible projects, an environment, a table) is remembered in the backend's control
cache, keyed by who asks (tenant, organization, pins) and what they named, so a tool call does not read the
organizations, projects and environments again each time (about a dozen statements a call). A change made in this
process is seen at once (any write to projects, environments, tables or organizations clears the cache); one made
by another process on the same data dir within `CACHE_TTL_SECONDS` (1 s), as on the REST data path. What a call may
do (read-only mode, `mcpAccess`) is still checked on every call, from the environment as cached.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any

from bkend_mcp.domain import call_scope, guardrails, tables, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller, Group
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal


def organizations(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """The organizations the principal may see: its token's one, or every one its tenant belongs to."""
    orgs = tenancy.list_organizations(backend, principal.tenant_id)
    if principal.organization_id is not None:
        orgs = [o for o in orgs if o["id"] == principal.organization_id]
    return orgs


def require_organization(backend: Backend, principal: Principal, organization_id: str | None) -> dict[str, Any]:
    orgs = organizations(backend, principal)
    if organization_id is None:
        if len(orgs) == 1:
            return orgs[0]
        raise _choose("organizationId", "organization", [o["id"] for o in orgs])
    for org in orgs:
        if org["id"] == organization_id or org["slug"] == organization_id:
            return org
    raise BkendError("common/not-found", f"Organization '{organization_id}' not found")


def _who(principal: Principal) -> tuple[Hashable, ...]:
    """What the resolution of a name depends on about the principal: tenant, organization and pins."""
    policy = principal.policy
    return principal.tenant_id, principal.organization_id, policy and policy.project, policy and policy.environment


def projects(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """The projects the principal may see: of its organizations, and only the pinned one on a pinned connection.
    (Cached, see the module; the list is shared and must not be changed.)"""

    def load() -> list[dict[str, Any]]:
        visible = {o["id"] for o in organizations(backend, principal)}
        return [
            p
            for p in tenancy.list_projects(backend, principal.tenant_id)
            if p["organizationId"] in visible and guardrails.project_visible(principal, p)
        ]

    return backend.cache.get(("visible-projects", *_who(principal)), load)


def environments(backend: Backend, principal: Principal, project: dict[str, Any]) -> list[dict[str, Any]]:
    """A visible project's environments the principal may see (only the pinned one on a pinned connection)."""
    return [
        env
        for env in tenancy.list_environments(backend, principal.tenant_id, project["id"])
        if guardrails.environment_visible(principal, env)
    ]


def resolve_project(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    """By id or slug; absent → `BKEND_DEFAULT_PROJECT`, else the only project, else an error listing them."""
    found = _project(backend, principal, project)
    call_scope.note(found["id"])
    return found


def _project(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    candidates = projects(backend, principal)
    pin = principal.policy.project if principal.policy else None
    wanted = project or pin or os.environ.get("BKEND_DEFAULT_PROJECT") or None
    if wanted is None:
        if len(candidates) == 1:
            return candidates[0]
        raise _choose("project", "project", [p["slug"] for p in candidates])
    for p in candidates:
        if wanted in (p["id"], p["slug"]):
            return p
    raise BkendError(
        "common/not-found", f"Project '{wanted}' not found; known: {', '.join(p['slug'] for p in candidates)}"
    )


def resolve_environment(
    backend: Backend, principal: Principal, project: str | None, environment: str | None
) -> dict[str, Any]:
    """By name (aliases allowed) or `env_` id; absent → the pinned environment, else `dev`. An `env_` id implies
    its project. On an MCP connection an environment with `mcpAccess: none` is refused here."""
    named = environment or guardrails.pinned_environment(principal)
    key = ("environment-named", *_who(principal), project, named, os.environ.get("BKEND_DEFAULT_PROJECT"))
    env = backend.cache.get(key, lambda: _environment(backend, principal, project, named))
    guardrails.require_open(principal, env)
    call_scope.note(env["projectId"], env["id"])
    return env


def _environment(
    backend: Backend, principal: Principal, project: str | None, environment: str | None
) -> dict[str, Any]:
    if environment and environment.startswith("env_"):
        by_id = tenancy.get_environment(backend, principal.tenant_id, environment)
        if guardrails.environment_visible(principal, by_id) and any(
            p["id"] == by_id["projectId"] for p in projects(backend, principal)
        ):
            return by_id
        raise BkendError("common/not-found", f"Environment '{environment}' not found")
    proj = _project(backend, principal, project)
    found = tenancy.find_environment(backend, proj["id"], environment or "dev")
    env = tenancy.get_environment(backend, principal.tenant_id, found["_id"]) if found else None
    if env is None or not guardrails.environment_visible(principal, env):
        raise BkendError(
            "common/not-found", f"Environment '{environment or 'dev'}' not found in project '{proj['slug']}'"
        )
    return env


def resolve_table(
    backend: Backend, principal: Principal, table: str, project: str | None, environment: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(environment, stored table). A `tbl_` id implies its project and environment (when the principal sees it;
    otherwise it is looked up like a name, and not found)."""
    if table.startswith("tbl_"):
        doc = backend.control("tables").get(table)
        if doc is not None and _sees_environment(backend, principal, doc["environmentId"]):
            return resolve_environment(backend, principal, None, doc["environmentId"]), doc
    env = resolve_environment(backend, principal, project, environment)
    env_id = env["id"]
    return env, backend.cache.get(("table-named", env_id, table), lambda: tables.require_table(backend, env_id, table))


def _sees_environment(backend: Backend, principal: Principal, environment_id: str) -> bool:
    try:
        _environment(backend, principal, None, environment_id)
    except BkendError as exc:
        if exc.status == 404:
            return False
        raise
    return True


# --- for writing: the same resolution, refused in read-only mode ------------------------------------------------


def writable_organization(backend: Backend, principal: Principal, organization_id: str | None) -> dict[str, Any]:
    """The organization a new project goes into; a read-only or project-pinned connection creates none."""
    guardrails.require_writable(principal)
    guardrails.require_unpinned(principal, "project")
    return require_organization(backend, principal, organization_id)


def writable_project(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    guardrails.require_writable(principal)
    return resolve_project(backend, principal, project)


def writable_environment(
    backend: Backend, principal: Principal, project: str | None, environment: str | None
) -> dict[str, Any]:
    guardrails.require_writable(principal)
    env = resolve_environment(backend, principal, project, environment)
    guardrails.require_writable(principal, env)
    return env


def writable_table(
    backend: Backend, principal: Principal, table: str, project: str | None, environment: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    guardrails.require_writable(principal)
    env, doc = resolve_table(backend, principal, table, project, environment)
    guardrails.require_writable(principal, env)
    return env, doc


def environment_caller(env: dict[str, Any], principal: Principal, as_user: dict[str, Any] | None = None) -> Caller:
    """The caller for work in `env`: its admin (like a secret key, `createdBy` empty), or with `as_user` (a user
    record, see `resolve_app_user`) that app user with their real role, so the table's permissions apply."""
    if as_user is not None:
        role = as_user.get("role", "user")
        group: Group = {"admin": "admin", "guest": "guest"}.get(role, "user")  # type: ignore[assignment]
        where = {"project_id": env["projectId"], "environment_id": env["id"]}
        return Caller(**where, group=group, uid=as_user["_id"], role=role)
    return Caller(project_id=env["projectId"], environment_id=env["id"], group="admin", tenant_id=principal.tenant_id)


def resolve_app_user(backend: Backend, env: dict[str, Any], ref: Any) -> dict[str, Any]:
    """A live app user of `env` named by id or e-mail address (case-insensitive), else `user/not-found`."""
    from bkend_mcp.domain.auth import users

    text = ref.strip() if isinstance(ref, str) else ""
    if not text or len(text) > 254:
        raise BkendError("common/invalid-parameters", "'asUser' must be an app user id or email address")
    if "@" in text:
        found = users.find_by_email(backend, env["id"], text.lower())
    else:
        found = users.get(backend, env["id"], text)
    if not users.is_live(found) or found is None:
        raise BkendError("user/not-found", f"No app user '{text}' in environment '{env['environment']}'")
    return found


def _choose(field: str, noun: str, options: list[str]) -> BkendError:
    listed = ", ".join(options) or "none"
    message = (
        f"Several {noun}s are available; pass '{field}' (one of: {listed})" if options else f"No {noun} exists yet"
    )
    return BkendError(
        "common/invalid-parameters", message, [{"field": field, "reason": "required", "message": message}]
    )
