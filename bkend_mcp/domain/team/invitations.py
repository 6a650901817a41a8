"""Team invitations (spec/mcp-and-console.md §4.4): an owner or admin invites an e-mail address with a role; the
link in the mail lets that person join, creating their console account (with a password) on the way.

A link is 256 random bits, stored as SHA-256, valid 7 days and single use; resending makes a new link and kills
the old one. Roles offered: admin, member, billing (ownership moves only by transfer, §7 #15).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from bkend_mcp.domain import addressing, dates, ids, projects
from bkend_mcp.domain.auth import emails
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_mail
from bkend_mcp.domain.console.console_collections import INVITATIONS, TENANTS
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.domain.team import org_roles, organizations, tenants
from bkend_mcp.store.base import Cond, Query, all_of

TTL = timedelta(days=7)
INVITE_PATH = "/console/invite"
PUBLIC_FIELDS = ("organizationId", "email", "name", "role", "invitedBy", "createdAt", "expiresAt")


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: doc.get(k) for k in PUBLIC_FIELDS}, "status": _status(doc)}
    for key in ("createdAt", "expiresAt"):
        out[key] = dates.iso(out[key])
    return out


def _status(doc: dict[str, Any]) -> str:
    if doc.get("acceptedAt") is not None:
        return "accepted"
    if doc.get("cancelledAt") is not None:
        return "cancelled"
    return "expired" if dates.iso(doc["expiresAt"]) <= dates.iso(dates.now()) else "pending"


def _managed_org(backend: Backend, principal: Principal, organization: str | None) -> dict[str, Any]:
    org = addressing.require_organization(backend, principal, organization or principal.organization_id)
    org_roles.require_action(org, principal.tenant_id, "members:manage")
    return org


def _open(backend: Backend, org_id: str) -> list[dict[str, Any]]:
    where = all_of(
        [
            Cond("organizationId", "eq", org_id, scalar=True),
            Cond("acceptedAt", "eq", None, scalar=True),
            Cond("cancelledAt", "eq", None, scalar=True),
        ]
    )
    return [d for d in backend.control(INVITATIONS).find(Query(where)) if _status(d) == "pending"]


def _link(backend: Backend, token: str) -> str:
    return f"{backend.config.base_url}{INVITE_PATH}?token={token}"


def _mail(backend: Backend, org: dict[str, Any], doc: dict[str, Any], inviter: str, token: str) -> dict[str, Any]:
    """Send the invitation; without SMTP the answer also carries the link for the inviter to pass on."""
    link = _link(backend, token)
    mail = console_mail.invitation_text(org["name"], inviter, doc["role"], link)
    console_mail.send(backend, org["id"], doc["email"], mail, "invitation")
    out: dict[str, Any] = {"invitation": _public(doc)}
    if backend.config.smtp is None:
        out["inviteUrl"] = link
    return out


def _inviter_name(backend: Backend, tenant_id: str) -> str:
    tenant = backend.control(TENANTS).get(tenant_id) or {}
    return tenant.get("name") or tenant.get("email") or "A teammate"


def invite(
    backend: Backend,
    principal: Principal,
    organization: str | None,
    *,
    email: Any = None,
    role: Any = "member",
    name: Any = None,
) -> dict[str, Any]:
    org = _managed_org(backend, principal, organization)
    address = emails.normalize(email)
    granted = org_roles.check_assignable(role)
    shown = tenants.check_name(name) if name is not None else None
    account = tenants.find_by_email(backend, address)
    if account is not None and org_roles.role_in(org, account["_id"]) is not None:
        raise BkendError("common/conflict", f"{address} is already a member of this organization")
    if any(d["email"] == address for d in _open(backend, org["id"])):
        raise BkendError("common/conflict", f"{address} already has a pending invitation; resend it instead")
    token, now = secrets.token_urlsafe(32), dates.now()
    doc = {
        "_id": ids.short_id("inv_"),
        "organizationId": org["id"],
        "email": address,
        "name": shown,
        "role": granted,
        "tokenHash": sha256_hex(token),
        "invitedBy": principal.tenant_id,
        "createdAt": now,
        "expiresAt": now + TTL,
        "acceptedAt": None,
        "cancelledAt": None,
    }
    backend.control(INVITATIONS).insert(doc)
    return _mail(backend, org, doc, _inviter_name(backend, principal.tenant_id), token)


def list_invitations(backend: Backend, principal: Principal, organization: str | None = None) -> dict[str, Any]:
    org = _managed_org(backend, principal, organization)
    return projects.whole_list([_public(d) for d in _open(backend, org["id"])])


def _find(backend: Backend, org: dict[str, Any], invitation_id: str) -> dict[str, Any]:
    doc = backend.control(INVITATIONS).get(invitation_id)
    if doc is None or doc["organizationId"] != org["id"] or _status(doc) in ("accepted", "cancelled"):
        raise BkendError("common/not-found", f"Invitation '{invitation_id}' not found (or already answered)")
    return doc


def resend(backend: Backend, principal: Principal, organization: str | None, invitation_id: str) -> dict[str, Any]:
    """A new link valid 7 more days; the previous link stops working."""
    org = _managed_org(backend, principal, organization)
    doc = _find(backend, org, invitation_id)
    token = secrets.token_urlsafe(32)
    changes = {"tokenHash": sha256_hex(token), "expiresAt": dates.now() + TTL}
    saved = backend.control(INVITATIONS).update(doc["_id"], changes) or {**doc, **changes}
    return _mail(backend, org, saved, _inviter_name(backend, principal.tenant_id), token)


def cancel(backend: Backend, principal: Principal, organization: str | None, invitation_id: str) -> dict[str, Any]:
    org = _managed_org(backend, principal, organization)
    doc = _find(backend, org, invitation_id)
    backend.control(INVITATIONS).update(doc["_id"], {"cancelledAt": dates.now()})
    return {"cancelled": True, "id": doc["_id"]}


def outbox(backend: Backend, principal: Principal, organization: str | None, limit: int = 20) -> dict[str, Any]:
    """The organization's console mails (invitations), newest first."""
    org = _managed_org(backend, principal, organization)
    return {"items": console_mail.recent(backend, org["id"], limit)}


