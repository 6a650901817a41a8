"""Tables as a tenant manages them from MCP (spec/mcp-and-console.md §6.2-§6.3): addressed by name in a project's
environment, columns given as FieldDef rows or the stored BSON form, indexes as IndexDef.

The rules stay in `tables`, `schema`, `indexes` and `permissions`; this module maps the MCP shapes onto them and adds
what only the tenant side has: `confirm` on delete, dry runs, warnings about existing records, REST hints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bkend_mcp.domain import addressing, openapi, projects, schema, schema_changes, tables
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.confirm import require_confirmation
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.projects import page_of
from bkend_mcp.store.base import Cond, Query, SortKey

SUMMARY_KEYS = ("displayName", "description", "status", "documentCount", "schemaVersion", "indexVersion", "updatedAt")
INDEX_NAME_LIMIT = 64
FIELD_CHANGE_KEYS = ("fieldsToAddOrUpdate", "fieldsToRemove", "requiredFieldsToAdd", "requiredFieldsToRemove")


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])


def _resolve(
    backend: Backend, principal: Principal, table: str, project: str | None, environment: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    return addressing.resolve_table(backend, principal, table, project, environment)


def _resolve_for_writing(
    backend: Backend, principal: Principal, table: str, project: str | None, environment: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    return addressing.writable_table(backend, principal, table, project, environment)


# --- shapes ------------------------------------------------------------------------------------------------------


def field_changes(
    add: Sequence[Mapping[str, Any]] | None,
    remove: Sequence[str] | None,
    require: Sequence[str] | None,
    unrequire: Sequence[str] | None,
) -> dict[str, Any]:
    """FieldDef rows and name lists → the `fieldsToAddOrUpdate`… change of `tables.manage_fields`."""
    changes: dict[str, Any] = {}
    if add:
        changes["fieldsToAddOrUpdate"] = {str(f.get("name")): {k: v for k, v in f.items() if k != "name"} for f in add}
    for key, names in (
        ("fieldsToRemove", remove),
        ("requiredFieldsToAdd", require),
        ("requiredFieldsToRemove", unrequire),
    ):
        if names:
            changes[key] = list(names)
    if not changes:
        raise _invalid("add", "Nothing to change: give 'add', 'remove', 'require' or 'unrequire'")
    return changes


def derived_index_name(fields: Any) -> str:
    """`idx_<field>_<asc|desc>…` (dots become `_`): our index names allow letters, digits and `_` only."""
    parts = [f"{str(path).replace('.', '_')}_{'desc' if d == -1 else 'asc'}" for path, d in dict(fields or {}).items()]
    return ("idx_" + "_".join(parts))[:INDEX_NAME_LIMIT].rstrip("_") or "idx"


def index_def(raw: Mapping[str, Any]) -> dict[str, Any]:
    """IndexDef (`fields` as `{field: 1|-1}` or `[field, …]` ascending; `name` optional) → the stored shape."""
    fields = raw.get("fields")
    if isinstance(fields, list) and all(isinstance(f, str) for f in fields):
        fields = {f: 1 for f in fields}
    out = {**raw, "fields": fields}
    if not raw.get("name") and isinstance(fields, dict):
        out["name"] = derived_index_name(fields)
    return out


def _columns(
    fields: Sequence[Mapping[str, Any]] | None, bson_schema: dict[str, Any] | None
) -> tuple[Any, list[str] | None]:
    """(columns for `normalize_schema`, extra required names): FieldDef rows or the BSON map, never both. A flat
    BSON map may carry a `required` list, as bkend's `backend_table_create` accepted."""
    if fields is not None and bson_schema is not None:
        raise _invalid("schema", "Give the columns once: 'fields' (FieldDef list) or 'schema' (BSON map)")
    if bson_schema is not None and "properties" not in bson_schema and isinstance(bson_schema.get("required"), list):
        return {k: v for k, v in bson_schema.items() if k != "required"}, bson_schema["required"]
    return (fields if fields is not None else bson_schema), None


# --- reads -------------------------------------------------------------------------------------------------------


