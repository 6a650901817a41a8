"""What every successful sign-in ends with: a new session and a token pair (spec/auth.md §2.0 TokenPair, §3).

Password sign-in and sign-up, magic link, OAuth and invitations all finish here, so every way in issues the same
tokens: an access JWT (1 h) and a refresh JWT for generation 0 of the new session.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates, tokens
from bkend_mcp.domain.auth import sessions, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller


def sign_in(
    backend: Backend,
    caller: Caller,
    user: dict[str, Any],
    *,
    method: str,
    client: Client,
    settings: AuthSettings,
    session_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Open a session for `user` (signed in by `method`), stamp `lastLoginAt`, and return the TokenPair."""
    env = caller.environment_id
    session = sessions.create(backend, env, user["_id"], method=method, client=client, settings=settings,
                              extra=session_extra)  # fmt: skip
    user = users.update(backend, env, user["_id"], {"lastLoginAt": dates.now()})
    return token_pair(backend, caller, user, session, settings)


def token_pair(
    backend: Backend, caller: Caller, user: dict[str, Any], session: dict[str, Any], settings: AuthSettings
) -> dict[str, Any]:
    """`{accessToken, refreshToken, tokenType, expiresIn[, user]}` for the session's current generation."""
    where = {"project_id": caller.project_id, "environment_id": caller.environment_id, "user_id": user["_id"]}
    org = {k: session[k] for k in ("orgId", "orgRole") if session.get(k) is not None}
    access = tokens.issue_access_token(
        backend, **where, role=user.get("role", "user"), session_id=session["_id"], extra=org or None
    )
    refresh = tokens.issue_refresh_token(
        backend,
        **where,
        session_id=session["_id"],
        gen=session["refreshGen"],
        expires_at=int(sessions.expires_at(session).timestamp()),
    )
    pair: dict[str, Any] = {
        "accessToken": access,
        "refreshToken": refresh,
        "tokenType": "Bearer",
        "expiresIn": tokens.ACCESS_TTL_SECONDS,
    }
    if settings.include_user_in_token_response:
        pair["user"] = users.public_user(user, expiration_days=settings.password_policy.expiration_days)
    return pair
