"""MCP fixtures: the SDK's in-memory client over `build_server(...)` on a real backend (both engines)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.server import build_server

OWNER = Principal(LOCAL_OWNER_ID, ("*:*",), client_id="test")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Session:
    """An open MCP client session with helpers that assert success or failure of a tool call."""

    def __init__(self, client: Client):
        self.client = client

    async def call(self, tool: str, /, **arguments: Any) -> CallToolResult:
        return await self.client.call_tool(tool, arguments)

    async def ok(self, tool: str, /, **arguments: Any) -> Any:
        """The structured result of a call that must succeed."""
        result = await self.call(tool, **arguments)
        assert not result.is_error, result.content
        return result.structured_content

    async def error(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        """The `error` object of a call that must fail with one of our tool errors."""
        result = await self.call(tool, **arguments)
        assert result.is_error, result.structured_content
        assert result.structured_content == json.loads(result.content[0].text)  # type: ignore[union-attr]
        return result.structured_content["error"]  # type: ignore[index]


Connect = Callable[..., AbstractAsyncContextManager[Session]]


@pytest.fixture
def connect(backend: Backend, env: Any) -> Connect:
    """`async with connect(principal=OWNER, toolsets=("core",)) as session:` on the first-start project."""

    @asynccontextmanager
    async def open_session(principal: Principal = OWNER, toolsets: Iterable[str] = ("core",)) -> AsyncIterator[Session]:
        server = build_server(backend, lambda: principal, toolsets=toolsets)
        async with Client(server, mode="legacy") as client:
            yield Session(client)

    return open_session


@pytest.fixture
async def mcp(connect: Connect) -> AsyncIterator[Session]:
    async with connect() as session:
        yield session
