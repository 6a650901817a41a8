"""The read-only `bkend://` resources (spec/mcp-and-console.md §2.9, §6.6): bkend's HEAD set plus `bkend://context`
and `bkend://tables/{tableId}/openapi`, as JSON over the same domain calls as the tools, never cached.

Static URIs appear in `resources/list`, parameterised ones in `resources/templates/list`. A missing object is the
JSON-RPC error -32002 (resource not found); any other failure keeps its catalogue JSON-RPC code and error body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import orjson
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from bkend_mcp.domain import activity, addressing, context, key_admin, projects, table_admin
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import INVALID_PARAMS, BkendError
from bkend_mcp.domain.principal import Principal, require_scope
from bkend_mcp.domain.serialize import plain
from bkend_mcp.mcp.toolkit import ToolKit, error_body

RESOURCE_NOT_FOUND = -32002
JSON = "application/json"


async def read_json(kit: ToolKit, scope: str | None, work: Callable[[Backend, Principal], Any]) -> str:
    """Check `scope`, run `work` in the worker pool and return its JSON; failures become JSON-RPC errors."""
    try:
        principal = kit.principal()
        if scope is not None:
            require_scope(principal, scope)
        result = await anyio.to_thread.run_sync(work, kit.backend_for(principal), principal, limiter=kit.limiter)
    except BkendError as exc:
        code = RESOURCE_NOT_FOUND if exc.status == 404 else exc.rpc_code
        raise MCPError(code=code, message=exc.message, data=error_body(exc)["error"]) from exc
    return orjson.dumps(plain(result)).decode()


def _number(text: str, field: str) -> int:
    if not text.isdigit():
        raise MCPError(code=INVALID_PARAMS, message=f"'{field}' must be a positive integer")
    return int(text)


def _listed(items: Callable[[Backend, Principal], list[dict[str, Any]]]) -> Callable[[Backend, Principal], Any]:
    return lambda b, p: projects.whole_list(items(b, p))


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.resource("bkend://context", name="context", mime_type=JSON,
                     description="The session context (same JSON as get_context)")  # fmt: skip
    async def context_resource() -> str:
        return await read_json(kit, None, context.build_context)

    @server.resource("bkend://organizations", name="organizations", mime_type=JSON,
                     description="List all accessible organizations")  # fmt: skip
    async def organizations() -> str:
        return await read_json(kit, "organization:read", projects.list_organizations)

    @server.resource("bkend://organizations/{organizationId}", name="organization", mime_type=JSON,
                     description="One organization")  # fmt: skip
    async def organization(organizationId: str) -> str:
        return await read_json(kit, "organization:read", lambda b, p: projects.get_organization(b, p, organizationId))

    @server.resource("bkend://projects", name="projects", mime_type=JSON, description="All projects")
    async def project_list() -> str:
        return await read_json(kit, "project:read", _listed(addressing.projects))

    @server.resource("bkend://projects/{projectId}", name="project", mime_type=JSON,
                     description="One project with its environments and counts")  # fmt: skip
    async def project(projectId: str) -> str:
        return await read_json(kit, "project:read", lambda b, p: projects.get_project(b, p, projectId))

    @server.resource("bkend://environments", name="environments", mime_type=JSON,
                     description="Every environment of every project")  # fmt: skip
    async def environment_list() -> str:
        return await read_json(kit, "environment:read", _listed(projects.all_environments))

    @server.resource("bkend://environments/{environmentId}", name="environment", mime_type=JSON,
                     description="One environment with counts")  # fmt: skip
    async def environment(environmentId: str) -> str:
        return await read_json(kit, "environment:read", lambda b, p: projects.get_environment(b, p, environmentId))

    @server.resource("bkend://tables", name="tables", mime_type=JSON,
                     description="Every table of every environment")  # fmt: skip
    async def table_list() -> str:
        return await read_json(kit, "table:read", _listed(table_admin.all_tables))

    @server.resource("bkend://tables/{tableId}", name="table", mime_type=JSON,
                     description="One table with its schema, indexes and permissions")  # fmt: skip
    async def table(tableId: str) -> str:
        return await read_json(kit, "table:read", lambda b, p: table_admin.get_table(b, p, tableId))

    @server.resource("bkend://tables/{tableId}/schema/versions", name="schema-versions", mime_type=JSON,
                     description="A table's schema versions, newest first")  # fmt: skip
    async def schema_versions(tableId: str) -> str:
        return await read_json(
            kit, "table:read", lambda b, p: table_admin.list_schema_versions(b, p, tableId, 1, 100, True)
        )

    @server.resource("bkend://tables/{tableId}/indexes/versions", name="index-versions", mime_type=JSON,
                     description="A table's index versions, newest first")  # fmt: skip
    async def index_versions(tableId: str) -> str:
        return await read_json(kit, "table:read", lambda b, p: table_admin.list_index_versions(b, p, tableId, 1, 100))

    @server.resource("bkend://tables/{tableId}/openapi", name="table-openapi", mime_type=JSON,
                     description="OpenAPI 3.0 document of the table's REST routes")  # fmt: skip
    async def table_openapi(tableId: str) -> str:
        return await read_json(kit, "table:read", lambda b, p: table_admin.table_openapi(b, p, tableId))

    @server.resource("bkend://activity", name="activity", mime_type=JSON,
                     description="The latest MCP tool calls, newest first (same entries as get_activity)")  # fmt: skip
    async def activity_log() -> str:
        return await read_json(kit, None, lambda b, p: activity.list_activity(b, p))

    @server.resource("bkend://activity{?tool,outcome,since,until,page,limit}", name="activity-filtered",
                     mime_type=JSON, description="MCP tool calls filtered by tool, outcome (ok, error or a code), "
                     "since/until (ISO-8601), with page and limit (1-100)")  # fmt: skip
    async def activity_filtered(
        tool: str | None = None,
        outcome: str | None = None,
        since: str | None = None,
        until: str | None = None,
        page: str = "1",
        limit: str = "20",
    ) -> str:
        number, size = _number(page, "page"), _number(limit, "limit")
        return await read_json(
            kit,
            None,
            lambda b, p: activity.list_activity(
                b, p, tool=tool, outcome=outcome, since=since, until=until, page=number, limit=size
            ),
        )

    @server.resource("bkend://access-tokens", name="access-tokens", mime_type=JSON,
                     description="API keys of every environment (secret keys masked)")  # fmt: skip
    async def access_tokens() -> str:
        return await read_json(kit, "access-token:read", _listed(key_admin.all_api_keys))

    @server.resource("bkend://access-tokens/{accessTokenId}", name="access-token", mime_type=JSON,
                     description="One API key (never a secret value)")  # fmt: skip
    async def access_token(accessTokenId: str) -> str:
        return await read_json(kit, "access-token:read", lambda b, p: key_admin.get_api_key(b, p, accessTokenId))
