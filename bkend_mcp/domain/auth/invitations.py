"""Invitations (spec/auth.md §2.8 #30-#35, P11), kept in the environment's `_invitations`.

Two kinds. A **project** invitation (`resourceId` = this project; only admins send it) grants the accepting user a
role. An **organization** invitation (any signed-in user sends it; the organization id is the app's own) makes the
accepting user a member with `resourceRole`, which `POST /v1/auth/switch-organization` puts into their tokens.

The mail carries a 64-hex token (stored as SHA-256) and a link `<invitationUrl or callbackUrl>?token=…&email=…`.
Accepting acts on the user holding the invited address (or the signed-in caller, whose address must match). If no
such user exists yet, the acceptance is recorded and the grant applies when that address signs up. An
invitation lives 7 days; a pending one past that reads as `expired` and cannot be used (410).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.auth import collections, emails, inputs, mailer, ratelimit, settings, urls, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import MATCH_NONE, Collection, Cond, DuplicateKey, Filter, Query, SortKey, all_of, any_of

LIFETIME = timedelta(days=7)
RESOURCE_TYPES = ("organization", "project")
STATUSES = ("pending", "accepted", "rejected", "expired", "revoked")
HIDDEN = ("_id", "tokenHash", "grantPending")


def _invitations(backend: Backend, env: str) -> Collection:
    return backend.data(env, collections.INVITATIONS)


def _memberships(backend: Backend, env: str) -> Collection:
    return backend.data(env, collections.MEMBERSHIPS)


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else (dates.parse(value) or dates.now())


def status_of(doc: dict[str, Any]) -> str:
    if doc["status"] == "pending" and _at(doc["expiresAt"]) <= dates.now():
        return "expired"
    return doc["status"]


def public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: dates.iso(v) if isinstance(v, datetime) else v for k, v in doc.items()}}
    for key in HIDDEN:
        out.pop(key, None)
    out["status"] = status_of(doc)
    return out


def _signed_in_or_admin(caller: Caller) -> None:
    if not caller.uid and not caller.is_admin:
        raise BkendError("auth/unauthorized", "Sign in first: send 'Authorization: Bearer <access token>'")


def _caller_user(backend: Backend, caller: Caller) -> dict[str, Any] | None:
    return users.get(backend, caller.environment_id, caller.uid) if caller.uid else None


# --- create ------------------------------------------------------------------------------------------------------


def create(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#30: a pending invitation, mailed to its address."""
    _signed_in_or_admin(caller)
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    kind = inputs.required_text(body, "resourceType")
    if kind not in RESOURCE_TYPES:
        raise inputs.invalid("resourceType", "enum", "'resourceType' must be 'organization' or 'project'")
    resource_id = _bounded(body, "resourceId", 128, required=True) or ""
    role = inputs.required_text(body, "resourceRole")
    if not users.ROLE.match(role):
        raise inputs.invalid("resourceRole", "pattern", "'resourceRole' must be a letter then up to 31 of a-z 0-9 _ -")
    if kind == "project":
        if not caller.is_admin:
            raise BkendError("auth/forbidden", "Only an admin may invite to the project")
        if resource_id != caller.project_id:
            raise inputs.invalid("resourceId", "project", "'resourceId' must be this project's id")
    email = emails.normalize(body.get("email"))
    callback = urls.check_optional(current, body.get("callbackUrl"))
    inviter = _caller_user(backend, caller)
    inviter_name = _bounded(body, "inviterName", 100) or (inviter or {}).get("name") or "An administrator"
    now = dates.now()
    if _pending_for(backend, env, email, kind, resource_id):
        raise BkendError("auth/invitation-already-pending")
    ratelimit.hit_all(backend, env, current, ratelimit.mail_limits(email, client.ip))
    token = secrets.token_hex(32)
    doc: dict[str, Any] = {
        "_id": ids.user_id(),
        "resourceType": kind,
        "resourceId": resource_id,
        "resourceName": _bounded(body, "resourceName", 200),
        "resourceRole": role,
        "email": email,
        "name": _bounded(body, "name", 100),
        "inviterName": inviter_name,
        "status": "pending",
        "expiresAt": now + LIFETIME,
        "invitedBy": caller.uid or None,
        "tokenHash": sha256_hex(token),
        "createdAt": now,
        "updatedAt": now,
    }
    collections.prepare_environment(backend, env)
    _invitations(backend, env).insert(doc)
    base = callback or current.invitation_url
    variables = {
        "invitationLink": urls.with_params(base, token=token, email=email) if base else "",
        "token": token,
        "inviterName": inviter_name,
        "resourceName": doc["resourceName"] or resource_id,
        "userName": doc["name"] or emails.local_part(email),
    }
    mailer.send(backend, env, "invitation", email, variables)
    return public(doc)


