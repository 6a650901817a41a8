"""The `bkend` toolset: hosted bkend's `backend_*` tools with their exact names and input shapes
(spec/mcp-and-console.md §2.2-§2.6, §6.4), each one call into `domain/compat.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired, TypeVar

from mcp.server.mcpserver import MCPServer
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from bkend_mcp.domain import compat
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE, WRITE_IDEMPOTENT, Limit, Page

FIRST = "Call get_context first. "
Id = str
BsonField = dict[str, Any]


@with_config(ConfigDict(extra="forbid"))
class ProjectCreateBody(TypedDict):
    organizationId: Annotated[str, Field(description="From get_context")]
    slug: Annotated[str, Field(description="URL-safe id, unique in the organization", pattern=r"^[a-z0-9-]{3,50}$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    primaryCloud: NotRequired[Annotated[Literal["aws", "gcp", "azu", "local"], Field(description="Default local")]]
    primaryRegion: NotRequired[Annotated[str, Field(description="e.g. ap-northeast-2; default local")]]
    description: NotRequired[str]


@with_config(ConfigDict(extra="forbid"))
class ProjectUpdateBody(TypedDict):
    name: NotRequired[str]
    slug: NotRequired[Annotated[str, Field(description="Immutable: only the current slug is accepted")]]
    description: NotRequired[str]
    settings: NotRequired[dict[str, Any]]


@with_config(ConfigDict(extra="forbid"))
class EnvCreateBody(TypedDict):
    projectId: str
    environment: Annotated[str, Field(description="Environment name, e.g. dev, staging, prod")]
    environmentType: Literal["dev", "staging", "prod", "custom"]


@with_config(ConfigDict(extra="forbid"))
class TableCreateBody(TypedDict):
    projectId: str
    environment: Annotated[str, Field(description="Environment name (not id), e.g. dev")]
    tableName: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    schema: Annotated[
        dict[str, Any],
        Field(
            description='BSON field map, e.g. {"title": {"bsonType": "string"}}; '
            'a "required" list (or required: true on a field) marks required fields'
        ),
    ]
    displayName: NotRequired[str]
    description: NotRequired[str]


@with_config(ConfigDict(extra="forbid"))
class TableUpdateBody(TypedDict):
    displayName: NotRequired[str]
    description: NotRequired[str]
    permissions: NotRequired[
        Annotated[dict[str, dict[str, bool]] | None, Field(description="{admin|user|guest|self: {create, read, …}}")]
    ]
    expressionPermissions: NotRequired[dict[str, str] | None]
    columnPermissions: NotRequired[dict[str, dict[str, str]] | None]
    rowFilters: NotRequired[list[dict[str, Any]] | None]


@with_config(ConfigDict(extra="forbid"))
class FieldManageBody(TypedDict):
    fieldsToAddOrUpdate: NotRequired[
        Annotated[dict[str, BsonField], Field(description='Field → BSON fragment, e.g. {"views": {"bsonType": "int"}}')]
    ]
    fieldsToRemove: NotRequired[Annotated[list[str], Field(description="Removed from every record too")]]
    requiredFieldsToAdd: NotRequired[list[str]]
    requiredFieldsToRemove: NotRequired[list[str]]


@with_config(ConfigDict(extra="forbid"))
class IndexSpec(TypedDict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    fields: Annotated[dict[str, Literal[1, -1]], Field(description="{field: 1 (asc) | -1 (desc)}")]
    unique: NotRequired[bool]
    sparse: NotRequired[bool]


@with_config(ConfigDict(extra="forbid"))
class IndexManageBody(TypedDict):
    indexesToAddOrUpdate: NotRequired[Annotated[list[IndexSpec], Field(description="Same name replaces")]]
    indexesToRemove: NotRequired[Annotated[list[str], Field(description="Index names")]]


DESCRIPTIONS = {
    "backend_org_list": "List your organizations.",
    "backend_org_get": "One organization by id.",
    "backend_access_token_list": ("List the organization's API keys; secret keys masked."),
    "backend_access_token_get": "One API key (a secret key's value never).",
    "backend_project_list": "List projects.",
    "backend_project_get": "One project by id or slug.",
    "backend_project_create": "Create a project with a dev environment and publishable key.",
    "backend_project_update": "Update a project's name, description or settings.",
    "backend_env_list": "List environments (of projectId, else all).",
    "backend_env_get": "One environment with counts.",
    "backend_env_create": "Create an environment (with a publishable key).",
    "backend_table_list": "List tables with schema and count (of projectId + environment, else all).",
    "backend_table_get": "One table: schema, indexes, permissions, count, REST endpoints.",
    "backend_table_create": "Create a table from a BSON schema map (id, createdBy, createdAt, updatedAt are implicit).",
    "backend_table_update": "Update a table's displayName, description or permissions (each object replaced whole).",
    "backend_field_manage": "Add, update or remove fields and required flags. Removed fields lose their values.",
    "backend_index_manage": "Add, replace or remove indexes. A unique index fails on duplicate values.",
    "backend_schema_version_list": "A table's schema versions, newest first.",
    "backend_index_version_list": "A table's index versions, newest first.",
}
"""What each tool does; every description starts with `FIRST`."""

Fn = TypeVar("Fn", bound=Callable[..., Any])


def _tool(server: MCPServer[Any], annotations: Any) -> Callable[[Fn], Fn]:
    """Register under the function's (bkend) name with its description from `DESCRIPTIONS`."""

    def register_one(fn: Fn) -> Fn:
        return server.tool(annotations=annotations, description=FIRST + DESCRIPTIONS[fn.__name__])(fn)

    return register_one


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    _organizations(server, kit)
    _projects(server, kit)
    _environments(server, kit)
    _tables(server, kit)
    _versions(server, kit)


