"""API keys: `pk_` publishable and `sk_` secret, stored as SHA-256 (plus an encrypted copy of `pk_` plaintext so
the console can show it again, spec/data.md §5.9), with `{table}:{op}` scopes.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.backend import CONTROL, Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Cond, Query

KEY_FORMAT = re.compile(r"^(pk|sk)_[a-fA-F0-9]{64}$")
KEY_TYPES = {"publishable": "pk_", "secret": "sk_"}
DATA_OPERATIONS = ("create", "read", "list", "update", "delete")
SCOPE = re.compile(r"^(\*|[A-Za-z_][A-Za-z0-9_-]{0,63}):(\*|create|read|list|update|delete)$")
LAST_USED_RESOLUTION_SECONDS = 60


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])


def check_scopes(scopes: Any) -> tuple[str, ...] | None:
    if scopes is None:
        return None
    if not isinstance(scopes, list) or not all(isinstance(s, str) and SCOPE.match(s) for s in scopes):
        raise _invalid(
            "scopes",
            "'scopes' must be a list of '{table}:{op}' strings (op: create, read, list, "
            "update, delete; '*' allowed for either part)",
        )
    return tuple(scopes)


def scope_allows(scopes: tuple[str, ...] | None, table: str, op: str) -> bool:
    """`None` is unrestricted; `read` also grants `list` (spec/data.md §5.9)."""
    if scopes is None:
        return True
    ops = (op, "read") if op == "list" else (op,)
    return any(f"{t}:{o}" in scopes for t in (table, "*") for o in (*ops, "*"))


def create_key(
    backend: Backend,
    *,
    project_id: str,
    environment_id: str,
    organization_id: str,
    key_type: str,
    name: str,
    created_by: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> dict[str, Any]:
    """A new key. The returned object carries the plaintext `key`: the only time a secret key is shown."""
    if key_type not in KEY_TYPES:
        raise _invalid("type", "'type' must be 'publishable' or 'secret'")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise _invalid("name", "'name' must be a non-empty string of at most 100 characters")
    plaintext = KEY_TYPES[key_type] + secrets.token_hex(32)
    doc: dict[str, Any] = {
        "_id": ids.short_id("key_"),
        "type": key_type,
        "name": name,
        "keyHash": sha256_hex(plaintext),
        "keyPreview": f"{plaintext[:7]}…{plaintext[-4:]}",
        "organizationId": organization_id,
        "projectId": project_id,
        "environmentId": environment_id,
        "scopes": list(check_scopes(scopes)) if scopes is not None else None,
        "expiresAt": expires_at,
        "revokedAt": None,
        "createdBy": created_by,
        "createdAt": dates.now(),
        "lastUsedAt": None,
    }
    if key_type == "publishable":
        doc["keyEncrypted"] = backend.keyring.encrypt(plaintext)
    backend.control("api_keys").insert(doc)
    return {**public_key(backend, doc), "key": plaintext}


def public_key(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    """A key as management shows it: never a hash; the plaintext only for publishable keys."""
    out = {k: v for k, v in doc.items() if k not in ("_id", "keyHash", "keyEncrypted")}
    out = {"id": doc["_id"], "prefix": KEY_TYPES[doc["type"]], **out}
    for key in ("createdAt", "expiresAt", "revokedAt", "lastUsedAt"):
        if out.get(key) is not None:
            out[key] = dates.iso(out[key])
    if "keyEncrypted" in doc:
        out["key"] = backend.keyring.decrypt(doc["keyEncrypted"])
    return out


def list_keys(backend: Backend, environment_id: str) -> list[dict[str, Any]]:
    docs = backend.control("api_keys").find(Query(Cond("environmentId", "eq", environment_id, scalar=True)))
    return [public_key(backend, d) for d in docs]


def revoke_key(backend: Backend, environment_id: str, key_id: str) -> dict[str, Any]:
    doc = backend.control("api_keys").update(
        key_id, {"revokedAt": dates.now()}, guard=Cond("environmentId", "eq", environment_id, scalar=True)
    )
    if doc is None:
        raise BkendError("common/not-found", f"API key '{key_id}' not found")
    return public_key(backend, doc)


def delete_key(backend: Backend, environment_id: str, key_id: str) -> None:
    if not backend.control("api_keys").delete(key_id, guard=Cond("environmentId", "eq", environment_id, scalar=True)):
        raise BkendError("common/not-found", f"API key '{key_id}' not found")


def verify_key(backend: Backend, plaintext: str) -> dict[str, Any]:
    """The stored key for `plaintext`, or the 401 of spec/data.md §3.1 steps 3-4."""
    if not KEY_FORMAT.match(plaintext):
        raise BkendError("auth/invalid-token-format", "API key must be 'pk_' or 'sk_' followed by 64 hex characters")
    key_hash = sha256_hex(plaintext.lower())
    doc = backend.cache.get(("api_key", key_hash), lambda: _find_by_hash(backend, key_hash))
    if doc is None:
        raise BkendError("auth/unauthorized", "Invalid API key")
    if doc.get("revokedAt") is not None:
        raise BkendError("auth/api-key-revoked")
    now = dates.now()
    expires = doc.get("expiresAt")
    if expires is not None and dates.iso(expires) <= dates.iso(now):
        raise BkendError("auth/api-key-expired")
    _touch(backend, doc, now)
    return doc


def _find_by_hash(backend: Backend, key_hash: str) -> dict[str, Any] | None:
    """The stored key with this hash. Cached by `verify_key` for `CACHE_TTL_SECONDS` at most; revoking or deleting
    a key through any backend of this process clears the cache at once (spec/data.md §9 item 38)."""
    found = backend.control("api_keys").find(Query(Cond("keyHash", "eq", key_hash, scalar=True), limit=1))
    return found[0] if found else None


def _touch(backend: Backend, doc: dict[str, Any], now: datetime) -> None:
    """Record use at most once a minute, so verifying a key is not a write per request. The write goes around
    the cache-clearing wrapper: `lastUsedAt` is not something a cached lookup depends on."""
    last = doc.get("lastUsedAt")
    if isinstance(last, str):  # parsed once per cached copy of the key, not on every request
        last = doc["lastUsedAt"] = _as_datetime(last)
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        backend.store.collection(CONTROL, "api_keys").update(doc["_id"], {"lastUsedAt": now})
        doc["lastUsedAt"] = now


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else (dates.parse(value) or dates.now())
