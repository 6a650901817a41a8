"""Every request with a user access token: its session must be alive and its user active (spec/auth.md §3.1).

This is what makes sign-out, session deletion, password reset, replay detection, bans and deletions effective on
the next request rather than at the token's `exp`, and what makes a role change effective at once: the role that
authorizes comes from the user record, never from the token.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain.auth import sessions, users
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError

CHALLENGE = {"WWW-Authenticate": "Bearer"}


def authenticate(backend: Backend, environment_id: str, claims: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the user record, the session id) behind verified access-token `claims`.

    401 `auth/invalid-access-token` when the session is unknown, revoked or expired, or the user is deleted or
    banned; 404 `auth/user-not-found` when a live session's user record has vanished (spec §3.1).
    """
    session_id = claims.get("sid")
    session = sessions.get(backend, environment_id, session_id) if isinstance(session_id, str) else None
    if not sessions.is_alive(session) or session is None or session["userId"] != claims["sub"]:
        raise BkendError("auth/invalid-access-token", "Session has ended; sign in again", headers=CHALLENGE)
    user = users.get(backend, environment_id, claims["sub"])
    if user is None:
        raise BkendError("auth/user-not-found")
    if user.get("status", "active") != "active":
        raise BkendError("auth/invalid-access-token", "Account is no longer active", headers=CHALLENGE)
    return user, session["_id"]