def _organizations(server: MCPServer[Any], kit: ToolKit) -> None:
    @_tool(server, READ)
    async def backend_org_list() -> dict[str, Any]:
        return await kit.call("organization:read", compat.org_list)

    @_tool(server, READ)
    async def backend_org_get(organizationId: Id) -> dict[str, Any]:
        return await kit.call("organization:read", lambda b, p: compat.org_get(b, p, organizationId))

    @_tool(server, READ)
    async def backend_access_token_list() -> dict[str, Any]:
        return await kit.call("access-token:read", compat.access_token_list)

    @_tool(server, READ)
    async def backend_access_token_get(accessTokenId: Id) -> dict[str, Any]:
        return await kit.call("access-token:read", lambda b, p: compat.access_token_get(b, p, accessTokenId))


def _projects(server: MCPServer[Any], kit: ToolKit) -> None:
    @_tool(server, READ)
    async def backend_project_list() -> dict[str, Any]:
        return await kit.call("project:read", compat.project_list)

    @_tool(server, READ)
    async def backend_project_get(projectId: Id) -> dict[str, Any]:
        return await kit.call("project:read", lambda b, p: compat.project_get(b, p, projectId))

    @_tool(server, WRITE)
    async def backend_project_create(body: ProjectCreateBody) -> dict[str, Any]:
        return await kit.call("project:create", lambda b, p: compat.project_create(b, p, body))

    @_tool(server, WRITE_IDEMPOTENT)
    async def backend_project_update(projectId: Id, body: ProjectUpdateBody | None = None) -> dict[str, Any]:
        return await kit.call("project:update", lambda b, p: compat.project_update(b, p, projectId, body))


def _environments(server: MCPServer[Any], kit: ToolKit) -> None:
    @_tool(server, READ)
    async def backend_env_list(projectId: Id | None = None) -> dict[str, Any]:
        return await kit.call("environment:read", lambda b, p: compat.env_list(b, p, projectId))

    @_tool(server, READ)
    async def backend_env_get(environmentId: Id) -> dict[str, Any]:
        return await kit.call("environment:read", lambda b, p: compat.env_get(b, p, environmentId))

    @_tool(server, WRITE)
    async def backend_env_create(body: EnvCreateBody) -> dict[str, Any]:
        return await kit.call("environment:create", lambda b, p: compat.env_create(b, p, body))


def _tables(server: MCPServer[Any], kit: ToolKit) -> None:
    @_tool(server, READ)
    async def backend_table_list(projectId: Id | None = None, environment: Id | None = None) -> dict[str, Any]:
        return await kit.call("table:read", lambda b, p: compat.table_list(b, p, projectId, environment))

    @_tool(server, READ)
    async def backend_table_get(tableId: Id) -> dict[str, Any]:
        return await kit.call("table:read", lambda b, p: compat.table_get(b, p, tableId))

    @_tool(server, WRITE)
    async def backend_table_create(body: TableCreateBody) -> dict[str, Any]:
        return await kit.call("table:create", lambda b, p: compat.table_create(b, p, body))

    @_tool(server, WRITE_IDEMPOTENT)
    async def backend_table_update(tableId: Id, body: TableUpdateBody | None = None) -> dict[str, Any]:
        return await kit.call("table:update", lambda b, p: compat.table_update(b, p, tableId, body))

    @_tool(server, DESTRUCTIVE)
    async def backend_field_manage(tableId: Id, body: FieldManageBody | None = None) -> dict[str, Any]:
        return await kit.call("table:update", lambda b, p: compat.field_manage(b, p, tableId, body))

    @_tool(server, WRITE)
    async def backend_index_manage(tableId: Id, body: IndexManageBody | None = None) -> dict[str, Any]:
        return await kit.call("table:update", lambda b, p: compat.index_manage(b, p, tableId, body))


def _versions(server: MCPServer[Any], kit: ToolKit) -> None:
    @_tool(server, READ)
    async def backend_schema_version_list(tableId: Id, page: Page = 1, limit: Limit = 20) -> dict[str, Any]:
        return await kit.call("table:read", lambda b, p: compat.schema_version_list(b, p, tableId, page, limit))

    @_tool(server, READ)
    async def backend_index_version_list(tableId: Id, page: Page = 1, limit: Limit = 20) -> dict[str, Any]:
        return await kit.call("table:read", lambda b, p: compat.index_version_list(b, p, tableId, page, limit))
