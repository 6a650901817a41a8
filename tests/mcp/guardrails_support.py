"""What the guardrail tests share: principals with a connection policy, an in-memory session with the options the
other MCP tests do not need (dynamic toolsets, client info, a notification inbox), and a snapshot of the store to
prove that a refused write changed nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client
from mcp.types import CallToolResult, Implementation

from bkend_mcp.domain import activity
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import ConnectionPolicy, Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.server import build_server
from bkend_mcp.store.base import Query

CONTROL_COLLECTIONS = ("organizations", "projects", "environments", "tables", "schema_versions", "index_versions",
                       "api_keys")  # fmt: skip
TEST_CLIENT = Implementation(name="guardrail-tests", version="9.8.7")


def principal(*, scopes: tuple[str, ...] = ("*:*",), organization_id: str | None = None, **policy: Any) -> Principal:
    """The local owner on an MCP connection with `policy` (read_only, project, environment)."""
    return Principal(LOCAL_OWNER_ID, scopes, organization_id, "test", ConnectionPolicy(**policy))


def snapshot(backend: Backend) -> dict[str, Any]:
    """Every control document (but the activity log) and every record of every environment."""
    control = {name: sorted(map(_text, backend.control(name).find(Query()))) for name in CONTROL_COLLECTIONS}
    data = {
        f"{env['_id']}/{name}": sorted(map(_text, backend.data(env["_id"], name).find(Query())))
        for env in backend.control("environments").find(Query())
        for name in backend.store.collection_names(env["_id"])
    }
    return {"control": control, "data": data}


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, default=str)


class Session:
    """An open in-memory session that also keeps the server's notifications."""

    def __init__(self, client: Client, notifications: list[Any]):
        self.client = client
        self.notifications = notifications

    async def call(self, tool: str, /, **arguments: Any) -> CallToolResult:
        return await self.client.call_tool(tool, arguments)

    async def ok(self, tool: str, /, **arguments: Any) -> Any:
        result = await self.call(tool, **arguments)
        assert not result.is_error, result.content
        return result.structured_content

    async def error(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        result = await self.call(tool, **arguments)
        assert result.is_error, result.content
        return result.structured_content["error"]  # type: ignore[index]

    async def tools(self) -> dict[str, Any]:
        return {tool.name: tool for tool in (await self.client.list_tools()).tools}


@asynccontextmanager
async def session(
    backend: Backend,
    who: Principal,
    toolsets: Iterable[str] = ("core",),
    *,
    dynamic: bool = False,
    server: Any = None,
) -> AsyncIterator[Session]:
    notifications: list[Any] = []

    async def keep(message: Any) -> None:
        notifications.append(message)

    built = server or build_server(backend, lambda: who, toolsets=toolsets, dynamic_toolsets=dynamic)
    async with Client(built, mode="legacy", client_info=TEST_CLIENT, message_handler=keep) as client:
        yield Session(client, notifications)


def activity_entries(backend: Backend) -> list[dict[str, Any]]:
    """The whole activity log, oldest first."""
    return sorted(backend.control(activity.COLLECTION).find(Query()), key=lambda d: (d["at"], d["_id"]))
