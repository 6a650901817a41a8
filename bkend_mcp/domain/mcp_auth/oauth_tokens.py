"""Tokens the MCP authorization server issues, and the grant ("connected AI tool") they belong to.

A grant is created when a code is exchanged: tenant, organization, client and approved scopes. Its access tokens
are HS256 JWTs (`iss` = `aud` = `<base>/mcp`, `sub` tenant, `org`, `scope`, `client_id`, `gid` grant, `jti`,
1 hour), verified without a store read except one `get` of the grant, so revoking the grant ends them at once.
Its refresh token is opaque (256 bits, stored as SHA-256), valid 30 days, and rotates on every use; presenting a
rotated one again revokes the whole grant (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

import jwt

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.deployment import mcp_url
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.domain.team import org_roles
from bkend_mcp.store.base import Cond

GRANTS = "oauth_grants"
REFRESH_TOKENS = "oauth_refresh_tokens"
ACCESS_TTL_SECONDS = 3600
REFRESH_TTL = timedelta(days=30)
LEEWAY_SECONDS = 5
TOKEN_TYPE = "at+jwt"


def open_grant(
    backend: Backend, *, grant_id: str, client_id: str, tenant_id: str, organization_id: str, scopes: list[str]
) -> dict[str, Any]:
    doc = {
        "_id": grant_id,
        "clientId": client_id,
        "tenantId": tenant_id,
        "organizationId": organization_id,
        "scopes": scopes,
        "createdAt": dates.now(),
        "revokedAt": None,
    }
    backend.control(GRANTS).insert(doc)
    return doc


def new_grant_id() -> str:
    return ids.short_id("grt_")


def revoke_grant(backend: Backend, grant_id: str) -> None:
    backend.control(GRANTS).update(grant_id, {"revokedAt": dates.now()}, guard=Cond("revokedAt", "eq", None))


def live_grant(backend: Backend, grant_id: Any) -> dict[str, Any] | None:
    doc = backend.control(GRANTS).get(grant_id) if isinstance(grant_id, str) else None
    return doc if doc is not None and doc.get("revokedAt") is None else None


def token_response(
    backend: Backend, grant: dict[str, Any], scopes: list[str], client: dict[str, Any]
) -> dict[str, Any]:
    """A fresh access token with `scopes` (the grant's or narrower) and, for a client registered for the
    refresh_token grant, a fresh refresh token of the grant."""
    response = {
        "access_token": issue_access_token(backend, grant, scopes),
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_SECONDS,
        "scope": " ".join(scopes),
    }
    if "refresh_token" in client["grant_types"]:
        response["refresh_token"] = issue_refresh_token(backend, grant)
    return response


def issue_access_token(backend: Backend, grant: dict[str, Any], scopes: list[str]) -> str:
    now = int(time.time())
    resource = mcp_url(backend.config)
    claims = {
        "iss": resource,
        "aud": resource,
        "sub": grant["tenantId"],
        "org": grant["organizationId"],
        "scope": " ".join(scopes),
        "client_id": grant["clientId"],
        "gid": grant["_id"],
        "iat": now,
        "exp": now + ACCESS_TTL_SECONDS,
        "jti": secrets.token_hex(16),
    }
    return jwt.encode(claims, backend.keyring.mcp_signing_key(), algorithm="HS256", headers={"typ": TOKEN_TYPE})


def access_token_claims(backend: Backend, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
    """The claims of a genuine access token of this server (signature, issuer, audience, and expiry unless told)."""
    resource = mcp_url(backend.config)
    try:
        if jwt.get_unverified_header(token).get("typ") != TOKEN_TYPE:
            raise BkendError("oauth/invalid-token", "Not an MCP access token")
        return jwt.decode(
            token,
            backend.keyring.mcp_signing_key(),
            algorithms=["HS256"],
            audience=resource,
            issuer=resource,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "gid"], "verify_exp": verify_exp},
        )
    except jwt.ExpiredSignatureError as exc:
        raise BkendError("oauth/invalid-token", "The access token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise BkendError("oauth/invalid-token", "Invalid access token") from exc


def principal_of_access_token(backend: Backend, token: str) -> Principal:
    return checked_access_token(backend, token)[0]


def checked_access_token(backend: Backend, token: str) -> tuple[Principal, float]:
    """The principal of a live access token, and the Unix time after which it is refused as expired."""
    claims = access_token_claims(backend, token)
    if live_grant(backend, claims["gid"]) is None:
        raise BkendError("oauth/invalid-token", "The access token has been revoked")
    scopes = tuple(str(claims.get("scope", "")).split())
    principal = org_roles.principal_in(backend, claims["sub"], claims.get("org"), scopes, claims.get("client_id"))
    return principal, float(claims["exp"]) + LEEWAY_SECONDS


def issue_refresh_token(backend: Backend, grant: dict[str, Any]) -> str:
    plaintext = secrets.token_urlsafe(32)
    now = dates.now()
    backend.control(REFRESH_TOKENS).insert(
        {
            "_id": sha256_hex(plaintext),
            "grantId": grant["_id"],
            "clientId": grant["clientId"],
            "createdAt": now,
            "expiresAt": now + REFRESH_TTL,
            "rotatedAt": None,
        }
    )
    return plaintext


def find_refresh_token(backend: Backend, plaintext: Any) -> dict[str, Any] | None:
    return backend.control(REFRESH_TOKENS).get(sha256_hex(plaintext)) if isinstance(plaintext, str) else None


def usable_refresh_token(backend: Backend, plaintext: str, client_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The refresh token and its live grant. A token that was already rotated revokes the grant (replay)."""
    doc = find_refresh_token(backend, plaintext)
    if doc is None or doc["clientId"] != client_id:
        raise BkendError("oauth/invalid-grant", "Unknown refresh token")
    if dates.iso(doc["expiresAt"]) <= dates.iso(dates.now()):
        raise BkendError("oauth/invalid-grant", "The refresh token has expired; authorize again")
    grant = live_grant(backend, doc["grantId"])
    if grant is None:
        raise BkendError("oauth/invalid-grant", "The refresh token has been revoked; authorize again")
    if doc.get("rotatedAt") is not None:
        _replayed(backend, grant)
    return doc, grant


def spend_refresh_token(backend: Backend, doc: dict[str, Any], grant: dict[str, Any]) -> None:
    """Mark the token used, once: of two concurrent uses, the loser is a replay and revokes the grant."""
    spent = backend.control(REFRESH_TOKENS).update(
        doc["_id"], {"rotatedAt": dates.now()}, guard=Cond("rotatedAt", "eq", None)
    )
    if spent is None:
        _replayed(backend, grant)


def _replayed(backend: Backend, grant: dict[str, Any]) -> None:
    revoke_grant(backend, grant["_id"])
    raise BkendError("oauth/invalid-grant", "The refresh token was already used; every token of this grant is revoked")
