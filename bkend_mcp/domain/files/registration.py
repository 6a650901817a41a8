"""Registering file metadata (spec/storage.md §2.2.6, the `/v1/files/{fileId}/complete` alias of §2.8) and the
automatic registration of compat C18.

An upload is registered automatically when its bytes are complete (local PUT, multipart complete, or the first
time the server sees the object on S3: a lookup or the sweep). That record is marked `registration: auto`; the
issuer's later `POST /v1/files` claims it, applying the body's name, visibility, bucket, size-checked metadata,
and answers 201 as if it had made it. Registering a claimed key again is 409.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.blobs.base import BlobError, ObjectInfo
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import image_cache, intents, records, rules
from bkend_mcp.domain.files.access import require_issuer, require_writer
from bkend_mcp.store.base import DuplicateKey

CLAIMABLE = ("originalName", "visibility", "bucket", "width", "height", "metadata", "sharedWith")


def check_object(backend: Backend, mime: str, info: ObjectInfo) -> None:
    """The actual size against the type's limits; a violating object is removed before the error is raised."""
    try:
        rules.check_size(info.size, backend.config.storage, mime, "size")
    except BkendError:
        backend.blobs.delete(info.key)
        raise


def apply_visibility(backend: Backend, key: str, visibility: str) -> None:
    """Make the store's view follow the record: public objects readable (where the store can), others purged from
    the image cache at once (§2.2.9)."""
    try:
        backend.blobs.set_public(key, visibility == "public")
    except BlobError:
        pass
    if visibility != "public":
        image_cache.purge(backend, key)


def auto_register(
    backend: Backend, environment_id: str, intent: dict[str, Any], info: ObjectInfo, registration: str = "auto"
) -> dict[str, Any]:
    """C18: the record of an upload whose bytes are complete, from what its intent says. `registration` is `auto`
    (the issuer may still claim it with `POST /v1/files`) or `client` (the upload came through the API)."""
    doc = records.new_record(intent, info, registration)
    try:
        records.files(backend, environment_id).insert(doc)
    except DuplicateKey:
        existing = records.find_by_key(backend, environment_id, intent["key"])
        assert existing is not None
        return existing
    intents.mark(backend, environment_id, intent, "registered")
    apply_visibility(backend, doc["s3Key"], doc["visibility"])
    return doc


def settle(backend: Backend, environment_id: str, intent: dict[str, Any]) -> dict[str, Any] | None:
    """A pending single upload whose object may have arrived on a store that does not tell us (S3): register it if
    it is there and within limits."""
    if intent["status"] != "pending" or intent["kind"] != "single":
        return None
    info = backend.blobs.head(intent["key"])
    if info is None:
        return None
    try:
        check_object(backend, intent["contentType"], info)
    except BkendError:
        return None
    return auto_register(backend, environment_id, intent, info)