# --- the invitee -------------------------------------------------------------------------------------------------


def usable(backend: Backend, token: Any) -> dict[str, Any]:
    found = (
        backend.control(INVITATIONS).find(Query(Cond("tokenHash", "eq", sha256_hex(token), scalar=True), limit=1))
        if isinstance(token, str) and token
        else []
    )
    status = _status(found[0]) if found else "unknown"
    if status == "expired":
        raise BkendError("auth/token-expired", "This invitation has expired; ask for a new one")
    if status != "pending":
        raise BkendError("auth/invalid-token", "This invitation link is unknown, cancelled or already used")
    return found[0]


def lookup(backend: Backend, token: Any) -> dict[str, Any]:
    """What the invitation page shows before the invitee answers."""
    doc = usable(backend, token)
    org = backend.control("organizations").get(doc["organizationId"]) or {}
    inviter = backend.control(TENANTS).get(doc["invitedBy"]) or {}
    return {
        "organization": {"id": doc["organizationId"], "name": org.get("name"), "slug": org.get("slug")},
        "email": doc["email"],
        "name": doc.get("name"),
        "role": doc["role"],
        "invitedBy": {"name": inviter.get("name"), "email": inviter.get("email")},
        "expiresAt": dates.iso(doc["expiresAt"]),
        "accountExists": tenants.find_by_email(backend, doc["email"]) is not None,
    }


def accept(backend: Backend, token: Any, password: Any, name: Any, client: Client) -> dict[str, Any]:
    """Join the organization: an existing account proves its password, a new one is created with it. Returns the
    tenant, for the session that follows."""
    doc = usable(backend, token)
    account = tenants.find_by_email(backend, doc["email"])
    if account is not None:
        tenants.verify_password(backend, account, password, client)
    else:
        account = tenants.new_account(
            backend, doc["email"], name or doc.get("name") or emails.local_part(doc["email"]), password
        )
    spent = backend.control(INVITATIONS).update(
        doc["_id"], {"acceptedAt": dates.now()}, guard=Cond("acceptedAt", "eq", None, scalar=True)
    )
    if spent is None:
        raise BkendError("auth/invalid-token", "This invitation was already used")
    if backend.control(TENANTS).get(account["_id"]) is None:
        tenants.insert_account(backend, account)
    org = backend.control("organizations").get(doc["organizationId"])
    if org is None:
        raise BkendError("common/not-found", "The organization of this invitation no longer exists")
    organizations.add_member(backend, {**org, "id": org["_id"]}, account["_id"], doc["role"])
    return account
