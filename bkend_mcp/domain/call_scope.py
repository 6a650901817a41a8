"""What one MCP tool call worked on: the project and environment `addressing` resolved for it, so the activity log
can file the call under its project without every tool reporting it.

The MCP layer opens a scope around a call (`tracking`); `addressing` notes what it resolves (`note`). Outside a
tracked call `note` does nothing. The scope is a context variable, so it follows the call into the worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class CallScope:
    project_id: str | None = None
    environment_id: str | None = None


_current: ContextVar[CallScope | None] = ContextVar("bkend_call_scope", default=None)


@contextmanager
def tracking() -> Iterator[CallScope]:
    scope = CallScope()
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def note(project_id: str, environment_id: str | None = None) -> None:
    """Record the first project a call resolves, and the first environment within it."""
    scope = _current.get()
    if scope is None:
        return
    if scope.project_id is None:
        scope.project_id = project_id
    if scope.project_id == project_id and scope.environment_id is None:
        scope.environment_id = environment_id
