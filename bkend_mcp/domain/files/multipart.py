"""Multipart uploads (spec/storage.md §2.2.2-§2.2.5, §2.4): init, a URL per part, complete, abort.

Parts may arrive in any order and be retried; `complete` sorts them, accepts ETags with or without quotes and
registers the assembled object at once (compat C18). Only the issuer (or an admin) may continue an upload.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.blobs.base import MAX_PART_NUMBER, MIN_PART_BYTES, BlobError, Part
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import intents, rules
from bkend_mcp.domain.files.access import require_writer
from bkend_mcp.domain.files.registration import auto_register, check_object
from bkend_mcp.domain.files.uploads import upload_fields

PART_SIZE_HINT = 10 * 1024 * 1024
COMPLETE_ERRORS = {
    "NoSuchUpload": ("file/not-found", "No such multipart upload (aborted or expired)"),
    "InvalidPart": ("file/invalid-parts-array", "A listed part was not uploaded or its ETag does not match"),
    "InvalidPartOrder": ("file/invalid-parts-array", "Parts must be listed once each, in ascending order"),
    "EntityTooSmall": ("file/file-too-small", "Every part but the last must be at least 5 MiB"),
}
"""Object-store error → (our code, message) when assembling."""


def init_multipart(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """`POST /v1/files/multipart/init` → `{uploadId, key, filename, fileId, partSize, maxParts, minPartSize}`."""
    require_writer(caller)
    fields = upload_fields(backend, caller, body, size_required=True)
    ttl = backend.config.storage.pending_ttl
    intent = intents.create(backend, caller, kind="multipart", ttl=ttl, **fields)
    try:
        upload_id = backend.blobs.create_multipart(intent["key"], fields["content_type"])
    except BlobError as exc:
        intents.intents(backend, caller.environment_id).delete(intent["_id"])
        raise BkendError("file/upload-init-failed", f"The object store refused the upload ({exc.code})") from exc
    intents.intents(backend, caller.environment_id).update(intent["_id"], {"uploadId": upload_id})
    return {
        "uploadId": upload_id,
        "key": intent["key"],
        "filename": fields["filename"],
        "fileId": intent["_id"],
        "partSize": PART_SIZE_HINT,
        "maxParts": MAX_PART_NUMBER,
        "minPartSize": MIN_PART_BYTES,
    }


def part_number(value: Any, field: str = "partNumber") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PART_NUMBER:
        message = f"'{field}' must be an integer from 1 to {MAX_PART_NUMBER}"
        raise BkendError(
            "file/invalid-part-number-range", message, [{"field": field, "reason": "range", "message": message}]
        )
    return value


def _open_upload(backend: Backend, caller: Caller, body: Any, upload_id: str | None) -> dict[str, Any]:
    require_writer(caller)
    body = rules.body_object(body)
    intent = intents.by_upload(backend, caller, upload_id or body.get("uploadId"), body.get("key"))
    return intent


def part_url(backend: Backend, caller: Caller, body: Any, upload_id: str | None = None) -> dict[str, Any]:
    """`POST /v1/files/multipart/presigned-url` (alias `…/multipart/{uploadId}/part-url`) → `{url, partNumber}`."""
    intent = _open_upload(backend, caller, body, upload_id)
    if intent["status"] != "pending":
        raise BkendError("file/not-found", f"This multipart upload is {intent['status']}")
    number = part_number(body.get("partNumber"))
    ttl = backend.config.storage.upload_url_ttl
    max_bytes = rules.size_limit(backend.config.storage, intent["contentType"])
    url = backend.blobs.presign_part(intent["key"], intent["uploadId"], number, ttl, max_bytes)
    return {"url": url, "partNumber": number, "expiresAt": dates.iso(dates.after(ttl))}


def _parts(value: Any) -> list[Part]:
    def bad(message: str) -> BkendError:
        return BkendError(
            "file/invalid-parts-array", message, [{"field": "parts", "reason": "type", "message": message}]
        )

    if not isinstance(value, list) or not value:
        raise bad("'parts' must be a non-empty array of {partNumber, etag}")
    parts = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("etag") or item.get("ETag"), str):
            raise bad(f"parts[{index}] must be an object with partNumber and etag")
        etag = str(item.get("etag") or item.get("ETag")).strip().strip('"').lower()
        parts.append(
            Part(part_number(item.get("partNumber", item.get("PartNumber")), f"parts[{index}].partNumber"), etag)
        )
    if len({p.number for p in parts}) != len(parts):
        raise bad("'parts' lists a partNumber more than once")
    return sorted(parts, key=lambda p: p.number)


def complete(backend: Backend, caller: Caller, body: Any, upload_id: str | None = None) -> dict[str, Any]:
    """`POST /v1/files/multipart/complete` → `{key, location, fileId}`; the file is registered (C18)."""
    intent = _open_upload(backend, caller, body, upload_id)
    done = {"key": intent["key"], "location": backend.blobs.object_url(intent["key"]), "fileId": intent["_id"]}
    if intent["status"] == "registered":
        return done
    if intent["status"] != "pending":
        raise BkendError("file/not-found", f"This multipart upload is {intent['status']}")
    parts = _parts(body.get("parts"))
    try:
        info = backend.blobs.complete_multipart(intent["key"], intent["uploadId"], parts)
    except BlobError as exc:
        code, message = COMPLETE_ERRORS.get(exc.code, ("file/storage-unavailable", "The object store failed"))
        raise BkendError(code, message) from exc
    check_object(backend, intent["contentType"], info)
    auto_register(backend, caller.environment_id, intent, info)
    return done


def abort(backend: Backend, caller: Caller, body: Any, upload_id: str | None = None) -> dict[str, Any]:
    """`POST /v1/files/multipart/abort` → `{success: true, key}`; idempotent for the issuer."""
    if upload_id is None and not rules.body_object(body).get("key"):
        raise rules.invalid("key", "required", "'key' and 'uploadId' are required")
    intent = _open_upload(backend, caller, body, upload_id)
    if intent["status"] == "registered":
        raise rules.invalid("uploadId", "state", "This upload is complete; delete the file instead")
    if intent["status"] == "pending":
        backend.blobs.abort_multipart(intent["key"], intent["uploadId"])
        intents.mark(backend, caller.environment_id, intent, "aborted")
    return {"success": True, "key": intent["key"]}
