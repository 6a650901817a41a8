"""Tables: create, read, update, delete, with versioned schemas and indexes (spec/data.md §1.5, §2.7, §2.8).

Table metadata lives in the control plane (`tables`); each schema change appends to `schema_versions`, each index
change to `index_versions`. The data itself is the collection named after the table in the environment's namespace.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bkend_mcp.domain import dates, ids, indexes, permissions, schema, schema_changes
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.query import pagination
from bkend_mcp.domain.validation import INT64
from bkend_mcp.store.base import Cond, DuplicateKey, Query, SortKey, all_of

TABLE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,63}$")
BUILT_IN_TABLES = ("users", "accounts", "sessions", "files")
MAX_TABLES = 200
PERMISSION_KEYS = ("permissions", "expressionPermissions", "columnPermissions", "rowFilters")
UPDATABLE = {"displayName": 100, "description": 1000}


def _invalid_name(name: Any) -> BkendError:
    message = "Table name must start with a letter and contain only letters, digits, '_' or '-' (at most 64)"
    return BkendError("table/invalid-name", message, [{"field": "tableName", "reason": "pattern", "message": message}])


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        message = f"'{field}' must be a string of at most {limit} characters"
        raise BkendError("common/invalid-parameters", message, [{"field": field, "reason": "type", "message": message}])
    return value


def find_table(backend: Backend, environment_id: str, name: str) -> dict[str, Any] | None:
    """The stored metadata of table `name`, or None. The hot path of every data request."""
    found = backend.control("tables").find(
        Query(
            all_of(
                [
                    Cond("environmentId", "eq", environment_id, scalar=True),
                    Cond("tableName", "eq", name, scalar=True),
                ]
            ),
            limit=1,
        )
    )
    return found[0] if found else None


def cached_table(backend: Backend, environment_id: str, name: str) -> dict[str, Any] | None:
    """`find_table` through the backend's control cache: the data API's hot path. The result is shared and must
    not be mutated; a table change made in this process is seen at once, one made by another worker process
    within `CACHE_TTL_SECONDS`."""
    return backend.cache.get(("table", environment_id, name), lambda: find_table(backend, environment_id, name))


def require_table(backend: Backend, environment_id: str, ref: str) -> dict[str, Any]:
    """A table by name or by `tbl_` id, within the environment."""
    doc = find_table(backend, environment_id, ref)
    if doc is None and ref.startswith("tbl_"):
        doc = backend.control("tables").get(ref)
        if doc is not None and doc["environmentId"] != environment_id:
            doc = None
    if doc is None:
        raise BkendError("table/not-found", f"Table '{ref}' not found in this environment")
    return doc


def public_table(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
    out["fields"] = schema.fields_view(doc["schema"])
    out["indexes"] = indexes.all_public(doc)
    count = backend.data(doc["environmentId"], doc["tableName"]).count()
    out["stats"] = {"rowCount": count}
    out["documentCount"] = count
    out["isSystem"] = False
    for key in ("createdAt", "updatedAt"):
        out[key] = dates.iso(out[key])
    out["deployment"] = {"status": doc["status"], "updatedAt": out["updatedAt"]}
    return out


def list_tables(backend: Backend, environment_id: str) -> list[dict[str, Any]]:
    docs = backend.control("tables").find(
        Query(Cond("environmentId", "eq", environment_id, scalar=True), sort=(SortKey("tableName", 1, True),))
    )
    return [public_table(backend, d) for d in docs]


def get_table(backend: Backend, environment_id: str, ref: str) -> dict[str, Any]:
    return public_table(backend, require_table(backend, environment_id, ref))


def create_table(
    backend: Backend,
    *,
    project_id: str,
    environment_id: str,
    table_name: str,
    created_by: str,
    fields: Any = None,
    required: list[str] | None = None,
    display_name: str | None = None,
    description: str | None = None,
    custom_indexes: list[dict[str, Any]] | None = None,
    **rules: Any,
) -> dict[str, Any]:
    """A new table with its default and `custom_indexes` ({name, fields, unique, sparse}), a first schema and index
    version, and the default permissions written out."""
    if not isinstance(table_name, str) or not TABLE_NAME.match(table_name):
        raise _invalid_name(table_name)
    if table_name in BUILT_IN_TABLES or find_table(backend, environment_id, table_name) is not None:
        raise BkendError("table/already-exists", f"Table '{table_name}' already exists or is reserved")
    if backend.control("tables").count(Cond("environmentId", "eq", environment_id, scalar=True)) >= MAX_TABLES:
        raise BkendError("table/limit-exceeded", f"An environment holds at most {MAX_TABLES} tables")
    stored_schema = schema.normalize_schema(fields or {}, required)
    rule_set = _rules({"permissions": copy.deepcopy(permissions.DEFAULT_PERMISSIONS), **rules}, stored_schema)
    now = dates.now()
    doc: dict[str, Any] = {
        "_id": ids.short_id("tbl_"),
        "projectId": project_id,
        "environmentId": environment_id,
        "tableName": table_name,
        "displayName": _text(display_name, "displayName", 100) or table_name,
        "description": _text(description, "description", 1000),
        "schema": stored_schema,
        "customIndexes": indexes.apply_changes({"customIndexes": []}, custom_indexes, None) if custom_indexes else [],
        **rule_set,
        "schemaVersion": 1,
        "indexVersion": 1,
        "mcpEnabled": True,
        "status": "deployed",
        "createdBy": created_by,
        "createdAt": now,
        "updatedAt": now,
    }
    indexes.sync(backend, doc, previous=None)
    try:
        backend.control("tables").insert(doc)
    except DuplicateKey as exc:
        raise BkendError("table/already-exists", f"Table '{table_name}' already exists") from exc
    _record_schema_version(backend, doc, created_by, "create")
    _record_index_version(backend, doc, created_by)
    return public_table(backend, doc)


def _rules(values: dict[str, Any], stored_schema: dict[str, Any]) -> dict[str, Any]:
    chosen = {key: values.get(key) for key in PERMISSION_KEYS}
    permissions.validate_permissions(
        permissions=chosen["permissions"],
        expression_permissions=chosen["expressionPermissions"],
        column_permissions=chosen["columnPermissions"],
        row_filters=chosen["rowFilters"],
        schema=stored_schema,
    )
    return chosen


def update_table(backend: Backend, environment_id: str, ref: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Display name, description, `mcpEnabled` and the permission objects (each replaced whole, spec §5.3)."""
    doc = require_table(backend, environment_id, ref)
    updates: dict[str, Any] = {}
    for key, value in changes.items():
        if key in UPDATABLE:
            updates[key] = _text(value, key, UPDATABLE[key])
        elif key == "mcpEnabled" and isinstance(value, bool):
            updates[key] = value
        elif key not in PERMISSION_KEYS:
            message = f"'{key}' cannot be changed here (fields: manage_fields, indexes: manage_indexes)"
            raise BkendError(
                "common/invalid-parameters", message, [{"field": key, "reason": "immutable", "message": message}]
            )
    if any(key in changes for key in PERMISSION_KEYS):
        merged = {key: doc.get(key) for key in PERMISSION_KEYS}
        merged.update({key: changes[key] for key in PERMISSION_KEYS if key in changes})
        updates.update(_rules(merged, doc["schema"]))
    if updates:
        updates["updatedAt"] = dates.now()
        doc = backend.control("tables").update(doc["_id"], updates) or doc
    return public_table(backend, doc)


