"""The one-time setup link that lets the local owner choose its console e-mail and password in a browser.

`bkend-mcp serve` prints `<base>/console/setup?token=…` at start while the owner has no password;
`bkend-mcp owner setup-link` prints a fresh one at any time (a lost password). The token is 256 random bits, valid
one hour, stored as SHA-256 and usable once; issuing a new link retires the older ones.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from bkend_mcp.domain import dates, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console.console_collections import SETUP_TOKENS, TENANTS
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Cond, Query

TTL = timedelta(hours=1)
SETUP_PATH = "/console/setup"


def needs_setup(backend: Backend) -> bool:
    owner = backend.control(TENANTS).get(tenancy.LOCAL_OWNER_ID)
    return owner is None or not owner.get("passwordHash")


def issue_link(backend: Backend) -> str:
    """A fresh setup URL; every earlier unused link stops working."""
    tokens = backend.control(SETUP_TOKENS)
    for doc in tokens.find(Query(Cond("usedAt", "eq", None, scalar=True))):
        tokens.delete(doc["_id"])
    token = secrets.token_urlsafe(32)
    now = dates.now()
    tokens.insert({"_id": sha256_hex(token), "createdAt": now, "expiresAt": now + TTL, "usedAt": None})
    return f"{backend.config.base_url}{SETUP_PATH}?token={token}"


def link_at_start(backend: Backend) -> str | None:
    """The link `serve` prints: only while the local owner cannot sign in yet."""
    return issue_link(backend) if needs_setup(backend) else None


def usable(backend: Backend, token: Any) -> dict[str, Any]:
    doc = backend.control(SETUP_TOKENS).get(sha256_hex(token)) if isinstance(token, str) and token else None
    if doc is None or doc.get("usedAt") is not None:
        raise BkendError(
            "auth/invalid-token", "This setup link is unknown or already used; run: bkend-mcp owner setup-link"
        )
    if dates.iso(doc["expiresAt"]) <= dates.iso(dates.now()):
        raise BkendError("auth/token-expired", "This setup link has expired; run: bkend-mcp owner setup-link")
    return doc


def status(backend: Backend, token: Any) -> dict[str, Any]:
    doc = usable(backend, token)
    owner = backend.control(TENANTS).get(tenancy.LOCAL_OWNER_ID) or {}
    return {"valid": True, "expiresAt": dates.iso(doc["expiresAt"]), "email": owner.get("email")}


def spend(backend: Backend, token: Any) -> None:
    """Use the link once: of two racing submissions, one wins."""
    doc = usable(backend, token)
    if (
        backend.control(SETUP_TOKENS).update(doc["_id"], {"usedAt": dates.now()}, guard=Cond("usedAt", "eq", None))
        is None
    ):
        raise BkendError("auth/invalid-token", "This setup link was already used")
