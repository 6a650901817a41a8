"""Table management reached with an environment's secret key (`sk_`) or by the tenant.

Hosted bkend managed tables only from its console and MCP; a self-hosted server also lets the environment's
server-side admin do it over REST (`/v1/tables`), so scripts and CI can set up a backend.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import keys, records, tables
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

CREATE_KEYS = {
    "tableName",
    "schema",
    "fields",
    "columns",
    "required",
    "displayName",
    "description",
    *tables.PERMISSION_KEYS,
}


def require_manager(caller: Caller) -> str:
    """The actor id recorded as `createdBy` of versions; 403 unless the caller may manage tables."""
    if caller.tenant_id:
        return caller.tenant_id
    if caller.secret_key and caller.key_id:
        if not keys.scope_allows(caller.scopes, "*", "*"):
            raise BkendError("data/scope-insufficient", "Managing tables or MCP access needs a key without scopes")
        return caller.uid or caller.key_id
    raise BkendError("table/permission-denied", "Managing tables needs a secret key (sk_) or the console")


def _fields_of(body: dict[str, Any]) -> Any:
    given = [k for k in ("schema", "fields", "columns") if k in body]
    if len(given) > 1:
        message = "Send the columns once: 'schema' (BSON property map) or 'fields' (list of columns)"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": given[1], "reason": "conflict", "message": message}]
        )
    return body[given[0]] if given else None


def create_table(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    actor = require_manager(caller)
    body = records.require_object(body)
    unknown = sorted(set(body) - CREATE_KEYS)
    if unknown:
        message = f"Unknown table option '{unknown[0]}'"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": unknown[0], "reason": "unknown-field", "message": message}]
        )
    return tables.create_table(
        backend,
        project_id=caller.project_id,
        environment_id=caller.environment_id,
        table_name=body.get("tableName"),  # type: ignore[arg-type]
        created_by=actor,
        fields=_fields_of(body),
        required=body.get("required"),
        display_name=body.get("displayName"),
        description=body.get("description"),
        **{k: body[k] for k in tables.PERMISSION_KEYS if k in body},
    )


def list_tables(backend: Backend, caller: Caller) -> dict[str, Any]:
    require_manager(caller)
    items = tables.list_tables(backend, caller.environment_id)
    return {"items": items, "total": len(items)}


def get_table(backend: Backend, caller: Caller, ref: str) -> dict[str, Any]:
    require_manager(caller)
    return tables.get_table(backend, caller.environment_id, ref)


def update_table(backend: Backend, caller: Caller, ref: str, body: Any) -> dict[str, Any]:
    require_manager(caller)
    return tables.update_table(backend, caller.environment_id, ref, records.require_object(body))


def delete_table(backend: Backend, caller: Caller, ref: str) -> dict[str, Any]:
    require_manager(caller)
    return tables.delete_table(backend, caller.environment_id, ref)


def manage_fields(backend: Backend, caller: Caller, ref: str, body: Any) -> dict[str, Any]:
    actor = require_manager(caller)
    return tables.manage_fields(backend, caller.environment_id, ref, records.require_object(body), actor)


def manage_indexes(backend: Backend, caller: Caller, ref: str, body: Any) -> dict[str, Any]:
    actor = require_manager(caller)
    return tables.manage_indexes(backend, caller.environment_id, ref, records.require_object(body), actor)


def list_schema_versions(backend: Backend, caller: Caller, ref: str, page: int, limit: int) -> dict[str, Any]:
    require_manager(caller)
    return tables.list_schema_versions(backend, caller.environment_id, ref, page, limit)


def rollback_schema(backend: Backend, caller: Caller, ref: str, version: int) -> dict[str, Any]:
    actor = require_manager(caller)
    return tables.rollback_schema(backend, caller.environment_id, ref, version, actor)


def list_index_versions(backend: Backend, caller: Caller, ref: str, page: int, limit: int) -> dict[str, Any]:
    require_manager(caller)
    return tables.list_index_versions(backend, caller.environment_id, ref, page, limit)


def rollback_indexes(backend: Backend, caller: Caller, ref: str, version: int) -> dict[str, Any]:
    actor = require_manager(caller)
    return tables.rollback_indexes(backend, caller.environment_id, ref, version, actor)
