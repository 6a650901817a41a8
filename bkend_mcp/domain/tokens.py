"""App users' tokens: HS256 JWTs signed with their environment's key (spec/auth.md §3.1).

Access tokens (`typ: access`, 1 h) and refresh tokens (`typ: refresh`, carrying the session's rotation counter
`gen`) both name their session (`sid`); `domain/auth` issues them at sign-in and checks the session on every use,
so a token is only as good as its session. A token whose `sid` names no live session is refused.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from bkend_mcp.domain import ids
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError

AUDIENCE = "bkend:app"
ISSUER = "bkend-mcp"
ACCESS_TTL_SECONDS = 3600
LEEWAY_SECONDS = 5


def issue_access_token(
    backend: Backend,
    *,
    project_id: str,
    environment_id: str,
    user_id: str,
    role: str = "user",
    session_id: str | None = None,
    ttl: int = ACCESS_TTL_SECONDS,
    extra: dict[str, Any] | None = None,
) -> str:
    now = int(time.time())
    sid = session_id or ids.short_id("ses_")
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "role": role,
        "sid": sid,
        "jti": sid,
        "pid": project_id,
        "eid": environment_id,
        "typ": "access",
        "iat": now,
        "exp": now + ttl,
        **(extra or {}),
    }
    return jwt.encode(claims, backend.keyring.app_signing_key(environment_id), algorithm="HS256")


def issue_refresh_token(
    backend: Backend,
    *,
    project_id: str,
    environment_id: str,
    user_id: str,
    session_id: str,
    gen: int,
    expires_at: int,
) -> str:
    """A refresh token for generation `gen` of a session; `expires_at` (Unix seconds) is the session's idle
    deadline capped by its absolute one (§3.2)."""
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "sid": session_id,
        "gen": gen,
        "jti": secrets.token_hex(16),
        "pid": project_id,
        "eid": environment_id,
        "typ": "refresh",
        "iat": int(time.time()),
        "exp": expires_at,
    }
    return jwt.encode(claims, backend.keyring.app_signing_key(environment_id), algorithm="HS256")


def verify_refresh_token(backend: Backend, token: Any, *, project_id: str, environment_id: str) -> dict[str, Any]:
    """The claims of a genuine refresh token of this environment: 401 `auth/invalid-refresh-token` when it is
    malformed, forged, of another type or environment; 401 `auth/session-expired` when past its `exp`."""
    if not isinstance(token, str) or not token:
        raise BkendError("auth/invalid-refresh-token")
    try:
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            raise BkendError("auth/invalid-refresh-token")
        claims = _decode(backend, token, environment_id)
    except jwt.ExpiredSignatureError as exc:
        raise BkendError("auth/session-expired") from exc
    except jwt.InvalidTokenError as exc:
        raise BkendError("auth/invalid-refresh-token") from exc
    wanted = {"typ": "refresh", "pid": project_id, "eid": environment_id}
    if any(claims.get(k) != v for k, v in wanted.items()) or not isinstance(claims.get("gen"), int):
        raise BkendError("auth/invalid-refresh-token")
    if not isinstance(claims.get("sid"), str):
        raise BkendError("auth/invalid-refresh-token")
    return claims


def session_claims_ignoring_expiry(
    backend: Backend, token: str, *, project_id: str, environment_id: str
) -> dict[str, Any] | None:
    """The claims of a genuine access token of this environment even past its `exp`, or None: sign-out accepts a
    stale token whose only defect is its age (spec/auth.md §2.3 #11, P15)."""
    try:
        claims = jwt.decode(
            token,
            backend.keyring.app_signing_key(environment_id),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"verify_exp": False, "require": ["sub"]},
        )
    except jwt.InvalidTokenError:
        return None
    ok = claims.get("typ") == "access" and claims.get("pid") == project_id and claims.get("eid") == environment_id
    return claims if ok and isinstance(claims.get("sid"), str) else None


def verify_access_token(backend: Backend, token: str, *, project_id: str, environment_id: str) -> dict[str, Any]:
    """The claims of a valid access token for this environment, or the 401/403 of spec/data.md §3.1 steps 7-8."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError as exc:
        raise BkendError("auth/invalid-token-format", "Authorization must be 'Bearer <access token>'") from exc
    if header.get("alg") != "HS256":
        raise BkendError("auth/invalid-access-token")
    try:
        claims = _decode(backend, token, environment_id)
    except jwt.ExpiredSignatureError as exc:
        raise BkendError("auth/access-token-expired", headers={"WWW-Authenticate": "Bearer"}) from exc
    except jwt.InvalidTokenError as exc:
        if _valid_elsewhere(backend, token, unverified, environment_id):
            raise BkendError("data/project-access-denied") from exc
        raise BkendError("auth/invalid-access-token", headers={"WWW-Authenticate": "Bearer"}) from exc
    if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise BkendError("auth/invalid-access-token")
    if claims.get("pid") != project_id or claims.get("eid") != environment_id:
        raise BkendError("data/project-access-denied")
    return claims


def _decode(backend: Backend, token: str, environment_id: str) -> dict[str, Any]:
    return jwt.decode(
        token,
        backend.keyring.app_signing_key(environment_id),
        algorithms=["HS256"],
        audience=AUDIENCE,
        leeway=LEEWAY_SECONDS,
        options={"require": ["exp", "sub"]},
    )


def _valid_elsewhere(backend: Backend, token: str, unverified: dict[str, Any], environment_id: str) -> bool:
    """A genuine token of another environment earns 403 (wrong place), not 401 (refresh and retry)."""
    other = unverified.get("eid")
    if not isinstance(other, str) or other == environment_id:
        return False
    if backend.control("environments").get(other) is None:
        return False
    try:
        _decode(backend, token, other)
    except jwt.InvalidTokenError:
        return False
    return True
