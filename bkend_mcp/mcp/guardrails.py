"""The MCP guardrails as one server middleware: it sees every `tools/list` and `tools/call` of every transport, so
every tool (whatever module registered it) gets the same rules without a line in its handler.

- `tools/list` shows only what the connection may use: in read-only mode the tools annotated `readOnlyHint`, with
  dynamic toolsets only the enabled ones; and each tool in its compact form (`mcp/listing.py`).
- `tools/call` resolves the principal once, refuses a tool the listing would hide (`mcp/read-only`,
  `mcp/toolset-not-enabled`), runs the rest as that principal (marked "this tool writes" unless it is annotated
  read-only, which environments with `mcpAccess: read` refuse), and makes sure of one activity entry per call
  (`domain/activity.py`, written in the tool's own worker hop where it can be: `mcp/call_log.py`): client, tool,
  redacted arguments, outcome, duration, records touched, project.

The domain enforces the same rules again (`domain/guardrails.py`, `addressing.writable_*`, `domain/read_only.py`);
this layer makes the refusal early and the listing honest.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from bkend_mcp.domain import activity, call_scope
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.guardrails import READ_ONLY_MESSAGE
from bkend_mcp.domain.principal import Principal
from bkend_mcp.mcp import call_log, dynamic
from bkend_mcp.mcp.listing import compact_tool
from bkend_mcp.mcp.toolkit import ToolKit, error_result

log = logging.getLogger("bkend_mcp.mcp")
OUTCOME_OF_SDK_ERRORS = (("Unknown tool", "unknown-tool"), ("validation error", "invalid-arguments"))
"""Failures the SDK reports before our handler runs, told apart by their text."""


@dataclass(slots=True)
class Catalogue:
    """Every registered tool: whether it is annotated read-only, and the group (tool module) it came from."""

    read_only: dict[str, bool] = field(default_factory=dict)
    group: dict[str, str] = field(default_factory=dict)
    dynamic: bool = False

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, group in self.group.items():
            out.setdefault(group, []).append(name)
        return out

    def refusal(self, name: str, principal: Principal | None, enabled: set[str]) -> BkendError | None:
        """Why `name` may not run on this connection, or None."""
        if name not in self.read_only:
            return None  # the SDK answers "Unknown tool"
        if (principal is None or _read_only(principal)) and not self.read_only[name]:
            return BkendError("mcp/read-only", READ_ONLY_MESSAGE)
        group = self.group[name]
        if self.dynamic and group not in enabled and group != dynamic.ALWAYS_GROUP:
            return BkendError(
                "mcp/toolset-not-enabled",
                f"'{name}' is in toolset '{group}', which is not enabled in this session: call enable_toolset "
                f'with names ["{group}"] first (list_toolsets shows them all).',
            )
        return None

    def listed(self, name: str, principal: Principal | None, enabled: set[str]) -> bool:
        return self.refusal(name, principal, enabled) is None


def _read_only(principal: Principal) -> bool:
    return bool(principal.policy and principal.policy.read_only)


class Guardrails:
    """A `ServerMiddleware` (`MCPServer(middleware=[...])`)."""

    def __init__(self, kit: ToolKit, catalogue: Catalogue):
        self.kit = kit
        self.catalogue = catalogue

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/list":
            return await self._list(ctx, call_next)
        if ctx.method == "tools/call":
            return await self._call(ctx, call_next)
        result = await call_next(ctx)
        if ctx.method == "initialize" and self.catalogue.dynamic and isinstance(result, dict):
            result.setdefault("capabilities", {}).setdefault("tools", {})["listChanged"] = True
        return result

    def _principal(self) -> Principal | None:
        try:
            return self.kit.principal()
        except BkendError:
            return None

    async def _list(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if not isinstance(result, dict) or not isinstance(result.get("tools"), list):
            return result
        principal, enabled = self._principal(), dynamic.enabled(ctx.session)
        tools = [t for t in result["tools"] if self.catalogue.listed(t["name"], principal, enabled)]
        return {**result, "tools": [compact_tool(t) for t in tools]}

    async def _call(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params = ctx.params or {}
        name, arguments = str(params.get("name")), params.get("arguments") or {}
        started = time.perf_counter()
        try:
            principal = self.kit.principal()
        except BkendError as exc:
            return _dump(error_result(exc))
        refusal = self.catalogue.refusal(name, principal, dynamic.enabled(ctx.session))
        with call_scope.tracking() as scope, self.kit.acting_as(self._for_tool(principal, name)):
            pending = call_log.Pending(principal, name, arguments, _client(ctx), scope, started)
            with call_log.opened(pending):
                result = _dump(error_result(refusal)) if refusal else await call_next(ctx)
        await self._record(pending, result)
        return result

    def _for_tool(self, principal: Principal, name: str) -> Principal:
        """The principal the domain sees for this call: marked as writing unless the tool is annotated read-only."""
        assert principal.policy is not None
        writes = not self.catalogue.read_only.get(name, False)
        if principal.policy.tool_writes is writes:
            return principal
        return principal.with_policy(dataclasses.replace(principal.policy, tool_writes=writes))

    async def _record(self, pending: call_log.Pending, result: HandlerResult) -> None:
        """Make sure the call's one entry tells its result: usually `kit.call` wrote it already (`mcp/call_log.py`);
        otherwise write it, or amend it where the result differs from what the domain work returned."""
        outcome, message, structured = _outcome(result)
        touched = activity.records_of(structured) if outcome == "ok" else None
        if pending.says(outcome, message, touched):
            return
        doc = pending.document(outcome, message, touched)
        written = pending.written
        try:
            if written is None:
                await anyio.to_thread.run_sync(activity.record, self.kit.backend, doc, limiter=self.kit.limiter)
            else:
                amend = functools.partial(activity.amend, self.kit.backend, written["_id"], doc)
                await anyio.to_thread.run_sync(amend, limiter=self.kit.limiter)
        except Exception:  # the call already happened; a lost log line must not turn it into a failure
            log.exception("could not write the activity entry of tool %s", pending.tool)


def _dump(result: Any) -> dict[str, Any]:
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)  # type: ignore[no-any-return]


def _outcome(result: HandlerResult) -> tuple[str, str | None, Any]:
    """(`ok` or the error code, the error message, the structured content) of a `tools/call` result."""
    body = result if isinstance(result, Mapping) else {}
    structured = body.get("structuredContent")
    if not body.get("isError"):
        return "ok", None, structured
    error = structured.get("error") if isinstance(structured, Mapping) else None
    if isinstance(error, Mapping) and error.get("restCode"):
        return str(error["restCode"]), str(error.get("message") or ""), structured
    text = next((c.get("text", "") for c in body.get("content") or [] if isinstance(c, Mapping)), "")
    code = next((code for marker, code in OUTCOME_OF_SDK_ERRORS if marker in text), "tool-error")
    return code, text, structured


def _client(ctx: ServerRequestContext[Any, Any]) -> dict[str, Any] | None:
    """The MCP client's name and version from its `initialize` request. Stateless HTTP keeps no `initialize`
    between requests: there the request's User-Agent is all there is."""
    params = ctx.session.client_params
    info = params.client_info if params is not None else None
    if info is not None:
        return {"name": info.name, "version": info.version}
    headers = getattr(ctx.request, "headers", None)
    agent = headers.get("user-agent") if headers is not None else None
    return {"userAgent": agent[:200]} if agent else None
