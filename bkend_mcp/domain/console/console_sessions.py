"""Console sessions: an opaque token in an HttpOnly, SameSite=Strict cookie, its SHA-256 in the control plane.

A session ends 12 hours after its last request (idle) or 7 days after sign-in (absolute), at sign-out, or when its
tenant changes password. Its CSRF token is derived from the session token (SHA-256 under a fixed label): the
console reads it from the session view and echoes it in `X-CSRF-Token` on every write; a cross-site page can
neither read it nor compute it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, projects
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console.console_collections import SESSIONS
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import ALL, Principal
from bkend_mcp.domain.secrets import same, sha256_hex
from bkend_mcp.domain.team import tenants
from bkend_mcp.store.base import Cond, Query

IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
TOUCH_SECONDS = 60
"""Record activity at most once a minute, so reading a session is not a write per request."""
COOKIE = "bkend_console"
CSRF_HEADER = "x-csrf-token"
CSRF_LABEL = b"bkend-console-csrf:"


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: the token for the cookie (never in a body), the session view, the cookie's lifetime."""

    token: str
    view: dict[str, Any]
    max_age: int


def _at(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else (dates.parse(value) or dates.now())


def csrf_token(token: str) -> str:
    return hashlib.sha256(CSRF_LABEL + token.encode()).hexdigest()


def check_csrf(token: str, sent: str | None) -> None:
    if not sent or not same(csrf_token(token), sent):
        raise BkendError("common/forbidden", "Missing or wrong X-CSRF-Token header; reload the console and retry")


def open_session(backend: Backend, tenant: dict[str, Any], client: Client) -> Opened:
    token = secrets.token_urlsafe(32)
    now = dates.now()
    doc = {
        "_id": sha256_hex(token),
        "tenantId": tenant["_id"],
        "createdAt": now,
        "lastSeenAt": now,
        "expiresAt": now + ABSOLUTE,
        "ip": client.ip,
        "userAgent": client.user_agent[:300],
    }
    _purge_ended(backend, tenant["_id"], now)
    backend.control(SESSIONS).insert(doc)
    return Opened(token, view(backend, token, doc), int(ABSOLUTE.total_seconds()))


def view(backend: Backend, token: str, doc: dict[str, Any]) -> dict[str, Any]:
    """What the console knows about its session: who, until when, in which organizations, and the CSRF token."""
    tenant = tenants.get(backend, doc["tenantId"])
    orgs = projects.list_organizations(backend, Principal(tenant["_id"], ALL))["items"]
    last_seen = _at(doc["lastSeenAt"])
    return {
        "tenant": tenants.public_tenant(tenant),
        "csrfToken": csrf_token(token),
        "expiresAt": dates.iso(doc["expiresAt"]),
        "idleExpiresAt": dates.iso(min(last_seen + IDLE, _at(doc["expiresAt"]))),
        "organizations": [{k: o.get(k) for k in ("id", "name", "slug", "role")} for o in orgs],
    }


def _ended(doc: dict[str, Any], now: datetime) -> bool:
    return _at(doc["expiresAt"]) <= now or _at(doc["lastSeenAt"]) + IDLE <= now


def live_session(backend: Backend, token: str | None) -> dict[str, Any]:
    """The stored session of a cookie value; 401 `common/authentication-required` when absent or ended."""
    sessions = backend.control(SESSIONS)
    doc = sessions.get(sha256_hex(token)) if token else None
    now = dates.now()
    if doc is not None and _ended(doc, now):
        sessions.delete(doc["_id"])
        doc = None
    if doc is None:
        raise BkendError("common/authentication-required", "Sign in to the console (no session, or it has ended)")
    if (now - _at(doc["lastSeenAt"])).total_seconds() > TOUCH_SECONDS:
        doc = sessions.update(doc["_id"], {"lastSeenAt": now}) or doc
    return doc


def close(backend: Backend, token: str) -> None:
    backend.control(SESSIONS).delete(sha256_hex(token))


def close_others(backend: Backend, tenant_id: str, keep_token: str | None) -> int:
    """End every session of the tenant except `keep_token`'s (a password change)."""
    sessions = backend.control(SESSIONS)
    keep = sha256_hex(keep_token) if keep_token else None
    docs = sessions.find(Query(Cond("tenantId", "eq", tenant_id, scalar=True), projection=("tenantId",)))
    return sum(1 for d in docs if d["_id"] != keep and sessions.delete(d["_id"]))


def _purge_ended(backend: Backend, tenant_id: str, now: datetime) -> None:
    sessions = backend.control(SESSIONS)
    for doc in sessions.find(Query(Cond("tenantId", "eq", tenant_id, scalar=True))):
        if _ended(doc, now):
            sessions.delete(doc["_id"])
