"""Who approves an MCP client on the consent page: the tenant signed in to the console (session cookie; they pick
one of their organizations) or the holder of an owner's personal access token pasted into the form.

Either way the approved scopes are capped by the approver's organization role, so consent never hands an AI tool
more than its approver may do (spec/mcp-and-console.md §1.3.3 "consent completion"). The session path also
checks the session's CSRF token, sent as the form's hidden `csrf` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_sessions
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.domain.principal import scope_covers
from bkend_mcp.domain.team import org_roles


@dataclass(frozen=True, slots=True)
class Approver:
    tenant_id: str
    organization_id: str
    scopes: tuple[str, ...]


def _one(form: Mapping[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def signed_in(backend: Backend, session_token: str | None) -> dict[str, Any] | None:
    """The console session behind the consent page (tenant, organizations with roles, CSRF token), or None."""
    if not session_token:
        return None
    try:
        doc = console_sessions.live_session(backend, session_token)
    except BkendError:
        return None
    return console_sessions.view(backend, session_token, doc)


def approver(backend: Backend, form: Mapping[str, list[str]], session_token: str | None, chosen: list[str]) -> Approver:
    """Who approves the ticked scopes `chosen`, and what they grant: a pasted token must cover every ticked
    scope (it is the ceiling the approver picked); a console tenant grants the ticked scopes narrowed to their
    role (a member approving `*:*` grants everything but creating and deleting projects)."""
    credential = _one(form, "credential").strip()
    if credential:
        return _by_token(backend, credential, chosen)
    if not session_token:
        raise BkendError("oauth/access-denied", "Sign in to the console, or paste an owner token, to approve")
    session = console_sessions.live_session(backend, session_token)
    console_sessions.check_csrf(session_token, _one(form, "csrf"))
    org = tenancy.get_organization(backend, session["tenantId"], _one(form, "organization"))
    granted = org_roles.cap(chosen, org_roles.role_in(org, session["tenantId"]))
    if not granted:
        raise BkendError("oauth/access-denied", "Your role there cannot grant any of these permissions")
    return Approver(session["tenantId"], org["id"], granted)


def _by_token(backend: Backend, credential: str, chosen: list[str]) -> Approver:
    doc = pats.verify_pat(backend, credential)
    capped = org_roles.principal_in(backend, doc["tenantId"], doc["organizationId"], doc["scopes"], None)
    beyond = [s for s in chosen if not scope_covers(capped.scopes, s)]
    if beyond:
        raise BkendError("oauth/access-denied", f"Your token cannot grant '{beyond[0]}'; untick it or use another")
    return Approver(doc["tenantId"], doc["organizationId"], tuple(chosen))
