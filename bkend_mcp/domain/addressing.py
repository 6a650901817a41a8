"""How a tenant names things: a project by id or slug, an environment by name or id, a table by name or `tbl_` id,
with the defaults of spec/mcp-and-console.md §6.1 rule 3, and the `Caller` a tenant acts as inside an environment.
"""

from __future__ import annotations

import os
from typing import Any

from bkend_mcp.domain import tables, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
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


def projects(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    visible = {o["id"] for o in organizations(backend, principal)}
    return [p for p in tenancy.list_projects(backend, principal.tenant_id) if p["organizationId"] in visible]


def resolve_project(backend: Backend, principal: Principal, project: str | None) -> dict[str, Any]:
    """By id or slug; absent → `BKEND_DEFAULT_PROJECT`, else the only project, else an error listing them."""
    candidates = projects(backend, principal)
    wanted = project or os.environ.get("BKEND_DEFAULT_PROJECT") or None
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
    """By name (aliases allowed) or `env_` id; absent → `dev`. An `env_` id implies its project."""
    if environment and environment.startswith("env_"):
        env = tenancy.get_environment(backend, principal.tenant_id, environment)
        if any(p["id"] == env["projectId"] for p in projects(backend, principal)):
            return env
        raise BkendError("common/not-found", f"Environment '{environment}' not found")
    proj = resolve_project(backend, principal, project)
    env = tenancy.find_environment(backend, proj["id"], environment or "dev")
    if env is None:
        raise BkendError(
            "common/not-found", f"Environment '{environment or 'dev'}' not found in project '{proj['slug']}'"
        )
    return tenancy.get_environment(backend, principal.tenant_id, env["_id"])


def resolve_table(
    backend: Backend, principal: Principal, table: str, project: str | None, environment: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(environment, stored table). A `tbl_` id implies its project and environment."""
    if table.startswith("tbl_"):
        doc = backend.control("tables").get(table)
        if doc is not None:
            return resolve_environment(backend, principal, None, doc["environmentId"]), doc
    env = resolve_environment(backend, principal, project, environment)
    return env, tables.require_table(backend, env["id"], table)


def environment_caller(env: dict[str, Any], principal: Principal, as_user: str | None = None) -> Caller:
    """The caller for data work in `env`: admin (like a secret key, `createdBy` empty) or, with `as_user`, that
    app user with the `user` role so the table's permissions apply to them."""
    if as_user:
        return Caller(
            project_id=env["projectId"],
            environment_id=env["id"],
            group="user",
            uid=as_user,
            role="user",
            tenant_id=None,
        )
    return Caller(project_id=env["projectId"], environment_id=env["id"], group="admin", tenant_id=principal.tenant_id)


def _choose(field: str, noun: str, options: list[str]) -> BkendError:
    listed = ", ".join(options) or "none"
    message = (
        f"Several {noun}s are available; pass '{field}' (one of: {listed})" if options else f"No {noun} exists yet"
    )
    return BkendError(
        "common/invalid-parameters", message, [{"field": field, "reason": "required", "message": message}]
    )
