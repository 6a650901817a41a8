"""Upload intents (spec/storage.md §1.6): the record of every upload URL issued, in the environment's
`_file_uploads`. It proves at registration that a key was issued to this caller here, carries the defaults the
upload asked for, lets the `/v1/files/{fileId}/complete` alias work without a body and lets cleanup find
abandoned uploads. Its `_id` is the pre-allocated file id.

Status: `pending` → `registered` (the object arrived and has a file record) | `aborted` (multipart cancelled) |
`expired` (never completed; cleaned up).
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import records, rules
from bkend_mcp.domain.files.access import require_issuer
from bkend_mcp.store.base import Collection, Cond, Query, all_of


def intents(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, records.INTENTS)


def new_file_id() -> str:
    """`file_` + a time-ordered UUIDv7 (hex): never one of the literal `/v1/files/...` path words."""
    return "file_" + ids.uuid7().hex


def owner_of(caller: Caller) -> dict[str, Any]:
    """§1.4: a user owns what they upload; a secret key's uploads belong to the service (no owner id)."""
    if caller.authenticated:
        return {"ownerId": caller.uid, "ownerType": "user"}
    return {"ownerId": None, "ownerType": "service"}


def create(
    backend: Backend,
    caller: Caller,
    *,
    kind: str,
    filename: str,
    content_type: str,
    file_size: int | None,
    visibility: str,
    category: str,
    ttl: int,
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pending upload; `owner` (`ownerId`, `ownerType`) defaults to the caller (`owner_of`)."""
    records.prepare(backend, caller.environment_id)
    file_id = new_file_id()
    now = dates.now()
    doc = {
        "_id": file_id,
        "key": rules.build_key(records.scope(backend, caller), category, file_id, filename, content_type),
        "kind": kind,
        "uploadId": None,
        **(owner or owner_of(caller)),
        "filename": filename,
        "contentType": content_type,
        "fileSize": file_size,
        "visibility": visibility,
        "category": category,
        "status": "pending",
        "createdAt": now,
        "urlExpiresAt": dates.after(ttl),
    }
    intents(backend, caller.environment_id).insert(doc)
    return doc


def get(backend: Backend, environment_id: str, file_id: str) -> dict[str, Any] | None:
    return intents(backend, environment_id).get(file_id)


def by_key(backend: Backend, environment_id: str, key: str) -> dict[str, Any] | None:
    found = intents(backend, environment_id).find(Query(Cond("key", "eq", key, scalar=True), limit=1))
    return found[0] if found else None


def by_upload(backend: Backend, caller: Caller, upload_id: Any, key: Any = None) -> dict[str, Any]:
    """The caller's multipart upload `upload_id` (and `key`, when given): 404 unknown, 403 someone else's."""
    if not isinstance(upload_id, str) or not upload_id:
        raise rules.invalid("uploadId", "required", "'uploadId' is required: the id multipart/init returned")
    if key is not None and not isinstance(key, str):
        raise rules.invalid("key", "type", "'key' must be the key multipart/init returned")
    conditions = [Cond("uploadId", "eq", upload_id, scalar=True)]
    if key is not None:
        conditions.append(Cond("key", "eq", key, scalar=True))
    found = intents(backend, caller.environment_id).find(Query(all_of(conditions), limit=1))
    if not found or found[0]["kind"] != "multipart":
        raise BkendError("file/not-found", "No such multipart upload in this environment")
    require_issuer(caller, found[0])
    return found[0]


def mark(backend: Backend, environment_id: str, intent: dict[str, Any], status: str) -> dict[str, Any]:
    changed = intents(backend, environment_id).update(intent["_id"], {"status": status, "updatedAt": dates.now()})
    return changed or {**intent, "status": status}
