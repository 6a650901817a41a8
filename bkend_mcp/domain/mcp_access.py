"""Who is calling the MCP endpoints over HTTP: the principal behind an `Authorization: Bearer` header.

`BKEND_MCP_AUTH=oauth` (default) accepts OAuth access tokens and personal access tokens (`mcp_…`); `token` accepts
only personal access tokens; `none` (loopback only) needs no header and acts as the local owner with `*:*`.
"""

from __future__ import annotations

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth_tokens, pats
from bkend_mcp.domain.principal import ALL, Principal


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BkendError("oauth/invalid-token", "Authentication required: send Authorization: Bearer <token>")
    return token.strip()


def authenticate_bearer(backend: Backend, authorization: str | None) -> Principal:
    token = bearer_token(authorization)
    if token.startswith(pats.PAT_PREFIX):
        return pats.principal_of_pat(backend, token)
    if backend.config.mcp_auth != "oauth":
        raise BkendError("oauth/invalid-token", "This server accepts personal access tokens (mcp_...) only")
    return oauth_tokens.principal_of_access_token(backend, token)


def local_owner_principal(backend: Backend, client_id: str = "local") -> Principal:
    """The local owner with every scope, in its `local` organization (the stdio and `none` identity)."""
    owner = tenancy.ensure_local_owner(backend)["id"]
    orgs = tenancy.list_organizations(backend, owner)
    local = next((o for o in orgs if o["slug"] == "local"), orgs[0] if orgs else None)
    return Principal(owner, ALL, local["id"] if local else None, client_id)
