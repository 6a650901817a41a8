"""The MCP server: `build_server` assembles the tool groups of the selected toolsets over one backend.

Nothing is built at import. The same server object serves stdio (`bkend-mcp mcp`), Streamable HTTP (`/mcp`) and
SSE (`/sse`); only where the principal comes from differs (`principal_of`). Every request passes the guardrails
middleware (`mcp/guardrails.py`): read-only listing and refusals, dynamic toolsets, the activity log.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from typing import Any

import anyio
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.mcpserver import MCPServer
from mcp.types import Icon, ToolAnnotations
from opentelemetry import trace

from bkend_mcp import __version__
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal
from bkend_mcp.mcp import dynamic, prompts, resources, stdio_pipes
from bkend_mcp.mcp.connection import flag
from bkend_mcp.mcp.guardrails import Catalogue, Guardrails
from bkend_mcp.mcp.toolkit import ToolKit, serving
from bkend_mcp.rest.http import InFlight

TOOLSETS: dict[str, tuple[str, ...]] = {
    "core": (
        "session",
        "organizations",
        "projects",
        "environments",
        "tables",
        "data",
        "storage",
        "auth",
        "keys",
        "cors",
        "activity",
    ),
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
- Tool arguments: `project` is a project id or slug (default: the only project), `environment` a name or env_ id
  (default: dev), `table` a name or tbl_ id.
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


DYNAMIC_INSTRUCTIONS = """\
- This session starts with few tools: call list_toolsets, then enable_toolset with the groups the task needs
  (e.g. ["tables", "data"]); their tools are added to this session.
"""


class Counted:
    """A `ServerMiddleware` keeping `InFlight` up to date: how many requests the server is handling right now."""

    def __init__(self, in_flight: InFlight):
        self.in_flight = in_flight

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        self.in_flight.count += 1
        try:
            return await call_next(ctx)
        finally:
            self.in_flight.count -= 1


class BkendServer(MCPServer[Any]):
    """An `MCPServer` that files every tool it registers in the guardrails' catalogue: the group (tool module)
    being registered, and whether the tool is annotated read-only. Over stdio (a process serving one client), a
    quick tool call runs on the event loop while it is the only request in flight (`ToolKit.call`), as a lone
    HTTP request's does."""

    def __init__(self, catalogue: Catalogue, in_flight: InFlight, **options: Any):
        super().__init__(**options)
        self.catalogue = catalogue
        self.in_flight = in_flight
        self.registering = dynamic.ALWAYS_GROUP

    def add_tool(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        annotations: ToolAnnotations | None = None,
        icons: list[Icon] | None = None,
        meta: dict[str, Any] | None = None,
        structured_output: bool | None = None,
    ) -> None:
        super().add_tool(fn, name, title, description, annotations, icons, meta, structured_output)
        tool_name = name or fn.__name__
        self.catalogue.read_only[tool_name] = bool(annotations is not None and annotations.read_only_hint)
        self.catalogue.group[tool_name] = self.registering

    async def run_stdio_async(self) -> None:
        """The SDK's stdio transport, reading and writing pipes on the event loop where it can (`stdio_pipes`)."""
        with serving(self.in_flight.alone):
            if not stdio_pipes.usable():
                await super().run_stdio_async()
                return
            lowlevel = self._lowlevel_server
            async with stdio_pipes.standard_pipes() as (read_stream, write_stream):
                await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())


def tracing_configured() -> bool:
    """Whether an OpenTelemetry tracer provider is set (by the application, or `opentelemetry-instrument`) when the
    server is built. Without one the SDK's span per message goes nowhere and costs ~20-50 µs a request, so the
    server leaves it out; set OpenTelemetry up before `bkend-mcp` starts to get the spans."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def dynamic_default() -> bool:
    return flag(os.environ.get("BKEND_MCP_DYNAMIC_TOOLSETS"))


def build_server(
    backend: Backend,
    principal_of: Callable[[], Principal],
    *,
    toolsets: Iterable[str] | None = None,
    dynamic_toolsets: bool | None = None,
    **sdk_options: Any,
) -> MCPServer[Any]:
    """An `MCPServer` with the tools, resources and prompts of `toolsets` (default: `BKEND_MCP_TOOLSETS`); with
    `dynamic_toolsets` (default: `BKEND_MCP_DYNAMIC_TOOLSETS`) a session starts with the session tools only."""
    is_dynamic = dynamic_default() if dynamic_toolsets is None else dynamic_toolsets
    kit = ToolKit(backend, principal_of, anyio.CapacityLimiter(backend.config.worker_threads))
    catalogue = Catalogue(dynamic=is_dynamic)
    instructions = INSTRUCTIONS + (DYNAMIC_INSTRUCTIONS if is_dynamic else "")
    in_flight = InFlight(inline=backend.config.mongodb_uri is None)
    server = BkendServer(
        catalogue,
        in_flight,
        name="bkend",
        title="bkend-mcp",
        version=__version__,
        instructions=instructions,
        middleware=[Counted(in_flight), Guardrails(kit, catalogue)],
        **sdk_options,
    )
    registered: set[str] = set()
    for toolset in selected_toolsets(toolsets):
        for module_name in TOOLSETS[toolset]:
            if module_name not in registered:
                server.registering = dynamic.group_name(module_name)
                importlib.import_module(f"bkend_mcp.mcp.tools.{module_name}").register(server, kit)
                registered.add(module_name)
    server.registering = dynamic.ALWAYS_GROUP
    if not tracing_configured():  # the SDK's documented opt-out: drop its span middleware from the chain
        server.middleware[:] = [m for m in server.middleware if not isinstance(m, OpenTelemetryMiddleware)]
    if is_dynamic:
        dynamic.register(server, kit, catalogue)
    resources.register(server, kit)
    prompts.register(server, kit)
    return server
