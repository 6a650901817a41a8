"""The activity log: one entry per MCP tool call (spec/mcp-and-console.md §6.1 rule 8), in the control plane.

An entry says when, who (tenant, organization, MCP client name and version from `initialize`, credential id), which
tool with which arguments (secrets and passwords redacted, long values clipped), the outcome (`ok` or the error
code), how long it took, which records it touched (when the result shows them) and the project and environment it
worked on. Writing one is a single insert; reading them back (`get_activity`, `bkend://activity`) filters by tool,
outcome and time, newest first, and never shows another tenant's calls or, on a pinned connection, another
project's.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates, ids
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import invalid_param
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.query import pagination
from bkend_mcp.store.base import Cond, Filter, Index, Query, SortKey, all_of

COLLECTION = "activity"
CONTROL_INDEXES: dict[str, tuple[Index, ...]] = {
    COLLECTION: (
        Index("idx_tenant_at", (("tenantId", 1), ("at", -1))),
        Index("idx_project_at", (("projectId", 1), ("at", -1))),
        Index("idx_tool_at", (("tool", 1), ("at", -1))),
    )
}
REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"password|secret|token$|^authorization$|^apikey$|^contentbase64$|^privatekey$|^code$")
"""Argument names (any depth, case-insensitive) whose values are never stored."""
SECRET_VALUE = re.compile(r"^(sk_[0-9a-f]{64}|mcp_[A-Za-z0-9_-]{20,})$")
"""Values that are credentials wherever they appear (a secret API key, a personal access token)."""
MAX_TEXT = 500
MAX_ITEMS = 20
MAX_DEPTH = 6
MAX_IDS = 20
MAX_LIMIT = 100


# --- writing -----------------------------------------------------------------------------------------------------


def redact(value: Any, depth: int = 0) -> Any:
    """`value` with secrets replaced by `[redacted]`, strings over 500 characters and lists over 20 items clipped.
    (JSON arguments are dicts, lists and scalars: those are told by their exact type before any `Mapping` check.)"""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is str:
        if SECRET_VALUE.match(value):
            return REDACTED
        return value if len(value) <= MAX_TEXT else f"{value[:MAX_TEXT]}…[{len(value)} chars]"
    if kind is dict or isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            return "[nested too deep]"
        return {str(k): REDACTED if _secret(k) else redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        clipped = [redact(v, depth + 1) for v in value[:MAX_ITEMS]]
        return clipped + [f"[{len(value) - MAX_ITEMS} more]"] if len(value) > MAX_ITEMS else clipped
    if isinstance(value, str):
        return redact(str(value), depth)
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def _secret(name: Any) -> bool:
    return SECRET_NAME.search(str(name).lower()) is not None


def records_of(result: Any) -> dict[str, Any] | None:
    """The records a call touched, as its result shows them: `{count, ids}` (at most 20 ids), else None. (Results
    are plain JSON by now: dicts, not other mappings.)"""
    if not isinstance(result, dict):
        return None
    listed = result.get("ids")
    if not isinstance(listed, list):
        items = result.get("items")
        listed = [i["id"] for i in items if type(i) is dict and "id" in i] if isinstance(items, list) else None
    if listed is None and isinstance(result.get("id"), str) and "createdAt" in result:
        listed = [result["id"]]
    if listed is None:
        return None
    count = next((result[k] for k in ("deleted", "modified", "count") if isinstance(result.get(k), int)), len(listed))
    return {"count": count, "ids": [str(i) for i in listed[:MAX_IDS]]}


def entry(
    principal: Principal | None,
    tool: str,
    arguments: Any,
    *,
    outcome: str,
    duration_ms: float,
    client: Mapping[str, Any] | None = None,
    error_message: str | None = None,
    touched: dict[str, Any] | None = None,
    project_id: str | None = None,
    environment_id: str | None = None,
) -> dict[str, Any]:
    """The document of one call; `outcome` is `ok` or the error code."""
    policy = principal.policy if principal else None
    doc: dict[str, Any] = {
        "_id": ids.short_id("act_"),
        "at": dates.now(),
        "tenantId": principal.tenant_id if principal else None,
        "organizationId": principal.organization_id if principal else None,
        "clientId": principal.client_id if principal else None,
        "client": dict(client) if client else None,
        "tool": tool,
        "arguments": redact(arguments or {}),
        "outcome": outcome,
        "durationMs": round(duration_ms, 2),
        "records": touched,
        "projectId": project_id,
        "environmentId": environment_id,
    }
    if error_message:
        doc["error"] = error_message[:MAX_TEXT]
    if policy and (policy.read_only or policy.project or policy.environment):
        doc["connection"] = {"readOnly": policy.read_only, "project": policy.project, "environment": policy.environment}
    return doc


def file_call(
    backend: Backend,
    principal: Principal | None,
    action: str,
    arguments: Any,
    *,
    started: float,
    outcome: str,
    message: str | None,
    client: Mapping[str, Any],
    project_id: str | None,
    environment_id: str | None,
) -> None:
    """Record a management call that already happened (console or REST). A failure to write is logged, never
    raised: the change is done, and a lost log line must not turn it into a failure."""
    try:
        doc = entry(
            principal,
            action,
            arguments,
            outcome=outcome,
            duration_ms=(time.perf_counter() - started) * 1000,
            client=client,
            error_message=message,
            project_id=project_id,
            environment_id=environment_id,
        )
        record(backend, doc)
    except Exception:
        logging.getLogger("bkend_mcp.activity").exception("could not write the activity entry of %s", action)


def record(backend: Backend, doc: dict[str, Any]) -> None:
    """Insert `doc`; an entry of a credential bound to no organization (stdio, the local owner) is filed under the
    organization of the project it worked on, so that organization's activity screen lists it too."""
    backend.control(COLLECTION).insert(_with_organization(backend, doc))


