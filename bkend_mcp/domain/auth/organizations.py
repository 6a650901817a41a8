"""Organization context for apps that model organizations (spec/auth.md §2.3 #14, P11).

Memberships come from accepted organization invitations (`_memberships`: user, organization, role). Switching
replaces the caller's session with a new one whose tokens carry `orgId` and `orgRole`, so the app's server code
and row rules can read them from the access token.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain.auth import grant, inputs, invitations, sessions, settings, users
from bkend_mcp.domain.auth.account import require_user
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError


def switch(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#14: a TokenPair for a new session in `organizationId`; the current session ends."""
    user_id, session_id = require_user(caller)
    body = inputs.body_object(body)
    env = caller.environment_id
    organization_id = inputs.required_text(body, "organizationId").strip()
    member = invitations.membership(backend, env, user_id, organization_id)
    if member is None:
        raise BkendError("auth/forbidden", "You are not a member of this organization")
    user = users.get(backend, env, user_id)
    if user is None:
        raise BkendError("auth/user-not-found")
    session = sessions.get(backend, env, session_id) or {}
    sessions.revoke(backend, env, session_id, "switch-organization")
    return grant.sign_in(
        backend, caller, user, method=session.get("authMethod") or "password", client=client,
        settings=settings.load(backend, env), session_extra={"orgId": organization_id, "orgRole": member["role"]},
    )  # fmt: skip
