"""MCP personal access tokens: `mcp_` + 64 hex characters, for scripts and AI tools configured with a header.

A token belongs to one tenant and one organization, carries MCP scopes (wildcards allowed, spec/mcp-and-console.md
§1.3.4) and may expire. Only its SHA-256 is stored; the plaintext is shown once, at creation.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, ids, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import ALL, Principal, check_scope_list
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.domain.team import org_roles
from bkend_mcp.store.base import Cond, Query

PAT_FORMAT = re.compile(r"^mcp_[0-9a-f]{64}$")
PAT_PREFIX = "mcp_"
COLLECTION = "mcp_tokens"
MAX_EXPIRY_DAYS = 3650
LAST_USED_RESOLUTION_SECONDS = 60


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])


def create_pat(
    backend: Backend,
    *,
    tenant_id: str,
    organization_id: str,
    scopes: list[str] | None = None,
    name: str = "personal token",
    expires_days: int | None = None,
) -> dict[str, Any]:
    """A new token for a member of `organization_id`. The result carries the plaintext `token`, shown only here."""
    tenancy.get_organization(backend, tenant_id, organization_id)
    granted = check_scope_list(list(scopes)) if scopes else ALL
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise _invalid("name", "'name' must be a non-empty string of at most 100 characters")
    if expires_days is not None and not (isinstance(expires_days, int) and 0 < expires_days <= MAX_EXPIRY_DAYS):
        raise _invalid("expiresDays", f"'expiresDays' must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}")
    plaintext = PAT_PREFIX + secrets.token_hex(32)
    now = dates.now()
    doc: dict[str, Any] = {
        "_id": ids.short_id("pat_"),
        "name": name,
        "tokenHash": sha256_hex(plaintext),
        "tokenPreview": f"{plaintext[:8]}…{plaintext[-4:]}",
        "tenantId": tenant_id,
        "organizationId": organization_id,
        "scopes": list(granted),
        "expiresAt": now + timedelta(days=expires_days) if expires_days else None,
        "revokedAt": None,
        "createdAt": now,
        "lastUsedAt": None,
    }
    backend.control(COLLECTION).insert(doc)
    return {**public_pat(doc), "token": plaintext}


def public_pat(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "tokenHash")}}
    for key in ("createdAt", "expiresAt", "revokedAt", "lastUsedAt"):
        if out.get(key) is not None:
            out[key] = dates.iso(out[key])
    return out


def list_pats(backend: Backend, tenant_id: str) -> list[dict[str, Any]]:
    docs = backend.control(COLLECTION).find(Query(Cond("tenantId", "eq", tenant_id, scalar=True)))
    return [public_pat(d) for d in docs]


def revoke_pat(backend: Backend, tenant_id: str, pat_id: str) -> dict[str, Any]:
    doc = backend.control(COLLECTION).update(
        pat_id, {"revokedAt": dates.now()}, guard=Cond("tenantId", "eq", tenant_id, scalar=True)
    )
    if doc is None:
        raise BkendError("common/not-found", f"Personal access token '{pat_id}' not found")
    return public_pat(doc)


def verify_pat(backend: Backend, plaintext: str) -> dict[str, Any]:
    """The stored token for `plaintext`; any failure is `oauth/invalid-token` naming what is wrong."""
    if not PAT_FORMAT.match(plaintext):
        raise BkendError("oauth/invalid-token", "A personal access token is 'mcp_' followed by 64 hex characters")
    found = backend.control(COLLECTION).find(
        Query(Cond("tokenHash", "eq", sha256_hex(plaintext), scalar=True), limit=1)
    )
    if not found:
        raise BkendError("oauth/invalid-token", "Unknown personal access token")
    doc = found[0]
    now = dates.now()
    if doc.get("revokedAt") is not None:
        raise BkendError("oauth/invalid-token", "The personal access token has been revoked")
    expires = doc.get("expiresAt")
    if expires is not None and dates.iso(expires) <= dates.iso(now):
        raise BkendError("oauth/invalid-token", "The personal access token has expired")
    _touch(backend, doc, now)
    return doc


def _touch(backend: Backend, doc: dict[str, Any], now: datetime) -> None:
    """Record use at most once a minute, so verifying a token is not a write per request."""
    last = doc.get("lastUsedAt")
    last_at = dates.parse(last) if isinstance(last, str) else last
    if last_at is None or (now - last_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        backend.control(COLLECTION).update(doc["_id"], {"lastUsedAt": now})


def principal_of_pat(backend: Backend, plaintext: str) -> Principal:
    """The token's tenant in its organization, with the token's scopes capped by the tenant's role there."""
    return checked_pat(backend, plaintext)[0]


def checked_pat(backend: Backend, plaintext: str) -> tuple[Principal, float | None]:
    """`principal_of_pat`, and the Unix time the token expires at (None: never)."""
    doc = verify_pat(backend, plaintext)
    principal = org_roles.principal_in(
        backend, doc["tenantId"], doc["organizationId"], doc["scopes"], f"pat:{doc['_id']}"
    )
    expires = doc.get("expiresAt")
    expires_at = dates.parse(expires) if isinstance(expires, str) else expires
    return principal, expires_at.timestamp() if expires_at is not None else None
