"""Management over the REST API in the activity log (issue #8 item 6): a table, auth-settings, user or MCP-access
change made with an environment's key (`sk_`, or a publishable key with an admin user's token) is filed like an
MCP tool call or a console write — who (the key, and the user when one signed the request), what
(`rest <METHOD> <route>`), the target (path parameters) and the redacted body, the outcome, when, and the project
and environment — so `get_activity` and the console's Activities screen list all three interfaces.

A key acts for the tenant who created it: the entry is filed under that tenant and the key's organization, which
is whose activity log shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from bkend_mcp.domain import activity
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal

T = TypeVar("T")
CLIENT = {"name": "REST API"}


def logged(backend: Backend, caller: Caller, action: str, arguments: Any, work: Callable[[Backend, Caller], T]) -> T:
    """Do `work` as `caller` and file it under `action`, whether it succeeds or fails with a `BkendError`."""
    started = time.perf_counter()
    try:
        result = work(backend, caller)
    except BkendError as exc:
        _file(backend, caller, action, arguments, started, exc.code, exc.message)
        raise
    _file(backend, caller, action, arguments, started, "ok", None)
    return result


def accountable(backend: Backend, caller: Caller) -> Principal | None:
    """The tenant a key acts for (its creator, in its organization), labelled with the key and the user."""
    key = backend.control("api_keys").get(caller.key_id) if caller.key_id else None
    if key is None:
        return None
    label = f"key:{caller.key_id}" + (f" user:{caller.uid}" if caller.uid else "")
    return Principal(str(key.get("createdBy") or ""), (), key.get("organizationId"), label)


def _file(
    backend: Backend, caller: Caller, action: str, arguments: Any, started: float, outcome: str, message: str | None
) -> None:
    activity.file_call(
        backend,
        accountable(backend, caller),
        action,
        arguments,
        started=started,
        outcome=outcome,
        message=message,
        client=CLIENT,
        project_id=caller.project_id,
        environment_id=caller.environment_id,
    )
