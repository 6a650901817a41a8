"""Tenants: the people who sign in to the console (the local owner and invited team members), never app users.

An account is an e-mail address (unique, stored lower-case) and an Argon2id password hash. Sign-in never tells
whether an address exists: an unknown address and an account without a password verify a dummy hash and get the
same 401 as a wrong password. Failures are counted in the control plane with the app-user limiter's rules
(`auth.ratelimit`): 5 failures for one address in 15 minutes lock it for 15 minutes; 20 failures from one IP in
15 minutes refuse that IP until the window frees up. `BKEND_RATE_LIMITS=off` switches both off.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates, ids, tenancy
from bkend_mcp.domain.auth import emails, passwords, ratelimit
from bkend_mcp.domain.auth.inputs import Client, invalid, required_text
from bkend_mcp.domain.auth.settings import AuthSettings, PasswordPolicy
from bkend_mcp.domain.backend import CONTROL, Backend
from bkend_mcp.domain.console.console_collections import TENANTS
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Cond, DuplicateKey, Query

POLICY = PasswordPolicy()
"""8-128 characters and not a well-known password (decision D5)."""
NAME_MAX = 100
PUBLIC_FIELDS = ("email", "name", "kind")


def public_tenant(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in PUBLIC_FIELDS}}


def get(backend: Backend, tenant_id: str) -> dict[str, Any]:
    doc = backend.control(TENANTS).get(tenant_id)
    if doc is None:
        raise BkendError("common/authentication-required", "This account no longer exists; sign in again")
    return doc


def find_by_email(backend: Backend, email: str) -> dict[str, Any] | None:
    found = backend.control(TENANTS).find(Query(Cond("email", "eq", email, scalar=True), limit=1))
    return found[0] if found else None


def check_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX:
        message = f"'{field}' must be 1-{NAME_MAX} characters"
        raise invalid(field, "required" if value is None else "length", message, "auth/invalid-name-format")
    return value.strip()


def _hash(backend: Backend, password: Any, field: str) -> str:
    return passwords.hash_password(backend.config.argon2, passwords.check_policy(POLICY, password, field))


def _save(backend: Backend, tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    try:
        saved = backend.control(TENANTS).update(tenant_id, {**changes, "updatedAt": dates.now()})
    except DuplicateKey as exc:
        raise BkendError("common/conflict", "This e-mail address is used by another console account") from exc
    if saved is None:
        raise BkendError("common/not-found", f"Account '{tenant_id}' not found")
    return saved


# --- the local owner and new accounts ----------------------------------------------------------------------------


def owner_changes(backend: Backend, email: Any, password: Any, name: Any = None) -> dict[str, Any]:
    """The local owner's new sign-in address and password hash, every input checked (nothing is saved yet)."""
    changes: dict[str, Any] = {"email": emails.normalize(email)}
    taken = find_by_email(backend, changes["email"])
    if taken is not None and taken["_id"] != tenancy.LOCAL_OWNER_ID:
        raise invalid("email", "taken", "This e-mail address is used by another console account", "common/conflict")
    if name is not None:
        changes["name"] = check_name(name)
    changes["passwordHash"] = _hash(backend, password, "password")
    changes["passwordChangedAt"] = dates.now()
    return changes


def save_owner(backend: Backend, changes: dict[str, Any]) -> dict[str, Any]:
    owner = tenancy.ensure_local_owner(backend)
    return _save(backend, owner["id"], changes)


def set_owner_credentials(backend: Backend, email: Any, password: Any, name: Any = None) -> dict[str, Any]:
    """Give the local owner its sign-in address and password (`bkend-mcp owner set-password`)."""
    return public_tenant(save_owner(backend, owner_changes(backend, email, password, name)))


def new_account(backend: Backend, email: str, name: Any, password: Any) -> dict[str, Any]:
    """A tenant document with a password, every input checked; `insert_account` stores it."""
    now = dates.now()
    return {
        "_id": ids.short_id("tnt_"),
        "email": emails.normalize(email),
        "name": check_name(name),
        "kind": "member",
        "passwordHash": _hash(backend, password, "password"),
        "passwordChangedAt": now,
        "createdAt": now,
        "updatedAt": now,
    }


def insert_account(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    try:
        backend.control(TENANTS).insert(doc)
    except DuplicateKey as exc:
        raise BkendError("common/conflict", "This e-mail address already has a console account") from exc
    return doc


def rename(backend: Backend, tenant_id: str, name: Any) -> dict[str, Any]:
    return _save(backend, tenant_id, {"name": check_name(name)})


def change_password(backend: Backend, tenant_id: str, current: Any, new: Any) -> dict[str, Any]:
    doc = get(backend, tenant_id)
    if not isinstance(current, str) or not passwords.verify(backend.config.argon2, doc.get("passwordHash"), current):
        raise invalid("currentPassword", "mismatch", "The current password is incorrect", "auth/invalid-password")
    if current == new:
        raise invalid("newPassword", "same", "Choose a password you did not use here", "auth/same-as-previous-password")
    return _save(
        backend, tenant_id, {"passwordHash": _hash(backend, new, "newPassword"), "passwordChangedAt": dates.now()}
    )


# --- sign-in -----------------------------------------------------------------------------------------------------


def _limits(backend: Backend) -> AuthSettings:
    return AuthSettings(rate_limits_enabled=backend.config.rate_limits, environment_type="prod")


def verify_sign_in(backend: Backend, email: Any, password: Any, client: Client) -> dict[str, Any]:
    """The tenant for a correct address and password; 401 `auth/invalid-credentials` otherwise, in equal time."""
    address = emails.normalize(email)
    secret = required_text({"password": password}, "password")
    limits = _limits(backend)
    ratelimit.check(backend, CONTROL, limits, "signin-ip", client.ip)
    ratelimit.check(backend, CONTROL, limits, "signin-account", address)
    tenant = find_by_email(backend, address)
    if not passwords.verify(backend.config.argon2, tenant.get("passwordHash") if tenant else None, secret):
        ratelimit.record(backend, CONTROL, limits, "signin-account", address)
        ratelimit.record(backend, CONTROL, limits, "signin-ip", client.ip)
        raise BkendError("auth/invalid-credentials")
    assert tenant is not None
    ratelimit.clear(backend, CONTROL, "signin-account", address)
    if passwords.needs_rehash(backend.config.argon2, tenant["passwordHash"]):
        tenant = _save(backend, tenant["_id"], {"passwordHash": passwords.hash_password(backend.config.argon2, secret)})
    return tenant


def verify_password(backend: Backend, tenant: dict[str, Any], password: Any, client: Client) -> None:
    """An existing account proves itself (accepting an invitation), under the same limits as sign-in."""
    verify_sign_in(backend, tenant["email"], password, client)
