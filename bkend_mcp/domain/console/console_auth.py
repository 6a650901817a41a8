"""The console's sign-in flows, one function per route: sign in, the current session, sign out, first-owner setup,
accepting an invitation, and the signed-in tenant's own account (name, password).

Flows that open a session return `console_sessions.Opened`: the interface puts its token in the cookie and its
view in the body. Every unsafe request passes the Origin check first (login CSRF).
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain.auth.inputs import Client, body_object
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_sessions
from bkend_mcp.domain.console.console_access import Credentials, check_origin, session
from bkend_mcp.domain.console.console_sessions import Opened
from bkend_mcp.domain.team import invitations, owner_setup, tenants


def sign_in(backend: Backend, credentials: Credentials, body: Any, client: Client) -> Opened:
    check_origin(backend, credentials)
    body = body_object(body)
    tenant = tenants.verify_sign_in(backend, body.get("email"), body.get("password"), client)
    return console_sessions.open_session(backend, tenant, client)


def current(backend: Backend, credentials: Credentials) -> dict[str, Any]:
    token, doc = session(backend, credentials)
    return console_sessions.view(backend, token, doc)


def sign_out(backend: Backend, credentials: Credentials) -> dict[str, Any]:
    token, _ = session(backend, credentials)
    console_sessions.close(backend, token)
    return {"signedOut": True}


def setup_status(backend: Backend, token: Any) -> dict[str, Any]:
    return owner_setup.status(backend, token)


def complete_setup(backend: Backend, credentials: Credentials, body: Any, client: Client) -> Opened:
    """The setup link's form: the local owner's e-mail and password, then a session. The link works once."""
    check_origin(backend, credentials)
    body = body_object(body)
    owner_setup.usable(backend, body.get("token"))
    changes = tenants.owner_changes(backend, body.get("email"), body.get("password"), body.get("name"))
    owner_setup.spend(backend, body.get("token"))
    owner = tenants.save_owner(backend, changes)
    console_sessions.close_others(backend, owner["_id"], None)
    return console_sessions.open_session(backend, owner, client)


def invitation(backend: Backend, token: Any) -> dict[str, Any]:
    return invitations.lookup(backend, token)


def accept_invitation(backend: Backend, credentials: Credentials, body: Any, client: Client) -> Opened:
    check_origin(backend, credentials)
    body = body_object(body)
    tenant = invitations.accept(backend, body.get("token"), body.get("password"), body.get("name"), client)
    return console_sessions.open_session(backend, tenant, client)


def rename(backend: Backend, credentials: Credentials, body: Any) -> dict[str, Any]:
    _, doc = session(backend, credentials)
    return {"tenant": tenants.public_tenant(tenants.rename(backend, doc["tenantId"], body_object(body).get("name")))}


def change_password(backend: Backend, credentials: Credentials, body: Any) -> dict[str, Any]:
    """A new password; every other session of the tenant ends, this one stays."""
    token, doc = session(backend, credentials)
    body = body_object(body)
    tenants.change_password(backend, doc["tenantId"], body.get("currentPassword"), body.get("newPassword"))
    console_sessions.close_others(backend, doc["tenantId"], token)
    return {"changed": True}
