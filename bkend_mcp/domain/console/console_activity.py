"""Console writes in the activity log (spec/mcp-and-console.md §4.16): every management mutation, from the console
or a script with a personal token, is filed like an MCP tool call — who, what (`console <METHOD> <route>`), the
redacted body, the outcome and the project and environment it resolved — so the Activities screen shows both."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from bkend_mcp.domain import activity, call_scope
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal

T = TypeVar("T")
CLIENT = {"name": "bkend console"}


def logged(
    backend: Backend, principal: Principal, action: str, arguments: Any, work: Callable[[Backend, Principal], T]
) -> T:
    """Do `work` and file it under `action`, whether it succeeds or fails with a `BkendError`."""
    started = time.perf_counter()
    with call_scope.tracking() as scope:
        try:
            result = work(backend, principal)
        except BkendError as exc:
            _file(backend, principal, action, arguments, started, scope, exc.code, exc.message)
            raise
    _file(backend, principal, action, arguments, started, scope, "ok", None)
    return result


def _file(
    backend: Backend,
    principal: Principal,
    action: str,
    arguments: Any,
    started: float,
    scope: call_scope.CallScope,
    outcome: str,
    message: str | None,
) -> None:
    activity.file_call(
        backend,
        principal,
        action,
        arguments,
        started=started,
        outcome=outcome,
        message=message,
        client=CLIENT,
        project_id=scope.project_id,
        environment_id=scope.environment_id,
    )
