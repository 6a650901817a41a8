"""Password reset and change (spec/auth.md §2.4 #15-#17).

A reset request answers the same for every address; only a live user's address gets a mail. The link is
`<callbackUrl or the environment's passwordResetUrl>?token=…&email=…`; with neither, the mail shows the token.
A confirmed reset revokes every session and clears the lockout; it also verifies the address (the mail proved it)
and gives a password to a user who had none (magic-link or social only). A change revokes the user's other
sessions (all of them with `revokeAllSessionsOnPasswordChange`).
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import emails, inputs, mailer, onetime, passwords, ratelimit, sessions, settings, urls, users
from bkend_mcp.domain.auth.account import require_user
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

RESET_TTL_SECONDS = 24 * 3600
REQUESTED = "If an account exists for this address, a password reset email has been sent"


def request_reset(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#15: mail a reset link to a live user's address; the same answer for every address."""
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    callback = urls.check_optional(current, body.get("callbackUrl"))
    ratelimit.hit_all(backend, env, current, ratelimit.mail_limits(email, client.ip))
    user = users.find_by_email(backend, env, email)
    if user is not None and user.get("status") == "active":
        send_reset_mail(backend, env, user, callback or current.password_reset_url)
    return {"message": REQUESTED}


def send_reset_mail(backend: Backend, env: str, user: dict[str, Any], link_base: str | None) -> None:
    """Issue a reset token for a user (earlier ones die) and mail it, as a link when there is a base URL."""
    email = user["email"]
    token = onetime.issue(
        backend, purpose="password_reset", environment_id=env, email=email, ttl_seconds=RESET_TTL_SECONDS,
        user_id=user["_id"],
    )  # fmt: skip
    variables = {
        "resetLink": urls.with_params(link_base, token=token, email=email) if link_base else "",
        "token": token,
        "userName": user.get("name"),
        "expiresInMinutes": RESET_TTL_SECONDS // 60,
    }
    locale = (user.get("preferences") or {}).get("locale")
    mailer.send(backend, env, "password_reset", email, variables, locale=locale)


def confirm_reset(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#16: set a new password with a mailed token; every session of the user is revoked."""
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    token = inputs.required_text(body, "token")
    new_password = passwords.check_policy(current.password_policy, body.get("newPassword"), "newPassword")
    found = onetime.usable(backend, token, "password_reset", environment_id=env, email=email)
    user = users.get(backend, env, found.get("userId") or "")
    if not users.is_live(user) or user is None or user.get("email") != email:
        raise BkendError("auth/account-not-found")
    if passwords.verify(backend.config.argon2, user.get("passwordHash"), new_password):
        raise inputs.invalid(
            "newPassword", "same", "Choose a password you have not used", "auth/same-as-previous-password"
        )
    onetime.use(backend, found)
    _store_password(backend, env, user, new_password, verified=True)
    sessions.revoke_all(backend, env, user["_id"], "password-reset")
    ratelimit.clear(backend, env, "signin-account", email)
    return {"message": "Password has been reset; sign in with the new password"}


def change_password(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#17: the signed-in user replaces their password; their other sessions are signed out."""
    user_id, session_id = require_user(caller)
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    current_password = inputs.required_text(body, "currentPassword")
    new_password = passwords.check_policy(current.password_policy, body.get("newPassword"), "newPassword")
    user = users.get(backend, env, user_id)
    if user is None:
        raise BkendError("auth/user-not-found")
    if not passwords.verify(backend.config.argon2, user.get("passwordHash"), current_password):
        raise BkendError("auth/invalid-password")
    if passwords.verify(backend.config.argon2, user["passwordHash"], new_password):
        raise inputs.invalid(
            "newPassword", "same", "Choose a password you have not used", "auth/same-as-previous-password"
        )
    _store_password(backend, env, user, new_password, verified=False)
    keep = None if current.revoke_all_sessions_on_password_change else session_id
    sessions.revoke_all(backend, env, user_id, "password-change", keep=keep)
    return {"message": "Password changed"}


def _store_password(backend: Backend, env: str, user: dict[str, Any], password: str, *, verified: bool) -> None:
    now = dates.now()
    changes: dict[str, Any] = {
        "passwordHash": passwords.hash_password(backend.config.argon2, password),
        "passwordChangedAt": now,
    }
    if verified and user.get("emailVerified") is None:
        changes["emailVerified"] = now
    users.update(backend, env, user["_id"], changes)
    if users.account_of(backend, env, user["_id"], "email") is None:
        users.add_account(backend, env, user["_id"], "email", user["email"], user["email"])
