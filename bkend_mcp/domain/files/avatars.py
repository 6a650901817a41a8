"""Avatars (spec/storage.md Appendix C, spec/auth.md §2.11 #45-#47; compat C20, C22): a user's profile picture
is an ordinary file in the `avatars` bucket, public, owned by that user, with the image size limit.

The user's `image` is the file's permanent public URL; `avatarFileId` remembers which file it is, so replacing or
removing the avatar deletes the previous file. Only the user themselves or an admin may do any of this.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import users
from bkend_mcp.domain.auth.user_admin import full_user, live_user, require_self_or_admin
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import intents, manage, records, rules
from bkend_mcp.domain.files.registration import apply_visibility, settle

AVATAR_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
BUCKET = "avatars"


def _content_type(body: dict[str, Any], filename: str) -> str:
    """The sent type, or (C20) the one the file name implies; only the four raster image types."""
    sent = body.get("contentType")
    value = sent if sent is not None else rules.infer_type(filename)
    if not isinstance(value, str) or rules.normalize_mime(value) not in AVATAR_TYPES:
        message = f"Avatars must be one of {', '.join(AVATAR_TYPES)}"
        raise BkendError(
            "file/invalid-format", message, [{"field": "contentType", "reason": "enum", "message": message}]
        )
    return value.strip()


def upload_url(backend: Backend, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """#45 → `{url, uploadUrl, key, expiresAt, fileId}`: a presigned PUT for a new avatar of `user_id`."""
    require_self_or_admin(caller, user_id)
    live_user(backend, caller.environment_id, user_id)
    body = rules.body_object(body)
    name = rules.filename(body.get("filename"))
    mime = _content_type(body, name)
    config = backend.config.storage
    fields: dict[str, Any] = {
        "filename": name,
        "content_type": mime,
        "file_size": None,
        "visibility": "public",
        "category": BUCKET,
    }
    owner = {"ownerId": user_id, "ownerType": "user"}
    intent = intents.create(backend, caller, kind="single", ttl=config.upload_url_ttl, owner=owner, **fields)
    url = backend.blobs.presign_put(intent["key"], mime, config.upload_url_ttl, rules.size_limit(config, mime))
    expires = dates.iso(intent["urlExpiresAt"])
    return {"url": url, "uploadUrl": url, "key": intent["key"], "expiresAt": expires, "fileId": intent["_id"]}


def _avatar_file(backend: Backend, caller: Caller, user_id: str, key: Any) -> dict[str, Any]:
    """The registered avatar file at `key`, which must be this user's upload in the avatars bucket."""
    key = rules.check_key(key, records.scope(backend, caller))
    doc = records.find_by_key(backend, caller.environment_id, key)
    if doc is None:
        intent = intents.by_key(backend, caller.environment_id, key)
        doc = settle(backend, caller.environment_id, intent) if intent is not None else None
    if doc is None:
        raise BkendError("file/not-found", "Nothing was uploaded at this s3Key yet: PUT the image first")
    if doc.get("ownerId") != user_id or doc.get("bucket") != BUCKET:
        raise BkendError("file/access-denied", "This s3Key is not an avatar uploaded for this user")
    return doc


def set_avatar(backend: Backend, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """#46 `{s3Key}` → the full user with `image` = the avatar's permanent URL (C22)."""
    require_self_or_admin(caller, user_id)
    user = live_user(backend, caller.environment_id, user_id)
    body = rules.body_object(body)
    doc = _avatar_file(backend, caller, user_id, body.get("s3Key", body.get("key")))
    if doc["visibility"] != "public":
        records.files(backend, caller.environment_id).update(doc["_id"], {"visibility": "public"})
        apply_visibility(backend, doc["s3Key"], "public")
    previous = user.get("avatarFileId")
    changes = {"image": records.public_url(backend, doc["s3Key"]), "avatarFileId": doc["_id"]}
    updated = users.update(backend, caller.environment_id, user_id, changes)
    if previous and previous != doc["_id"]:
        _remove_file(backend, caller.environment_id, previous)
    return full_user(backend, caller.environment_id, updated)


def delete_avatar(backend: Backend, caller: Caller, user_id: str) -> dict[str, Any]:
    """#47 → `{message}`: `image` cleared and the avatar file deleted."""
    require_self_or_admin(caller, user_id)
    user = live_user(backend, caller.environment_id, user_id)
    users.update(backend, caller.environment_id, user_id, {"image": None}, unset=("avatarFileId",))
    if user.get("avatarFileId"):
        _remove_file(backend, caller.environment_id, user["avatarFileId"])
    return {"message": "Avatar deleted"}


def _remove_file(backend: Backend, environment_id: str, file_id: str) -> None:
    doc = records.files(backend, environment_id).get(file_id)
    if doc is not None:
        manage.remove(backend, environment_id, doc)
