"""The MCP server: `build_server` assembles the tool groups of the selected toolsets over one backend.

Nothing is built at import. The same server object serves stdio (`bkend-mcp mcp`), Streamable HTTP (`/mcp`) and
SSE (`/sse`); only where the principal comes from differs (`principal_of`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer

from bkend_mcp import __version__
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal
from bkend_mcp.mcp import prompts, resources
from bkend_mcp.mcp.toolkit import ToolKit

TOOLSETS: dict[str, tuple[str, ...]] = {
    "core": ("session", "organizations", "projects", "environments", "tables", "data", "keys", "cors"),
    "bkend": ("bkend_compat",),
    "bkend-legacy": ("legacy",),
}
"""Toolset → the `bkend_mcp.mcp.tools` modules it registers; each module has `register(server, kit)`."""
DEFAULT_TOOLSETS = ("core", "bkend")

INSTRUCTIONS = """\
bkend-mcp: a self-hosted backend (tables, records, users, files) you manage for the developer.
- Call get_context first: it names the organization, projects, environments, the REST base URL and the
  publishable keys app code must use.
- Ids are in the field `id`; lists are {items, pagination}.
- App code talks to the REST API (base URL from get_context) with headers X-API-Key and, for a signed-in user,
  Authorization: Bearer <access token>. Never put the MCP URL in app code.
- Use search_docs for REST recipes (data, auth, storage) before writing client code.
"""


def selected_toolsets(requested: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """`BKEND_MCP_TOOLSETS` (comma-separated) or the given list; unknown names are an error."""
    raw = requested if requested is not None else os.environ.get("BKEND_MCP_TOOLSETS", ",".join(DEFAULT_TOOLSETS))
    names = [n.strip() for n in (raw.split(",") if isinstance(raw, str) else raw) if n.strip()]
    unknown = [n for n in names if n not in TOOLSETS]
    if unknown:
        raise ValueError(f"unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSETS)}")
    return tuple(dict.fromkeys(names))


def build_server(
    backend: Backend,
    principal_of: Callable[[], Principal],
    *,
    toolsets: Iterable[str] | None = None,
    **sdk_options: Any,
) -> MCPServer[Any]:
    """An `MCPServer` with the tools, resources and prompts of `toolsets` (default: `BKEND_MCP_TOOLSETS`)."""
    server: MCPServer[Any] = MCPServer(
        name="bkend", title="bkend-mcp", version=__version__, instructions=INSTRUCTIONS, **sdk_options
    )
    kit = ToolKit(backend, principal_of, anyio.CapacityLimiter(backend.config.worker_threads))
    registered: set[str] = set()
    for toolset in selected_toolsets(toolsets):
        for module_name in TOOLSETS[toolset]:
            if module_name not in registered:
                importlib.import_module(f"bkend_mcp.mcp.tools.{module_name}").register(server, kit)
                registered.add(module_name)
    resources.register(server, kit)
    prompts.register(server, kit)
    return server
