"""One file by id (spec/storage.md §2.2.7, §2.2.9-§2.2.11): read, change its metadata, delete it, get a URL to
download it. Reads follow the visibility table; changes are for the owner and admins only."""

from __future__ import annotations

import logging
from typing import Any

from bkend_mcp.blobs.base import BlobError
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import image_cache, intents, records, rules
from bkend_mcp.domain.files.access import require_owner, require_read, require_writer
from bkend_mcp.domain.files.registration import apply_visibility, settle

log = logging.getLogger("bkend_mcp.files")
EXPIRES_IN_MIN = 60
DISPOSITIONS = ("inline", "attachment")


def find(backend: Backend, environment_id: str, file_id: str) -> dict[str, Any]:
    """The file record, registering an upload that completed unseen (C18); else 404."""
    doc = records.files(backend, environment_id).get(file_id) if isinstance(file_id, str) else None
    if doc is None:
        intent = intents.get(backend, environment_id, file_id) if isinstance(file_id, str) else None
        doc = settle(backend, environment_id, intent) if intent is not None else None
    if doc is None:
        raise BkendError("file/not-found", f"File '{file_id}' not found")
    return doc


def readable(backend: Backend, caller: Caller, file_id: str) -> dict[str, Any]:
    doc = find(backend, caller.environment_id, file_id)
    require_read(caller, doc, backend.config.storage.guest_read)
    return doc


def get_file(backend: Backend, caller: Caller, file_id: str) -> dict[str, Any]:
    """`GET /v1/files/{fileId}`: the owner's view, or the non-owner projection."""
    return records.view(backend, caller, readable(backend, caller, file_id))


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """Updatable keys (`originalName`, `visibility`, `metadata`, `sharedWith`, and `bucket`/`category`); others are
    ignored (clients send whole objects back)."""
    changes: dict[str, Any] = {}
    if "originalName" in body:
        changes["originalName"] = rules.filename(body["originalName"], "originalName")
    if "visibility" in body:
        changes["visibility"] = rules.choice(body["visibility"], "visibility", rules.VISIBILITIES, "public")
    if "bucket" in body or "category" in body:
        changes["bucket"] = rules.choice(body.get("bucket", body.get("category")), "bucket", rules.BUCKETS, "files")
    if "sharedWith" in body:
        changes["sharedWith"] = rules.shared_with(body["sharedWith"])
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        raise rules.invalid("metadata", "type", "'metadata' must be an object")
    return changes


def _merged_metadata(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Shallow merge at the first level; a key set to null is removed; `custom` is replaced whole."""
    merged = {**current, **patch}
    return rules.metadata({k: v for k, v in merged.items() if v is not None})


def update_file(backend: Backend, caller: Caller, file_id: str, body: Any) -> dict[str, Any]:
    """`PATCH /v1/files/{fileId}` → the updated file object."""
    require_writer(caller)
    body = rules.body_object(body)
    doc = find(backend, caller.environment_id, file_id)
    require_owner(caller, doc)
    changes = _changes(body)
    if isinstance(body.get("metadata"), dict):
        changes["metadata"] = _merged_metadata(doc.get("metadata") or {}, body["metadata"])
    if not changes:
        return records.view(backend, caller, doc)
    changes["updatedAt"] = dates.now()
    updated = records.files(backend, caller.environment_id).update(doc["_id"], changes)
    if updated is None:
        raise BkendError("file/not-found", f"File '{file_id}' not found")
    if changes.get("visibility", doc["visibility"]) != doc["visibility"]:
        apply_visibility(backend, updated["s3Key"], updated["visibility"])
    return records.view(backend, caller, updated)


def delete_file(backend: Backend, caller: Caller, file_id: str) -> dict[str, Any]:
    """`DELETE /v1/files/{fileId}` → `{}`: the record, the object and cached transforms go. A failed object delete
    is queued and retried by the sweep; it never fails the call once the record is gone."""
    require_writer(caller)
    doc = find(backend, caller.environment_id, file_id)
    require_owner(caller, doc, "delete")
    if not remove(backend, caller.environment_id, doc):
        raise BkendError("file/not-found", f"File '{file_id}' not found")
    return {}


def remove(backend: Backend, environment_id: str, doc: dict[str, Any]) -> bool:
    """Delete a file record with its intent, cached transforms and object; False when it was already gone."""
    if not records.files(backend, environment_id).delete(doc["_id"]):
        return False
    intents.intents(backend, environment_id).delete(doc["_id"])
    image_cache.purge(backend, doc["s3Key"])
    remove_object(backend, environment_id, doc["s3Key"])
    return True


def remove_object(backend: Backend, environment_id: str, key: str) -> None:
    try:
        backend.blobs.delete(key)
    except BlobError as exc:
        log.warning("object delete failed (%s); queued for retry", exc.code)
        outbox = backend.data(environment_id, records.DELETIONS)
        outbox.insert({"_id": intents.new_file_id(), "key": key, "attempts": 0, "createdAt": dates.now()})


def _download_options(backend: Backend, body: Any) -> tuple[int, str]:
    body = body if isinstance(body, dict) else {}
    ttl = backend.config.storage.download_url_ttl
    expires_in = body.get("expiresIn", ttl)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or not EXPIRES_IN_MIN <= expires_in <= ttl:
        raise rules.invalid("expiresIn", "range", f"'expiresIn' must be {EXPIRES_IN_MIN}-{ttl} seconds")
    return expires_in, rules.choice(body.get("disposition"), "disposition", DISPOSITIONS, "inline")


def signed_download(backend: Backend, doc: dict[str, Any], expires_in: int, disposition: str = "inline") -> str:
    header = rules.content_disposition(doc["originalName"], doc["mimeType"], disposition)
    return backend.blobs.presign_get(doc["s3Key"], expires_in, content_type=doc["mimeType"], disposition=header)


def download_url(backend: Backend, caller: Caller, file_id: str, body: Any = None) -> dict[str, Any]:
    """`POST /v1/files/{fileId}/download-url` → `{url, filename, contentType, size, expiresAt}`. Public files get
    their permanent URL (`expiresAt: null`); the others a signed URL (default 1 h; `expiresIn` may shorten it)."""
    expires_in, disposition = _download_options(backend, body)
    doc = readable(backend, caller, file_id)
    answer = {"filename": doc["originalName"], "contentType": doc["mimeType"], "size": doc["size"]}
    if doc["visibility"] == "public" and disposition == "inline":
        return {"url": records.public_url(backend, doc["s3Key"]), **answer, "expiresAt": None}
    url = signed_download(backend, doc, expires_in, disposition)
    return {"url": url, **answer, "expiresAt": dates.iso(dates.after(expires_in))}
