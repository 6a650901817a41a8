"""Listing files (spec/storage.md §2.2.8), their totals (`/v1/files/stats`) and the bucket names (`/buckets`).

Every list is `visible-to-the-caller AND the user's filters` (§4.3): filtering, never denial, so a list is never
403. Items are projected per caller; `pagination` carries both `hasNext`/`hasPrev` and `hasNextPage`/`hasPrevPage`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.files import access, records, rules
from bkend_mcp.domain.query import pagination
from bkend_mcp.store.base import Cond, Filter, Query, Regex, SortKey, all_of

SORTABLE = ("createdAt", "updatedAt", "originalName", "size", "mimeType", "visibility", "bucket")
DIRECTIONS = {"asc": 1, "desc": -1}
EXACT_FILTERS: dict[str, tuple[str, ...] | None] = {
    "visibility": rules.VISIBILITIES,
    "ownerType": ("user", "session", "service", "public"),
    "ownerId": None,
    "bucket": tuple(rules.BUCKETS),
}
"""Query parameter → allowed values (None: any string); each is an exact match on the field of the same name."""
FILTER_ALIASES = {"category": "bucket"}
MAX_LIMIT = 100
MAX_SEARCH = 100


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise rules.invalid(name, "type", f"'{name}' must be an integer") from None


def _mime_filter(value: str) -> Filter:
    """Exact, or a prefix for `image/*` and `image/`."""
    if value.endswith("/*") or value.endswith("/"):
        prefix = value.rstrip("*")
        return Cond("mimeType", "regex", Regex("^" + re.escape(prefix.lower())), scalar=True)
    return Cond("mimeType", "eq", rules.normalize_mime(value), scalar=True)


def _filters(params: Mapping[str, Any]) -> list[Filter]:
    found: list[Filter] = []
    for name, allowed in EXACT_FILTERS.items():
        value = params.get(name) or next((params.get(a) for a, n in FILTER_ALIASES.items() if n == name), None)
        if value is None or value == "":
            continue
        if allowed is not None and value not in allowed:
            raise rules.invalid(name, "enum", f"'{name}' must be one of: {', '.join(allowed)}")
        found.append(Cond(name, "eq", str(value), scalar=True))
    if params.get("mimeType"):
        found.append(_mime_filter(str(params["mimeType"])))
    search = params.get("search")
    if search:
        if len(str(search)) > MAX_SEARCH:
            raise rules.invalid("search", "maxLength", f"'search' must be at most {MAX_SEARCH} characters")
        found.append(Cond("originalName", "regex", Regex(re.escape(str(search)), ignore_case=True), scalar=True))
    return found


def list_files(backend: Backend, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """`GET /v1/files` → `{items, pagination}`. `params`: single values by name."""
    page, limit = _int(params, "page", 1), _int(params, "limit", 20)
    if page < 1 or limit < 1:
        raise rules.invalid("page" if page < 1 else "limit", "minimum", "'page' and 'limit' must be at least 1")
    limit = min(limit, MAX_LIMIT)
    sort_by = params.get("sortBy") or "createdAt"
    direction = DIRECTIONS.get(str(params.get("sortDirection") or "desc").lower())
    if sort_by not in SORTABLE or direction is None:
        bad = "sortBy" if sort_by not in SORTABLE else "sortDirection"
        raise rules.invalid(bad, "enum", f"'sortBy' must be one of {', '.join(SORTABLE)}; 'sortDirection' asc or desc")
    where = all_of([access.list_filter(caller, backend.config.storage.guest_read), *_filters(params)])
    collection = records.files(backend, caller.environment_id)
    sort = (SortKey(sort_by, direction, scalar=True), SortKey("_id", direction, scalar=True))  # type: ignore[arg-type]
    docs, total = collection.page(Query(where, sort, skip=(page - 1) * limit, limit=limit))
    block = pagination(total, page, limit)
    block.update(hasNextPage=block["hasNext"], hasPrevPage=block["hasPrev"])
    return {"items": [records.view(backend, caller, d) for d in docs], "pagination": block}


def stats(backend: Backend, caller: Caller) -> dict[str, Any]:
    """`GET /v1/files/stats` → `{totalFiles, totalSize, byBucket}` over the files the caller can see."""
    where = access.list_filter(caller, backend.config.storage.guest_read)
    by_bucket: dict[str, dict[str, int]] = {}
    docs = records.files(backend, caller.environment_id).find(Query(where, projection=("size", "bucket")))
    for doc in docs:
        totals = by_bucket.setdefault(doc.get("bucket") or rules.DEFAULT_BUCKET, {"count": 0, "size": 0})
        totals["count"] += 1
        totals["size"] += int(doc.get("size") or 0)
    return {
        "totalFiles": sum(t["count"] for t in by_bucket.values()),
        "totalSize": sum(t["size"] for t in by_bucket.values()),
        "byBucket": by_bucket,
    }


def buckets() -> dict[str, Any]:
    """`GET /v1/files/buckets`: the accepted `category`/`bucket` names."""
    return {"items": [{"name": name, "description": text} for name, text in rules.BUCKETS.items()]}
