"""Magic links (spec/auth.md §2.1 #3-#5, §6 rule 11): one flow for sign-up and sign-in.

Sending mails `callbackUrl?token=<64 hex>`; the app posts that token to `POST /v1/auth/email/callback`, which
signs the address in, creating the user on first use (`is_new_user: true`, address verified by the click).
An unknown address asking to *sign in* gets a sign-up link and the same answer (no enumeration), unless the
environment sets `magicLinkSigninRequiresAccount` (404 `auth/user-not-found`).
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import emails, grant, inputs, mailer, onetime, ratelimit, settings, urls, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

SENT = "Magic link sent; check your inbox"


def request_signup_link(backend: Backend, caller: Caller, body: dict[str, Any], client: Client) -> dict[str, Any]:
    """#3: mail a link that signs the address up (or in, if it already has an account)."""
    return _send(backend, caller, body, client, unknown_allowed=True)


def request_signin_link(backend: Backend, caller: Caller, body: dict[str, Any], client: Client) -> dict[str, Any]:
    """#4: mail a link that signs the address in (a sign-up link for an unknown address, unless strict)."""
    strict = settings.load(backend, caller.environment_id).magic_link_signin_requires_account
    return _send(backend, caller, body, client, unknown_allowed=not strict)


def _send(
    backend: Backend, caller: Caller, body: dict[str, Any], client: Client, *, unknown_allowed: bool
) -> dict[str, Any]:
    env = caller.environment_id
    current = settings.load(backend, env)
    if not current.magic_link_enabled:
        raise BkendError("auth/magiclink-disabled")
    email = emails.normalize(body.get("email"))
    callback = urls.check(current, body.get("callbackUrl"))
    name = inputs.optional_text(body, "name")
    user = users.find_by_email(backend, env, email)
    if user is not None and users.account_of(backend, env, user["_id"], "email") is None:
        raise BkendError("auth/magiclink-not-available-for-social")
    if user is None and not unknown_allowed:
        raise BkendError("auth/user-not-found")
    limits = ratelimit.mail_limits(email, client.ip) + ([] if user else [("signup-ip", client.ip)])
    ratelimit.hit_all(backend, env, current, limits)
    minutes = current.magic_link_minutes
    token = onetime.issue(
        backend,
        purpose="magic_link",
        environment_id=env,
        email=email,
        ttl_seconds=minutes * 60,
        user_id=user["_id"] if user else None,
        payload={"name": name.strip()[:100] if name else None, "callbackUrl": callback},
    )
    variables = {
        "magicLink": urls.with_params(callback, token=token),
        "userName": (user or {}).get("name") or name or emails.local_part(email),
        "expiresInMinutes": minutes,
    }
    mailer.send(backend, env, "magic_link", email, variables, locale=_locale(user))
    return {"message": SENT, "email": email}


def _locale(user: dict[str, Any] | None) -> str | None:
    return ((user or {}).get("preferences") or {}).get("locale")


def verify(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#5: the TokenPair plus `is_new_user` for a valid, unused link token."""
    body = inputs.body_object(body)
    env = caller.environment_id
    token = body.get("token")
    if not isinstance(token, str) or not token.strip():
        raise BkendError("auth/magic-token-missing")
    email = emails.normalize(body["email"]) if body.get("email") else None
    used = onetime.consume(backend, token, "magic_link", environment_id=env, email=email)
    current = settings.load(backend, env)
    user, is_new = _user_for(backend, env, used, current)
    if user.get("status") == "banned":
        raise BkendError("auth/account-banned")
    pair = grant.sign_in(backend, caller, user, method="magiclink", client=client, settings=current)
    return {**pair, "is_new_user": is_new}


def _user_for(backend: Backend, env: str, used: dict[str, Any], current: AuthSettings) -> tuple[dict[str, Any], bool]:
    """The address's user (verified now if it was not), or a new password-less user."""
    email = used["email"]
    user = users.find_by_email(backend, env, email)
    if user is not None:
        if user.get("emailVerified") is None:
            user = users.update(backend, env, user["_id"], {"emailVerified": dates.now()})
        return user, False
    name = (used.get("payload") or {}).get("name") or emails.local_part(email)
    try:
        created = users.create_user(
            backend, env, email=email, name=name, role=current.default_role, email_verified_at=dates.now()
        )
    except BkendError as exc:
        raced = users.find_by_email(backend, env, email)
        if exc.code != "auth/email-already-exists" or raced is None:
            raise
        return raced, False
    return created, True
