"""`POST /v1/auth/refresh` (spec/auth.md §3.3; compat C2, C26).

Each session counts refresh generations. A refresh token of the current generation rotates the session (a
compare-and-set, so exactly one of several concurrent refreshes advances it) and gets a pair for the next one.
A token of the generation just rotated away is still honoured for `refreshGraceSeconds` (default 30 s): parallel
tabs and parallel 401 handlers all get a valid pair for the current generation. Any other, older token is a replay:
every session of the user is revoked. Refreshing never revokes access tokens: those issued before stay valid until
their `exp`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates, tokens
from bkend_mcp.domain.auth import grant, inputs, ratelimit, sessions, settings, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError


def refresh(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """A new TokenPair (both tokens, always) for a valid refresh token."""
    body = inputs.body_object(body)
    env = caller.environment_id
    claims = tokens.verify_refresh_token(
        backend, body.get("refreshToken"), project_id=caller.project_id, environment_id=env
    )
    current = settings.load(backend, env)
    ratelimit.hit(backend, env, current, "refresh-session", claims["sid"])
    session = _live_session(backend, env, claims)
    session = _advance(backend, env, session, claims, current)
    user = users.get(backend, env, claims["sub"])
    if not users.is_live(user) or user is None:
        raise BkendError("auth/invalid-refresh-token")
    if user.get("status") == "banned":
        raise BkendError("auth/account-banned")
    session = sessions.touch(backend, env, session, client, current)
    pair = grant.token_pair(backend, caller, user, session, current)
    pair.pop("user", None)
    return pair


def _live_session(backend: Backend, env: str, claims: dict[str, Any]) -> dict[str, Any]:
    session = sessions.get(backend, env, claims["sid"])
    if session is None or session.get("revokedAt") is not None or session["userId"] != claims["sub"]:
        raise BkendError("auth/invalid-refresh-token")
    if not sessions.is_alive(session):
        raise BkendError("auth/session-expired")
    return session


def _advance(
    backend: Backend, env: str, session: dict[str, Any], claims: dict[str, Any], current: AuthSettings
) -> dict[str, Any]:
    """The session after this refresh: rotated, or unchanged within the grace window; a replay revokes all."""
    gen = claims["gen"]
    if gen == session["refreshGen"]:
        rotated = sessions.rotate(backend, env, session["_id"], gen)
        if rotated is not None:
            return rotated
        session = _live_session(backend, env, claims)  # a concurrent refresh won: judge by the grace rule
    if gen == session["refreshGen"] - 1 and _within_grace(session.get("prevGenRotatedAt"), current):
        return session
    sessions.revoke_all(backend, env, session["userId"], "refresh-token-reuse")
    raise BkendError("auth/invalid-refresh-token", "Refresh token was already used; sign in again")


def _within_grace(rotated_at: Any, current: AuthSettings) -> bool:
    if rotated_at is None:
        return False
    at = rotated_at if isinstance(rotated_at, datetime) else dates.parse(rotated_at)
    return at is not None and (dates.now() - at).total_seconds() <= current.refresh_grace_seconds
