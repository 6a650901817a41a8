"""Many records at once: insert a batch, query, update or delete by id or by filter (spec/mcp-and-console.md §6.3).

Every record still goes through the steps of `records.py` (permission with the record, column rules, coercion,
validation, unique clash), so a batch can never store what `POST`/`PATCH /v1/data/{table}` would refuse. Each call
checks every record first and writes only when all pass; if a write then fails (a unique clash), the writes already
made by the call are undone. The store has no transactions, so a concurrent reader may briefly see part of a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bkend_mcp.domain import permissions, query, records
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, invalid_param, validation_error
from bkend_mcp.domain.filters import parse_branches, parse_filter
from bkend_mcp.store.base import MATCH_ALL, Collection, Cond, Filter, Query, SortKey, all_of

MAX_INSERT = 100
MAX_IDS = 100
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_ALL = 100_000
"""With `all: true` a call may still change at most this many records; narrow the filter beyond it."""
SAMPLE_ITEMS = 20
MAX_LISTED_IDS = 1000
SCAN_BATCH = 1000
IGNORED_ON_INSERT = ("id", "_id", "createdAt", "updatedAt")
BY_ID = (SortKey("_id", 1, True),)
T = TypeVar("T")


# --- insert -------------------------------------------------------------------------------------------------------


def insert_many(backend: Backend, caller: Caller, table_name: str, batch: Sequence[Any]) -> dict[str, Any]:
    """1-100 records, all validated before the first write; `{items, count}` (+ `warnings` for ignored keys)."""
    table = records.resolve_table(backend, caller, table_name, "create")
    _check_size(batch, "records", MAX_INSERT)
    records.deny_unless(permissions.authorize("create", table, caller), table, "create")
    docs, details, warnings = [], [], []
    for index, body in enumerate(batch):
        try:
            body = records.require_object(body)
            warnings += _ignored_keys(caller, index, body)
            docs.append(records.new_document(table, caller, body))
        except BkendError as exc:
            if exc.code != "data/validation-error":
                raise _at(exc, index) from exc
            details += [{"index": index, **d} for d in exc.details or []]
    if details:
        raise _batch_error(details, len(batch))
    collection = backend.data(caller.environment_id, table_name)
    written: list[dict[str, Any]] = []
    try:
        for doc in docs:
            records.insert_document(collection, doc)
            written.append(doc)
    except BkendError as exc:
        _undo_inserts(collection, written)
        raise _at(exc, len(written)) from exc
    except Exception:
        _undo_inserts(collection, written)
        raise
    result: dict[str, Any] = {"items": [records.render(table, caller, d) for d in docs], "count": len(docs)}
    if warnings:
        result["warnings"] = warnings
    return result


def _ignored_keys(caller: Caller, index: int, body: dict[str, Any]) -> list[dict[str, Any]]:
    """System keys a record carried that the pipeline drops; `createdBy` counts only when it is not honoured
    (an admin may name the owner, as over REST)."""
    ignored = [k for k in IGNORED_ON_INSERT if k in body]
    if "createdBy" in body and records.owner_for_insert(caller, body["createdBy"]) != body["createdBy"]:
        ignored.append("createdBy")
    return [
        {"index": index, "field": key, "message": f"'{key}' is a system field; the value sent was ignored"}
        for key in ignored
    ]


def _undo_inserts(collection: Collection, written: list[dict[str, Any]]) -> None:
    for doc in written:
        collection.delete(doc["_id"])


def _batch_error(details: list[dict[str, Any]], size: int) -> BkendError:
    error = validation_error(details)
    if size > 1:
        error = BkendError(error.code, f"{error.message} (record {details[0]['index']})", details)
    return error


def _at(exc: BkendError, index: int) -> BkendError:
    """The error of one record of a batch, with the record's index."""
    details = [{"index": index, **d} for d in exc.details or []] or [
        {"index": index, "reason": exc.code.rpartition("/")[2], "message": exc.message}
    ]
    return BkendError(exc.code, f"{exc.message} (record {index})", details)


# --- query --------------------------------------------------------------------------------------------------------


