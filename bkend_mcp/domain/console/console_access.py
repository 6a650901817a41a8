"""Who is calling the management API (`/v1/console`), and as whom they act in an organization.

A request carries a console session cookie (writes also need the CSRF header) or an MCP personal access token
(`Authorization: Bearer mcp_…`). Inside an organization (named in the path, or a project's) the tenant acts as a
`Principal` bound to it, whose scopes are the credential's capped by the tenant's role (`org_roles`): the same
principal the MCP tools receive, so both interfaces refuse the same things. Every unsafe request that carries an
`Origin` header must come from this server's own origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain import addressing
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_sessions
from bkend_mcp.domain.deployment import origin_allowed
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_access import bearer_token
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.domain.principal import ALL, Principal
from bkend_mcp.domain.team import org_roles

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CONSOLE_CLIENT = "console"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a management request brings, read from its headers by the interface."""

    method: str
    session_token: str | None = None
    authorization: str | None = None
    csrf: str | None = None
    origin: str | None = None

    @property
    def unsafe(self) -> bool:
        return self.method.upper() not in SAFE_METHODS


def check_origin(backend: Backend, credentials: Credentials) -> None:
    if credentials.unsafe and not origin_allowed(backend.config, credentials.origin):
        raise BkendError("common/forbidden", "Cross-site requests to the management API are refused")


def session(backend: Backend, credentials: Credentials) -> tuple[str, dict[str, Any]]:
    """(token, stored session) of a cookie-authenticated request, the CSRF header checked on writes."""
    check_origin(backend, credentials)
    doc = console_sessions.live_session(backend, credentials.session_token)
    assert credentials.session_token is not None
    if credentials.unsafe:
        console_sessions.check_csrf(credentials.session_token, credentials.csrf)
    return credentials.session_token, doc


def authenticate(backend: Backend, credentials: Credentials) -> Principal:
    """The tenant behind the request, not yet bound to an organization (a personal token is, to its own)."""
    if credentials.authorization and not credentials.session_token:
        check_origin(backend, credentials)
        doc = pats.verify_pat(backend, _pat(credentials.authorization))
        return Principal(doc["tenantId"], tuple(doc["scopes"]), doc["organizationId"], f"pat:{doc['_id']}")
    _, doc = session(backend, credentials)
    return Principal(doc["tenantId"], ALL, None, CONSOLE_CLIENT)


def _pat(authorization: str) -> str:
    token = bearer_token(authorization)
    if not token.startswith(pats.PAT_PREFIX):
        raise BkendError("common/authentication-required", "The management API accepts personal tokens (mcp_…)")
    return token


def in_organization(backend: Backend, principal: Principal, organization: str) -> tuple[Principal, str | None]:
    """(principal bound to the organization and capped by the role there, that role)."""
    org = addressing.require_organization(backend, principal, organization)
    role = org_roles.role_in(org, principal.tenant_id)
    return Principal(principal.tenant_id, org_roles.cap(principal.scopes, role), org["id"], principal.client_id), role


def act_in_session(backend: Backend, credentials: Credentials, organization: str | None = None) -> Principal:
    """For what only a signed-in person may do (team, invitations, organization settings, personal tokens,
    MCP access): the console session's tenant, bound to `organization`; a personal token is refused."""
    if credentials.authorization and not credentials.session_token:
        raise BkendError("common/forbidden", "Sign in to the console for this; personal tokens cannot manage teams")
    principal = authenticate(backend, credentials)
    return principal if organization is None else in_organization(backend, principal, organization)[0]


def act(
    backend: Backend,
    credentials: Credentials,
    scope: str | None,
    *,
    organization: str | None = None,
    project: str | None = None,
) -> Principal:
    """Authenticate, bind to the organization (given, or the project's), check `scope`: the principal to act as."""
    principal = authenticate(backend, credentials)
    if project is not None:
        organization = addressing.resolve_project(backend, principal, project)["organizationId"]
    if organization is None:
        return principal
    bound, role = in_organization(backend, principal, organization)
    if scope is not None:
        org_roles.require_scope(bound, role, scope)
    return bound
