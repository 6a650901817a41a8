"""The activity entry of the tool call in progress, written in the worker thread that runs the call's domain work.

The guardrails open a `Pending` entry around every `tools/call` (who, which tool, which arguments, which client,
when it started). The tool's `kit.call` settles it in its worker thread as soon as the domain function returns or
raises a `BkendError`, so the log line costs no thread hop of its own (a hop is a queue put, a thread wake-up and a
loop wake-up, paid on every call). Afterwards the guardrails compare the written entry with the result the client
receives and amend it in the rare case they differ (a handler that reshapes its result after the domain call, or
makes a second one); a call that never reaches `kit.call` (a refusal, an unknown tool, invalid arguments, an
unexpected exception) is written by the guardrails, as before. Either way a call has exactly one entry, and it is in
the store before the client sees the result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bkend_mcp.domain import activity, call_scope
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal

log = logging.getLogger("bkend_mcp.mcp")


@dataclass(slots=True)
class Pending:
    """What the entry of one call says before its outcome is known, and the entry once written."""

    principal: Principal
    tool: str
    arguments: Any
    client: Mapping[str, Any] | None
    scope: call_scope.CallScope
    started: float = field(default_factory=time.perf_counter)
    written: dict[str, Any] | None = None

    def document(self, outcome: str, message: str | None, touched: dict[str, Any] | None) -> dict[str, Any]:
        return activity.entry(
            self.principal,
            self.tool,
            self.arguments,
            outcome=outcome,
            duration_ms=(time.perf_counter() - self.started) * 1000,
            client=self.client,
            error_message=message,
            touched=touched,
            project_id=self.scope.project_id,
            environment_id=self.scope.environment_id,
        )

    def says(self, outcome: str, message: str | None, touched: dict[str, Any] | None) -> bool:
        """Whether the written entry already tells this outcome."""
        doc = self.written
        return doc is not None and (doc["outcome"], doc.get("error"), doc["records"]) == (
            outcome,
            message[: activity.MAX_TEXT] if message else None,
            touched,
        )


_pending: ContextVar[Pending | None] = ContextVar("bkend_mcp_pending_activity", default=None)


@contextmanager
def opened(pending: Pending) -> Iterator[Pending]:
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def settle(backend: Backend, outcome: str, message: str | None, touched: dict[str, Any] | None) -> None:
    """In the worker thread of the call in progress: write its entry, unless it is written already. A failed
    write is logged and left to the guardrails' own attempt."""
    pending = _pending.get()
    if pending is None or pending.written is not None:
        return
    doc = pending.document(outcome, message, touched)
    try:
        activity.record(backend, doc)
    except Exception:  # the call itself succeeded or failed on its own; the log line must not change that
        log.exception("could not write the activity entry of tool %s", pending.tool)
        return
    pending.written = doc
