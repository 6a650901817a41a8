"""bkend's older MCP tools (v0.0.8/v0.0.10, spec/mcp-and-console.md §2.7, §6.5) mapped onto today's functions.

They took `organizationId`, `projectId` and `environmentId` at the top level: each is checked when sent (a mismatch
is "not found", as bkend answered for another organization's ids) and may be left out when `tableId` implies it.
Their deletes had no confirmation step, so none is asked here; the record tools run the single-record REST
pipelines of `records.py` as the environment admin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bkend_mcp.domain import addressing, bulk, projects, records, table_admin, tables
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, invalid_param
from bkend_mcp.domain.principal import Principal

SCHEMA_TYPES = ("input", "output", "both")
VERSION_PAGE = 100


def _not_found(what: str, value: str) -> BkendError:
    return BkendError("common/not-found", f"{what} '{value}' not found")


def check_ids(
    backend: Backend,
    principal: Principal,
    env: dict[str, Any],
    organization_id: str | None = None,
    project_id: str | None = None,
    environment_id: str | None = None,
) -> None:
    """The sent ids must name the environment the call works in (ids or, for friendliness, slug and name)."""
    if organization_id is not None:
        org = addressing.require_organization(backend, principal, organization_id)
        if org["id"] != env["organizationId"]:
            raise _not_found("Organization", organization_id)
    if project_id is not None:
        project = addressing.resolve_project(backend, principal, project_id)
        if project["id"] != env["projectId"]:
            raise _not_found("Project", project_id)
    if environment_id is not None and environment_id not in (env["id"], env["environment"]):
        raise _not_found("Environment", environment_id)


def table_in(
    backend: Backend, principal: Principal, table_id: str, **ids: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(environment, stored table) for a legacy call: the table by `tbl_` id (or by name within the sent
    project/environment), with the other ids checked against it."""
    env, doc = addressing.resolve_table(backend, principal, table_id, ids.get("project_id"), ids.get("environment_id"))
    check_ids(backend, principal, env, **ids)
    return env, doc


