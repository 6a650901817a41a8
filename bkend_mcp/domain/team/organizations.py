"""Organizations and their team as the console manages them (spec/mcp-and-console.md §4.3-§4.4): create, edit,
delete, transfer ownership, leave; list members, change a role, remove a member.

Members live in the organization document (`members: [{tenantId, role, joinedAt}]`). Every change of that list
is a compare-and-set on `membersVersion`, so two admins editing the team at once cannot lose each other's change
(the loser gets 409 and retries). There is always exactly one owner; ownership moves only by transfer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bkend_mcp.domain import addressing, dates, projects, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.confirm import require_confirmation
from bkend_mcp.domain.console.console_collections import INVITATIONS, TENANTS
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.team import org_roles
from bkend_mcp.store.base import Cond, Query

EDITABLE = {"name": 100, "displayName": 100, "description": 1000}
Members = list[dict[str, Any]]


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])


def _org(backend: Backend, principal: Principal, organization: str | None) -> dict[str, Any]:
    return addressing.require_organization(backend, principal, organization or principal.organization_id)


def _view(backend: Backend, principal: Principal, org_id: str) -> dict[str, Any]:
    return projects.get_organization(backend, principal, org_id)


def _confirm_word(confirm: Any, word: str, what: str) -> None:
    if confirm != word:
        message = f"{what} is irreversible; pass confirm='{word}' to proceed"
        raise BkendError(
            "common/confirmation-required", message, [{"field": "confirm", "reason": "confirm", "message": message}]
        )


# --- the organization --------------------------------------------------------------------------------------------


def create_organization(
    backend: Backend,
    principal: Principal,
    *,
    name: Any,
    slug: Any = None,
    display_name: Any = None,
    description: Any = None,
) -> dict[str, Any]:
    """A new organization whose owner is the caller (signed in to the console, not through a bound token)."""
    if principal.organization_id is not None:
        raise BkendError("common/forbidden", "A token bound to one organization cannot create organizations")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("name", "'name' is required: 1-100 characters")
    shown = _text(display_name, "displayName") if display_name is not None else None
    made = tenancy.create_organization(
        backend, principal.tenant_id, name=name, slug=slug or _free_slug(backend, name), description=description
    )
    if shown is not None:
        backend.control("organizations").update(made["id"], {"displayName": shown})
    return _view(backend, principal, made["id"])


def _free_slug(backend: Backend, name: str) -> str:
    base = projects.slugify(name)
    taken = {o["slug"] for o in backend.control("organizations").find(Query(projection=("slug",)))}
    return next(s for s in (base, *(f"{base}-{n}" for n in range(2, 10_000))) if s not in taken)


def _text(value: Any, field: str) -> str:
    limit = EDITABLE[field]
    if not isinstance(value, str) or len(value) > limit or (field == "name" and not value.strip()):
        raise _invalid(field, f"'{field}' must be a string of at most {limit} characters")
    return value


def update_organization(
    backend: Backend, principal: Principal, organization: str | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """Name, display name and description (owner, admin); the id and slug never change."""
    org = _org(backend, principal, organization)
    org_roles.require_action(org, principal.tenant_id, "organization:update")
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise _invalid(unknown[0], f"'{unknown[0]}' cannot be changed here (editable: {', '.join(EDITABLE)})")
    updates = {k: _text(v, k) for k, v in changes.items()}
    if updates:
        backend.control("organizations").update(org["id"], {**updates, "updatedAt": dates.now()})
    return _view(backend, principal, org["id"])


def delete_organization(
    backend: Backend, principal: Principal, organization: str | None, confirm: Any
) -> dict[str, Any]:
    """Drop the organization with every project, environment and its data (owner; `confirm` = its name)."""
    org = _org(backend, principal, organization)
    org_roles.require_action(org, principal.tenant_id, "organization:delete")
    require_confirmation(confirm, org["name"], "organization")
    for project in tenancy.list_projects(backend, principal.tenant_id, org["id"]):
        tenancy.delete_project(backend, principal.tenant_id, project["id"])
    invitations = backend.control(INVITATIONS)
    for doc in invitations.find(Query(Cond("organizationId", "eq", org["id"], scalar=True))):
        invitations.delete(doc["_id"])
    backend.control("organizations").delete(org["id"])
    return {"deleted": True, "id": org["id"], "slug": org["slug"]}


# --- members -----------------------------------------------------------------------------------------------------


def _change_members(backend: Backend, org: dict[str, Any], change: Callable[[Members], Members]) -> None:
    """Apply `change` to the member list, or 409 when someone else changed it since `org` was read."""
    version = org.get("membersVersion")
    members = change([dict(m) for m in org.get("members", [])])
    saved = backend.control("organizations").update(
        org["id"],
        {"members": members, "membersVersion": (version or 0) + 1, "updatedAt": dates.now()},
        guard=Cond("membersVersion", "eq", version, scalar=True),
    )
    if saved is None:
        raise BkendError("common/conflict", "The team changed meanwhile; reload and try again")


def add_member(backend: Backend, org: dict[str, Any], tenant_id: str, role: str) -> None:
    if org_roles.role_in(org, tenant_id) is not None:
        raise BkendError("common/conflict", "This account is already a member of the organization")
    _change_members(backend, org, lambda ms: [*ms, {"tenantId": tenant_id, "role": role, "joinedAt": dates.now()}])


def _member_view(org: dict[str, Any], member: dict[str, Any], tenant: dict[str, Any] | None) -> dict[str, Any]:
    joined = member.get("joinedAt") or org.get("createdAt")
    return {
        "tenantId": member["tenantId"],
        "email": (tenant or {}).get("email"),
        "name": (tenant or {}).get("name"),
        "role": member["role"],
        "joinedAt": dates.iso(joined) if joined else None,
    }


def list_members(backend: Backend, principal: Principal, organization: str | None = None) -> dict[str, Any]:
    org = _org(backend, principal, organization)
    tenants = backend.control(TENANTS)
    items = [_member_view(org, m, tenants.get(m["tenantId"])) for m in org.get("members", [])]
    return projects.whole_list(items)


def _target(org: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    members: list[dict[str, Any]] = org.get("members", [])
    member = next((m for m in members if m.get("tenantId") == tenant_id), None)
    if member is None:
        raise BkendError("common/not-found", f"'{tenant_id}' is not a member of this organization")
    return member


def set_member_role(
    backend: Backend, principal: Principal, organization: str | None, tenant_id: str, role: Any
) -> dict[str, Any]:
    """Give a member another role (owner, admin); the owner's role changes only by transfer."""
    org = _org(backend, principal, organization)
    org_roles.require_action(org, principal.tenant_id, "members:manage")
    new_role = org_roles.check_assignable(role)
    if _target(org, tenant_id)["role"] == "owner":
        raise BkendError("common/forbidden", "The owner's role changes only by transferring ownership")
    _change_members(backend, org, lambda ms: [{**m, "role": new_role} if m["tenantId"] == tenant_id else m for m in ms])
    members: list[dict[str, Any]] = list_members(backend, principal, org["id"])["items"]
    return next(m for m in members if m["tenantId"] == tenant_id)


