"""Session tools: `get_context` (call first) and `search_docs` (offline REST recipes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from bkend_mcp.domain import context, docs
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import READ


def with_markdown(result: dict[str, Any] | CallToolResult, render: Callable[[dict[str, Any]], str]) -> CallToolResult:
    """A success as Markdown text for the model plus the same data as `structuredContent`; errors pass through."""
    if isinstance(result, CallToolResult):
        return result
    return CallToolResult(content=[TextContent(type="text", text=render(result))], structured_content=result)


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    library = docs.DocsLibrary(kit.backend.config.base_url)

    @server.tool(annotations=READ)
    async def get_context() -> CallToolResult:
        """Call this first. Returns the organization, the REST base URL, every project and environment, the
        publishable keys (pk_) and the conventions app code must follow."""
        return with_markdown(await kit.call(None, context.build_context), context.context_markdown)

    @server.tool(annotations=READ)
    async def search_docs(
        query: Annotated[str, Field(min_length=1, max_length=500)],
        limit: Annotated[int, Field(ge=1, le=10)] = 5,
    ) -> CallToolResult:
        """Search the bundled docs (REST API, filters, permissions, fetch/Next.js/Flutter recipes) before writing
        client code."""
        return with_markdown(await kit.call(None, lambda b, p: library.search(query, limit)), docs.search_markdown)
