"""Single uploads (spec/storage.md §2.2.1, §2.3; compat C17-C19, decision D6): issue a presigned PUT, and take
note when its bytes arrive.

Issuance needs only `{filename, contentType}` (C17); `fileSize`, `visibility` (default: the environment's
setting, `public` unless changed) and `category` (default `attachments`) are optional. When the bytes arrive the
object is checked against the limits and registered at once (C18), so a public upload is readable at its URL
without the query string (C19) even if the client never calls `POST /v1/files`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from bkend_mcp.blobs.base import BlobError, ObjectInfo
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import intents, records, rules, settings
from bkend_mcp.domain.files.access import require_writer
from bkend_mcp.domain.files.registration import auto_register, check_object


def upload_fields(backend: Backend, caller: Caller, body: Any, *, size_required: bool) -> dict[str, Any]:
    """The issuance fields in the order §2.2.1 checks them: filename → contentType → fileSize → visibility →
    category."""
    body = rules.body_object(body)
    config = backend.config.storage
    name = rules.filename(body.get("filename"))
    mime = rules.content_type(body.get("contentType"), config)
    size = body.get("fileSize")
    if size is None and size_required:
        raise rules.invalid("fileSize", "required", "'fileSize' is required for multipart uploads")
    file_size = None if size is None else rules.size(size, config, mime)
    default = settings.default_visibility(backend, caller.environment_id)
    return {
        "filename": name,
        "content_type": mime,
        "file_size": file_size,
        "visibility": rules.choice(body.get("visibility"), "visibility", rules.VISIBILITIES, default),
        "category": rules.choice(body.get("category"), "category", rules.BUCKETS, rules.DEFAULT_BUCKET),
    }


def issue_upload_url(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """`POST /v1/files/presigned-url` → `{url, key, filename, contentType, fileId, expiresAt, method, headers}`."""
    require_writer(caller)
    fields = upload_fields(backend, caller, body, size_required=False)
    config = backend.config.storage
    intent = intents.create(backend, caller, kind="single", ttl=config.upload_url_ttl, **fields)
    max_bytes = rules.size_limit(config, fields["content_type"])
    try:
        url = backend.blobs.presign_put(intent["key"], fields["content_type"], config.upload_url_ttl, max_bytes)
    except BlobError as exc:
        raise BkendError("file/bucket-not-configured", f"The object store refused to sign: {exc.code}") from exc
    return {
        "url": url,
        "key": intent["key"],
        "filename": fields["filename"],
        "contentType": fields["content_type"],
        "fileId": intent["_id"],
        "expiresAt": dates.iso(intent["urlExpiresAt"]),
        "method": "PUT",
        "headers": {"Content-Type": fields["content_type"]},
    }


def object_stored(backend: Backend, info: ObjectInfo) -> None:
    """The bytes of a single upload arrived (the local store's PUT route calls this before answering): check them
    and register the file (C18). Raises `file/file-too-large`/`file/file-too-small` after removing the object.
    An object with no pending upload (overwritten after registration) refreshes its record's size."""
    environment_id = records.environment_of_key(backend, info.key)
    if environment_id is None:
        return
    intent = intents.by_key(backend, environment_id, info.key)
    if intent is None or intent["kind"] != "single":
        return
    if intent["status"] == "registered":
        _refresh(backend, environment_id, intent, info)
        return
    check_object(backend, intent["contentType"], info)
    auto_register(backend, environment_id, intent, info)


def _refresh(backend: Backend, environment_id: str, intent: dict[str, Any], info: ObjectInfo) -> None:
    check_object(backend, intent["contentType"], info)
    changes = {"size": info.size, "etag": info.etag, "updatedAt": dates.now()}
    if records.files(backend, environment_id).update(intent["_id"], changes) is None:
        backend.blobs.delete(info.key)  # the file was deleted; a late PUT to its old URL leaves nothing behind


def _capped(chunks: Iterable[bytes], limit: int, mime: str) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise BkendError("file/file-too-large", f"{rules.type_class(mime)} files may have at most {limit} bytes")
        yield chunk


def upload_bytes(backend: Backend, caller: Caller, body: Any, chunks: Iterable[bytes]) -> dict[str, Any]:
    """A server-side upload (MCP `upload_file` with content): issue, store the bytes, register; the file object.
    `body` has the issuance fields of `POST /v1/files/presigned-url`."""
    require_writer(caller)
    fields = upload_fields(backend, caller, body, size_required=False)
    intent = intents.create(backend, caller, kind="single", ttl=0, **fields)
    limit = rules.size_limit(backend.config.storage, fields["content_type"])
    info = backend.blobs.write(intent["key"], _capped(chunks, limit, fields["content_type"]), fields["content_type"])
    check_object(backend, intent["contentType"], info)
    doc = auto_register(backend, caller.environment_id, intent, info, "client")
    return records.view(backend, caller, doc)
