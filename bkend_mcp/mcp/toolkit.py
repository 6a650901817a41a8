"""What every MCP tool handler shares: its principal, the scope check, the worker pool and the one error shape.

A handler is: parse arguments (the SDK did), `await kit.call(scope, lambda backend, principal: domain_fn(...))`,
return. The worker thread that runs the domain function also writes the call's activity entry
(`mcp/call_log.py`). A `BkendError` becomes a tool result with `isError: true` whose structured content is
`{"error": {"code", "message", "details"?, "restCode", "statusCode"}}` (spec/mcp-and-console.md §2.8), so the
model reads the same code and field details as a REST client.

The principal a call runs as is the one the guardrails middleware (`mcp/guardrails.py`) resolved for it, carrying
the connection's policy (read-only mode, pins) and whether the tool writes; a read-only connection's work runs
against a backend that refuses every write (`domain/read_only.py`). Tool groups that return what app users wrote
(records, profiles, file names) use `kit.fenced()`, whose text block wraps the result in a fence (`mcp/fence.py`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import orjson
from mcp.types import CallToolResult, TextContent

from bkend_mcp.domain import activity
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError, known_failure
from bkend_mcp.domain.principal import ConnectionPolicy, Principal, require_scope
from bkend_mcp.domain.read_only import read_only_view
from bkend_mcp.domain.serialize import plain
from bkend_mcp.mcp import call_log, fence

T = TypeVar("T")
log = logging.getLogger("bkend_mcp.mcp")

MCP_CODES_BY_CODE = {
    "data/system-table-access": "SYSTEM_TABLE",
    "table/system-field-protected": "SYSTEM_TABLE",
    "table/system-index-protected": "SYSTEM_TABLE",
    "table/limit-exceeded": "LIMIT_EXCEEDED",
    "data/payload-too-large": "LIMIT_EXCEEDED",
    "data/rate-limit-exceeded": "LIMIT_EXCEEDED",
    "common/limit-exceeded": "LIMIT_EXCEEDED",
    "common/confirmation-required": "CONFIRMATION_REQUIRED",
    "mcp/read-only": "READ_ONLY",
}
MCP_CODES_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    413: "LIMIT_EXCEEDED",
    429: "LIMIT_EXCEEDED",
}


RECORD_WRITE_CODES = {"data/validation-error": "SCHEMA_VIOLATION"}
"""For tools whose only input checked against a table schema is the records themselves (`insert_data`)."""


def error_body(exc: BkendError, codes: Mapping[str, str] | None = None) -> dict[str, Any]:
    code = (
        (codes or {}).get(exc.code)
        or MCP_CODES_BY_CODE.get(exc.code)
        or MCP_CODES_BY_STATUS.get(exc.status, "INTERNAL_ERROR")
    )
    error: dict[str, Any] = {"code": code, "message": exc.message, "restCode": exc.code, "statusCode": exc.status}
    if exc.details is not None:
        error["details"] = exc.details
    return {"error": error}


def error_result(exc: BkendError, codes: Mapping[str, str] | None = None) -> CallToolResult:
    body = error_body(exc, codes)
    return CallToolResult(
        content=[TextContent(type="text", text=orjson.dumps(body).decode())], structured_content=body, is_error=True
    )


_acting: ContextVar[Principal | None] = ContextVar("bkend_mcp_acting_principal", default=None)
_alone: ContextVar[Callable[[], bool] | None] = ContextVar("bkend_mcp_request_alone", default=None)
"""Set by the HTTP and stdio transports: whether the request is the only one served right now (and the engine may
be used on the event loop), asked when a quick tool starts. Unset (SSE sessions): every call takes the pool."""


@contextmanager
def serving(alone: Callable[[], bool]) -> Iterator[None]:
    """Around one HTTP request or a stdio session: how a quick tool call learns that it is alone (`ToolKit.call`)."""
    token = _alone.set(alone)
    try:
        yield
    finally:
        _alone.reset(token)


class ToolKit:
    def __init__(self, backend: Backend, principal_of: Callable[[], Principal], limiter: anyio.CapacityLimiter):
        self.backend = backend
        self.principal_of = principal_of
        self.limiter = limiter

    def principal(self) -> Principal:
        """Who the call in progress acts as (set by the guardrails), else a fresh principal of the connection;
        always an MCP principal, with a connection policy."""
        acting = _acting.get()
        if acting is not None:
            return acting
        principal = self.principal_of()
        return principal if principal.policy is not None else principal.with_policy(ConnectionPolicy())

    @contextmanager
    def acting_as(self, principal: Principal) -> Iterator[None]:
        token = _acting.set(principal)
        try:
            yield
        finally:
            _acting.reset(token)

    def backend_for(self, principal: Principal) -> Backend:
        """A read-only connection works on a view of the backend that refuses every write."""
        return read_only_view(self.backend) if principal.policy and principal.policy.read_only else self.backend

    def fenced(self) -> ToolKit:
        """The same kit for tools whose results hold what app users wrote: their text block is fenced."""
        return FencedToolKit(self.backend, self.principal_of, self.limiter)

    async def call(
        self,
        scope: str | None,
        work: Callable[[Backend, Principal], T],
        codes: Mapping[str, str] | None = None,
        *,
        quick: bool = False,
        rendered: bool = False,
    ) -> T | CallToolResult:
        """Check `scope` (None: any valid credential), run `work` in the worker pool, render a failure once.
        `codes` overrides the MCP code of some REST codes for this tool. A `quick` call (a page of records, an
        insert of at most 100) runs on the event loop instead when its HTTP or stdio request is the only one in
        flight, as REST does with its lone record calls: nothing else waits for the loop then, and the hand-off to a
        worker thread and back costs about half a millisecond (decisions.md, issue #3). A `rendered` result is
        JSON-ready as the domain returns it (records from `serialize.record`), so it is not walked again by `plain`."""
        try:
            principal = self.principal()
            if scope is not None:
                require_scope(principal, scope)
            backend = self.backend_for(principal)
            alone = _alone.get() if quick else None
            if alone is not None and alone():
                result = self._logged(work, backend, principal, rendered)
            else:
                result = await anyio.to_thread.run_sync(
                    self._logged, work, backend, principal, rendered, limiter=self.limiter
                )
        except BkendError as exc:
            return error_result(exc, codes)
        except Exception as exc:
            known = known_failure(exc)
            if known is not None:
                return error_result(known, codes)
            request_id = uuid.uuid4().hex[:12]
            log.exception("tool failed (request %s)", request_id)
            return error_result(BkendError("common/internal-error", f"Internal error (request id {request_id})"))
        return self.render(result)

    def _logged(
        self, work: Callable[[Backend, Principal], T], backend: Backend, principal: Principal, rendered: bool = False
    ) -> Any:
        """In the worker thread: the domain work, its result made plain, and the call's activity entry written in
        the same hop (`mcp/call_log.py`)."""
        try:
            result = work(backend, principal) if rendered else plain(work(backend, principal))
        except BkendError as exc:
            call_log.settle(self.backend, exc.code, exc.message, None)
            raise
        call_log.settle(self.backend, "ok", None, activity.records_of(result))
        return result

    def render(self, result: Any) -> Any:
        """A success as the tool returns it (the SDK writes the JSON text block and `structuredContent`)."""
        return result


class FencedToolKit(ToolKit):
    def render(self, result: Any) -> Any:
        """`structuredContent` unchanged; the text block is the same JSON inside a fence the data cannot close."""
        text = orjson.dumps(result, option=orjson.OPT_INDENT_2).decode()
        structured = result if isinstance(result, dict) else None
        return CallToolResult(content=[TextContent(type="text", text=fence.fence(text))], structured_content=structured)