def find(
    backend: Backend,
    caller: Caller,
    table_name: str,
    *,
    record_id: str | None = None,
    filter: Any = None,
    or_filters: Any = None,
    search: str | None = None,
    search_type: str | None = None,
    sort_by: str | None = None,
    sort_direction: str | None = None,
    page: int = 1,
    limit: int = query.DEFAULT_LIMIT,
    select: Sequence[str] | None = None,
    count_only: bool = False,
) -> dict[str, Any]:
    """One record by id (`GET /v1/data/{table}/{id}`), or a list page / a count built exactly like
    `GET /v1/data/{table}`: the same parameter checks, permission filter, row filters and column rules."""
    select_param = {"select": [",".join(select)]} if select else {}
    if record_id is not None:
        if filter or or_filters:
            raise invalid_param("id", "conflict", "Pass either 'id' or 'filter'/'orFilters', not both")
        return records.get_record(backend, caller, table_name, record_id, select_param)
    table, decision = records.open_list(backend, caller, table_name)
    params = {
        "page": [str(page)],
        "limit": [str(limit)],
        **({"sortBy": [sort_by]} if sort_by else {}),
        **({"sortDirection": [sort_direction]} if sort_direction else {}),
        **({"search": [search]} if search else {}),
        **({"searchType": [search_type]} if search_type else {}),
        **select_param,
    }
    parsed = query.parse_list_params(params, table["schema"], max_limit=backend.config.max_page_size)
    parsed = _with_filters(parsed, table, filter, or_filters)
    store_query, page, limit = records.list_query(table, caller, decision, parsed)
    collection = backend.data(caller.environment_id, table_name)
    if count_only:
        return {"count": collection.count(store_query.filter)}
    docs, total = collection.page(store_query)
    items = [records.render(table, caller, doc) for doc in docs]
    return {"items": items, "pagination": query.pagination(total, page, limit)}


def _with_filters(parsed: query.ListParams, table: dict[str, Any], filter: Any, or_filters: Any) -> query.ListParams:
    """`filter` (an object, ANDed) and `orFilters` (an object or array of branches), as REST's
    `andFilters`/`orFilters`; errors name `filter.<field>` / `orFilters[i].<field>`."""
    and_filter = parse_filter(filter if filter is not None else {}, table["schema"], param="filter")
    branches = parse_branches(or_filters, table["schema"]) if or_filters else ()
    return replace(parsed, and_filter=and_filter, or_branches=branches)


# --- targets of an update or delete -------------------------------------------------------------------------------


def _by_ids(
    backend: Backend, caller: Caller, table: dict[str, Any], op: str, record_ids: Sequence[Any]
) -> list[dict[str, Any]]:
    """The records named by id; any unknown id is a 404 listing them, before anything changes."""
    _check_size(record_ids, "ids", MAX_IDS)
    if not all(isinstance(record_id, str) for record_id in record_ids):
        raise invalid_param("ids", "type", "'ids' must be a list of record id strings")
    records.fast_deny(table, caller, op)
    collection = backend.data(caller.environment_id, table["tableName"])
    docs = {
        record_id: collection.get(record_id) if 0 < len(record_id) <= records.MAX_ID_LENGTH else None
        for record_id in dict.fromkeys(record_ids)
    }
    missing = [record_id for record_id, doc in docs.items() if doc is None]
    if missing:
        listed = ", ".join(str(m) for m in missing[:10])
        raise BkendError(
            "data/not-found",
            f"Record(s) not found: {listed}",
            [{"field": "ids", "reason": "not-found", "message": f"'{m}' not found", "id": m} for m in missing],
        )
    return [doc for doc in docs.values() if doc is not None]


