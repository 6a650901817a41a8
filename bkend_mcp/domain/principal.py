"""The tenant acting through MCP or the console, and the OAuth scopes it holds (spec/mcp-and-console.md §1.3.4).

Scope matching: the last `:`-segment is the action, the rest the resource path. `*:*` matches everything,
`*:<action>` that action on any resource (`*:read` covers `table:data:read`), `<resource>:*` every action of
exactly that resource (`table:*` does not cover `table:data:create`); otherwise exact match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bkend_mcp.domain.errors import BkendError

SCOPES = (
    "organization:read",
    "project:read", "project:create", "project:update", "project:delete",
    "environment:read", "environment:create", "environment:delete",
    "table:read", "table:create", "table:update", "table:delete",
    "table:data:read", "table:data:create", "table:data:update", "table:data:delete",
    "access-token:read", "access-token:create", "access-token:delete",
    "user:read", "user:create", "user:update", "user:delete",
    "auth-config:read", "auth-config:update",
    "file:read", "file:create", "file:update", "file:delete",
    "cors:read", "cors:update",
)  # fmt: skip
SCOPE_TEXT = re.compile(r"^(\*|[a-z][a-z-]*(?::[a-z][a-z-]*)*):(\*|[a-z][a-z-]*)$")
ALL = ("*:*",)


@dataclass(frozen=True, slots=True)
class ConnectionPolicy:
    """What one MCP connection may do on top of its credential's scopes: never more, often less
    (`domain/guardrails.py` applies it). Read-only mode and the pins come from the connection (`--read-only`,
    `--project`, `?readOnly=true`…); `tool_writes` is set per call by the MCP layer from the tool's annotations."""

    read_only: bool = False
    project: str | None = None
    """The pinned project (id or slug): the only one the connection sees."""
    environment: str | None = None
    """The pinned environment (name or `env_` id): the only one the connection sees."""
    tool_writes: bool = False
    """The tool being called is not annotated read-only; environments with `mcpAccess: read` refuse it."""

    def narrowed(
        self, *, read_only: bool = False, project: str | None = None, environment: str | None = None
    ) -> ConnectionPolicy:
        """This policy with more restrictions: read-only stays on, a pin can be added but never moved."""
        return replace(
            self,
            read_only=self.read_only or read_only,
            project=_pin(self.project, project, "project"),
            environment=_pin(self.environment, environment, "environment"),
        )


def _pin(current: str | None, wanted: str | None, noun: str) -> str | None:
    if current is None or wanted in (None, current):
        return wanted or current
    raise BkendError("mcp/pin-conflict", f"This server is pinned to {noun} '{current}'; '{wanted}' is outside it")


@dataclass(frozen=True, slots=True)
class Principal:
    """A tenant with the scopes its credential grants, optionally bound to one organization (OAuth tokens are)."""

    tenant_id: str
    scopes: tuple[str, ...] = ALL
    organization_id: str | None = None
    client_id: str | None = None
    """The MCP client (OAuth client id, `pat:<id>`, or `stdio`), for the activity log."""
    policy: ConnectionPolicy | None = None
    """Set for MCP connections (the console and REST leave it None): read-only mode, pins, `mcpAccess`."""

    def with_policy(self, policy: ConnectionPolicy) -> Principal:
        return replace(self, policy=policy)


def scope_grants(granted: str, needed: str) -> bool:
    resource, _, action = needed.rpartition(":")
    g_resource, _, g_action = granted.rpartition(":")
    if granted == needed or granted == "*:*":
        return True
    if g_resource == "*":
        return g_action == action
    return g_action == "*" and g_resource == resource


def has_scope(principal: Principal, needed: str) -> bool:
    return any(scope_grants(g, needed) for g in principal.scopes)


def scope_covers(granted: tuple[str, ...] | list[str], requested: str) -> bool:
    """True when `granted` already allows everything `requested` (a scope or a wildcard) allows, so handing out
    `requested` from `granted` (consent, refresh narrowing, a token's approver) never widens access."""
    return all(any(scope_grants(g, s) for g in granted) for s in SCOPES if scope_grants(requested, s))


def require_scope(principal: Principal, needed: str) -> None:
    if not has_scope(principal, needed):
        raise BkendError(
            "common/forbidden", f"Missing scope '{needed}'; the token grants: {' '.join(principal.scopes)}"
        )


def check_scope_list(scopes: list[str]) -> tuple[str, ...]:
    """Validate requested scopes: known scopes, or wildcards over known resources and actions."""
    resources = {s.rpartition(":")[0] for s in SCOPES} | {"*"}
    actions = {s.rpartition(":")[2] for s in SCOPES} | {"*"}
    bad = [
        s
        for s in scopes
        if not SCOPE_TEXT.match(s) or s.rpartition(":")[0] not in resources or s.rpartition(":")[2] not in actions
    ]
    if bad:
        raise BkendError(
            "common/invalid-parameters",
            f"Unknown scope '{bad[0]}'",
            [{"field": "scope", "reason": "enum", "message": f"Unknown scope '{s}'"} for s in bad],
        )
    return tuple(scopes)
