"""E-mail verification (spec/auth.md §2.5 #18-#22): two families.

Sign-up verification (`/auth/signup/email/*`): the mailed link points at this server,
`{base}/v1/auth/signup/email/confirm?token=…&email=…[&callbackUrl=…]`, because it is opened from a mail client
without an API key; the token tells the environment. A redirect goes only to the `callbackUrl` that was checked and
stored when the mail was sent (the query's value must match it), never to an arbitrary URL.

Contact-address verification (`/auth/email/verify/*`): with a user token, `email` may be a new address; confirming
moves the user to it. Without one, `email` must be an existing user's unverified address. The mailed link is
`callbackUrl?token=…&email=…` (the app then calls confirm); without `callbackUrl` the mail shows the token.
Unknown addresses get the same 200 as known ones and no mail.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import emails, inputs, mailer, onetime, ratelimit, settings, urls, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

VERIFY_TTL_SECONDS = 24 * 3600
SENT = "If the address can be verified, a verification email has been sent"
CONFIRM_PATH = "/v1/auth/signup/email/confirm"


# --- sign-up verification ----------------------------------------------------------------------------------------


def send_signup_confirmation(
    backend: Backend, environment_id: str, user: dict[str, Any], callback_url: str | None = None
) -> None:
    """Mail `signup_confirmation` with a link to this server's confirm endpoint."""
    current = settings.load(backend, environment_id)
    callback = callback_url if callback_url and urls.is_allowed(current, callback_url) else None
    token = onetime.issue(
        backend, purpose="signup_verification", environment_id=environment_id, email=user["email"],
        ttl_seconds=VERIFY_TTL_SECONDS, user_id=user["_id"], payload={"callbackUrl": callback},
    )  # fmt: skip
    params = {"token": token, "email": user["email"], **({"callbackUrl": callback} if callback else {})}
    link = urls.with_params(backend.config.base_url + CONFIRM_PATH, **params)
    variables = {"verifyLink": link, "token": token, "userName": user.get("name")}
    mailer.send(backend, environment_id, "signup_confirmation", user["email"], variables)


def resend_signup_confirmation(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#18: a new confirmation mail for an unverified sign-up address (silently nothing for unknown ones)."""
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    callback = urls.check_optional(current, body.get("callbackUrl"))
    user = users.find_by_email(backend, env, email)
    if user is not None and user.get("emailVerified") is not None:
        raise BkendError("auth/already-verified")
    ratelimit.hit_all(backend, env, current, ratelimit.mail_limits(email, client.ip))
    if user is not None:
        send_signup_confirmation(backend, env, user, callback)
    return {"message": SENT, "email": email}


def confirm_signup(backend: Backend, token: Any, email: Any, callback_url: str | None) -> dict[str, Any]:
    """#19, the link from the mail. Returns `{verified, email, redirect}`: `redirect` is the stored callback URL
    with `verified=…&email=…[&error=…]` when the link carried it, else None and errors are raised."""
    address = emails.normalize(email) if isinstance(email, str) else email
    found = onetime.find(backend, token, "signup_verification", email=address) if isinstance(address, str) else None
    stored = ((found or {}).get("payload") or {}).get("callbackUrl")
    target = stored if stored and callback_url == stored else None
    try:
        _confirm_signup(backend, found)
    except BkendError as exc:
        if target is None:
            raise
        redirect = urls.with_params(target, verified="false", email=str(address), error=exc.code)
        return {"verified": False, "email": address, "redirect": redirect}
    redirect = urls.with_params(target, verified="true", email=str(address)) if target else None
    return {"verified": True, "email": address, "redirect": redirect}


def _confirm_signup(backend: Backend, found: dict[str, Any] | None) -> None:
    code = onetime.problem(found, "signup_verification")
    if code is not None or found is None:
        raise BkendError(code or "auth/verification-token-not-found")
    env = found["environmentId"]
    user = users.get(backend, env, found.get("userId") or "")
    if not users.is_live(user) or user is None or user.get("email") != found["email"]:
        raise BkendError("auth/verification-token-not-found")
    if user.get("emailVerified") is not None:
        raise BkendError("auth/already-verified")
    onetime.use(backend, found)
    users.update(backend, env, user["_id"], {"emailVerified": dates.now()})


# --- contact-address verification --------------------------------------------------------------------------------


def send_email_verification(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#20 and #22: mail a verification token for the caller's (new) address, or for an unverified user's."""
    body = inputs.body_object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    email = emails.normalize(body.get("email"))
    callback = urls.check_optional(current, body.get("callbackUrl"))
    user = _verification_target(backend, caller, email)
    ratelimit.hit_all(backend, env, current, ratelimit.mail_limits(email, client.ip))
    if user is not None:
        token = onetime.issue(
            backend, purpose="email_verification", environment_id=env, email=email, ttl_seconds=VERIFY_TTL_SECONDS,
            user_id=user["_id"],
        )  # fmt: skip
        link = urls.with_params(callback, token=token, email=email) if callback else ""
        variables = {"verifyLink": link, "token": token, "userName": user.get("name")}
        mailer.send(backend, env, "email_verification", email, variables)
    return {"message": SENT, "email": email}


def _verification_target(backend: Backend, caller: Caller, email: str) -> dict[str, Any] | None:
    """Whose address is being verified: the signed-in caller (any address not held by someone else), or the
    unverified user holding `email`; None (silently no mail) when nobody is."""
    env = caller.environment_id
    holder = users.find_by_email(backend, env, email)
    if caller.uid:
        user = users.get(backend, env, caller.uid)
        if holder is not None and holder["_id"] != caller.uid:
            raise BkendError("auth/email-already-exists")
    else:
        user = holder
    if user is not None and user.get("email") == email and user.get("emailVerified") is not None:
        raise BkendError("auth/already-verified")
    return user if users.is_live(user) else None


def confirm_email_verification(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#21: verify the address with the mailed token; a new address replaces the user's email."""
    body = inputs.body_object(body)
    env = caller.environment_id
    email = emails.normalize(body.get("email"))
    token = inputs.required_text(body, "token")
    found = onetime.usable(backend, token, "email_verification", environment_id=env, email=email)
    user = users.get(backend, env, found.get("userId") or "")
    if not users.is_live(user) or user is None:
        raise BkendError("auth/verification-token-not-found")
    if user.get("email") == email and user.get("emailVerified") is not None:
        raise BkendError("auth/already-verified")
    holder = users.find_by_email(backend, env, email)
    if holder is not None and holder["_id"] != user["_id"]:
        raise BkendError("auth/email-already-exists")
    onetime.use(backend, found)
    users.update(backend, env, user["_id"], {"email": email, "emailVerified": dates.now()})
    if user.get("email") != email:
        users.update_email_account(backend, env, user["_id"], email)
    return {"message": "Email address verified", "verified": True, "email": email}
