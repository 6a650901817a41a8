"""App-user auth of one environment as the console shows it: the settings (password policy, magic link,
lifetimes, limits) and the environment's mail outbox. The rules stay in `auth.settings` and `auth.mailer`."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import addressing, guardrails
from bkend_mcp.domain.auth import mailer, settings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.team import org_roles


def _env_id(backend: Backend, principal: Principal, project: str | None, environment: str | None) -> str:
    return str(addressing.resolve_environment(backend, principal, project, environment)["id"])


def auth_settings(
    backend: Backend, principal: Principal, project: str | None, environment: str | None
) -> dict[str, Any]:
    return settings.describe(backend, _env_id(backend, principal, project, environment))


def update_auth_settings(
    backend: Backend, principal: Principal, changes: Any, project: str | None, environment: str | None
) -> dict[str, Any]:
    return settings.update(backend, _env_id(backend, principal, project, environment), changes)


def auth_outbox(
    backend: Backend,
    principal: Principal,
    project: str | None,
    environment: str | None,
    limit: int = 20,
    to: str | None = None,
) -> dict[str, Any]:
    """The environment's app-user mails, newest first (the dev mailbox when no SMTP is configured)."""
    env_id = _env_id(backend, principal, project, environment)
    return {"items": mailer.recent(backend, env_id, limit=max(1, min(limit, 100)), to=to)}


def mcp_access(backend: Backend, principal: Principal, project: str | None, environment: str | None) -> dict[str, Any]:
    """Whether AI tools may write, only read, or not touch this environment over MCP (`mcpAccess`)."""
    env = addressing.resolve_environment(backend, principal, project, environment)
    return guardrails.environment_access(backend, addressing.environment_caller(env, principal))


def set_mcp_access(
    backend: Backend, principal: Principal, body: Any, project: str | None, environment: str | None
) -> dict[str, Any]:
    """Open or close an environment to MCP, in either direction (an organization owner or admin)."""
    env = addressing.resolve_environment(backend, principal, project, environment)
    org = addressing.require_organization(backend, principal, env["organizationId"])
    org_roles.require_action(org, principal.tenant_id, "mcp-access:set")
    return guardrails.set_environment_access(backend, addressing.environment_caller(env, principal), body)
