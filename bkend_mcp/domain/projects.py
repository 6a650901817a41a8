"""Organizations, projects and environments as a tenant manages them from MCP and the console
(spec/mcp-and-console.md §6.3): addressed by name, slug or id, shown with counts, deleted only with `confirm`,
and every new environment handed a publishable key so app code can start at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bkend_mcp.domain import addressing, cors, guardrails, keys, tables, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.confirm import require_confirmation
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.query import pagination
from bkend_mcp.store.base import Cond, Query, all_of

PROJECT_ADMIN_ROLES = ("owner", "admin")
DEFAULT_KEY_NAME = "default"
APP_USER_COLLECTIONS = {"users": "users", "files": "files"}
"""Count name → the environment collection that holds them, once auth and storage create it."""


def whole_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    """`{items, pagination}` for a list returned in one page."""
    return {"items": items, "pagination": pagination(len(items), 1, max(len(items), 1))}


def page_of(items: list[dict[str, Any]], page: int, limit: int) -> dict[str, Any]:
    start = (page - 1) * limit
    return {"items": items[start : start + limit], "pagination": pagination(len(items), page, limit)}


# --- organizations -----------------------------------------------------------------------------------------------


def _organization_view(org: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    out = {k: v for k, v in org.items() if k != "members"}
    out["role"] = next((m["role"] for m in org.get("members", []) if m.get("tenantId") == tenant_id), None)
    return out


def list_organizations(backend: Backend, principal: Principal) -> dict[str, Any]:
    orgs = addressing.organizations(backend, principal)
    return whole_list([_organization_view(o, principal.tenant_id) for o in orgs])


def get_organization(backend: Backend, principal: Principal, organization: str | None) -> dict[str, Any]:
    org = addressing.require_organization(backend, principal, organization)
    return _organization_view(org, principal.tenant_id)


def _require_project_admin(org: dict[str, Any], principal: Principal) -> None:
    role = _organization_view(org, principal.tenant_id)["role"]
    if role not in PROJECT_ADMIN_ROLES:
        raise BkendError("common/forbidden", f"Only an organization owner or admin may do this (your role: {role})")


# --- projects ----------------------------------------------------------------------------------------------------


def list_projects(backend: Backend, principal: Principal, page: int = 1, limit: int = 20) -> dict[str, Any]:
    projects = addressing.projects(backend, principal)
    listed = page_of(projects, page, limit)
    listed["items"] = [{**p, "environments": _environments(backend, principal, p)} for p in listed["items"]]
    return listed


def get_project(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    """The project, each environment with its counts, and the totals."""
    found = addressing.resolve_project(backend, principal, project)
    envs = [
        {**env, "counts": environment_counts(backend, env["id"])} for env in _environments(backend, principal, found)
    ]
    totals = {name: sum(e["counts"][name] for e in envs) for name in ("tables", "apiKeys", "users", "files")}
    return {**found, "environments": envs, "counts": {"environments": len(envs), **totals}}


def create_project(
    backend: Backend,
    principal: Principal,
    *,
    name: str,
    slug: str | None = None,
    description: str | None = None,
    primary_cloud: str = "local",
    primary_region: str = "local",
    environments: Sequence[str] | None = None,
    organization: str | None = None,
) -> dict[str, Any]:
    """A project with its environments (default `dev`); each environment gets a publishable key named `default`,
    returned in full. Without `slug`, one is derived from the name (suffixed `-2`, `-3`… when taken)."""
    org = addressing.writable_organization(backend, principal, organization)
    _require_project_admin(org, principal)
    made = tenancy.create_project(
        backend,
        principal.tenant_id,
        organization_id=org["id"],
        slug=slug or _free_slug(backend, principal.tenant_id, org["id"], name),
        name=name,
        description=description,
        primary_cloud=primary_cloud,
        primary_region=primary_region,
        environments=tuple(environments or ("dev",)),
    )
    envs = tenancy.list_environments(backend, principal.tenant_id, made["id"])
    return {**made, "environments": [{**env, "publishableKey": _default_key(backend, principal, env)} for env in envs]}


def update_project(
    backend: Backend,
    principal: Principal,
    project: str | None,
    *,
    name: str | None = None,
    description: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Name, description and settings; `settings` keys are merged into the current ones (the slug never changes)."""
    found = addressing.writable_project(backend, principal, project)
    changes: dict[str, Any] = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
    if settings is not None:
        merged = {**(found.get("settings") or {}), **settings}
        if "corsOrigins" in settings:
            merged["corsOrigins"] = cors.check_origins(settings["corsOrigins"])
        changes["settings"] = merged
    return tenancy.update_project(backend, principal.tenant_id, found["id"], changes)


def delete_project(backend: Backend, principal: Principal, project: str, confirm: str | None) -> dict[str, Any]:
    found = addressing.writable_project(backend, principal, project)
    _require_project_admin(addressing.require_organization(backend, principal, found["organizationId"]), principal)
    require_confirmation(confirm, found["slug"], "project")
    tenancy.delete_project(backend, principal.tenant_id, found["id"])
    return {"deleted": True, "id": found["id"], "slug": found["slug"]}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return slug if len(slug) >= 3 else f"{slug or 'my'}-project"


def _free_slug(backend: Backend, tenant_id: str, organization_id: str, name: str) -> str:
    taken = {p["slug"] for p in tenancy.list_projects(backend, tenant_id, organization_id)}
    base = slugify(name)
    return next(s for s in (base, *(f"{base}-{n}" for n in range(2, 10_000))) if s not in taken)