def _summary(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    public = tables.public_table(backend, doc)
    summary = {"id": public["id"], "tableName": public["tableName"], **{k: public[k] for k in SUMMARY_KEYS}}
    return {**summary, "fieldCount": len(public["fields"]), "isSystem": False}


def _system_summary(backend: Backend, env: dict[str, Any], name: str) -> dict[str, Any]:
    present = name in backend.store.collection_names(env["id"])
    count = backend.data(env["id"], name).count() if present else 0
    return {
        "id": None,
        "tableName": name,
        "displayName": name,
        "status": "deployed",
        "documentCount": count,
        "isSystem": True,
        "description": "Built-in; read-only here (managed by auth and storage)",
    }


def _stored_tables(backend: Backend, env: dict[str, Any]) -> list[dict[str, Any]]:
    where = Cond("environmentId", "eq", env["id"], scalar=True)
    return backend.control("tables").find(Query(where, sort=(SortKey("tableName", 1, True),)))


def list_tables(
    backend: Backend,
    principal: Principal,
    project: str | None = None,
    environment: str | None = None,
    include_system: bool = False,
    page: int = 1,
    limit: int = 100,
) -> dict[str, Any]:
    env = addressing.resolve_environment(backend, principal, project, environment)
    items = [_summary(backend, doc) for doc in _stored_tables(backend, env)]
    if include_system:
        items += [_system_summary(backend, env, name) for name in tables.BUILT_IN_TABLES]
    return {**page_of(items, page, limit), "projectId": env["projectId"], "environment": env["environment"]}


def all_tables(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """Every table of every environment the principal sees, as summaries naming their environment."""
    out = []
    for env in projects.open_environments(backend, principal):
        out += [
            {**_summary(backend, doc), "projectId": env["projectId"], "environment": env["environment"]}
            for doc in _stored_tables(backend, env)
        ]
    return out


def rest_hints(backend: Backend, table_name: str) -> dict[str, Any]:
    """How app code reaches this table over REST: the routes and headers to use."""
    base = backend.config.base_url
    path = f"{base}/v1/data/{table_name}"
    routes = {
        "list": f"GET {path}",
        "create": f"POST {path}",
        "get": f"GET {path}/{{id}}",
        "update": f"PATCH {path}/{{id}}",
        "delete": f"DELETE {path}/{{id}}",
        "spec": f"GET {path}/spec",
        "openapi": f"GET {path}/openapi",
    }
    return {
        "baseUrl": base,
        "endpoints": routes,
        "headers": {
            "X-API-Key": "<publishable key of this environment, see get_context>",
            "Authorization": "Bearer <user access token> (only when a user is signed in)",
        },
        "listParameters": "page, limit (1-100), sortBy, sortDirection (asc|desc), andFilters, orFilters (JSON), "
        "search, searchType",
        "responses": "one record: the record with 'id'; lists: {items, pagination}",
    }


def get_table(
    backend: Backend, principal: Principal, table: str, project: str | None = None, environment: str | None = None
) -> dict[str, Any]:
    env, doc = _resolve(backend, principal, table, project, environment)
    public = tables.public_table(backend, doc)
    return {**public, "environment": env["environment"], "rest": rest_hints(backend, doc["tableName"])}


def table_openapi(
    backend: Backend, principal: Principal, table: str, project: str | None = None, environment: str | None = None
) -> dict[str, Any]:
    env, doc = _resolve(backend, principal, table, project, environment)
    return openapi.openapi_document(backend, addressing.environment_caller(env, principal), doc["tableName"])


def list_schema_versions(
    backend: Backend,
    principal: Principal,
    table: str,
    page: int = 1,
    limit: int = 20,
    include_schema: bool = False,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    env, doc = _resolve(backend, principal, table, project, environment)
    listed = tables.list_schema_versions(backend, env["id"], doc["_id"], page, limit)
    if not include_schema:
        listed["items"] = [{k: v for k, v in item.items() if k != "schema"} for item in listed["items"]]
    return listed


def list_index_versions(
    backend: Backend,
    principal: Principal,
    table: str,
    page: int = 1,
    limit: int = 20,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    env, doc = _resolve(backend, principal, table, project, environment)
    return tables.list_index_versions(backend, env["id"], doc["_id"], page, limit)


# --- writes ------------------------------------------------------------------------------------------------------


def create_table(
    backend: Backend,
    principal: Principal,
    *,
    table: str,
    fields: Sequence[Mapping[str, Any]] | None = None,
    bson_schema: dict[str, Any] | None = None,
    display_name: str | None = None,
    description: str | None = None,
    indexes: Sequence[Mapping[str, Any]] | None = None,
    rules: dict[str, Any] | None = None,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """A table at schema version 1 and index version 1, with its custom indexes and permission objects."""
    columns, required = _columns(fields, bson_schema)
    env = addressing.writable_environment(backend, principal, project, environment)
    made = tables.create_table(
        backend,
        project_id=env["projectId"],
        environment_id=env["id"],
        table_name=table,
        created_by=principal.tenant_id,
        fields=columns,
        required=required,
        display_name=display_name,
        description=description,
        custom_indexes=[index_def(ix) for ix in indexes or []],
        **{k: v for k, v in (rules or {}).items() if v is not None},
    )
    return {**made, "environment": env["environment"], "rest": rest_hints(backend, made["tableName"])}


def update_table(
    backend: Backend,
    principal: Principal,
    table: str,
    changes: dict[str, Any],
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """Display name, description and the permission objects (each replaced whole; None resets it)."""
    env, doc = _resolve_for_writing(backend, principal, table, project, environment)
    if not changes:
        raise _invalid("table", "Nothing to change: give displayName, description or a permission object")
    return tables.update_table(backend, env["id"], doc["_id"], changes)


def delete_table(
    backend: Backend,
    principal: Principal,
    table: str,
    confirm: str | None,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    if table in tables.BUILT_IN_TABLES:
        raise BkendError("data/system-table-access", f"'{table}' is a built-in system table and cannot be deleted")
    env, doc = _resolve_for_writing(backend, principal, table, project, environment)
    require_confirmation(confirm, doc["tableName"], "table")
    count = backend.data(env["id"], doc["tableName"]).count()
    tables.delete_table(backend, env["id"], doc["_id"])
    return {"deleted": True, "id": doc["_id"], "tableName": doc["tableName"], "documentsDeleted": count}


def _missing_required(backend: Backend, doc: dict[str, Any], new_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Existing records that lack a field the schema now requires: they stay, but fail validation when updated."""
    collection = backend.data(doc["environmentId"], doc["tableName"])
    warnings = []
    for name in new_schema.get("required") or []:
        missing = collection.count(Cond(name, "exists", False))
        if missing:
            warnings.append(
                {
                    "field": name,
                    "nonConformingCount": missing,
                    "message": f"{missing} existing record(s) have no '{name}'",
                }
            )
    return warnings


def manage_fields(
    backend: Backend,
    principal: Principal,
    table: str,
    *,
    add: Sequence[Mapping[str, Any]] | None = None,
    remove: Sequence[str] | None = None,
    require: Sequence[str] | None = None,
    unrequire: Sequence[str] | None = None,
    dry_run: bool = False,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """One schema change (a new version), or with `dry_run` the schema it would produce, written nowhere."""
    env, doc = (_resolve if dry_run else _resolve_for_writing)(backend, principal, table, project, environment)
    changes = field_changes(add, remove, require, unrequire)
    if dry_run:
        new_schema = schema_changes.apply_field_changes(doc["schema"], *(changes.get(k) for k in FIELD_CHANGE_KEYS))
        return {
            "table": doc["tableName"],
            "dryRun": True,
            "schemaVersion": doc["schemaVersion"],
            "fields": schema.fields_view(new_schema),
            "warnings": _missing_required(backend, doc, new_schema),
        }
    saved = tables.manage_fields(backend, env["id"], doc["_id"], changes, principal.tenant_id)
    return _schema_result(backend, doc, saved)


def rollback_schema(
    backend: Backend,
    principal: Principal,
    table: str,
    version: int,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """A new schema version copying `version`; records are untouched (warnings count the ones that no longer fit)."""
    env, doc = _resolve_for_writing(backend, principal, table, project, environment)
    saved = tables.rollback_schema(backend, env["id"], doc["_id"], version, principal.tenant_id)
    return {**_schema_result(backend, doc, saved), "rolledBackFrom": version}


def rollback_indexes(
    backend: Backend,
    principal: Principal,
    table: str,
    version: int,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """A new index version copying `version` (unique indexes are rebuilt; duplicates refuse it)."""
    env, doc = _resolve_for_writing(backend, principal, table, project, environment)
    saved = tables.rollback_indexes(backend, env["id"], doc["_id"], version, principal.tenant_id)
    return {"table": saved["tableName"], "indexVersion": saved["indexVersion"], "indexes": saved["indexes"]}


def _schema_result(backend: Backend, doc: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": saved["tableName"],
        "schemaVersion": saved["schemaVersion"],
        "fields": saved["fields"],
        "warnings": _missing_required(backend, doc, saved["schema"]),
    }


def manage_indexes(
    backend: Backend,
    principal: Principal,
    table: str,
    *,
    add: Sequence[Mapping[str, Any]] | None = None,
    remove: Sequence[str] | None = None,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """Add (same name = replace) or remove custom indexes: a new index version."""
    env, doc = _resolve_for_writing(backend, principal, table, project, environment)
    if not add and not remove:
        raise _invalid("add", "Nothing to change: give 'add' or 'remove'")
    changes = {"indexesToAddOrUpdate": [index_def(ix) for ix in add or []], "indexesToRemove": list(remove or [])}
    saved = tables.manage_indexes(backend, env["id"], doc["_id"], changes, principal.tenant_id)
    return {"table": saved["tableName"], "indexVersion": saved["indexVersion"], "indexes": saved["indexes"]}