def delete_table(backend: Backend, environment_id: str, ref: str) -> dict[str, Any]:
    """Drop the table and all its data, irreversibly."""
    doc = require_table(backend, environment_id, ref)
    backend.store.drop_collection(environment_id, doc["tableName"])
    backend.control("tables").delete(doc["_id"])
    for name in ("schema_versions", "index_versions"):
        collection = backend.control(name)
        for version in collection.find(Query(Cond("tableId", "eq", doc["_id"], scalar=True))):
            collection.delete(version["_id"])
    return {"success": True, "id": doc["_id"], "tableName": doc["tableName"]}


# --- schema changes ----------------------------------------------------------------------------------------------


def manage_fields(
    backend: Backend, environment_id: str, ref: str, changes: dict[str, Any], changed_by: str
) -> dict[str, Any]:
    """Add/update/remove fields and required flags (spec §2.8); a new schema version each time."""
    doc = require_table(backend, environment_id, ref)
    unknown = set(changes) - {"fieldsToAddOrUpdate", "fieldsToRemove", "requiredFieldsToAdd", "requiredFieldsToRemove"}
    if unknown:
        name = sorted(unknown)[0]
        message = f"Unknown field-change key '{name}'"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": name, "reason": "unknown-field", "message": message}]
        )
    new_schema = schema_changes.apply_field_changes(
        doc["schema"],
        changes.get("fieldsToAddOrUpdate"),
        changes.get("fieldsToRemove"),
        changes.get("requiredFieldsToAdd"),
        changes.get("requiredFieldsToRemove"),
    )
    removed = [f for f in doc["schema"].get("properties", {}) if f not in new_schema.get("properties", {})]
    return _replace_schema(backend, doc, new_schema, changed_by, "fields", removed=removed)


def _replace_schema(
    backend: Backend,
    doc: dict[str, Any],
    new_schema: dict[str, Any],
    changed_by: str,
    change: str,
    *,
    removed: list[str] = (),  # type: ignore[assignment]
    rolled_back_from: int | None = None,
) -> dict[str, Any]:
    updated = {**doc, "schema": new_schema}
    indexes.sync(backend, updated, previous=doc)
    collection = backend.data(doc["environmentId"], doc["tableName"])
    for name in removed:
        collection.unset_everywhere(name)
    for key in ("columnPermissions",):
        if doc.get(key):
            updated[key] = {f: v for f, v in doc[key].items() if f in new_schema.get("properties", {})} or None
    updated["schemaVersion"] = doc["schemaVersion"] + 1
    updated["updatedAt"] = dates.now()
    saved = backend.control("tables").update(
        doc["_id"],
        {k: updated[k] for k in ("schema", "schemaVersion", "updatedAt", "columnPermissions")},
        guard=Cond("schemaVersion", "eq", doc["schemaVersion"], scalar=True),
    )
    if saved is None:
        raise BkendError("common/conflict", "The table changed while this change was applied; retry")
    _record_schema_version(backend, saved, changed_by, change, rolled_back_from)
    return public_table(backend, saved)


