"""App users' access tokens: HS256 JWTs signed with their environment's key (spec/auth.md §3.1).

The auth capability issues them at sign-in; until then tests and tools mint them with `issue_access_token`.
"""

from __future__ import annotations

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
