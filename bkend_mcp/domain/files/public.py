"""The no-credential surface of public files (spec/storage.md §5.6, §7.2, §7.3; compat C19): `/cdn/{key}`, the
unsigned `GET` of an upload URL without its query string, and the image transforms.

The answer always comes from the file records, never from the object alone: a file that is unknown, not yet
uploaded or not `public` is 404 everywhere at once, so revoking public access takes effect immediately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bkend_mcp.blobs.base import ObjectInfo
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import intents, records, rules
from bkend_mcp.domain.files.registration import settle

PUBLIC_REDIRECT_TTL = 300
"""Seconds a redirect to a presigned download (S3) stays valid."""


@dataclass(frozen=True, slots=True)
class PublicObject:
    record: dict[str, Any]
    info: ObjectInfo
    redirect: str | None = None
    """Where to send the client instead of streaming (stores that serve their own downloads)."""


def public_file(backend: Backend, key: str) -> dict[str, Any]:
    """The record of a registered public file stored at `key` (registering a completed upload first, C18)."""
    environment_id = records.environment_of_key(backend, key)
    doc = records.find_by_key(backend, environment_id, key) if environment_id else None
    if doc is None and environment_id:
        intent = intents.by_key(backend, environment_id, key)
        doc = settle(backend, environment_id, intent) if intent is not None else None
    if doc is None or doc["visibility"] != "public":
        raise BkendError("file/not-found", "No public file at this address")
    return doc


def public_object(backend: Backend, key: str) -> PublicObject:
    """What `/cdn/{key}` serves: the object to stream, or a short-lived signed URL to redirect to."""
    doc = public_file(backend, key)
    info = backend.blobs.head(key)
    if info is None:
        raise BkendError("file/not-found", "No public file at this address")
    if not backend.blobs.redirect_downloads:
        return PublicObject(doc, info)
    disposition = rules.content_disposition(doc["originalName"], doc["mimeType"])
    url = backend.blobs.presign_get(key, PUBLIC_REDIRECT_TTL, content_type=doc["mimeType"], disposition=disposition)
    return PublicObject(doc, info, url)
