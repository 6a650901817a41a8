"""Sessions (spec/auth.md §1.5, §3.2, §3.4): one per sign-in, in the environment's `sessions` collection.

A session is alive while it is not revoked, its idle deadline (pushed forward by every refresh) has not passed,
and its absolute deadline (sign-in + `sessionMaxAge`) has not passed. Every access and refresh token names its
session (`sid`), and every request checks it, so revocation is effective on the next request. Revoked sessions
are kept (with `revokedAt` and `revokeReason`) for audit.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.store.base import Collection, Cond, Filter, Query, SortKey, all_of

AUTH_METHODS = ("password", "magiclink", "google", "github", "invitation")
BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
    ("Dart", re.compile(r"^Dart/")),
    ("okhttp", re.compile(r"okhttp/")),
    ("curl", re.compile(r"^curl/")),
)
SYSTEMS = (
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def _sessions(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, collections.SESSIONS)


def device_info(user_agent: str) -> str:
    """`Chrome on macOS`, `Safari on iOS`, … or `Unknown device`."""
    browser = next((name for name, pattern in BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


def create(
    backend: Backend,
    environment_id: str,
    user_id: str,
    *,
    method: str,
    client: Client,
    settings: AuthSettings,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new session for a sign-in by `method` (one of `AUTH_METHODS`). `extra` may carry `orgId`/`orgRole`."""
    now = dates.now()
    absolute = now + timedelta(seconds=settings.session_max_age)
    doc: dict[str, Any] = {
        "_id": ids.user_id(),
        "userId": user_id,
        "refreshGen": 0,
        "prevGenRotatedAt": None,
        "userAgent": client.user_agent[:512],
        "ipAddress": client.ip,
        "deviceInfo": device_info(client.user_agent),
        "authMethod": method,
        **(extra or {}),
        "createdAt": now,
        "lastActivityAt": now,
        "idleExpiresAt": min(now + timedelta(seconds=settings.refresh_token_ttl), absolute),
        "absoluteExpiresAt": absolute,
        "revokedAt": None,
        "revokeReason": None,
    }
    _sessions(backend, environment_id).insert(doc)
    return doc


def get(backend: Backend, environment_id: str, session_id: str) -> dict[str, Any] | None:
    return _sessions(backend, environment_id).get(session_id)


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else (dates.parse(value) or dates.now())


def is_alive(session: dict[str, Any] | None, now: datetime | None = None) -> bool:
    if session is None or session.get("revokedAt") is not None:
        return False
    now = now or dates.now()
    return _at(session["idleExpiresAt"]) > now and _at(session["absoluteExpiresAt"]) > now


def _live_filter(user_id: str, now: datetime) -> Filter:
    return all_of(
        [
            Cond("userId", "eq", user_id, scalar=True),
            Cond("revokedAt", "eq", None, scalar=True),
            Cond("idleExpiresAt", "gt", now, scalar=True),
            Cond("absoluteExpiresAt", "gt", now, scalar=True),
        ]
    )


def list_live(
    backend: Backend, environment_id: str, user_id: str, *, page: int = 1, limit: int = 10
) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's live sessions, most recently active first, and how many there are."""
    live = _live_filter(user_id, dates.now())
    sessions = _sessions(backend, environment_id)
    order = (SortKey("lastActivityAt", -1, scalar=True), SortKey("_id", 1, scalar=True))
    items = sessions.find(Query(live, sort=order, skip=(page - 1) * limit, limit=limit))
    return items, sessions.count(live)


def revoke(backend: Backend, environment_id: str, session_id: str, reason: str) -> bool:
    """Revoke one session; False when it was unknown or already revoked (callers treat both as done)."""
    guard = Cond("revokedAt", "eq", None, scalar=True)
    changed = _sessions(backend, environment_id).update(
        session_id, {"revokedAt": dates.now(), "revokeReason": reason}, guard=guard
    )
    return changed is not None


def revoke_all(backend: Backend, environment_id: str, user_id: str, reason: str, *, keep: str | None = None) -> int:
    """Revoke every live session of a user, except `keep` (the caller's, e.g. after a password change)."""
    sessions = _sessions(backend, environment_id)
    live = all_of([Cond("userId", "eq", user_id, scalar=True), Cond("revokedAt", "eq", None, scalar=True)])
    revoked = 0
    for session in sessions.find(Query(live, projection=("userId",))):
        if session["_id"] != keep and revoke(backend, environment_id, session["_id"], reason):
            revoked += 1
    return revoked


def rotate(backend: Backend, environment_id: str, session_id: str, from_gen: int) -> dict[str, Any] | None:
    """Advance the refresh generation from `from_gen` (compare-and-set). None when another refresh won the race
    or the session was revoked meanwhile."""
    guard = all_of([Cond("refreshGen", "eq", from_gen, scalar=True), Cond("revokedAt", "eq", None, scalar=True)])
    return _sessions(backend, environment_id).update(
        session_id, {"refreshGen": from_gen + 1, "prevGenRotatedAt": dates.now()}, guard=guard
    )


def touch(
    backend: Backend, environment_id: str, session: dict[str, Any], client: Client, settings: AuthSettings
) -> dict[str, Any]:
    """Record activity at a refresh: push the idle deadline (never past the absolute one), note IP and agent."""
    now = dates.now()
    idle = min(now + timedelta(seconds=settings.refresh_token_ttl), _at(session["absoluteExpiresAt"]))
    changes: dict[str, Any] = {"lastActivityAt": now, "idleExpiresAt": idle}
    if client.ip:
        changes["ipAddress"] = client.ip
    if client.user_agent:
        changes.update(userAgent=client.user_agent[:512], deviceInfo=device_info(client.user_agent))
    return _sessions(backend, environment_id).update(session["_id"], changes) or {**session, **changes}


def expires_at(session: dict[str, Any]) -> datetime:
    return min(_at(session["idleExpiresAt"]), _at(session["absoluteExpiresAt"]))


def public_session(session: dict[str, Any], current_session_id: str | None) -> dict[str, Any]:
    """Session of §2.3 #12."""
    return {
        "id": session["_id"],
        "userId": session["userId"],
        "userAgent": session.get("userAgent", ""),
        "ipAddress": session.get("ipAddress", ""),
        "deviceInfo": session.get("deviceInfo", ""),
        "authMethod": session.get("authMethod"),
        "lastActivityAt": dates.iso(session["lastActivityAt"]),
        "createdAt": dates.iso(session["createdAt"]),
        "expiresAt": dates.iso(expires_at(session)),
        "current": session["_id"] == current_session_id,
    }
