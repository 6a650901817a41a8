"""Deleting a user: withdraw (spec/auth.md §2.9 #36, compat C23) and admin deletion (§2.10 #41).

A soft delete. The record stays (so the records the user created keep their `createdBy`) with `status: deleted`
and `deletedAt`; the address moves to the internal `deletedEmail` and `email` is removed, which frees it in the
sparse unique index so the address can sign up again as a new user. Profile, settings and MFA are cleared. Every
session is revoked (the user's tokens fail on the next request), every sign-in account is deleted, memberships
end and pending invitations the user sent are revoked. Irreversible through the API.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import invitations, sessions, users
from bkend_mcp.domain.auth.account import require_user
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

CLEARED = ("email", "mfa", "preferences", "notifications", "onboarding", "publicSettings", "agreements")
DELETED = "Account deleted"


def withdraw(backend: Backend, caller: Caller) -> dict[str, Any]:
    """#36: the signed-in user deletes their own account."""
    user_id, _ = require_user(caller)
    delete_user(backend, caller.environment_id, user_id, "withdraw")
    return {"message": DELETED}


def delete_user(backend: Backend, environment_id: str, user_id: str, reason: str) -> None:
    """Soft-delete a live user (404 `user/not-found` otherwise); the status flips first, so the user's tokens
    stop working even before the clean-up below has run."""
    user = users.get(backend, environment_id, user_id)
    if not users.is_live(user) or user is None:
        raise BkendError("user/not-found")
    changes = {
        "status": "deleted",
        "deletedAt": dates.now(),
        "deletedEmail": user.get("email"),
        "name": None,
        **{field: None for field in users.PROFILE_DEFAULTS},
        "passwordHash": None,
        "passwordChangedAt": None,
        "emailVerified": None,
    }
    users.update(backend, environment_id, user_id, changes, CLEARED)
    sessions.revoke_all(backend, environment_id, user_id, reason)
    users.remove_accounts_of(backend, environment_id, user_id)
    invitations.remove_memberships_of(backend, environment_id, user_id)
    invitations.revoke_sent_by(backend, environment_id, user_id)
