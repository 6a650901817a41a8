"""Single-use tokens behind mailed links and OAuth state (spec/auth.md §1.5, §6 rule 9).

The raw token is 32 random bytes as 64 hex characters and is only ever mailed; the control plane's `_auth_tokens`
keeps its SHA-256 with the purpose, environment, address, optional user and payload. Issuing a token invalidates
the earlier unused ones of the same purpose and address. Consuming is a compare-and-set on `usedAt`, so a double
click yields one success and one failure. Each purpose has its own pair of error codes (unknown/used, expired).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Cond, Query, all_of

ERRORS: dict[str, tuple[str, str]] = {
    "magic_link": ("auth/invalid-token", "auth/token-expired"),
    "password_reset": ("auth/verification-token-not-found", "auth/verification-token-expired"),
    "signup_verification": ("auth/verification-token-not-found", "auth/verification-token-expired"),
    "email_verification": ("auth/verification-token-not-found", "auth/verification-token-expired"),
    "invitation": ("auth/invalid-token", "auth/token-expired"),
    "oauth_state": ("auth/invalid-state", "auth/invalid-state"),
    "mfa_setup": ("auth/invalid-token", "auth/token-expired"),
}
"""purpose → (code when unknown, used or not matching, code when expired)."""


def issue(
    backend: Backend,
    *,
    purpose: str,
    environment_id: str,
    email: str,
    ttl_seconds: int,
    user_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> str:
    """A fresh raw token (to be mailed, never stored) for `purpose`; earlier unused ones for the address die.
    With `email` empty (an OAuth state: no address yet) nothing is retired, so parallel sign-ins coexist."""
    if purpose not in ERRORS:
        raise ValueError(f"unknown one-time token purpose {purpose!r}")
    if email:
        invalidate(backend, purpose=purpose, environment_id=environment_id, email=email)
    raw = secrets.token_hex(32)
    now = dates.now()
    backend.control(collections.TOKENS).insert(
        {
            "_id": ids.short_id("otk_"),
            "tokenHash": sha256_hex(raw),
            "purpose": purpose,
            "environmentId": environment_id,
            "email": email,
            "userId": user_id,
            "payload": payload or {},
            "createdAt": now,
            "expiresAt": dates.after(ttl_seconds),
            "usedAt": None,
        }
    )
    return raw


def invalidate(backend: Backend, *, purpose: str, environment_id: str, email: str) -> int:
    """Retire every unused token of this purpose and address (expired ones are deleted)."""
    tokens = backend.control(collections.TOKENS)
    pending = all_of(
        [
            Cond("environmentId", "eq", environment_id, scalar=True),
            Cond("purpose", "eq", purpose, scalar=True),
            Cond("email", "eq", email, scalar=True),
            Cond("usedAt", "eq", None, scalar=True),
        ]
    )
    now = dates.now()
    retired = 0
    for doc in tokens.find(Query(pending, projection=("expiresAt",))):
        if _expired(doc, now):
            tokens.delete(doc["_id"])
        elif tokens.update(doc["_id"], {"usedAt": now, "supersededAt": now}, guard=pending) is not None:
            retired += 1
    return retired


def find(
    backend: Backend, raw: Any, purpose: str, *, environment_id: str | None = None, email: str | None = None
) -> dict[str, Any] | None:
    """The stored record of a raw token of `purpose`, used or not, expired or not; None when unknown.
    `environment_id` / `email`, when given, must match (a token of another environment or address is unknown)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    found = backend.control(collections.TOKENS).find(
        Query(Cond("tokenHash", "eq", sha256_hex(raw.strip().lower()), scalar=True), limit=1)
    )
    doc = found[0] if found else None
    expected = {"purpose": purpose, "environmentId": environment_id, "email": email}
    if doc is None or any(value is not None and doc.get(key) != value for key, value in expected.items()):
        return None
    return doc


def problem(doc: dict[str, Any] | None, purpose: str) -> str | None:
    """Why a found token cannot be used (the purpose's error code), or None when it can."""
    unknown, expired = ERRORS[purpose]
    if doc is None or doc.get("usedAt") is not None:
        return unknown
    return expired if _expired(doc, dates.now()) else None


def usable(
    backend: Backend, raw: Any, purpose: str, *, environment_id: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """The stored record of a token that can be used now, without using it; else raises the purpose's code."""
    doc = find(backend, raw, purpose, environment_id=environment_id, email=email)
    code = problem(doc, purpose)
    if code is not None or doc is None:
        raise BkendError(code or ERRORS[purpose][0])
    return doc


def use(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    """Mark a usable token used (compare-and-set): the loser of a race gets the purpose's unknown-token code."""
    used = backend.control(collections.TOKENS).update(
        doc["_id"], {"usedAt": dates.now()}, guard=Cond("usedAt", "eq", None, scalar=True)
    )
    if used is None:
        raise BkendError(ERRORS[doc["purpose"]][0])
    return used


def consume(
    backend: Backend, raw: Any, purpose: str, *, environment_id: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """Check and use a token in one step; returns its record (`environmentId`, `email`, `userId`, `payload`)."""
    return use(backend, usable(backend, raw, purpose, environment_id=environment_id, email=email))


def _expired(doc: dict[str, Any], now: datetime) -> bool:
    expires = doc["expiresAt"]
    return (expires if isinstance(expires, datetime) else dates.parse(expires) or now) <= now