def _with_organization(backend: Backend, doc: dict[str, Any]) -> dict[str, Any]:
    if doc.get("organizationId") is None and doc.get("projectId") is not None:
        doc["organizationId"] = _organization_of(backend, doc["projectId"])
    return doc


def _organization_of(backend: Backend, project_id: str) -> str | None:
    def load() -> str | None:
        project = backend.control("projects").get(project_id)
        return project.get("organizationId") if project else None

    return backend.cache.get(("organization-of", project_id), load)


def amend(backend: Backend, entry_id: str, doc: dict[str, Any]) -> None:
    """Make the written entry `entry_id` tell what `doc` (a later `entry` of the same call) tells; it keeps its id
    and time."""
    fields = {k: v for k, v in _with_organization(backend, doc).items() if k not in ("_id", "at")}
    backend.control(COLLECTION).update(entry_id, fields, () if "error" in doc else ("error",))


# --- reading -----------------------------------------------------------------------------------------------------


def _when(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    parsed = dates.parse(value) if isinstance(value, str) else None
    if parsed is None:
        raise invalid_param(field, "format", f"'{field}' must be an ISO-8601 date-time, e.g. 2026-05-01T00:00:00Z")
    return parsed


def _visible(backend: Backend, principal: Principal) -> Filter:
    """The principal's own calls; an organization-bound credential's only in that organization, a pinned
    connection's only in the pinned project."""
    conds = [Cond("tenantId", "eq", principal.tenant_id, scalar=True)]
    if principal.organization_id is not None:
        conds.append(Cond("organizationId", "eq", principal.organization_id, scalar=True))
    if principal.policy is not None and principal.policy.project is not None:
        from bkend_mcp.domain import addressing  # not at the top: tenancy imports this module for its indexes

        project = addressing.resolve_project(backend, principal, None)
        conds.append(Cond("projectId", "eq", project["id"], scalar=True))
    return all_of(conds)


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "tenantId")}}
    out["at"] = dates.iso(doc["at"])
    return {k: v for k, v in out.items() if v is not None}


def list_activity(
    backend: Backend,
    principal: Principal,
    *,
    tool: str | None = None,
    outcome: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: int = 1,
    limit: int = 20,
) -> dict[str, Any]:
    """`{items, pagination}`, newest first. `outcome`: `ok`, `error` (any failure) or one error code."""
    if not 1 <= limit <= MAX_LIMIT or page < 1:
        raise invalid_param("limit", "range", f"'page' must be ≥ 1 and 'limit' 1-{MAX_LIMIT}")
    conds = [_visible(backend, principal)]
    if tool:
        conds.append(Cond("tool", "eq", tool, scalar=True))
    if outcome == "error":
        conds.append(Cond("outcome", "ne", "ok", scalar=True))
    elif outcome:
        conds.append(Cond("outcome", "eq", outcome, scalar=True))
    start, end = _when(since, "since"), _when(until, "until")
    if start is not None:
        conds.append(Cond("at", "gte", start, scalar=True))
    if end is not None:
        conds.append(Cond("at", "lte", end, scalar=True))
    where = all_of(conds)
    collection = backend.control(COLLECTION)
    order = (SortKey("at", -1, True), SortKey("_id", -1, True))
    docs, total = collection.page(Query(where, sort=order, skip=(page - 1) * limit, limit=limit))
    return {"items": [_public(d) for d in docs], "pagination": pagination(total, page, limit)}
