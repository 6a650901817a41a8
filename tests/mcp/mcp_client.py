"""A synchronous handle on the SDK's in-memory client over `build_server`, for the data and compat tool tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, Tool

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.server import build_server


class Tools:
    """Calls tools of a server built for one principal; each call opens a fresh in-memory session."""

    def __init__(
        self, backend: Backend, scopes: tuple[str, ...] = ("*:*",), toolsets: Iterable[str] | None = None
    ) -> None:
        principal = Principal(tenant_id=LOCAL_OWNER_ID, scopes=scopes, client_id="test")
        self.server = build_server(backend, lambda: principal, toolsets=toolsets)

    def call(self, name: str, /, **arguments: Any) -> CallToolResult:
        async def run() -> CallToolResult:
            async with Client(self.server) as client:
                return await client.call_tool(name, arguments)

        return anyio.run(run)

    def ok(self, name: str, /, **arguments: Any) -> Any:
        """The structured result of a call that must succeed."""
        result = self.call(name, **arguments)
        assert not result.is_error, result.content
        return result.structured_content

    def error(self, name: str, /, **arguments: Any) -> dict[str, Any]:
        """The `error` object of a call that must fail with a tool error."""
        result = self.call(name, **arguments)
        assert result.is_error, result.structured_content
        body = result.structured_content or json.loads(result.content[0].text)  # type: ignore[union-attr]
        return body["error"]

    def list(self) -> dict[str, Tool]:
        async def run() -> list[Tool]:
            async with Client(self.server) as client:
                return (await client.list_tools()).tools

        return {tool.name: tool for tool in anyio.run(run)}