def _writable_table_in(
    backend: Backend, principal: Principal, table_id: str, **ids: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    env, doc = addressing.writable_table(backend, principal, table_id, ids.get("project_id"), ids.get("environment_id"))
    check_ids(backend, principal, env, **ids)
    return env, doc


# --- projects, environments, tables ------------------------------------------------------------------------------


def project_delete(
    backend: Backend, principal: Principal, project_id: str, organization_id: str | None = None
) -> dict[str, Any]:
    found = addressing.resolve_project(backend, principal, project_id)
    if (
        organization_id is not None
        and addressing.require_organization(backend, principal, organization_id)["id"] != (found["organizationId"])
    ):
        raise _not_found("Project", project_id)
    return projects.delete_project(backend, principal, found["id"], found["slug"])


def env_delete(backend: Backend, principal: Principal, environment_id: str, **ids: str | None) -> dict[str, Any]:
    env = addressing.resolve_environment(backend, principal, ids.get("project_id"), environment_id)
    check_ids(backend, principal, env, **ids)
    return projects.delete_environment(backend, principal, env["id"], env["environment"])


def table_delete(backend: Backend, principal: Principal, table_id: str, **ids: str | None) -> dict[str, Any]:
    env, doc = table_in(backend, principal, table_id, **ids)
    return table_admin.delete_table(backend, principal, doc["_id"], doc["tableName"])


def _find_version(
    lister: Callable[..., dict[str, Any]], backend: Backend, env: dict[str, Any], doc: dict[str, Any], version: Any
) -> dict[str, Any]:
    """A version by its id (`sv_…`/`iv_…`) or its number, read through the public version list."""
    page = 1
    while True:
        listed = lister(backend, env["id"], doc["_id"], page, VERSION_PAGE)
        for item in listed["items"]:
            if version in (item["id"], item["version"]) or str(version) == str(item["version"]):
                return item
        if not listed["pagination"]["hasNext"]:
            raise _not_found("Version", str(version))
        page += 1


def schema_version_get(
    backend: Backend, principal: Principal, table_id: str, version_id: Any, **ids: str | None
) -> dict[str, Any]:
    env, doc = table_in(backend, principal, table_id, **ids)
    return _find_version(tables.list_schema_versions, backend, env, doc, version_id)


def schema_version_apply(
    backend: Backend, principal: Principal, table_id: str, version_id: Any, **ids: str | None
) -> dict[str, Any]:
    """Roll back: a new schema version copying the chosen one (data is not touched)."""
    env, doc = table_in(backend, principal, table_id, **ids)
    version = _find_version(tables.list_schema_versions, backend, env, doc, version_id)["version"]
    return table_admin.rollback_schema(backend, principal, doc["_id"], version)


def index_version_get(
    backend: Backend, principal: Principal, table_id: str, version_id: Any, **ids: str | None
) -> dict[str, Any]:
    env, doc = table_in(backend, principal, table_id, **ids)
    return _find_version(tables.list_index_versions, backend, env, doc, version_id)


# --- records -----------------------------------------------------------------------------------------------------


def _admin(backend: Backend, principal: Principal, table_id: str, ids: Mapping[str, str | None]) -> tuple[Caller, str]:
    env, doc = table_in(backend, principal, table_id, **ids)
    return addressing.environment_caller(env, principal), doc["tableName"]


def _admin_writer(
    backend: Backend, principal: Principal, table_id: str, ids: Mapping[str, str | None]
) -> tuple[Caller, str]:
    env, doc = _writable_table_in(backend, principal, table_id, **ids)
    return addressing.environment_caller(env, principal), doc["tableName"]


def data_list(
    backend: Backend,
    principal: Principal,
    table_id: str,
    *,
    page: int = 1,
    limit: int = 20,
    sort_by: str | None = None,
    sort_direction: str | None = None,
    and_filters: Any = None,
    or_filters: Any = None,
    **ids: str | None,
) -> dict[str, Any]:
    """`{items, pagination}`, as `GET /v1/data/{table}` with `andFilters`/`orFilters`."""
    caller, name = _admin(backend, principal, table_id, ids)
    return bulk.find(
        backend,
        caller,
        name,
        filter=and_filters,
        or_filters=or_filters,
        sort_by=sort_by,
        sort_direction=sort_direction,
        page=page,
        limit=limit,
    )


def data_get(backend: Backend, principal: Principal, table_id: str, record_id: str, **ids: str | None) -> dict:
    caller, name = _admin(backend, principal, table_id, ids)
    return records.get_record(backend, caller, name, record_id)


def data_create(backend: Backend, principal: Principal, table_id: str, data: Any, **ids: str | None) -> dict:
    caller, name = _admin_writer(backend, principal, table_id, ids)
    return records.create_record(backend, caller, name, data)


def data_update(
    backend: Backend, principal: Principal, table_id: str, record_id: str, data: Any, **ids: str | None
) -> dict[str, Any]:
    caller, name = _admin_writer(backend, principal, table_id, ids)
    return records.update_record(backend, caller, name, record_id, data)


def data_delete(backend: Backend, principal: Principal, table_id: str, record_id: str, **ids: str | None) -> dict:
    caller, name = _admin_writer(backend, principal, table_id, ids)
    return records.delete_record(backend, caller, name, record_id)


# --- get_operation_schema ----------------------------------------------------------------------------------------


def operation_schema(tools: Mapping[str, Mapping[str, Any]], operation: str, schema_type: str) -> dict[str, Any]:
    """The registered JSON schema of a tool: `tools` maps tool name → `{input, output}`."""
    if schema_type not in SCHEMA_TYPES:
        raise invalid_param("schemaType", "enum", f"'schemaType' must be one of: {', '.join(SCHEMA_TYPES)}")
    if operation not in tools:
        raise BkendError("common/not-found", f"No tool named '{operation}'; see tools/list")
    schemas = tools[operation]
    wanted = ("input", "output") if schema_type == "both" else (schema_type,)
    return {"operation": operation, **{f"{kind}Schema": schemas.get(kind) for kind in wanted}}