# --- environments ------------------------------------------------------------------------------------------------


def _environments(backend: Backend, principal: Principal, project: dict[str, Any]) -> list[dict[str, Any]]:
    return [_environment_view(env) for env in addressing.environments(backend, principal, project)]


def _environment_view(env: dict[str, Any]) -> dict[str, Any]:
    return {**env, "mcpAccess": guardrails.access_of(env)}


def environment_counts(backend: Backend, environment_id: str) -> dict[str, int]:
    in_env = Cond("environmentId", "eq", environment_id, scalar=True)
    active_keys = all_of([in_env, Cond("revokedAt", "eq", None, scalar=True)])
    present = set(backend.store.collection_names(environment_id))
    counts = {
        "tables": backend.control("tables").count(in_env),
        "apiKeys": backend.control("api_keys").count(active_keys),
    }
    for name, collection in APP_USER_COLLECTIONS.items():
        counts[name] = backend.data(environment_id, collection).count() if collection in present else 0
    return counts


def list_environments(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    return whole_list(_environments(backend, principal, addressing.resolve_project(backend, principal, project)))


def all_environments(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """Every environment of every project the principal sees."""
    return [env for p in addressing.projects(backend, principal) for env in _environments(backend, principal, p)]


def open_environments(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """`all_environments` without those MCP may not touch (`mcpAccess: none`): for listings of tables and keys."""
    return [env for env in all_environments(backend, principal) if guardrails.usable(principal, env)]


def get_environment(
    backend: Backend, principal: Principal, environment: str | None, project: str | None = None
) -> dict[str, Any]:
    env = addressing.resolve_environment(backend, principal, project, environment)
    return {**_environment_view(env), "counts": environment_counts(backend, env["id"])}


def create_environment(
    backend: Backend,
    principal: Principal,
    *,
    name: str,
    environment_type: str | None = None,
    copy_schema_from: str | None = None,
    project: str | None = None,
) -> dict[str, Any]:
    """A new environment with a `default` publishable key; `copy_schema_from` copies every table's schema, indexes
    and permissions (never data) from that environment of the same project."""
    guardrails.require_unpinned(principal, "environment")
    found = addressing.writable_project(backend, principal, project)
    source = (
        addressing.resolve_environment(backend, principal, found["id"], copy_schema_from) if copy_schema_from else None
    )
    env = tenancy.create_environment(
        backend, principal.tenant_id, project_id=found["id"], name=name, environment_type=environment_type
    )
    copied = [_copy_table(backend, doc, env, principal.tenant_id) for doc in _stored_tables(backend, source)]
    return {**env, "publishableKey": _default_key(backend, principal, env), "copiedTables": copied}


def delete_environment(
    backend: Backend, principal: Principal, environment: str, confirm: str | None, project: str | None = None
) -> dict[str, Any]:
    """Drop the environment with its data and keys; the last environment of a project is never deleted."""
    env = addressing.writable_environment(backend, principal, project, environment)
    if len(tenancy.list_environments(backend, principal.tenant_id, env["projectId"])) <= 1:
        raise BkendError("common/conflict", f"'{env['environment']}' is the project's last environment; keep it")
    require_confirmation(confirm, env["environment"], "environment")
    tenancy.delete_environment(backend, principal.tenant_id, env["id"])
    return {"deleted": True, "id": env["id"], "environment": env["environment"]}


def set_mcp_access(
    backend: Backend, principal: Principal, environment: str | None, access: str, project: str | None = None
) -> dict[str, Any]:
    """What MCP may do in an environment (`write`, `read`, `none`). From MCP only tighter (loosening is for an
    owner: `PUT /v1/mcp-access` or the console); the console may set any level."""
    guardrails.require_writable(principal)
    env = addressing.resolve_environment(backend, guardrails.reading(principal), project, environment)
    return guardrails.change_access(backend, principal, env, access)


def _default_key(backend: Backend, principal: Principal, env: dict[str, Any]) -> dict[str, Any]:
    made = keys.create_key(
        backend,
        project_id=env["projectId"],
        environment_id=env["id"],
        organization_id=env["organizationId"],
        key_type="publishable",
        name=DEFAULT_KEY_NAME,
        created_by=principal.tenant_id,
    )
    return {"id": made["id"], "name": made["name"], "type": made["type"], "key": made["key"]}


def _stored_tables(backend: Backend, env: dict[str, Any] | None) -> list[dict[str, Any]]:
    if env is None:
        return []
    return backend.control("tables").find(Query(Cond("environmentId", "eq", env["id"], scalar=True)))


def _copy_table(backend: Backend, doc: dict[str, Any], env: dict[str, Any], tenant_id: str) -> str:
    rules = {k: doc[k] for k in tables.PERMISSION_KEYS if doc.get(k) is not None}
    custom = [{**ix, "fields": dict(ix["fields"])} for ix in doc.get("customIndexes", [])]
    tables.create_table(
        backend,
        project_id=env["projectId"],
        environment_id=env["id"],
        table_name=doc["tableName"],
        created_by=tenant_id,
        fields=doc["schema"],
        display_name=doc.get("displayName"),
        description=doc.get("description"),
        custom_indexes=custom,
        **rules,
    )
    return str(doc["tableName"])