def _by_filter(
    backend: Backend,
    caller: Caller,
    table: dict[str, Any],
    op: str,
    selection: Selection,
) -> list[dict[str, Any]]:
    """The records matching a filter that the caller may `op`: at most `limit` unless `all`; an empty filter
    needs `all`. Filters on columns the caller cannot read are a 403, as on lists."""
    records.fast_deny(table, caller, op)
    unsorted = query.ListParams(sort_by="_id", sort_direction=1)
    parsed = _with_filters(unsorted, table, selection.filter, selection.or_filters)
    if parsed.and_filter == MATCH_ALL and not parsed.or_branches and not selection.all:
        raise BkendError(
            "common/confirmation-required",
            f"An empty filter matches every record of '{table['tableName']}'; pass all: true to {op} them all",
        )
    store_query, _, _ = query.build_query(
        parsed,
        table["schema"],
        permission_filter=_op_scope(table, caller, op),
        readable=permissions.readable_fields(table, caller),
    )
    collection = backend.data(caller.environment_id, table["tableName"])
    matched = collection.count(store_query.filter)
    cap = MAX_ALL if selection.all else selection.limit
    if matched > cap:
        hint = "narrow the filter" if selection.all else f"raise 'limit' (at most {MAX_LIMIT}) or pass all: true"
        raise BkendError(
            "common/limit-exceeded",
            f"{matched} records match, more than the limit of {cap}; {hint}",
            [{"field": "limit", "reason": "limit-exceeded", "message": f"{matched} records match", "matched": matched}],
        )
    return list(scan(collection, store_query.filter, cap=cap))


def _op_scope(table: dict[str, Any], caller: Caller, op: str) -> Filter:
    """The rows `op` may touch: all of them when the grant does not depend on the owner, else the caller's own
    (`self`); every record is still authorised on its own before it changes."""
    stranger = {"createdBy": None}
    if permissions.authorize(op, table, caller, stranger) is permissions.ALLOW:
        return MATCH_ALL
    return Cond("createdBy", "eq", caller.uid, scalar=True)