def _record_schema_version(
    backend: Backend, doc: dict[str, Any], by: str, change: str, rolled_back_from: int | None = None
) -> None:
    version = {
        "_id": ids.short_id("sv_"),
        "tableId": doc["_id"],
        "version": doc["schemaVersion"],
        "schema": doc["schema"],
        "change": change,
        "createdBy": by,
        "createdAt": dates.now(),
    }
    if rolled_back_from is not None:
        version["rolledBackFrom"] = rolled_back_from
    backend.control("schema_versions").insert(version)


def _versions(backend: Backend, collection: str, doc: dict[str, Any], current: int, page: int, limit: int) -> dict:
    limit = max(1, min(int(limit), 100))
    page = max(1, int(page))
    where = Cond("tableId", "eq", doc["_id"], scalar=True)
    found = backend.control(collection).find(
        Query(where, sort=(SortKey("version", -1, True),), skip=(page - 1) * limit, limit=limit)
    )
    items = []
    for v in found:
        item = {"id": v["_id"], **{k: val for k, val in v.items() if k != "_id"}}
        item["createdAt"] = dates.iso(item["createdAt"])
        item["isCurrent"] = v["version"] == current
        items.append(item)
    return {"items": items, "pagination": pagination(backend.control(collection).count(where), page, limit)}


def list_schema_versions(backend: Backend, environment_id: str, ref: str, page: int = 1, limit: int = 20) -> dict:
    doc = require_table(backend, environment_id, ref)
    return _versions(backend, "schema_versions", doc, doc["schemaVersion"], page, limit)


def rollback_schema(backend: Backend, environment_id: str, ref: str, version: int, changed_by: str) -> dict[str, Any]:
    """Copy schema version `version` into a new version. Data of dropped columns is not restored."""
    doc = require_table(backend, environment_id, ref)
    old = _version(backend, "schema_versions", doc, version, "table/schema-version-not-found")
    return _replace_schema(backend, doc, old["schema"], changed_by, "rollback", rolled_back_from=version)


def _version(backend: Backend, collection: str, doc: dict[str, Any], version: Any, code: str) -> dict[str, Any]:
    if type(version) is not int or not 1 <= version <= INT64[1]:  # versions count from 1; no engine keeps more
        raise BkendError(code, f"Version '{version}' not found")
    found = backend.control(collection).find(
        Query(all_of([Cond("tableId", "eq", doc["_id"], scalar=True), Cond("version", "eq", version, scalar=True)]))
    )
    if not found:
        raise BkendError(code, f"Version {version} of table '{doc['tableName']}' not found")
    return found[0]


# --- index changes -----------------------------------------------------------------------------------------------


def manage_indexes(
    backend: Backend, environment_id: str, ref: str, changes: dict[str, Any], changed_by: str
) -> dict[str, Any]:
    """Add/replace/remove custom indexes (spec §2.7); a new index version each time."""
    doc = require_table(backend, environment_id, ref)
    custom = indexes.apply_changes(doc, changes.get("indexesToAddOrUpdate"), changes.get("indexesToRemove"))
    return _replace_indexes(backend, doc, custom, changed_by)


def _replace_indexes(backend: Backend, doc: dict[str, Any], custom: list[dict], changed_by: str) -> dict[str, Any]:
    updated = {**doc, "customIndexes": custom}
    indexes.sync(backend, updated, previous=doc)
    saved = backend.control("tables").update(
        doc["_id"],
        {"customIndexes": custom, "indexVersion": doc["indexVersion"] + 1, "updatedAt": dates.now()},
        guard=Cond("indexVersion", "eq", doc["indexVersion"], scalar=True),
    )
    if saved is None:
        raise BkendError("common/conflict", "The table changed while this change was applied; retry")
    _record_index_version(backend, saved, changed_by)
    return public_table(backend, saved)


def _record_index_version(backend: Backend, doc: dict[str, Any], by: str) -> None:
    backend.control("index_versions").insert(
        {
            "_id": ids.short_id("iv_"),
            "tableId": doc["_id"],
            "version": doc["indexVersion"],
            "indexes": indexes.all_public(doc),
            "customIndexes": doc["customIndexes"],
            "createdBy": by,
            "createdAt": dates.now(),
        }
    )


def list_index_versions(backend: Backend, environment_id: str, ref: str, page: int = 1, limit: int = 20) -> dict:
    doc = require_table(backend, environment_id, ref)
    return _versions(backend, "index_versions", doc, doc["indexVersion"], page, limit)


def rollback_indexes(backend: Backend, environment_id: str, ref: str, version: int, changed_by: str) -> dict:
    doc = require_table(backend, environment_id, ref)
    old = _version(backend, "index_versions", doc, version, "table/index-version-not-found")
    return _replace_indexes(backend, doc, old["customIndexes"], changed_by)
