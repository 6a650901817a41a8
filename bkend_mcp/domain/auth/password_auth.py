"""Sign-up and sign-in with e-mail and password (spec/auth.md §2.1 #1, #2), and the `method` switch that sends
`magiclink` requests on the same paths to the magic-link flow.

Sign-in never tells whether an address exists: an unknown address, a deleted user and a password-less account all
verify a dummy Argon2 hash and get the same 401 as a wrong password, in about the same time.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import (
    emails,
    grant,
    inputs,
    magic_link,
    mfa,
    passwords,
    ratelimit,
    settings,
    users,
    verification,
)
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

NAME_MAX = 100
AGREEMENTS = ("terms", "privacy", "marketing")


def email_signup(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """`POST /v1/auth/email/signup`: password sign-up, or a magic link when `method` is `magiclink`."""
    body = inputs.body_object(body)
    if inputs.method(body) == "magiclink":
        return magic_link.request_signup_link(backend, caller, body, client)
    return sign_up(backend, caller, body, client)


def email_signin(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """`POST /v1/auth/email/signin`: password sign-in (also without `method`, compat C6), or a magic link."""
    body = inputs.body_object(body)
    if inputs.method(body) == "magiclink":
        return magic_link.request_signin_link(backend, caller, body, client)
    return sign_in(backend, caller, body, client)


def sign_up(backend: Backend, caller: Caller, body: dict[str, Any], client: Client) -> dict[str, Any]:
    """A new user with a password and a session: the TokenPair, or (when the environment requires verified
    addresses) `{message, email, emailVerificationRequired: true}` and a confirmation mail instead."""
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    name = check_name(body.get("name"))
    password = passwords.check_policy(current.password_policy, body.get("password"))
    profile = _optional_profile(body)
    ratelimit.hit(backend, env, current, "signup-ip", client.ip)
    if users.find_by_email(backend, env, email) is not None:
        raise BkendError("auth/email-already-exists")
    password_hash = passwords.hash_password(backend.config.argon2, password)
    user = users.create_user(
        backend, env, email=email, name=name, role=current.default_role, password_hash=password_hash, profile=profile
    )
    if current.require_email_verification or backend.config.smtp is not None:
        verification.send_signup_confirmation(backend, env, user, inputs.optional_text(body, "callbackUrl"))
    if current.require_email_verification:
        message = "Check your inbox to confirm your email address, then sign in"
        return {"message": message, "email": email, "emailVerificationRequired": True}
    return grant.sign_in(backend, caller, user, method="password", client=client, settings=current)


def sign_in(backend: Backend, caller: Caller, body: dict[str, Any], client: Client) -> dict[str, Any]:
    """The TokenPair for a correct address and password (and MFA code when enabled), in spec §2.1 #2's order."""
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    password = inputs.required_text(body, "password")
    ratelimit.hit(backend, env, current, "signin-ip", client.ip)
    ratelimit.check(backend, env, current, "signin-account", email)
    user = users.find_by_email(backend, env, email)
    if not passwords.verify(backend.config.argon2, user.get("passwordHash") if user else None, password):
        ratelimit.record(backend, env, current, "signin-account", email)
        raise BkendError("auth/invalid-credentials")
    assert user is not None
    if user.get("status") == "banned":
        raise BkendError("auth/account-banned")
    if current.require_email_verification and user.get("emailVerified") is None:
        raise BkendError("auth/email-not-verified")
    try:
        mfa.require_second_factor(backend, env, user, body.get("mfaCode"))
    except BkendError as exc:
        if exc.code == "auth/invalid-mfa-code":
            ratelimit.record(backend, env, current, "signin-account", email)
        raise
    ratelimit.clear(backend, env, "signin-account", email)
    if passwords.needs_rehash(backend.config.argon2, user["passwordHash"]):
        new_hash = passwords.hash_password(backend.config.argon2, password)
        user = users.update(backend, env, user["_id"], {"passwordHash": new_hash})
    return grant.sign_in(backend, caller, user, method="password", client=client, settings=current)


def check_name(value: Any, field: str = "name") -> str:
    """A display name of 1-100 characters (trimmed), else 400 `auth/invalid-name-format`."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX:
        message = f"'{field}' must be 1-{NAME_MAX} characters"
        raise inputs.invalid(field, "required" if value is None else "length", message, "auth/invalid-name-format")
    return value.strip()


def _optional_profile(body: dict[str, Any]) -> dict[str, Any]:
    """`nickname` and `agreements` (spec P8): accepted at sign-up when sent."""
    profile: dict[str, Any] = {}
    nickname = inputs.optional_text(body, "nickname")
    if nickname is not None:
        if len(nickname.strip()) > 50:
            raise inputs.invalid("nickname", "length", "'nickname' must be at most 50 characters")
        profile["nickname"] = nickname.strip()
    agreements = body.get("agreements")
    if agreements is not None:
        if not isinstance(agreements, dict) or not all(isinstance(agreements.get(k, False), bool) for k in AGREEMENTS):
            raise inputs.invalid("agreements", "type", "'agreements' must be {terms, privacy, marketing} booleans")
        profile["agreements"] = {**{k: bool(agreements.get(k, False)) for k in AGREEMENTS}, "agreedAt": dates.now()}
    return profile
