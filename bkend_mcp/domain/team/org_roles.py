"""Organization roles (spec/mcp-and-console.md §4.3, §7 #14-15): what each role may do, as data.

A role caps the MCP scopes of every credential its tenant uses in the organization (console session, OAuth access
token, personal token), so the console and MCP refuse the same things. Organization-level actions that have no
scope (members, invitations, ownership) are a second table.

| role    | scopes                                         | organization actions                         |
|---------|------------------------------------------------|----------------------------------------------|
| owner   | all                                            | update, delete, transfer, members, mcpAccess |
| admin   | all                                            | update, members, mcpAccess                   |
| member  | all but project:create and project:delete      | —                                            |
| billing | organization:read, project:read, environment:read | —                                        |
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import ALL, SCOPES, Principal, has_scope, scope_covers, scope_grants

ROLES = ("owner", "admin", "member", "billing")
ASSIGNABLE_ROLES = ("admin", "member", "billing")
"""Roles an invitation or a role change may give; `owner` changes hands only by transfer (§7 #15)."""
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "owner": ALL,
    "admin": ALL,
    "member": tuple(s for s in SCOPES if s not in ("project:create", "project:delete")),
    "billing": ("organization:read", "project:read", "environment:read"),
}
ORG_ACTIONS: dict[str, tuple[str, ...]] = {
    "organization:update": ("owner", "admin"),
    "organization:delete": ("owner",),
    "ownership:transfer": ("owner",),
    "members:manage": ("owner", "admin"),
    "mcp-access:set": ("owner", "admin"),
}


def role_in(org: dict[str, Any], tenant_id: str) -> str | None:
    return next((m.get("role") for m in org.get("members", []) if m.get("tenantId") == tenant_id), None)


def intersect(scopes: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """`scopes` narrowed to what `allowed` permits: unchanged when `allowed` covers them, else the concrete scopes
    both grant (wildcards expanded)."""
    if all(scope_covers(tuple(allowed), s) for s in scopes):
        return tuple(scopes)
    return tuple(
        s for s in SCOPES if any(scope_grants(g, s) for g in scopes) and any(scope_grants(a, s) for a in allowed)
    )


def cap(scopes: Sequence[str], role: str | None) -> tuple[str, ...]:
    """The scopes of `scopes` that `role` allows too (none for a tenant who is not a member)."""
    return _cap(tuple(scopes), role or "")


@lru_cache(maxsize=1024)
def _cap(scopes: tuple[str, ...], role: str) -> tuple[str, ...]:
    """`cap`, remembered: a pure function of constants and its arguments, asked on every MCP request (~0.1 ms)."""
    return intersect(scopes, ROLE_SCOPES.get(role, ()))


def principal_in(
    backend: Backend, tenant_id: str, organization_id: str, scopes: Sequence[str], client_id: str | None
) -> Principal:
    """The principal of a credential bound to `organization_id`, its scopes capped by the tenant's role there
    (no scopes at all once the tenant is no longer a member)."""
    org = backend.control("organizations").get(organization_id)
    role = role_in(org, tenant_id) if org else None
    return Principal(tenant_id, cap(scopes, role), organization_id, client_id)


def require_scope(principal: Principal, role: str | None, needed: str) -> None:
    """403 naming the role when the role forbids `needed`, else naming the credential's scopes."""
    if has_scope(principal, needed):
        return
    if not any(scope_grants(c, needed) for c in ROLE_SCOPES.get(role or "", ())):
        raise BkendError("common/forbidden", f"Your role '{role}' in this organization does not allow '{needed}'")
    raise BkendError(
        "common/forbidden", f"Missing scope '{needed}'; the credential grants: {' '.join(principal.scopes)}"
    )


def require_action(org: dict[str, Any], tenant_id: str, action: str) -> str:
    """The tenant's role when it may do `action` in `org`; else 403 naming the roles that may."""
    role = role_in(org, tenant_id)
    if role not in ORG_ACTIONS[action]:
        allowed = " or ".join(ORG_ACTIONS[action])
        raise BkendError("common/forbidden", f"Only an organization {allowed} may do this (your role: {role})")
    return role


def check_assignable(role: Any, field: str = "role") -> str:
    if role not in ASSIGNABLE_ROLES:
        message = f"'{field}' must be one of: {', '.join(ASSIGNABLE_ROLES)} (ownership moves only by transfer)"
        raise BkendError("common/invalid-parameters", message, [{"field": field, "reason": "enum", "message": message}])
    return str(role)