def remove_member(backend: Backend, principal: Principal, organization: str | None, tenant_id: str) -> dict[str, Any]:
    """Take a member out (owner, admin): their access ends with their next request."""
    org = _org(backend, principal, organization)
    org_roles.require_action(org, principal.tenant_id, "members:manage")
    if _target(org, tenant_id)["role"] == "owner":
        raise BkendError("common/forbidden", "The owner cannot be removed; transfer ownership first")
    if tenant_id == principal.tenant_id:
        raise BkendError("common/forbidden", "To remove yourself, leave the organization")
    _change_members(backend, org, lambda ms: [m for m in ms if m["tenantId"] != tenant_id])
    return {"removed": True, "tenantId": tenant_id}


def leave(backend: Backend, principal: Principal, organization: str | None, confirm: Any) -> dict[str, Any]:
    org = _org(backend, principal, organization)
    if org_roles.role_in(org, principal.tenant_id) == "owner":
        raise BkendError("common/forbidden", "The owner cannot leave; transfer ownership first")
    _confirm_word(confirm, "leave", "Leaving the organization")
    _change_members(backend, org, lambda ms: [m for m in ms if m["tenantId"] != principal.tenant_id])
    return {"left": True, "id": org["id"]}


def transfer_ownership(
    backend: Backend, principal: Principal, organization: str | None, tenant_id: Any, confirm: Any
) -> dict[str, Any]:
    """Make another member the owner; the current owner becomes an admin (`confirm` = "transfer")."""
    org = _org(backend, principal, organization)
    org_roles.require_action(org, principal.tenant_id, "ownership:transfer")
    if not isinstance(tenant_id, str) or tenant_id == principal.tenant_id:
        raise _invalid("tenantId", "'tenantId' must name another member of the organization")
    _target(org, tenant_id)
    _confirm_word(confirm, "transfer", "Transferring ownership (you become an admin)")
    roles = {tenant_id: "owner", principal.tenant_id: "admin"}
    _change_members(backend, org, lambda ms: [{**m, "role": roles.get(m["tenantId"], m["role"])} for m in ms])
    return _view(backend, principal, org["id"])
