"""Users and their sign-in accounts (spec/auth.md §1.5, §2.13), in the environment's `users` and `accounts`.

A user's `email` is unique among live users (a sparse unique index: deleting a user removes the field, which
frees the address). An account links a user to one way of signing in: `credentials/email` (the address; it has a
password when `users.passwordHash` is set) or `oauth/google|github` (the provider's subject id). At most one
account per provider per user, and one user per provider identity; both are unique indexes, so concurrent
sign-ups are settled by the store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Collection, Cond, DuplicateKey, Filter, Query, SortKey, all_of

ROLE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,31}$")
STATUSES = ("active", "banned", "deleted")
PROVIDER_TYPES = {"email": "credentials", "google": "oauth", "github": "oauth"}
PROFILE_DEFAULTS: dict[str, Any] = {
    "nickname": None,
    "image": None,
    "mobile": None,
    "gender": None,
    "bio": None,
    "socialLinks": None,
}
SLUG_INDEX = "uniq_public_slug"
SECRET_FIELDS = ("passwordHash", "mfa", "deletedEmail")
"""Never shown by any API (the user object, `/v1/data/users`)."""


def _users(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, collections.USERS)


def _accounts(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, collections.ACCOUNTS)


# --- users -------------------------------------------------------------------------------------------------------


def get(backend: Backend, environment_id: str, user_id: str) -> dict[str, Any] | None:
    return _users(backend, environment_id).get(user_id)


def find_by_email(backend: Backend, environment_id: str, email: str) -> dict[str, Any] | None:
    """The live user with this (normalised) address, if any."""
    found = _users(backend, environment_id).find(Query(Cond("email", "eq", email, scalar=True), limit=1))
    return found[0] if found else None


def create_user(
    backend: Backend,
    environment_id: str,
    *,
    email: str,
    name: str,
    role: str = "user",
    password_hash: str | None = None,
    email_verified_at: datetime | None = None,
    provider: str = "email",
    provider_account_id: str | None = None,
    profile: dict[str, Any] | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """A new active user with its first account, or 409 `auth/email-already-exists`.

    `email` must already be normalised. `provider` is `email` (account id = the address) or an OAuth provider
    (`provider_account_id` = its subject id). `user_id` keeps an id from an import (e.g. users migrated from
    hosted bkend, so their records' `createdBy` still matches); new users get a UUID v4.
    """
    collections.prepare_environment(backend, environment_id)
    now = dates.now()
    doc: dict[str, Any] = {
        "_id": user_id or ids.user_id(),
        "email": email,
        "name": name,
        **PROFILE_DEFAULTS,
        **(profile or {}),
        "role": role,
        "status": "active",
        "emailVerified": email_verified_at,
        "passwordHash": password_hash,
        "passwordChangedAt": now if password_hash else None,
        "lastLoginAt": None,
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        _users(backend, environment_id).insert(doc)
    except DuplicateKey as exc:
        raise BkendError("auth/email-already-exists") from exc
    try:
        add_account(backend, environment_id, doc["_id"], provider, provider_account_id or email, email)
    except BkendError:
        _users(backend, environment_id).delete(doc["_id"])
        raise
    from bkend_mcp.domain.auth import invitations  # grants of invitations accepted before this sign-up

    return invitations.apply_pending_grants(backend, environment_id, doc)


def update(
    backend: Backend, environment_id: str, user_id: str, changes: dict[str, Any], unset: Sequence[str] = ()
) -> dict[str, Any]:
    """Set (and unset) fields of a user, stamping `updatedAt`; 404 `auth/user-not-found` when it is gone.
    A changed `email` that another user holds is 409 `auth/email-already-exists`, a taken public slug 409
    `user/slug-already-exists`."""
    try:
        doc = _users(backend, environment_id).update(user_id, {**changes, "updatedAt": dates.now()}, unset)
    except DuplicateKey as exc:
        if exc.index == SLUG_INDEX:
            raise BkendError("user/slug-already-exists") from exc
        raise BkendError("auth/email-already-exists") from exc
    if doc is None:
        raise BkendError("auth/user-not-found")
    return doc


def is_live(user: dict[str, Any] | None) -> bool:
    return user is not None and user.get("status", "active") != "deleted"


def password_expired(user: dict[str, Any], expiration_days: int | None) -> bool:
    changed = user.get("passwordChangedAt")
    if not expiration_days or not user.get("passwordHash") or changed is None:
        return False
    changed_at = changed if isinstance(changed, datetime) else dates.parse(changed)
    return changed_at is not None and dates.now() - changed_at > timedelta(days=expiration_days)


def public_user(user: dict[str, Any], *, expiration_days: int | None = None) -> dict[str, Any]:
    """The full user object of §2.13 (what the user and admins see). Never a hash or secret."""
    onboarding = user.get("onboarding") or {}
    out: dict[str, Any] = {
        "id": user["_id"],
        "email": user.get("email"),
        "name": user.get("name"),
        **{key: user.get(key, default) for key, default in PROFILE_DEFAULTS.items()},
        "role": user.get("role", "user"),
        "emailVerified": _iso(user.get("emailVerified")),
        "onboardingStatus": onboarding.get("status", "pending"),
        "mfaEnabled": bool((user.get("mfa") or {}).get("enabled")),
        "status": user.get("status", "active"),
        "hasPassword": bool(user.get("passwordHash")),
        "lastLoginAt": _iso(user.get("lastLoginAt")),
        "createdAt": _iso(user.get("createdAt")),
        "updatedAt": _iso(user.get("updatedAt")),
    }
    if expiration_days:
        out["passwordExpired"] = password_expired(user, expiration_days)
    return out


def public_view(user: dict[str, Any]) -> dict[str, Any]:
    """The user as other (non-admin) users see them (§2.13): no address, phone, role or status; the public
    profile and slug only when the user made their profile public."""
    out: dict[str, Any] = {
        "id": user["_id"],
        "name": user.get("name"),
        "nickname": user.get("nickname"),
        "image": user.get("image"),
        "createdAt": _iso(user.get("createdAt")),
    }
    public = user.get("publicSettings") or {}
    if public.get("isPublic"):
        out.update(bio=user.get("bio"), socialLinks=user.get("socialLinks"), slug=public.get("slug"))
    return out


def _iso(value: Any) -> str | None:
    return dates.iso(value) if value is not None else None


# --- accounts ----------------------------------------------------------------------------------------------------


def add_account(
    backend: Backend, environment_id: str, user_id: str, provider: str, provider_account_id: str, email: str | None
) -> dict[str, Any]:
    """Link a sign-in method; 409 `auth/account-already-linked` if the identity or the user's provider slot is
    taken."""
    doc = {
        "_id": ids.user_id(),
        "userId": user_id,
        "type": PROVIDER_TYPES[provider],
        "provider": provider,
        "providerAccountId": provider_account_id,
        "email": email,
        "connectedAt": dates.now(),
    }
    try:
        _accounts(backend, environment_id).insert(doc)
    except DuplicateKey as exc:
        if provider == "email":
            raise BkendError("auth/email-already-exists") from exc
        raise BkendError("auth/account-already-linked", f"This {provider} account is already linked") from exc
    return doc


def find_account(
    backend: Backend, environment_id: str, provider: str, provider_account_id: str
) -> dict[str, Any] | None:
    query = Query(_and(provider=provider, providerAccountId=provider_account_id), limit=1)
    found = _accounts(backend, environment_id).find(query)
    return found[0] if found else None


def accounts_of(backend: Backend, environment_id: str, user_id: str) -> list[dict[str, Any]]:
    query = Query(Cond("userId", "eq", user_id, scalar=True), sort=(SortKey("connectedAt", 1, scalar=True),))
    return _accounts(backend, environment_id).find(query)


def account_of(backend: Backend, environment_id: str, user_id: str, provider: str) -> dict[str, Any] | None:
    found = _accounts(backend, environment_id).find(Query(_and(userId=user_id, provider=provider), limit=1))
    return found[0] if found else None


def update_email_account(backend: Backend, environment_id: str, user_id: str, email: str) -> None:
    """Move the user's `credentials/email` account (if any) to their new address."""
    account = account_of(backend, environment_id, user_id, "email")
    if account is None:
        return
    try:
        _accounts(backend, environment_id).update(account["_id"], {"providerAccountId": email, "email": email})
    except DuplicateKey as exc:
        raise BkendError("auth/email-already-exists") from exc


def remove_account(backend: Backend, environment_id: str, account_id: str) -> bool:
    return _accounts(backend, environment_id).delete(account_id)


def remove_accounts_of(backend: Backend, environment_id: str, user_id: str) -> int:
    """Delete every account of a user (a deleted user keeps no way to sign in)."""
    return sum(remove_account(backend, environment_id, a["_id"]) for a in accounts_of(backend, environment_id, user_id))


def public_account(account: dict[str, Any]) -> dict[str, Any]:
    """Account of §2.7 #27 (`linkedAt` = `connectedAt`)."""
    connected = _iso(account.get("connectedAt"))
    return {
        "id": account["_id"],
        "userId": account["userId"],
        "type": account["type"],
        "provider": account["provider"],
        "providerAccountId": account["providerAccountId"],
        "email": account.get("email"),
        "connectedAt": connected,
        "linkedAt": connected,
    }


def _and(**equals: str) -> Filter:
    return all_of(Cond(k, "eq", v, scalar=True) for k, v in equals.items())
