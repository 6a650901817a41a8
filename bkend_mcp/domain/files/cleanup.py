"""The storage sweep (spec/storage.md §7.4, compat C18): register uploads that completed without anyone saying so,
clean up uploads that never completed, retry failed object deletions.

Run periodically by the server (`BKEND_STORAGE_SWEEP_SECONDS`) and on demand (`bkend-mcp storage sweep`). Bounded:
each run looks at most at `batch` pending uploads per environment, oldest first, and as many queued deletions.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.blobs.base import BlobError
from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.files import intents, records
from bkend_mcp.domain.files.registration import settle
from bkend_mcp.store.base import MATCH_ALL, Cond, Query, SortKey

DEFAULT_BATCH = 500


def sweep(backend: Backend, now: datetime | None = None, batch: int = DEFAULT_BATCH) -> dict[str, int]:
    """One pass over every environment; returns what it did (`registered`, `expired`, `aborted`, `deleted`…)."""
    cutoff = (now or dates.now()) - timedelta(seconds=backend.config.storage.pending_ttl)
    report: Counter[str] = Counter()
    for env in backend.control("environments").find(Query(MATCH_ALL, projection=("projectId",))):
        _pending(backend, env["_id"], cutoff, batch, report)
        _deletions(backend, env["_id"], batch, report)
    _stray_multipart(backend, cutoff, report)
    sweep_tmp = getattr(backend.blobs, "sweep_tmp", None)
    if sweep_tmp is not None:
        report["tmp"] += sweep_tmp(cutoff)
    return dict(report)


def _pending(backend: Backend, environment_id: str, cutoff: datetime, batch: int, report: Counter[str]) -> None:
    collection = intents.intents(backend, environment_id)
    pending = collection.find(
        Query(Cond("status", "eq", "pending", scalar=True), (SortKey("createdAt", 1, scalar=True),), limit=batch)
    )
    for intent in pending:
        if intent["kind"] == "single" and settle(backend, environment_id, intent) is not None:
            report["registered"] += 1
        elif _created(intent) < cutoff:
            _expire(backend, environment_id, intent, report)


def _created(intent: dict[str, Any]) -> datetime:
    created = intent["createdAt"]
    return created if isinstance(created, datetime) else dates.parse(str(created)) or dates.now()


def _expire(backend: Backend, environment_id: str, intent: dict[str, Any], report: Counter[str]) -> None:
    if intent["kind"] == "multipart" and intent.get("uploadId"):
        try:
            backend.blobs.abort_multipart(intent["key"], intent["uploadId"])
            report["aborted"] += 1
        except BlobError:
            return
    intents.intents(backend, environment_id).delete(intent["_id"])
    report["expired"] += 1


def _deletions(backend: Backend, environment_id: str, batch: int, report: Counter[str]) -> None:
    outbox = backend.data(environment_id, records.DELETIONS)
    for item in outbox.find(Query(limit=batch)):
        try:
            backend.blobs.delete(item["key"])
        except BlobError:
            outbox.update(item["_id"], {"attempts": int(item.get("attempts", 0)) + 1})
            continue
        outbox.delete(item["_id"])
        report["deleted"] += 1


def _stray_multipart(backend: Backend, cutoff: datetime, report: Counter[str]) -> None:
    """Multipart uploads open in the store with no pending intent (their intent is gone, or never existed)."""
    for upload in backend.blobs.pending_uploads(cutoff):
        environment_id = records.environment_of_key(backend, upload.key)
        intent = intents.by_key(backend, environment_id, upload.key) if environment_id else None
        if intent is None or intent["status"] != "pending" or intent.get("uploadId") != upload.upload_id:
            backend.blobs.abort_multipart(upload.key, upload.upload_id)
            report["aborted"] += 1