def _fields(backend: Backend, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """§2.2.6 step 2, in its order."""
    config = backend.config.storage
    key = rules.check_key(body.get("s3Key", body.get("key")), records.scope(backend, caller))
    name = rules.filename(body.get("originalName"), "originalName")
    mime = rules.normalize_mime(rules.content_type(body.get("mimeType"), config, "mimeType"))
    if body.get("size") is None:
        raise rules.invalid("size", "required", "'size' is required (bytes)")
    rules.size(body.get("size"), config, mime, "size")
    fields: dict[str, Any] = {
        "s3Key": key,
        "originalName": name,
        "mimeType": mime,
        "width": rules.positive_int(body.get("width"), "width"),
        "height": rules.positive_int(body.get("height"), "height"),
        "visibility": rules.maybe_choice(body.get("visibility"), "visibility", rules.VISIBILITIES),
        "bucket": rules.maybe_choice(body.get("bucket"), "bucket", rules.BUCKETS),
        "metadata": rules.metadata(body.get("metadata")),
        "sharedWith": rules.shared_with(body.get("sharedWith")),
    }
    if caller.is_admin:
        fields["ownerType"] = rules.maybe_choice(body.get("ownerType"), "ownerType", ("user", "service", "public"))
        fields["ownerId"] = body.get("ownerId") if isinstance(body.get("ownerId"), str) else None
    return fields


def register(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """`POST /v1/files` → 201 file object."""
    require_writer(caller)
    fields = _fields(backend, caller, rules.body_object(body))
    existing = records.find_by_key(backend, caller.environment_id, fields["s3Key"])
    if existing is not None:
        return _claim(backend, caller, existing, fields)
    intent = _intent_for(backend, caller, fields)
    info = backend.blobs.head(fields["s3Key"])
    if info is None:
        raise BkendError("file/not-found", "Nothing was uploaded at this s3Key yet: PUT the bytes to the URL first")
    check_object(backend, fields["mimeType"], info)
    if rules.normalize_mime(intent["contentType"]) != fields["mimeType"]:
        raise _mime_mismatch(intent["contentType"])
    doc = records.new_record(intent, info, "client", **{k: v for k, v in fields.items() if k != "s3Key"})
    try:
        records.files(backend, caller.environment_id).insert(doc)
    except DuplicateKey as exc:
        raise BkendError("file/s3-key-already-exists", "This s3Key is already registered") from exc
    if intent.get("status") == "pending":
        intents.mark(backend, caller.environment_id, intent, "registered")
    apply_visibility(backend, doc["s3Key"], doc["visibility"])
    return records.view(backend, caller, doc)


def _mime_mismatch(issued: str) -> BkendError:
    message = f"'mimeType' differs from the content type the upload URL was issued for ({issued})"
    return BkendError("file/invalid-format", message, [{"field": "mimeType", "reason": "enum", "message": message}])


def _intent_for(backend: Backend, caller: Caller, fields: dict[str, Any]) -> dict[str, Any]:
    """§2.2.6 step 4: the caller's pending upload of this key. Admins may register an object the server never
    issued (e.g. copied into the bucket), which gets a new id."""
    intent = intents.by_key(backend, caller.environment_id, fields["s3Key"])
    if intent is None:
        if not caller.is_admin:
            raise BkendError("file/access-denied", "This s3Key was not issued to you in this environment")
        return {
            "_id": intents.new_file_id(), "key": fields["s3Key"], "filename": fields["originalName"],
            "contentType": fields["mimeType"], "visibility": "public", "category": rules.DEFAULT_BUCKET,
            **intents.owner_of(caller),
        }  # fmt: skip
    require_issuer(caller, intent)
    if intent["status"] != "pending":
        raise BkendError("file/not-found", f"This upload is {intent['status']}; issue a new upload URL")
    if intent["kind"] == "multipart":
        raise BkendError("file/not-found", "This multipart upload is not complete: call multipart/complete first")
    return intent


def _claim(
    backend: Backend, caller: Caller, existing: dict[str, Any], fields: dict[str, Any], *, conflict: bool = True
) -> dict[str, Any]:
    """Registration of a key the upload already registered (C18): the issuer's fields win, once."""
    if existing.get("registration") != "auto" or not (caller.is_admin or records.is_owner(caller, existing)):
        if conflict:
            raise BkendError("file/s3-key-already-exists", "This s3Key is already registered")
        require_issuer(caller, existing)
        return records.view(backend, caller, existing)
    if fields.get("mimeType") and fields["mimeType"] != existing["mimeType"]:
        raise _mime_mismatch(existing["mimeType"])
    changes = {k: fields[k] for k in CLAIMABLE if fields.get(k) not in (None, [], {})}
    changes.update(registration="client", updatedAt=dates.now())
    updated = records.files(backend, caller.environment_id).update(existing["_id"], changes) or existing
    apply_visibility(backend, updated["s3Key"], updated["visibility"])
    return records.view(backend, caller, updated)


def complete_by_id(backend: Backend, caller: Caller, file_id: str, body: Any) -> tuple[dict[str, Any], bool]:
    """`POST /v1/files/{fileId}/complete` (MCP docs' flow): register from the intent, no body needed. Returns the
    file object and whether this call registered it (201) or it already was (200)."""
    require_writer(caller)
    body = rules.body_object(body)
    extra = {
        "originalName": rules.filename(body["originalName"], "originalName") if body.get("originalName") else None,
        "width": rules.positive_int(body.get("width"), "width"),
        "height": rules.positive_int(body.get("height"), "height"),
        "metadata": rules.metadata(body.get("metadata")) if body.get("metadata") is not None else None,
    }
    existing = records.files(backend, caller.environment_id).get(file_id)
    if existing is not None:
        claimed = existing.get("registration") == "auto"
        return _claim(backend, caller, existing, extra, conflict=False), claimed
    intent = intents.get(backend, caller.environment_id, file_id)
    if intent is None:
        raise BkendError("file/not-found", f"No upload or file '{file_id}' in this environment")
    require_issuer(caller, intent)
    settled = settle(backend, caller.environment_id, intent)
    if settled is None:
        raise BkendError("file/not-found", "Nothing was uploaded for this file yet: PUT the bytes to the URL first")
    return _claim(backend, caller, settled, extra), True
