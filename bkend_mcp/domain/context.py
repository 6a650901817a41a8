"""The session bootstrap an AI tool reads first: `get_context` and `bkend://context` (spec/mcp-and-console.md §2.1).

It names the organization, the REST base URL app code must use, the projects with their environments and the
publishable keys, plus the conventions generated code follows. Parts the principal's scopes do not cover are left
out and named in `warnings`, so the call itself never fails for lack of a scope.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import addressing, dates, guardrails, keys
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal, has_scope

CONVENTIONS = {
    "idField": "id",
    "listShape": "{items, pagination}",
    "pagination": "{total, page, limit, totalPages, hasNext, hasPrev}",
    "headers": ["X-API-Key", "Authorization"],
    "dates": "ISO-8601 UTC with milliseconds, e.g. 2026-03-01T08:00:00.000Z",
    "errors": "{success: false, statusCode, error: {code, message, details?}, message}",
}
TOOLS = {
    "session": "get_context, search_docs",
    "projects": "list_organizations, get_organization, list_projects, get_project, create_project, update_project, "
    "delete_project, list_environments, get_environment, create_environment, delete_environment",
    "tables": "list_tables, get_table, create_table, update_table, delete_table, manage_fields, manage_indexes, "
    "list_schema_versions, rollback_schema, list_index_versions",
    "data": "insert_data, query_data, update_data, delete_data, aggregate_data",
    "plumbing": "manage_api_keys, manage_cors",
    "safety": "get_activity (log of MCP calls), set_mcp_access (limit MCP in an environment)",
}
STANDING_WARNINGS = (
    "App code must call the REST base URL with a publishable key (X-API-Key); never put the MCP URL in app code.",
    "Never ship a secret key (sk_…) in browser or mobile code: it bypasses every permission.",
    "Records carry their id in 'id' (never '_id'); list responses are {items, pagination}, not a bare array.",
)


def _account(backend: Backend, principal: Principal) -> dict[str, Any]:
    tenant = backend.control("tenants").get(principal.tenant_id) or {}
    return {"id": principal.tenant_id, "name": tenant.get("name"), "email": tenant.get("email")}


def _environment_view(env: dict[str, Any]) -> dict[str, Any]:
    return {"id": env["id"], "name": env["environment"], "type": env["environmentType"], "status": env["status"],
            "mcpAccess": guardrails.access_of(env)}  # fmt: skip


def _projects(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    out = []
    for project in addressing.projects(backend, principal):
        envs = addressing.environments(backend, principal, project)
        out.append({"id": project["id"], "name": project["name"], "slug": project["slug"],
                    "environments": [_environment_view(e) for e in envs]})  # fmt: skip
    return out


def _usable(key: dict[str, Any]) -> bool:
    expires = key.get("expiresAt")
    return (
        key["type"] == "publishable"
        and key.get("revokedAt") is None
        and (not expires or expires > dates.iso(dates.now()))
    )


def _publishable_keys(backend: Backend, projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"projectId": p["id"], "project": p["slug"], "environment": env["name"], "name": key["name"], "key": key["key"]}
        for p in projects
        for env in p["environments"]
        if env["mcpAccess"] != "none"
        for key in keys.list_keys(backend, env["id"])
        if _usable(key)
    ]


def _default_project(backend: Backend, principal: Principal) -> str | None:
    try:
        return str(addressing.resolve_project(backend, principal, None)["id"])
    except BkendError:
        return None


def _connection(principal: Principal) -> dict[str, Any]:
    policy = principal.policy
    if policy is None:
        return {"readOnly": False, "pinnedProject": None, "pinnedEnvironment": None}
    return {"readOnly": policy.read_only, "pinnedProject": policy.project, "pinnedEnvironment": policy.environment}


def _connection_warnings(principal: Principal) -> list[str]:
    connection = _connection(principal)
    out = []
    if connection["readOnly"]:
        out.append("Read-only mode is on: only read tools are listed, and any write is refused (READ_ONLY).")
    pinned = (("project", connection["pinnedProject"]), ("environment", connection["pinnedEnvironment"]))
    pins = [f"{noun} '{value}'" for noun, value in pinned if value]
    if pins:
        out.append(f"This connection is pinned to {' and '.join(pins)}: nothing else is visible.")
    return out


def build_context(backend: Backend, principal: Principal) -> dict[str, Any]:
    """The structured context; `publishableKeys` hold pk_ keys only, never a secret key."""
    orgs = addressing.organizations(backend, principal)
    org = orgs[0] if orgs else None
    rest = backend.config.base_url
    warnings = list(STANDING_WARNINGS)
    projects: list[dict[str, Any]] = []
    if has_scope(principal, "project:read"):
        projects = _projects(backend, principal)
        if not projects:
            warnings.append("No project yet: create one with create_project.")
    else:
        warnings.append("Projects are not listed: the token lacks scope 'project:read'.")
    pks: list[dict[str, Any]] = []
    if has_scope(principal, "access-token:read"):
        pks = _publishable_keys(backend, projects)
    else:
        warnings.append("Publishable keys are not listed: the token lacks scope 'access-token:read'.")
    if len(orgs) > 1:
        warnings.append("Several organizations: " + ", ".join(f"{o['slug']} ({o['id']})" for o in orgs))
    warnings += _connection_warnings(principal)
    return {
        "organization": {k: org[k] for k in ("id", "name", "slug")} if org else None,
        "account": _account(backend, principal),
        "restBaseUrl": rest,
        "mcpUrl": f"{rest}/mcp",
        "defaults": {
            "projectId": _default_project(backend, principal),
            "environment": guardrails.pinned_environment(principal) or "dev",
        },
        "connection": _connection(principal),
        "projects": projects,
        "publishableKeys": pks,
        "conventions": CONVENTIONS,
        "tools": TOOLS,
        "scopes": list(principal.scopes),
        "warnings": warnings,
    }


def context_markdown(ctx: dict[str, Any]) -> str:
    """The same context as the Markdown page bkend's hosted `get_context` returned."""
    org = ctx["organization"] or {"name": "(none)", "id": "-"}
    rest, mcp = ctx["restBaseUrl"], ctx["mcpUrl"]
    lines = [
        "# bkend session",
        "",
        "## Your session",
        f"- Organization: **{org['name']}** (`{org['id']}`)",
        f"- REST API base URL (for app code): `{rest}`",
        f"- MCP URL (AI tools only): `{mcp}`",
        "",
        "## API domains",
        "| Domain | URL | Used by |",
        "|---|---|---|",
        f"| REST | `{rest}` | app code (fetch, axios, Dio…) with `X-API-Key` and, when signed in, `Authorization` |",
        f"| MCP | `{mcp}` | this AI tool only; **never** put it in app code |",
        "",
        "## Resource hierarchy",
        "Organization → Project → Environment (dev / staging / prod) → Table → fields, indexes",
        "",
        "## Projects",
    ]
    for p in ctx["projects"]:
        envs = ", ".join(f"{e['name']} (`{e['id']}`)" for e in p["environments"])
        lines.append(f"- **{p['name']}** — slug `{p['slug']}`, id `{p['id']}`; environments: {envs}")
    if not ctx["projects"]:
        lines.append("- none listed")
    lines += [
        "",
        "## Publishable keys (safe in app code)",
        "| Project | Environment | Name | Key |",
        "|---|---|---|---|",
    ]
    lines += [f"| {k['project']} | {k['environment']} | {k['name']} | `{k['key']}` |" for k in ctx["publishableKeys"]]
    lines += [
        "",
        "## Where ids come from",
        "| Need | Tool |",
        "|---|---|",
        "| Project | `list_projects` (or the list above) |",
        "| Environment | `list_environments` (project) |",
        "| Table | `list_tables` (project, environment) |",
        "",
        "## Rules for generated code",
        f"1. Base URL = `{rest}`; records live at `/v1/data/{{table}}` "
        "(GET list, POST create; GET, PATCH, DELETE `/{id}`).",
        "2. Headers: `X-API-Key: <publishable key>`; for a signed-in user add "
        "`Authorization: Bearer <user access token>`.",
        "3. The id field is `id`; lists are `{items, pagination}`; filters go in `andFilters` / `orFilters` (JSON).",
        "4. Use `search_docs` for REST recipes (filters, auth, client snippets) before writing client code.",
        "",
        "## Warnings",
        *(f"- {w}" for w in ctx["warnings"]),
    ]
    return "\n".join(lines)
