"""Records: the insert, read, list, update and delete pipelines of spec/data.md §3-§4, step by named step.

REST and MCP both call these functions, so a request gives the same answer whichever way it arrives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bkend_mcp.domain import dates, ids, keys, permissions, query, serialize, tables, validation
from bkend_mcp.domain.auth import users_table
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, regex_timeout_error, validation_error
from bkend_mcp.store.base import MATCH_ALL, Collection, Cond, DuplicateKey, Filter, Query
from bkend_mcp.store.sqlite_regex import RegexTimeout

TABLE_PATH_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$")
SYSTEM_FIELDS = ("id", "_id", "createdBy", "createdAt", "updatedAt")
USABLE_STATUSES = ("deployed", "updating")
MAX_ID_LENGTH = 64


# --- the steps ---------------------------------------------------------------------------------------------------


def resolve_table(backend: Backend, caller: Caller, name: str, op: str) -> dict[str, Any]:
    """Steps 10-13 of §3.1: scope, system-table gate, existence, status. Scope comes first, even for admin,
    so a key without scope learns nothing about which tables exist."""
    if not TABLE_PATH_NAME.match(name):
        raise BkendError("data/table-not-found", f"Table '{name}' not found")
    if not keys.scope_allows(caller.scopes, name, op):
        raise BkendError("data/scope-insufficient", f"API key scope does not include {name}:{op}")
    if name in tables.BUILT_IN_TABLES and (op not in ("read", "list") or not caller.is_admin):
        raise BkendError(
            "data/system-table-access", f"'{name}' is a built-in table: use /v1/auth, /v1/users or /v1/files"
        )
    table = tables.cached_table(backend, caller.environment_id, name) or users_table.table_view(name)
    if name.startswith("_") and not caller.is_admin and (table is None or not _has_permissions(table)):
        raise BkendError("data/system-table-access", f"System table '{name}' is not accessible")
    if table is None:
        raise BkendError("data/table-not-found", f"Table '{name}' not found")
    if table["status"] not in USABLE_STATUSES:
        raise BkendError("data/table-not-ready", f"Table '{name}' is {table['status']}")
    return table


def _has_permissions(table: dict[str, Any]) -> bool:
    return any(table.get(key) for key in ("permissions", "expressionPermissions"))


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_error(
            [{"field": "body", "reason": "type", "message": "the request body must be a JSON object"}]
        )
    return body


def strip_system_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in SYSTEM_FIELDS}


def check_key_safety(body: dict[str, Any]) -> None:
    details = validation.check_keys(body)
    if details:
        raise validation_error(details)


def deny_unless(decision: Any, table: dict[str, Any], op: str) -> None:
    if decision is permissions.DENY:
        raise BkendError("data/permission-denied", f"Permission denied: cannot {op} records of '{table['tableName']}'")


def owner_for_insert(caller: Caller, sent_owner: Any) -> str:
    """The requester's uid; an admin may name another owner (server-side rows owned by a user, §3.2 step 6)."""
    if caller.is_admin and isinstance(sent_owner, str) and sent_owner:
        return sent_owner
    return caller.uid


def fast_deny(table: dict[str, Any], caller: Caller, op: str) -> None:
    """403 before loading a record when `op` could never be allowed (§3.5 step 2)."""
    if not permissions.can_ever(op, table, caller):
        deny_unless(permissions.DENY, table, op)


def load(collection: Collection, record_id: str) -> dict[str, Any]:
    doc = collection.get(record_id) if 0 < len(record_id) <= MAX_ID_LENGTH else None
    if doc is None:
        raise BkendError("data/not-found", f"Record '{record_id}' not found")
    return doc


def owner_guard(caller: Caller, doc: dict[str, Any]) -> Filter:
    """For a non-admin writing their own row, the write also requires `createdBy == uid` (closes the race
    between the permission check and the write, §3.5 step 11)."""
    if not caller.is_admin and caller.uid and doc.get("createdBy") == caller.uid:
        return Cond("createdBy", "eq", caller.uid, scalar=True)
    return MATCH_ALL


def duplicate_error(exc: DuplicateKey) -> BkendError:
    fields = [f for f in exc.fields if f != "_id"] or list(exc.fields)
    label = ", ".join(fields) or exc.index
    details = [{"field": f, "reason": "duplicate", "message": f"'{f}' must be unique"} for f in fields]
    return BkendError("data/duplicate-value", f"Duplicate value for '{label}'", details or None)


def render(table: dict[str, Any], caller: Caller, doc: dict[str, Any], select: Sequence[str] | None = None) -> dict:
    out = serialize.record(permissions.filter_record(table, caller, doc))
    for hidden in table.get("hiddenFields", ()):
        out.pop(hidden, None)
    if select:
        keep = {path.split(".")[0] for path in select} | {"id", *serialize.SYSTEM_TAIL}
        out = {k: v for k, v in out.items() if k in keep}
    return out


# --- the pipelines -----------------------------------------------------------------------------------------------


def create_record(backend: Backend, caller: Caller, table_name: str, body: Any) -> dict[str, Any]:
    """POST /v1/data/{table} (§3.2)."""
    table = resolve_table(backend, caller, table_name, "create")
    body = require_object(body)
    deny_unless(permissions.authorize("create", table, caller), table, "create")
    doc = new_document(table, caller, body)
    insert_document(backend.data(caller.environment_id, table_name), doc)
    return render(table, caller, doc)


