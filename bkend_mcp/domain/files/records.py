"""File records (spec/storage.md §1.5) in the environment's built-in `files` collection: where they live, their
indexes, how one is built from an upload, and how it is shown to owners and to everyone else.

Stored fields beyond the public shape: `etag` (the object's), `registration` (`auto` when the upload's completion
registered it, compat C18; `client` once `POST /v1/files` claimed it).
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.blobs import storage_base_url
from bkend_mcp.blobs.base import ObjectInfo
from bkend_mcp.blobs.signing import object_path
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import rules
from bkend_mcp.domain.serialize import plain
from bkend_mcp.store.base import Collection, Cond, Index, Query

FILES = "files"
INTENTS = "_file_uploads"
DELETIONS = "_file_deletions"
"""Objects whose deletion failed after their record was removed; retried by the sweep."""
INDEXES: dict[str, tuple[Index, ...]] = {
    FILES: (
        Index("uniq_s3Key", (("s3Key", 1),), unique=True),
        Index("idx_owner_created", (("ownerId", 1), ("createdAt", -1))),
        Index("idx_visibility_created", (("visibility", 1), ("createdAt", -1))),
        Index("idx_bucket_created", (("bucket", 1), ("createdAt", -1))),
        Index("idx_mimeType", (("mimeType", 1),)),
    ),
    INTENTS: (
        Index("uniq_key", (("key", 1),), unique=True),
        Index("idx_uploadId", (("uploadId", 1),)),
        Index("idx_status_created", (("status", 1), ("createdAt", 1))),
    ),
}
HIDDEN = ("etag", "registration")
OWNER_ONLY = ("ownerType", "sharedWith")
OWNER_ONLY_METADATA = ("custom", "relatedEntityId")


def files(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, FILES)


def prepare(backend: Backend, environment_id: str) -> None:
    """Create the storage indexes of one environment if missing (idempotent; called before uploads are issued)."""
    for name, indexes in INDEXES.items():
        collection = backend.data(environment_id, name)
        existing = set(collection.index_names())
        for index in indexes:
            if index.name not in existing:
                collection.create_index(index)


def scope(backend: Backend, caller: Caller) -> str:
    """`{projectId}/{environment}/`: the prefix of every key of the caller's environment."""
    env = backend.control("environments").get(caller.environment_id)
    if env is None:
        raise BkendError("data/environment-not-found")
    return rules.key_scope(caller.project_id, env["environment"])


def environment_of_key(backend: Backend, key: str) -> str | None:
    """The environment id a key belongs to, from its `{projectId}/{environment}/` prefix."""
    project_id, _, rest = key.partition("/")
    name = rest.partition("/")[0]
    if not project_id or not name:
        return None
    found = backend.control("environments").find(Query(Cond("projectId", "eq", project_id, scalar=True), limit=50))
    return next((e["_id"] for e in found if e["environment"] == name), None)


def find_by_key(backend: Backend, environment_id: str, key: str) -> dict[str, Any] | None:
    found = files(backend, environment_id).find(Query(Cond("s3Key", "eq", key, scalar=True), limit=1))
    return found[0] if found else None


def new_record(intent: dict[str, Any], info: ObjectInfo, registration: str, **fields: Any) -> dict[str, Any]:
    """A record for the object an intent issued; `fields` override what the intent says."""
    now = dates.now()
    doc: dict[str, Any] = {
        "_id": intent["_id"],
        "s3Key": intent["key"],
        "originalName": intent["filename"],
        "mimeType": rules.normalize_mime(intent["contentType"]),
        "size": info.size,
        "visibility": intent["visibility"],
        "bucket": intent["category"],
        "ownerId": intent.get("ownerId"),
        "ownerType": intent.get("ownerType", "user"),
        "metadata": {},
        "sharedWith": [],
        "etag": info.etag,
        "registration": registration,
        "createdAt": now,
        "updatedAt": now,
    }
    doc.update({k: v for k, v in fields.items() if v is not None})
    return doc


def public_url(backend: Backend, key: str) -> str:
    """The permanent URL of a public file (the `cdn.bkend.ai` equivalent), served by `/cdn/{key}`."""
    return f"{storage_base_url(backend.config)}/cdn/{object_path(key)}"


def is_owner(caller: Caller, doc: dict[str, Any]) -> bool:
    return bool(caller.uid) and doc.get("ownerId") == caller.uid


def view(backend: Backend, caller: Caller, doc: dict[str, Any]) -> dict[str, Any]:
    """The file object: in full for its owner and admins, without owner-only fields for everyone else (§1.5)."""
    out: dict[str, Any] = {"id": doc["_id"], "s3Key": doc["s3Key"], "key": doc["s3Key"]}
    out.update({k: v for k, v in doc.items() if k not in ("_id", "s3Key", *HIDDEN)})
    out["url"] = public_url(backend, doc["s3Key"]) if doc["visibility"] == "public" else None
    if not (caller.is_admin or is_owner(caller, doc)):
        for name in OWNER_ONLY:
            out.pop(name, None)
        out["metadata"] = {k: v for k, v in (doc.get("metadata") or {}).items() if k not in OWNER_ONLY_METADATA}
    out["createdAt"], out["updatedAt"] = out.pop("createdAt"), out.pop("updatedAt")
    return plain(out)
