"""bkend's own MCP tool shapes (spec/mcp-and-console.md §2.2-§2.6, §6.4) mapped onto the tenant functions the core
tools use, so a prompt or script written for hosted bkend keeps working and gets the same rules.

bkend addressed everything by id inside a `body` wrapper; here those ids (`projectId`, `environmentId`, `tableId`)
also accept what the core tools accept (a slug, an environment name, a table name). Lists are `{items, pagination}`
returned whole; objects are the core tools' objects, which carry every field bkend documented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bkend_mcp.domain import addressing, key_admin, projects, table_admin, tables, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal

TABLE_UPDATE_KEYS = ("displayName", "description", *tables.PERMISSION_KEYS)
FIELD_CHANGE_KEYS = table_admin.FIELD_CHANGE_KEYS
INDEX_CHANGE_KEYS = ("indexesToAddOrUpdate", "indexesToRemove")


def _invalid(field: str, reason: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": reason, "message": message}])


def _body(body: Any, allowed: tuple[str, ...], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `body` wrapper: an object with only `allowed` keys, the `required` ones present."""
    body = {} if body is None else body
    if not isinstance(body, Mapping):
        raise _invalid("body", "type", "'body' must be an object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise _invalid(f"body.{unknown[0]}", "unknown-field", f"'body.{unknown[0]}' is not accepted here")
    missing = [key for key in required if body.get(key) in (None, "")]
    if missing:
        raise _invalid(f"body.{missing[0]}", "required", f"'body.{missing[0]}' is required")
    return dict(body)


# --- organizations -----------------------------------------------------------------------------------------------


def org_list(backend: Backend, principal: Principal) -> dict[str, Any]:
    return projects.list_organizations(backend, principal)


def org_get(backend: Backend, principal: Principal, organization_id: str) -> dict[str, Any]:
    return projects.get_organization(backend, principal, organization_id)


# --- projects ----------------------------------------------------------------------------------------------------


def project_list(backend: Backend, principal: Principal) -> dict[str, Any]:
    """Every project of the organization with its settings and environment count."""
    return projects.whole_list(
        [tenancy.get_project(backend, principal.tenant_id, p["id"]) for p in addressing.projects(backend, principal)]
    )


def project_get(backend: Backend, principal: Principal, project_id: str) -> dict[str, Any]:
    found = addressing.resolve_project(backend, principal, project_id)
    return tenancy.get_project(backend, principal.tenant_id, found["id"])


def project_create(backend: Backend, principal: Principal, body: Any) -> dict[str, Any]:
    """`body{organizationId, slug, name, primaryCloud, primaryRegion, description}`; cloud and region are
    informational here and default to `local`."""
    given = _body(
        body,
        ("organizationId", "slug", "name", "primaryCloud", "primaryRegion", "description"),
        required=("organizationId", "slug", "name"),
    )
    return projects.create_project(
        backend,
        principal,
        organization=given["organizationId"],
        slug=given["slug"],
        name=given["name"],
        description=given.get("description"),
        primary_cloud=given.get("primaryCloud") or "local",
        primary_region=given.get("primaryRegion") or "local",
    )


def project_update(backend: Backend, principal: Principal, project_id: str, body: Any) -> dict[str, Any]:
    """`body{name, slug, description, settings}`; the slug is immutable (sending the current one is fine)."""
    given = _body(body, ("name", "slug", "description", "settings"))
    found = addressing.resolve_project(backend, principal, project_id)
    if given.get("slug") not in (None, found["slug"]):
        raise _invalid("body.slug", "immutable", "A project's slug cannot change; create a new project instead")
    projects.update_project(
        backend,
        principal,
        found["id"],
        name=given.get("name"),
        description=given.get("description"),
        settings=given.get("settings"),
    )
    return tenancy.get_project(backend, principal.tenant_id, found["id"])


# --- environments ------------------------------------------------------------------------------------------------


def env_list(backend: Backend, principal: Principal, project_id: str | None = None) -> dict[str, Any]:
    """The environments of `project_id`, or of every project of the organization."""
    if project_id:
        return projects.list_environments(backend, principal, project_id)
    return projects.whole_list(projects.all_environments(backend, principal))


def env_get(backend: Backend, principal: Principal, environment_id: str) -> dict[str, Any]:
    return projects.get_environment(backend, principal, environment_id)


def env_create(backend: Backend, principal: Principal, body: Any) -> dict[str, Any]:
    """`body{projectId, environment, environmentType}`."""
    given = _body(body, ("projectId", "environment", "environmentType"), required=("projectId", "environment"))
    return projects.create_environment(
        backend,
        principal,
        name=given["environment"],
        environment_type=given.get("environmentType"),
        project=given["projectId"],
    )


# --- access tokens -----------------------------------------------------------------------------------------------


def access_token_list(backend: Backend, principal: Principal) -> dict[str, Any]:
    """Every API key of the organization: publishable keys in full, secret keys masked."""
    return projects.whole_list(key_admin.all_api_keys(backend, principal))


def access_token_get(backend: Backend, principal: Principal, access_token_id: str) -> dict[str, Any]:
    return key_admin.get_api_key(backend, principal, access_token_id)


# --- tables ------------------------------------------------------------------------------------------------------


def table_list(
    backend: Backend, principal: Principal, project_id: str | None = None, environment: str | None = None
) -> dict[str, Any]:
    """Tables with schema and document count: of one environment when `project_id` or `environment` is given
    (the other defaults as in the core tools), else of every environment of the organization."""
    if project_id or environment:
        envs = [addressing.resolve_environment(backend, principal, project_id, environment)]
    else:
        envs = projects.open_environments(backend, principal)
    return projects.whole_list(
        [{**t, "environment": env["environment"]} for env in envs for t in tables.list_tables(backend, env["id"])]
    )


def table_get(backend: Backend, principal: Principal, table_id: str) -> dict[str, Any]:
    return table_admin.get_table(backend, principal, table_id)


def table_create(backend: Backend, principal: Principal, body: Any) -> dict[str, Any]:
    """`body{projectId, environment, tableName, schema, displayName, description}`; `schema` is bkend's BSON map
    (`{"title": {"bsonType": "string"}}`), a full `{bsonType: "object", required, properties}` root, or a map with
    a `required` list; fields may also say `required: true`."""
    given = _body(
        body,
        ("projectId", "environment", "tableName", "schema", "displayName", "description"),
        required=("projectId", "environment", "tableName"),
    )
    bson_schema = given.get("schema")
    if bson_schema is not None and not isinstance(bson_schema, dict):
        raise _invalid("body.schema", "type", "'body.schema' must be an object of field definitions")
    return table_admin.create_table(
        backend,
        principal,
        table=given["tableName"],
        bson_schema=bson_schema or {},
        display_name=given.get("displayName"),
        description=given.get("description"),
        project=given["projectId"],
        environment=given["environment"],
    )


def table_update(backend: Backend, principal: Principal, table_id: str, body: Any) -> dict[str, Any]:
    """`body{displayName, description, permissions}` (+ `expressionPermissions`, `columnPermissions`,
    `rowFilters`); each permission object replaces the stored one. Fields: `backend_field_manage`."""
    return table_admin.update_table(backend, principal, table_id, _body(body, TABLE_UPDATE_KEYS))


def field_manage(backend: Backend, principal: Principal, table_id: str, body: Any) -> dict[str, Any]:
    """`body{fieldsToAddOrUpdate, fieldsToRemove, requiredFieldsToAdd, requiredFieldsToRemove}`: one new schema
    version; the updated table."""
    changes = _changes(body, FIELD_CHANGE_KEYS)
    env, doc = addressing.writable_table(backend, principal, table_id, None, None)
    return tables.manage_fields(backend, env["id"], doc["_id"], changes, principal.tenant_id)


def index_manage(backend: Backend, principal: Principal, table_id: str, body: Any) -> dict[str, Any]:
    """`body{indexesToAddOrUpdate: [{name, fields: {f: 1|-1}, unique, sparse}], indexesToRemove: [name]}`: one new
    index version (same name = replace); the updated table."""
    changes = _changes(body, INDEX_CHANGE_KEYS)
    if isinstance(changes.get("indexesToAddOrUpdate"), list):
        changes["indexesToAddOrUpdate"] = [
            table_admin.index_def(ix) if isinstance(ix, Mapping) else ix for ix in changes["indexesToAddOrUpdate"]
        ]
    env, doc = addressing.writable_table(backend, principal, table_id, None, None)
    return tables.manage_indexes(backend, env["id"], doc["_id"], changes, principal.tenant_id)


def _changes(body: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    changes = {k: v for k, v in _body(body, keys).items() if v is not None}
    if not changes:
        raise _invalid("body", "required", f"Nothing to change: give one of {', '.join(keys)} in 'body'")
    return changes


def schema_version_list(
    backend: Backend, principal: Principal, table_id: str, page: int = 1, limit: int = 20
) -> dict[str, Any]:
    """Schema versions, newest first, each with its schema."""
    return table_admin.list_schema_versions(backend, principal, table_id, page, limit, include_schema=True)


def index_version_list(
    backend: Backend, principal: Principal, table_id: str, page: int = 1, limit: int = 20
) -> dict[str, Any]:
    return table_admin.list_index_versions(backend, principal, table_id, page, limit)