def _bounded(body: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str | None:
    value = inputs.required_text(body, field) if required else inputs.optional_text(body, field)
    if value is not None and len(value.strip()) > limit:
        raise inputs.invalid(field, "length", f"'{field}' must be at most {limit} characters")
    return value.strip() if value is not None else None


def _pending_for(backend: Backend, env: str, email: str, kind: str, resource_id: str) -> bool:
    live = all_of(
        [
            Cond("email", "eq", email, scalar=True),
            Cond("resourceType", "eq", kind, scalar=True),
            Cond("resourceId", "eq", resource_id, scalar=True),
            Cond("status", "eq", "pending", scalar=True),
            Cond("expiresAt", "gt", dates.now(), scalar=True),
        ]
    )
    return _invitations(backend, env).count(live) > 0


# --- read --------------------------------------------------------------------------------------------------------


def list_invitations(backend: Backend, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """#31: admins see every invitation; others those they sent and those addressed to them
    (`resourceType=user`: only the latter). Filters `resourceType`, `resourceId`, `status`; newest first."""
    _signed_in_or_admin(caller)
    env = caller.environment_id
    page, limit = inputs.page_params(params.get("page"), params.get("limit"))
    conditions = [_visibility(backend, caller, params.get("resourceType"))]
    kind = params.get("resourceType")
    if kind not in (None, "", "user", *RESOURCE_TYPES):
        raise inputs.invalid("resourceType", "enum", "'resourceType' must be user, organization or project")
    if kind in RESOURCE_TYPES:
        conditions.append(Cond("resourceType", "eq", kind, scalar=True))
    if params.get("resourceId"):
        conditions.append(Cond("resourceId", "eq", params["resourceId"], scalar=True))
    if params.get("status"):
        conditions.append(_status_filter(params["status"]))
    where = all_of(conditions)
    order = (SortKey("createdAt", -1, scalar=True), SortKey("_id", 1, scalar=True))
    found = _invitations(backend, env).find(Query(where, sort=order, skip=(page - 1) * limit, limit=limit))
    total = _invitations(backend, env).count(where)
    return {"items": [public(d) for d in found], "pagination": inputs.pagination(page, limit, total)}


def _visibility(backend: Backend, caller: Caller, kind: Any) -> Filter:
    mine = (_caller_user(backend, caller) or {}).get("email")
    to_me = Cond("email", "eq", mine, scalar=True) if mine else None
    if kind == "user":
        return to_me or MATCH_NONE
    if caller.is_admin:
        return all_of([])
    return any_of([c for c in (Cond("invitedBy", "eq", caller.uid, scalar=True), to_me) if c is not None])


def _status_filter(status: Any) -> Filter:
    if status not in STATUSES:
        raise inputs.invalid("status", "enum", f"'status' must be one of {', '.join(STATUSES)}")
    now = dates.now()
    if status in ("pending", "expired"):
        return all_of(
            [
                Cond("status", "eq", "pending", scalar=True),
                Cond("expiresAt", "gt" if status == "pending" else "lte", now, scalar=True),
            ]
        )
    return Cond("status", "eq", status, scalar=True)


def get(backend: Backend, caller: Caller, invitation_id: str) -> dict[str, Any]:
    """#32: an invitation the caller sent, received, or (admin) any; otherwise 404."""
    return public(_visible(backend, caller, invitation_id))


def _visible(backend: Backend, caller: Caller, invitation_id: str) -> dict[str, Any]:
    _signed_in_or_admin(caller)
    doc = _invitations(backend, caller.environment_id).get(invitation_id)
    mine = (_caller_user(backend, caller) or {}).get("email")
    if doc is None or not (caller.is_admin or doc.get("invitedBy") == caller.uid or doc["email"] == mine):
        raise BkendError("auth/invitation-not-found")
    return doc


# --- answer ------------------------------------------------------------------------------------------------------


def _by_token(backend: Backend, env: str, body: dict[str, Any], *, email_required: bool) -> dict[str, Any]:
    """The pending invitation a mailed token names, or the error that says why it cannot be answered."""
    token = inputs.required_text(body, "token").strip().lower()
    email = emails.normalize(body.get("email")) if email_required or body.get("email") else None
    found = _invitations(backend, env).find(Query(Cond("tokenHash", "eq", sha256_hex(token), scalar=True), limit=1))
    doc = found[0] if found else None
    if doc is None or (email is not None and doc["email"] != email):
        raise BkendError("auth/invalid-token", "Invitation token is unknown or not for this address")
    status = status_of(doc)
    if status == "accepted":
        raise BkendError("auth/invitation-already-accepted")
    if status == "expired":
        raise BkendError("auth/invitation-expired")
    if status != "pending":
        raise BkendError("auth/invitation-not-pending", f"Invitation was {status}")
    return doc


def _answer(backend: Backend, env: str, doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Move a pending invitation on (compare-and-set: of two racing answers one wins)."""
    guard = Cond("status", "eq", "pending", scalar=True)
    updated = _invitations(backend, env).update(doc["_id"], {**changes, "updatedAt": dates.now()}, guard=guard)
    if updated is None:
        raise BkendError("auth/invitation-not-pending", "Invitation was answered meanwhile")
    return updated


def accept(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#33: accept with the mailed token (a signed-in caller must hold the invited address)."""
    body = inputs.body_object(body)
    env = caller.environment_id
    doc = _by_token(backend, env, body, email_required=False)
    signed_in = _caller_user(backend, caller)
    if signed_in is not None and signed_in.get("email") != doc["email"]:
        raise BkendError("auth/forbidden", "This invitation is addressed to another email address")
    user = signed_in or users.find_by_email(backend, env, doc["email"])
    accepted = _answer(backend, env, doc, {
        "status": "accepted", "acceptedAt": dates.now(), "acceptedBy": user["_id"] if user else None,
        "grantPending": user is None,
    })  # fmt: skip
    if user is not None:
        _grant(backend, env, accepted, user)
    return public(accepted)


def reject(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#34: decline with the mailed token and the invited address."""
    body = inputs.body_object(body)
    doc = _by_token(backend, caller.environment_id, body, email_required=True)
    _answer(backend, caller.environment_id, doc, {"status": "rejected"})
    return {}


def revoke(backend: Backend, caller: Caller, invitation_id: str) -> dict[str, Any]:
    """#35: the inviter (or an admin) withdraws a pending invitation."""
    doc = _visible(backend, caller, invitation_id)
    if not caller.is_admin and doc.get("invitedBy") != caller.uid:
        raise BkendError("auth/forbidden", "Only the inviter or an admin may revoke an invitation")
    if status_of(doc) != "pending":
        raise BkendError("auth/invitation-not-pending", f"Invitation is {status_of(doc)}")
    _answer(backend, caller.environment_id, doc, {"status": "revoked"})
    return {"message": "Invitation revoked"}


def revoke_sent_by(backend: Backend, env: str, user_id: str) -> int:
    """Revoke every pending invitation a user sent (their account is being deleted)."""
    sent = all_of([Cond("invitedBy", "eq", user_id, scalar=True), Cond("status", "eq", "pending", scalar=True)])
    guard = Cond("status", "eq", "pending", scalar=True)
    collection = _invitations(backend, env)
    return sum(
        collection.update(d["_id"], {"status": "revoked", "updatedAt": dates.now()}, guard=guard) is not None
        for d in collection.find(Query(sent, projection=("status",)))
    )


# --- grants ------------------------------------------------------------------------------------------------------


def _grant(backend: Backend, env: str, invitation: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Apply an accepted invitation to its user: the project role, or the organization membership."""
    if invitation["resourceType"] == "project":
        return users.update(backend, env, user["_id"], {"role": invitation["resourceRole"]})
    add_membership(backend, env, user["_id"], invitation["resourceId"], invitation["resourceRole"])
    return user


def add_membership(backend: Backend, env: str, user_id: str, organization_id: str, role: str) -> None:
    collection = _memberships(backend, env)
    key = all_of([Cond("userId", "eq", user_id, scalar=True), Cond("organizationId", "eq", organization_id, True)])
    existing = collection.find(Query(key, limit=1))
    if existing:
        collection.update(existing[0]["_id"], {"role": role, "updatedAt": dates.now()})
        return
    try:
        collection.insert({
            "_id": ids.user_id(), "userId": user_id, "organizationId": organization_id, "role": role,
            "createdAt": dates.now(), "updatedAt": dates.now(),
        })  # fmt: skip
    except DuplicateKey:
        add_membership(backend, env, user_id, organization_id, role)


def membership(backend: Backend, env: str, user_id: str, organization_id: str) -> dict[str, Any] | None:
    key = all_of([Cond("userId", "eq", user_id, scalar=True), Cond("organizationId", "eq", organization_id, True)])
    found = _memberships(backend, env).find(Query(key, limit=1))
    return found[0] if found else None


def remove_memberships_of(backend: Backend, env: str, user_id: str) -> None:
    collection = _memberships(backend, env)
    for doc in collection.find(Query(Cond("userId", "eq", user_id, scalar=True))):
        collection.delete(doc["_id"])


def apply_pending_grants(backend: Backend, env: str, user: dict[str, Any]) -> dict[str, Any]:
    """At sign-up: apply the invitations accepted for this address before the user existed."""
    if not user.get("email"):
        return user
    pending = all_of(
        [
            Cond("email", "eq", user["email"], scalar=True),
            Cond("status", "eq", "accepted", scalar=True),
            Cond("grantPending", "eq", True, scalar=True),
        ]
    )
    collection = _invitations(backend, env)
    for invitation in collection.find(Query(pending, sort=(SortKey("acceptedAt", 1, scalar=True),))):
        done = {"grantPending": False, "acceptedBy": user["_id"], "updatedAt": dates.now()}
        if collection.update(invitation["_id"], done, guard=Cond("grantPending", "eq", True, scalar=True)):
            user = _grant(backend, env, invitation, user)
    return user
