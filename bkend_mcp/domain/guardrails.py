"""The rules an MCP connection's `ConnectionPolicy` and an environment's `mcpAccess` setting add on top of scopes.

- **Read-only mode** (`--read-only`, `BKEND_MCP_READ_ONLY`, `?readOnly=true`): every write is refused with
  `mcp/read-only` before anything is written (`require_writable`, called by the `addressing.writable_*` resolvers
  every write path goes through).
- **Pins** (`--project`, `--environment`, `?project=&environment=`): other projects and environments are invisible
  (`project_visible`, `environment_visible`, applied by `addressing`), and a pinned connection creates none.
- **`mcpAccess`** per environment: `write` (default), `read` (MCP may only read there), `none` (MCP may not touch
  it). Set by an owner with the environment's secret key (`PUT /v1/mcp-access`) or the console
  (`projects.set_mcp_access` with a console principal); the MCP tool can only tighten it.

A principal without a policy (the console, REST) is not an MCP connection and none of this applies to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bkend_mcp.domain import dates, management, records, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, invalid_param
from bkend_mcp.domain.principal import Principal

ACCESS_LEVELS = ("write", "read", "none")
"""`mcpAccess` values, from most to least open."""
DEFAULT_ACCESS = "write"
READ_ONLY_MESSAGE = (
    "Read-only mode is on for this MCP connection, so nothing was changed. To allow writes, restart `bkend-mcp mcp` "
    "without --read-only (and without BKEND_MCP_READ_ONLY=1), or connect to /mcp (or /sse) without ?readOnly=true "
    "on a server started without BKEND_MCP_READ_ONLY."
)


# --- the connection ----------------------------------------------------------------------------------------------


def require_writable(principal: Principal, env: dict[str, Any] | None = None) -> None:
    """Refuse a write when the connection is read-only or `env` allows MCP reads only."""
    if principal.policy is None:
        return
    if principal.policy.read_only:
        raise BkendError("mcp/read-only", READ_ONLY_MESSAGE)
    if env is not None and access_of(env) == "read":
        raise _read_only_environment(env)


def require_open(principal: Principal, env: dict[str, Any]) -> None:
    """Refuse any use of an environment with `mcpAccess: none`, and a writing tool's use of one with `read`."""
    if principal.policy is None:
        return
    level = access_of(env)
    if level == "none":
        raise BkendError(
            "mcp/environment-closed",
            f"MCP access to environment '{env['environment']}' ({env['id']}) is off (mcpAccess: none). An owner can "
            "open it with PUT /v1/mcp-access using that environment's secret key.",
        )
    if level == "read" and principal.policy.tool_writes:
        raise _read_only_environment(env)


def _read_only_environment(env: dict[str, Any]) -> BkendError:
    return BkendError(
        "mcp/read-only",
        f"Environment '{env['environment']}' ({env['id']}) allows MCP reads only (mcpAccess: read), so nothing was "
        "changed and only read-only tools work there. An owner can allow writes with PUT /v1/mcp-access "
        '{"mcpAccess": "write"} using that environment\'s secret key.',
    )


def reading(principal: Principal) -> Principal:
    """The principal for a step that only reads, even inside a writing tool (e.g. finding the environment whose
    `mcpAccess` is being tightened)."""
    if principal.policy is None or not principal.policy.tool_writes:
        return principal
    return principal.with_policy(replace(principal.policy, tool_writes=False))


def require_unpinned(principal: Principal, noun: str) -> None:
    """A pinned connection never creates a second project (or, pinned to an environment, a second environment)."""
    policy = principal.policy
    pin = None if policy is None else (policy.project if noun == "project" else policy.environment)
    if pin is not None:
        raise BkendError("mcp/pinned", f"This connection is pinned to {noun} '{pin}'; it cannot create another {noun}")


def project_visible(principal: Principal, project: dict[str, Any]) -> bool:
    pin = principal.policy.project if principal.policy else None
    return pin is None or pin in (project["id"], project["slug"])


def environment_visible(principal: Principal, env: dict[str, Any]) -> bool:
    pin = principal.policy.environment if principal.policy else None
    return pin is None or pin == env["id"] or tenancy.normalize_environment_name(pin) == env["environment"]


def pinned_environment(principal: Principal) -> str | None:
    return principal.policy.environment if principal.policy else None


def usable(principal: Principal, env: dict[str, Any]) -> bool:
    """False for an environment MCP may not touch (`mcpAccess: none`), so listings leave its tables and keys out."""
    return principal.policy is None or access_of(env) != "none"


# --- mcpAccess ---------------------------------------------------------------------------------------------------


def access_of(env: dict[str, Any]) -> str:
    return str(env.get("mcpAccess") or DEFAULT_ACCESS)


def _check_level(level: Any) -> str:
    if level not in ACCESS_LEVELS:
        raise invalid_param("mcpAccess", "enum", f"'mcpAccess' must be one of: {', '.join(ACCESS_LEVELS)}")
    return str(level)


def _save_access(backend: Backend, environment_id: str, level: str, changed_by: str) -> dict[str, Any]:
    backend.control("environments").update(
        environment_id, {"mcpAccess": level, "mcpAccessChangedBy": changed_by, "mcpAccessChangedAt": dates.now()}
    )
    return access_view(backend.control("environments").get(environment_id) or {"_id": environment_id})


def access_view(doc: dict[str, Any]) -> dict[str, Any]:
    changed = doc.get("mcpAccessChangedAt")
    return {
        "environmentId": doc.get("_id", doc.get("id")),
        "environment": doc.get("environment"),
        "mcpAccess": access_of(doc),
        "changedBy": doc.get("mcpAccessChangedBy"),
        "changedAt": dates.iso(changed) if changed else None,
    }


def change_access(backend: Backend, principal: Principal, env: dict[str, Any], level: Any) -> dict[str, Any]:
    """Set `mcpAccess` as `principal`. Through MCP only toward less access (write → read → none), so an agent
    cannot lift a limit an owner set, and a read-only connection changes nothing; the console (a principal without
    a connection policy) may set any level."""
    wanted = _check_level(level)
    require_writable(principal)
    current = access_of(env)
    if principal.policy is not None and ACCESS_LEVELS.index(wanted) < ACCESS_LEVELS.index(current):
        raise BkendError(
            "common/forbidden",
            f"MCP can only tighten mcpAccess ({current} → {wanted} loosens it). An owner loosens it with "
            "PUT /v1/mcp-access and the environment's secret key, or in the console.",
        )
    return _save_access(backend, env["id"], wanted, principal.tenant_id)


# --- the REST route (`/v1/mcp-access`, an environment's secret key) ----------------------------------------------


def environment_access(backend: Backend, caller: Caller) -> dict[str, Any]:
    management.require_manager(caller)
    doc = backend.control("environments").get(caller.environment_id)
    if doc is None:
        raise BkendError("data/environment-not-found")
    return access_view(doc)


def set_environment_access(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """`{"mcpAccess": "write" | "read" | "none"}` for the key's environment; any direction (this is the owner)."""
    actor = management.require_manager(caller)
    body = records.require_object(body)
    unknown = sorted(set(body) - {"mcpAccess"})
    if unknown:
        raise invalid_param(unknown[0], "unknown-field", f"'{unknown[0]}' is not accepted; send only 'mcpAccess'")
    environment_access(backend, caller)
    return _save_access(backend, caller.environment_id, _check_level(body.get("mcpAccess")), actor)
