"""Who is calling the MCP endpoints over HTTP: the principal behind an `Authorization: Bearer` header.

`BKEND_MCP_AUTH=oauth` (default) accepts OAuth access tokens and personal access tokens (`mcp_…`); `token` accepts
only personal access tokens; `none` (loopback only) needs no header and acts as the local owner with `*:*`.
"""

from __future__ import annotations

import time

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth_tokens, pats
from bkend_mcp.domain.principal import ALL, Principal
from bkend_mcp.domain.secrets import sha256_hex


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BkendError("oauth/invalid-token", "Authentication required: send Authorization: Bearer <token>")
    return token.strip()


def authenticate_bearer(backend: Backend, authorization: str | None) -> Principal:
    """The principal of a valid token. Its check against the store is remembered while nothing can have changed its
    answer: the answer is kept in the control cache under the store's marker of other processes' writes
    (`DocumentStore.external_changes`); a write to tokens, grants or organizations through this backend clears the
    cache, another process's write changes the marker, and an expired token is checked again (and refused). So a
    token revoked anywhere fails on the next request. A refusal is never remembered; on an engine without a marker
    (MongoDB) every request is checked against the store."""
    token = bearer_token(authorization)
    marker = backend.store.external_changes()
    if marker is None:
        return _checked(backend, token)[0]
    principal, expires = backend.cache.get(("bearer", sha256_hex(token), marker), lambda: _checked(backend, token))
    if expires is not None and time.time() >= expires:
        return _checked(backend, token)[0]
    return principal


def _checked(backend: Backend, token: str) -> tuple[Principal, float | None]:
    """The token's principal and the Unix time it expires at, read from the store; refusals raise."""
    if token.startswith(pats.PAT_PREFIX):
        return pats.checked_pat(backend, token)
    if backend.config.mcp_auth != "oauth":
        raise BkendError("oauth/invalid-token", "This server accepts personal access tokens (mcp_...) only")
    return oauth_tokens.checked_access_token(backend, token)


def local_owner_principal(backend: Backend, client_id: str = "local") -> Principal:
    """The local owner with every scope, in its `local` organization (the stdio and `none` identity)."""
    owner = tenancy.ensure_local_owner(backend)["id"]
    orgs = tenancy.list_organizations(backend, owner)
    local = next((o for o in orgs if o["slug"] == "local"), orgs[0] if orgs else None)
    return Principal(owner, ALL, local["id"] if local else None, client_id)
