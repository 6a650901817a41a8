"""Organizations, projects and environments, and the local owner tenant created on first start.

Every environment is its own store namespace (its id), so its tables, users and files never meet another's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bkend_mcp.domain import activity, dates, ids
from bkend_mcp.domain.auth import collections as auth_collections
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_collections
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Cond, DuplicateKey, Index, Query, all_of

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,48})[a-z0-9]$")
CUSTOM_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
ENVIRONMENT_TYPES = ("dev", "staging", "prod", "custom")
ENVIRONMENT_ALIASES = {"development": "dev", "production": "prod", "stage": "staging"}
CLOUDS = ("local", "aws", "gcp", "azu")
LOCAL_OWNER_ID = "tnt_localowner"

CONTROL_INDEXES: dict[str, tuple[Index, ...]] = {
    **auth_collections.CONTROL_INDEXES,
    **console_collections.CONTROL_INDEXES,
    **activity.CONTROL_INDEXES,
    "organizations": (Index("uniq_slug", (("slug", 1),), unique=True),),
    "projects": (Index("uniq_org_slug", (("organizationId", 1), ("slug", 1)), unique=True),),
    "environments": (Index("uniq_project_name", (("projectId", 1), ("environment", 1)), unique=True),),
    "api_keys": (
        Index("uniq_key_hash", (("keyHash", 1),), unique=True),
        Index("idx_environment", (("environmentId", 1),)),
    ),
    "tables": (Index("uniq_env_table", (("environmentId", 1), ("tableName", 1)), unique=True),),
    "schema_versions": (Index("uniq_table_version", (("tableId", 1), ("version", 1)), unique=True),),
    "index_versions": (Index("uniq_table_version", (("tableId", 1), ("version", 1)), unique=True),),
    # MCP access: personal tokens, OAuth clients and grants (codes, requests, refresh tokens are keyed by hash)
    "mcp_tokens": (Index("uniq_token_hash", (("tokenHash", 1),), unique=True), Index("idx_tenant", (("tenantId", 1),))),
    "oauth_clients": (Index("idx_registered_from", (("registeredFrom", 1), ("createdAt", 1))),),
    "oauth_grants": (Index("idx_tenant_org", (("tenantId", 1), ("organizationId", 1))),),
}


def prepare_control_plane(backend: Backend) -> None:
    for name, indexes in CONTROL_INDEXES.items():
        collection = backend.control(name)
        existing = set(collection.index_names())
        for index in indexes:
            if index.name not in existing:
                collection.create_index(index)


def _invalid(field: str, reason: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": reason, "message": message}])


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _invalid(field, "required" if value is None else "type", f"'{field}' must be a non-empty string")
    if len(value) > limit:
        raise _invalid(field, "maxLength", f"'{field}' must be at most {limit} characters")
    return value


def _slug(value: Any, field: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise _invalid(field, "pattern", f"'{field}' must be 3-50 lowercase letters, digits or hyphens")
    return value


def _find_one(backend: Backend, collection: str, **equals: Any) -> dict[str, Any] | None:
    conds = [Cond(k, "eq", v, scalar=True) for k, v in equals.items()]
    found = backend.control(collection).find(Query(all_of(conds), limit=1))
    return found[0] if found else None


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
    for key in ("createdAt", "updatedAt"):
        if key in out:
            out[key] = dates.iso(out[key])
    return out


# --- the local owner ---------------------------------------------------------------------------------------------


def ensure_local_owner(backend: Backend) -> dict[str, Any]:
    """The tenant that `bkend-mcp mcp` and the local console act as, with its `local` organization.

    Idempotent and safe when two processes start together: unique indexes decide, the loser re-reads.
    """
    tenants = backend.control("tenants")
    if tenants.get(LOCAL_OWNER_ID) is None:
        try:
            tenants.insert(
                {"_id": LOCAL_OWNER_ID, "name": "Local owner", "kind": "local-owner", "createdAt": dates.now()}
            )
        except DuplicateKey:
            pass
    if _find_one(backend, "organizations", slug="local") is None:
        try:
            create_organization(backend, LOCAL_OWNER_ID, name="Local", slug="local")
        except BkendError as exc:
            if exc.code != "common/conflict":
                raise
    owner = tenants.get(LOCAL_OWNER_ID) or {}
    return _public({k: v for k, v in owner.items() if k != "passwordHash"})


# --- organizations -----------------------------------------------------------------------------------------------


def create_organization(
    backend: Backend, tenant_id: str, *, name: str, slug: str, description: str | None = None
) -> dict[str, Any]:
    now = dates.now()
    doc = {
        "_id": ids.short_id("org_"),
        "name": _text(name, "name", 100),
        "slug": _slug(slug),
        "description": _text(description, "description", 1000, required=False),
        "plan": "self-hosted",
        "status": "active",
        "members": [{"tenantId": tenant_id, "role": "owner"}],
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        backend.control("organizations").insert(doc)
    except DuplicateKey as exc:
        raise BkendError("common/conflict", f"Organization slug '{slug}' is already taken") from exc
    return _public(doc)


def list_organizations(backend: Backend, tenant_id: str) -> list[dict[str, Any]]:
    docs = backend.control("organizations").find(Query())
    return [_public(d) for d in docs if _role_in(d, tenant_id)]


def get_organization(backend: Backend, tenant_id: str, organization_id: str) -> dict[str, Any]:
    doc = backend.control("organizations").get(organization_id)
    if doc is None or not _role_in(doc, tenant_id):
        raise BkendError("common/not-found", f"Organization '{organization_id}' not found")
    return _public(doc)


def _role_in(org: dict[str, Any], tenant_id: str) -> str | None:
    return next((m["role"] for m in org.get("members", []) if m.get("tenantId") == tenant_id), None)


# --- projects ----------------------------------------------------------------------------------------------------


def create_project(
    backend: Backend,
    tenant_id: str,
    *,
    organization_id: str,
    slug: str,
    name: str,
    description: str | None = None,
    primary_cloud: str = "local",
    primary_region: str = "local",
    environments: Sequence[str] = ("dev",),
) -> dict[str, Any]:
    """A project and its environments (default: `dev`), every name checked before anything is written."""
    get_organization(backend, tenant_id, organization_id)
    wanted = dict(_environment_identity(name, None) for name in environments or ("dev",))
    if primary_cloud not in CLOUDS:
        raise _invalid("primaryCloud", "enum", f"'primaryCloud' must be one of: {', '.join(CLOUDS)}")
    now = dates.now()
    doc = {
        "_id": ids.short_id("proj_"),
        "organizationId": organization_id,
        "slug": _slug(slug),
        "name": _text(name, "name", 100),
        "description": _text(description, "description", 1000, required=False),
        "primaryCloud": primary_cloud,
        "primaryRegion": _text(primary_region, "primaryRegion", 64),
        "status": "active",
        "settings": {"corsOrigins": []},
        "createdBy": tenant_id,
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        backend.control("projects").insert(doc)
    except DuplicateKey as exc:
        raise BkendError("common/conflict", f"Project slug '{slug}' is already taken in this organization") from exc
    for name, kind in wanted.items():
        create_environment(backend, tenant_id, project_id=doc["_id"], name=name, environment_type=kind)
    return get_project(backend, tenant_id, doc["_id"])


def find_project(backend: Backend, id_or_slug: str) -> dict[str, Any] | None:
    """A project by id, or by slug (slugs are unique per organization; the first match wins)."""
    return backend.control("projects").get(id_or_slug) or _find_one(backend, "projects", slug=id_or_slug)


def get_project(backend: Backend, tenant_id: str, project_id: str) -> dict[str, Any]:
    doc = find_project(backend, project_id)
    if doc is None or not _tenant_can_see(backend, tenant_id, doc["organizationId"]):
        raise BkendError("common/not-found", f"Project '{project_id}' not found")
    out = _public(doc)
    out["environmentCount"] = backend.control("environments").count(Cond("projectId", "eq", doc["_id"], scalar=True))
    return out


def list_projects(backend: Backend, tenant_id: str, organization_id: str | None = None) -> list[dict[str, Any]]:
    orgs = {o["id"] for o in list_organizations(backend, tenant_id)}
    if organization_id is not None:
        orgs &= {organization_id}
    docs = backend.control("projects").find(Query())
    return [get_project(backend, tenant_id, d["_id"]) for d in docs if d["organizationId"] in orgs]


def update_project(backend: Backend, tenant_id: str, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    project = get_project(backend, tenant_id, project_id)
    allowed = {"name": 100, "description": 1000}
    updates: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "slug" and value == project["slug"]:
            continue
        if key not in allowed and key != "settings":
            raise _invalid(key, "immutable" if key == "slug" else "unknown-field", f"'{key}' cannot be changed")
        updates[key] = value if key == "settings" else _text(value, key, allowed[key], required=key == "name")
    if "settings" in updates and not isinstance(updates["settings"], dict):
        raise _invalid("settings", "type", "'settings' must be an object")
    if updates:
        updates["updatedAt"] = dates.now()
        backend.control("projects").update(project["id"], updates)
    return get_project(backend, tenant_id, project["id"])


def delete_project(backend: Backend, tenant_id: str, project_id: str) -> None:
    """Drop the project with every environment, its data and keys. Irreversible."""
    project = get_project(backend, tenant_id, project_id)
    for env in list_environments(backend, tenant_id, project["id"]):
        delete_environment(backend, tenant_id, env["id"])
    backend.control("projects").delete(project["id"])


def _tenant_can_see(backend: Backend, tenant_id: str, organization_id: str) -> bool:
    org = backend.control("organizations").get(organization_id)
    return org is not None and _role_in(org, tenant_id) is not None


# --- environments ------------------------------------------------------------------------------------------------


def normalize_environment_name(name: str) -> str:
    return ENVIRONMENT_ALIASES.get(name, name)


def _environment_identity(name: Any, environment_type: str | None) -> tuple[str, str]:
    """(normalised name, type): the type defaults to the name for dev/staging/prod, else `custom`."""
    name = normalize_environment_name(name) if isinstance(name, str) else name
    kind = environment_type or (name if name in ENVIRONMENT_TYPES[:3] else "custom")
    if kind not in ENVIRONMENT_TYPES:
        raise _invalid("environmentType", "enum", f"'environmentType' must be one of: {', '.join(ENVIRONMENT_TYPES)}")
    if not isinstance(name, str) or not (name in ENVIRONMENT_TYPES[:3] or CUSTOM_ENV_NAME.match(name)):
        raise _invalid(
            "environment", "pattern", "'environment' must be dev, staging, prod or match ^[a-z][a-z0-9-]{1,31}$"
        )
    return name, kind


def create_environment(
    backend: Backend, tenant_id: str, *, project_id: str, name: str, environment_type: str | None = None
) -> dict[str, Any]:
    project = get_project(backend, tenant_id, project_id)
    name, kind = _environment_identity(name, environment_type)
    doc = {
        "_id": ids.short_id("env_"),
        "projectId": project["id"],
        "organizationId": project["organizationId"],
        "environment": name,
        "environmentType": kind,
        "status": "active",
        "createdBy": tenant_id,
        "createdAt": dates.now(),
    }
    try:
        backend.control("environments").insert(doc)
    except DuplicateKey as exc:
        raise BkendError("common/conflict", f"Environment '{name}' already exists in this project") from exc
    auth_collections.prepare_environment(backend, doc["_id"])
    return _public(doc)


def list_environments(backend: Backend, tenant_id: str, project_id: str) -> list[dict[str, Any]]:
    project = get_project(backend, tenant_id, project_id)
    docs = backend.control("environments").find(Query(Cond("projectId", "eq", project["id"], scalar=True)))
    return [_public(d) for d in docs]


def get_environment(backend: Backend, tenant_id: str, environment_id: str) -> dict[str, Any]:
    doc = backend.control("environments").get(environment_id)
    if doc is None or not _tenant_can_see(backend, tenant_id, doc["organizationId"]):
        raise BkendError("common/not-found", f"Environment '{environment_id}' not found")
    return _public(doc)


def find_environment(backend: Backend, project_id: str, name: str) -> dict[str, Any] | None:
    return _find_one(backend, "environments", projectId=project_id, environment=normalize_environment_name(name))


def delete_environment(backend: Backend, tenant_id: str, environment_id: str) -> None:
    """Drop the environment, its data, keys and table metadata (with version history). Irreversible."""
    env = get_environment(backend, tenant_id, environment_id)
    backend.store.drop_namespace(env["id"])
    for table in backend.control("tables").find(Query(Cond("environmentId", "eq", env["id"], scalar=True))):
        _delete_where(backend, ("schema_versions", "index_versions"), "tableId", table["_id"])
    _delete_where(backend, ("api_keys", "tables"), "environmentId", env["id"])
    backend.control("environments").delete(env["id"])


def _delete_where(backend: Backend, collections: Sequence[str], field: str, value: str) -> None:
    for name in collections:
        collection = backend.control(name)
        for doc in collection.find(Query(Cond(field, "eq", value, scalar=True))):
            collection.delete(doc["_id"])
