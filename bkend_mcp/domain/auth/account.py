"""The signed-in user's own account: `me`, sign-out and sessions (spec/auth.md §2.3 #9, #11-#13)."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import tokens
from bkend_mcp.domain.auth import inputs, sessions, settings, users
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

SIGNED_OUT = "Signed out"


def require_user(caller: Caller) -> tuple[str, str]:
    """(user id, session id) of the signed-in caller, else 401 `auth/unauthorized` (a user JWT is needed)."""
    if not caller.uid or not caller.session_id:
        raise BkendError("auth/unauthorized", "Sign in first: send 'Authorization: Bearer <access token>'")
    return caller.uid, caller.session_id


def me(backend: Backend, caller: Caller) -> dict[str, Any]:
    """The full user object of the signed-in caller."""
    user_id, _ = require_user(caller)
    user = users.get(backend, caller.environment_id, user_id)
    if not users.is_live(user) or user is None:
        raise BkendError("auth/user-not-found")
    expiration = settings.load(backend, caller.environment_id).password_policy.expiration_days
    return users.public_user(user, expiration_days=expiration)


def sign_out(backend: Backend, caller: Caller, authorization: str | None, body: Any) -> dict[str, Any]:
    """Revoke the session named by the access token (accepted even when expired, P15) or by the optional
    `refreshToken` in the body. Idempotent: an already revoked session still answers 200."""
    body = inputs.body_object(body)
    where = {"project_id": caller.project_id, "environment_id": caller.environment_id}
    claims = None
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        claims = tokens.session_claims_ignoring_expiry(backend, token.strip(), **where)
    if claims is None and body.get("refreshToken"):
        claims = tokens.verify_refresh_token(backend, body["refreshToken"], **where)
    if claims is None:
        if authorization:
            raise BkendError("auth/invalid-access-token", headers={"WWW-Authenticate": "Bearer"})
        raise BkendError("auth/unauthorized", "Sign in first: send 'Authorization: Bearer <access token>'")
    session = sessions.get(backend, caller.environment_id, claims["sid"])
    if session is not None and session["userId"] == claims["sub"]:
        sessions.revoke(backend, caller.environment_id, session["_id"], "signout")
    return {"message": SIGNED_OUT}


def list_sessions(backend: Backend, caller: Caller, page: Any = None, limit: Any = None) -> dict[str, Any]:
    """The caller's live sessions, most recently active first, the current one marked."""
    user_id, session_id = require_user(caller)
    page_number, size = inputs.page_params(page, limit)
    items, total = sessions.list_live(backend, caller.environment_id, user_id, page=page_number, limit=size)
    return {
        "items": [sessions.public_session(s, session_id) for s in items],
        "pagination": inputs.pagination(page_number, size, total),
    }


def revoke_session(backend: Backend, caller: Caller, session_id: str) -> dict[str, Any]:
    """Revoke one of the caller's own sessions (the current one signs out); another user's id is a 404."""
    user_id, _ = require_user(caller)
    session = sessions.get(backend, caller.environment_id, session_id)
    if not sessions.is_alive(session) or session is None or session["userId"] != user_id:
        raise BkendError("auth/session-not-found")
    sessions.revoke(backend, caller.environment_id, session_id, "revoked-by-user")
    return {"message": "Session revoked"}