def new_document(table: dict[str, Any], caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """Insert steps 3-11 on one body the caller may create: the document to store, or the step's error."""
    fields = strip_system_fields(body)
    check_key_safety(fields)
    permissions.check_column_write(table, caller, list(fields), None)
    doc = validation.prepare_insert(table["schema"], fields)
    now = dates.now()
    return {
        "_id": ids.record_id(),
        **doc,
        "createdBy": owner_for_insert(caller, body.get("createdBy")),
        "createdAt": now,
        "updatedAt": now,
    }


def insert_document(collection: Collection, doc: dict[str, Any]) -> None:
    """Insert step 12: write, a unique clash becoming `data/duplicate-value`."""
    try:
        collection.insert(doc)
    except DuplicateKey as exc:
        raise duplicate_error(exc) from exc


def get_record(
    backend: Backend, caller: Caller, table_name: str, record_id: str, params: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """GET /v1/data/{table}/{id} (§3.7); `select` works as on lists."""
    table = resolve_table(backend, caller, table_name, "read")
    fast_deny(table, caller, "read")
    doc = load(backend.data(caller.environment_id, table_name), record_id)
    deny_unless(permissions.authorize("read", table, caller, doc), table, "read")
    return render(table, caller, doc, query.parse_select(params or {}))


def list_records(backend: Backend, caller: Caller, table_name: str, params: Mapping[str, list[str]]) -> dict[str, Any]:
    """GET /v1/data/{table} (§4): filters, search, sort, paging, with self scoping and row filters."""
    table, decision = open_list(backend, caller, table_name)
    parsed = query.parse_list_params(params, table["schema"], max_limit=backend.config.max_page_size)
    store_query, page, limit = list_query(table, caller, decision, parsed)
    collection = backend.data(caller.environment_id, table_name)
    try:
        docs, total = collection.page(store_query)
    except RegexTimeout as exc:
        raise regex_timeout_error(exc, store_query.filter) from None
    items = [render(table, caller, doc) for doc in docs]
    return {"items": items, "pagination": query.pagination(total, page, limit)}


def open_list(backend: Backend, caller: Caller, table_name: str) -> tuple[dict[str, Any], permissions.Decision]:
    """The table and the caller's `list` decision (ALLOW or the filter their rows must match); 403 when denied."""
    table = resolve_table(backend, caller, table_name, "list")
    decision = permissions.authorize("list", table, caller)
    deny_unless(decision, table, "list")
    return table, decision


def list_query(
    table: dict[str, Any], caller: Caller, decision: permissions.Decision, parsed: query.ListParams
) -> tuple[Query, int, int]:
    """The store query of §4.3 for parsed list parameters: the permission filter and row filters ANDed in.
    Hidden fields (a built-in table's secrets) cannot be filtered, sorted or searched on, even by an admin."""
    hidden = set(table.get("hiddenFields", ()))
    readable = permissions.readable_fields(table, caller)
    return query.build_query(
        parsed,
        table["schema"],
        permission_filter=MATCH_ALL if decision is permissions.ALLOW else decision,
        row_filter=MATCH_ALL if caller.is_admin else permissions.row_filter(table, caller),
        readable=(lambda field: field not in hidden and readable(field)) if hidden else readable,
        selectable=permissions.selectable_fields(table, caller),
    )


def update_record(backend: Backend, caller: Caller, table_name: str, record_id: str, body: Any) -> dict[str, Any]:
    """PATCH /v1/data/{table}/{id} (§3.5): partial, whole top-level values, null unsets."""
    table = resolve_table(backend, caller, table_name, "update")
    body = require_object(body)
    fast_deny(table, caller, "update")
    collection = backend.data(caller.environment_id, table_name)
    doc = load(collection, record_id)
    plan = plan_update(table, caller, doc, body)
    return render(table, caller, doc if plan is None else write_update(collection, caller, doc, plan))


def plan_update(
    table: dict[str, Any], caller: Caller, doc: dict[str, Any], body: dict[str, Any]
) -> tuple[dict[str, Any], list[str]] | None:
    """Update steps 4-10 on a loaded record: `(fields to set, fields to unset)`, or None when nothing is left."""
    deny_unless(permissions.authorize("update", table, caller, doc), table, "update")
    fields = strip_system_fields(body)
    check_key_safety(fields)
    permissions.check_column_write(table, caller, list(fields), doc.get("createdBy", ""))
    if not fields:
        return None
    return validation.prepare_patch(table["schema"], fields)


def write_update(
    collection: Collection, caller: Caller, doc: dict[str, Any], plan: tuple[dict[str, Any], list[str]]
) -> dict[str, Any]:
    """Update steps 11-12: write the plan with a fresh `updatedAt`; the stored record after the change."""
    set_fields, unset_fields = plan
    try:
        updated = collection.update(
            doc["_id"], {**set_fields, "updatedAt": dates.now()}, unset_fields, owner_guard(caller, doc)
        )
    except DuplicateKey as exc:
        raise duplicate_error(exc) from exc
    if updated is None:
        raise BkendError("data/not-found", f"Record '{doc['_id']}' not found")
    return updated


def delete_record(backend: Backend, caller: Caller, table_name: str, record_id: str) -> dict[str, Any]:
    """DELETE /v1/data/{table}/{id} (§3.6): a hard delete."""
    table = resolve_table(backend, caller, table_name, "delete")
    fast_deny(table, caller, "delete")
    collection = backend.data(caller.environment_id, table_name)
    doc = load(collection, record_id)
    deny_unless(permissions.authorize("delete", table, caller, doc), table, "delete")
    remove_document(collection, caller, doc)
    return {"success": True}


def remove_document(collection: Collection, caller: Caller, doc: dict[str, Any]) -> None:
    """Delete step 5 on a record the caller may delete."""
    if not collection.delete(doc["_id"], owner_guard(caller, doc)):
        raise BkendError("data/not-found", f"Record '{doc['_id']}' not found")