def scan(
    collection: Collection, where: Filter, *, projection: tuple[str, ...] | None = None, cap: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every document matching `where`, in id order, read in batches by id ranges (no growing skips)."""
    last: str | None = None
    seen = 0
    while cap is None or seen < cap:
        size = SCAN_BATCH if cap is None else min(SCAN_BATCH, cap - seen)
        after = MATCH_ALL if last is None else Cond("_id", "gt", last, scalar=True)
        batch = collection.find(Query(all_of([where, after]), sort=BY_ID, limit=size, projection=projection))
        yield from batch
        seen += len(batch)
        if len(batch) < size:
            return
        last = batch[-1]["_id"]


# --- update and delete --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Which records an update or delete is about: one `id`, a list of `ids`, or a `filter` (+`orFilters`) with at
    most `limit` matches unless `all`. Neither id nor filter, with `all`, means every record."""

    record_id: str | None = None
    ids: Sequence[Any] | None = None
    filter: Any = None
    or_filters: Any = None
    limit: int = DEFAULT_LIMIT
    all: bool = False

    def __post_init__(self) -> None:
        given = [n for n, v in (("id", self.record_id), ("ids", self.ids), ("filter", self.filter)) if v is not None]
        if self.or_filters is not None and "filter" not in given:
            given.append("orFilters")
        if len(given) > 1 or (not given and not self.all):
            message = "Pass exactly one of 'id', 'ids' or 'filter' (with optional 'orFilters')"
            raise invalid_param(given[1] if given else "filter", "conflict" if given else "required", message)
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise invalid_param("limit", "range", f"'limit' must be an integer from 1 to {MAX_LIMIT}")

    @property
    def by_filter(self) -> bool:
        return self.record_id is None and self.ids is None

    def targets(self, backend: Backend, caller: Caller, table: dict[str, Any], op: str) -> list[dict[str, Any]]:
        if self.by_filter:
            return _by_filter(backend, caller, table, op, self)
        return _by_ids(backend, caller, table, op, [self.record_id] if self.ids is None else self.ids)


def update_many(
    backend: Backend,
    caller: Caller,
    table_name: str,
    selection: Selection,
    data: dict[str, Any] | None,
    unset: Sequence[str] = (),
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """PATCH semantics on every selected record (partial set; `unset` = null = remove), each checked before any
    is written: `{matched, modified, ids, items}` (≤ 20 items), or `{dryRun, matched, ids}` without writing."""
    table = records.resolve_table(backend, caller, table_name, "update")
    body = _update_body(data, unset)
    docs = selection.targets(backend, caller, table, "update")
    plans = _each(docs, lambda doc: (doc, records.plan_update(table, caller, doc, body)))
    ids = [doc["_id"] for doc in docs]
    if dry_run:
        return {"dryRun": True, "matched": len(docs), **_listed(ids)}
    collection = backend.data(caller.environment_id, table_name)
    updated: list[tuple[dict[str, Any], dict[str, Any]]] = []
    index = 0
    try:
        for index, (doc, plan) in enumerate(plans):
            if plan is not None:
                updated.append((doc, records.write_update(collection, caller, doc, plan)))
    except BkendError as exc:
        _undo_updates(collection, updated)
        if len(plans) == 1:
            raise
        raise _at(exc, index) from exc
    except Exception:
        _undo_updates(collection, updated)
        raise
    items = [records.render(table, caller, after) for _, after in updated[:SAMPLE_ITEMS]]
    return {"matched": len(docs), "modified": len(updated), **_listed(ids), "items": items}


def _update_body(data: Any, unset: Sequence[str]) -> dict[str, Any]:
    if data is not None and not isinstance(data, dict):
        raise invalid_param("data", "type", "'data' must be an object of fields to set")
    if not isinstance(unset, (list, tuple)) or not all(isinstance(f, str) and f for f in unset):
        raise invalid_param("unset", "type", "'unset' must be a list of field names")
    both = sorted(set(data or {}) & set(unset))
    if both:
        raise invalid_param(both[0], "conflict", f"'{both[0]}' is both set in 'data' and listed in 'unset'")
    body = {**(data or {}), **{field: None for field in unset}}
    if not body:
        raise invalid_param("data", "required", "Pass 'data' (fields to set) and/or 'unset' (fields to remove)")
    return body


def _undo_updates(collection: Collection, updated: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Put back the fields a failed batch already changed."""
    for before, after in updated:
        changed = [k for k in set(before) | set(after) if k != "_id" and before.get(k, ...) != after.get(k, ...)]
        restore = {k: before[k] for k in changed if k in before}
        collection.update(before["_id"], restore, [k for k in changed if k not in before])


def delete_many(
    backend: Backend,
    caller: Caller,
    table_name: str,
    selection: Selection,
    *,
    confirm: bool = False,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Hard-delete the selected records, each authorised first: `{deleted, ids}`. Deleting by filter needs
    `confirm: true` (a dry run does not)."""
    table = records.resolve_table(backend, caller, table_name, "delete")
    if selection.by_filter and not confirm and not dry_run:
        raise BkendError(
            "common/confirmation-required",
            "Deleting by filter is irreversible: pass confirm: true (try dryRun: true first to see what matches)",
        )
    docs = selection.targets(backend, caller, table, "delete")
    _each(docs, lambda doc: records.deny_unless(permissions.authorize("delete", table, caller, doc), table, "delete"))
    ids = [doc["_id"] for doc in docs]
    if dry_run:
        return {"dryRun": True, "matched": len(docs), "deleted": 0, **_listed(ids)}
    collection = backend.data(caller.environment_id, table_name)
    deleted = [doc["_id"] for doc in docs if collection.delete(doc["_id"], records.owner_guard(caller, doc))]
    return {"deleted": len(deleted), **_listed(deleted)}


def _each(docs: list[dict[str, Any]], check: Callable[[dict[str, Any]], T]) -> list[T]:
    """`check` every record before anything is written. A failure that depends on the record (a permission) names
    it when there are several; a validation failure is the same for all and is raised as it is."""
    out = []
    for doc in docs:
        try:
            out.append(check(doc))
        except BkendError as exc:
            if len(docs) == 1 or exc.code == "data/validation-error":
                raise
            detail = {"id": doc["_id"], "reason": exc.code.rpartition("/")[2], "message": exc.message}
            raise BkendError(exc.code, f"{exc.message} (record {doc['_id']})", [detail]) from exc
    return out


def _listed(ids: list[str]) -> dict[str, Any]:
    if len(ids) <= MAX_LISTED_IDS:
        return {"ids": ids}
    return {"ids": ids[:MAX_LISTED_IDS], "idsTruncated": True}


def _check_size(values: Any, field: str, maximum: int) -> None:
    if not isinstance(values, (list, tuple)) or not 1 <= len(values) <= maximum:
        raise invalid_param(field, "range", f"'{field}' must hold 1 to {maximum} entries")
