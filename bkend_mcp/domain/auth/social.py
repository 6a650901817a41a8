"""Sign-in with Google and GitHub (spec/auth.md §2.2 #6-#8): start, both callback forms, user resolution.

Two ways to start. The app builds the provider URL itself and POSTs the `code` it gets back (with the
`redirectUri` it used) to `POST /v1/auth/{provider}/callback`; or it asks `GET /v1/auth/{provider}/authorize` for
a server-built URL. Then a one-time `oauth_state` token (10 minutes, single use, deployment-wide) remembers the
environment, the app's `redirect`, its own `state` and, for Google, the PKCE verifier; the provider sends the
browser to `GET /v1/auth/{provider}/callback`, which finds the environment through that state (no API key) and
redirects to `redirect` with the tokens in the query.

Who signed in: an account of that provider identity → its user. Otherwise a live user holding the address → 409
`auth/account-exists-different-provider` (sign in the original way and link, §2.7), unless the environment sets
`autoLinkVerifiedEmail` and the provider vouches for the address. Otherwise a new user (the first social sign-in
counts as a sign-up for the rate limit). Profiles are never overwritten by a later sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import (
    emails,
    grant,
    inputs,
    oauth_config,
    onetime,
    provider_api,
    ratelimit,
    settings,
    urls,
    users,
)
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.oauth_config import ProviderConfig
from bkend_mcp.domain.auth.provider_api import Identity
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

STATE_TTL_SECONDS = 600
MAX_CLIENT_STATE = 512


# --- start -------------------------------------------------------------------------------------------------------


def authorize(backend: Backend, caller: Caller, provider: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """#6: `{authorizationUrl, state}`: the provider's consent page, which returns to the configured callback."""
    env = caller.environment_id
    config = oauth_config.load(backend, env, provider)
    redirect = urls.check_optional(settings.load(backend, env), params.get("redirect"), "redirect")
    client_state = inputs.optional_text(dict(params), "state")
    if client_state is not None and len(client_state) > MAX_CLIENT_STATE:
        raise inputs.invalid("state", "length", f"'state' must be at most {MAX_CLIENT_STATE} characters")
    verifier = secrets.token_urlsafe(48) if config.pkce else None
    payload = {
        "provider": config.name,
        "redirect": redirect,
        "clientState": client_state,
        "codeVerifier": verifier,
        "redirectUri": config.redirect_uri,
    }
    state = onetime.issue(
        backend, purpose="oauth_state", environment_id=env, email="", ttl_seconds=STATE_TTL_SECONDS, payload=payload
    )
    query = {
        "client_id": config.client_id,
        "redirect_uri": config.redirect_uri,
        "response_type": "code",
        "scope": " ".join(config.scopes),
        "state": state,
    }
    if verifier:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query.update(code_challenge=challenge, code_challenge_method="S256")
    return {"authorizationUrl": urls.with_params(config.endpoints["authorize"], **query), "state": state}


# --- callbacks ---------------------------------------------------------------------------------------------------


def callback(backend: Backend, caller: Caller, provider: str, body: Any, client: Client) -> dict[str, Any]:
    """#7 (and #8 called by an app with its key): TokenPair + `is_new_user` for `code` (+ `redirectUri`),
    `idToken` (Google) or a provider `accessToken`."""
    body = inputs.body_object(body)
    env = caller.environment_id
    config = oauth_config.load(backend, env, provider)
    state = claim_state(backend, env, config.name, body.get("state"))
    identity = identify(config, body, state)
    return finish(backend, caller, identity, client, settings.load(backend, env))


def redirect_callback(
    backend: Backend,
    provider: str,
    query: Mapping[str, Any],
    client: Client,
    key_caller: Callable[[Backend], Caller],
) -> dict[str, Any]:
    """#8 as the provider's redirect target: `{"redirect": url}` (302 to the app, tokens or `error` in the query)
    or `{"body": TokenPair + is_new_user}` when the state names no app URL.

    `key_caller` (a function of the backend) resolves the API key; it is used only when `state` is not one this
    server issued, i.e. when an app calls this GET itself with the fields of #7 as query parameters."""
    name = oauth_config.require_supported(provider)
    doc = onetime.find(backend, query.get("state"), "oauth_state")
    if doc is None:
        return {"body": callback(backend, key_caller(backend), name, dict(query), client)}
    payload = doc.get("payload") or {}
    redirect, client_state = payload.get("redirect"), payload.get("clientState")
    caller = environment_caller(backend, doc["environmentId"])
    try:
        _use_state(backend, doc, name)
        if query.get("error"):
            detail = query.get("error_description") or query["error"]
            raise BkendError("auth/invalid-oauth-code", f"The provider did not grant access: {detail}")
        config = oauth_config.load(backend, caller.environment_id, name)
        identity = identify(config, {"code": query.get("code")}, doc)
        result = finish(backend, caller, identity, client, settings.load(backend, caller.environment_id))
    except BkendError as exc:
        if not redirect:
            raise
        failure = {"error": exc.code, "errorMessage": exc.message, **({"state": client_state} if client_state else {})}
        return {"redirect": urls.with_params(redirect, **failure)}
    if not redirect:
        return {"body": result}
    tokens = {
        "accessToken": result["accessToken"],
        "refreshToken": result["refreshToken"],
        "expiresIn": str(result["expiresIn"]),
        "isNewUser": "true" if result["is_new_user"] else "false",
        **({"state": client_state} if client_state else {}),
    }
    return {"redirect": urls.with_params(redirect, **tokens)}


def environment_caller(backend: Backend, environment_id: str) -> Caller:
    """The anonymous caller of an environment named by server state (browser redirects carry no key)."""
    env = backend.control("environments").get(environment_id)
    if env is None:
        raise BkendError("data/environment-not-found")
    return Caller(project_id=env["projectId"], environment_id=environment_id, group="guest")


def claim_state(backend: Backend, environment_id: str, provider: str, raw: Any) -> dict[str, Any] | None:
    """A server-issued state of this environment and provider, now used; None for a client-generated value
    (the app checks its own states, P9). A server state that expired, was used or belongs elsewhere is 400
    `auth/invalid-state`."""
    doc = onetime.find(backend, raw, "oauth_state")
    if doc is None:
        return None
    if doc["environmentId"] != environment_id:
        raise BkendError("auth/invalid-state")
    return _use_state(backend, doc, provider)


def _use_state(backend: Backend, doc: dict[str, Any], provider: str) -> dict[str, Any]:
    if onetime.problem(doc, "oauth_state") or (doc.get("payload") or {}).get("provider") != provider:
        raise BkendError("auth/invalid-state")
    return onetime.use(backend, doc)


def identify(config: ProviderConfig, body: Mapping[str, Any], state: dict[str, Any] | None) -> Identity:
    """The provider identity behind `code`, `idToken` or `accessToken` (in that order of preference)."""
    payload = (state or {}).get("payload") or {}
    code, id_token, access_token = (_text(body, k) for k in ("code", "idToken", "accessToken"))
    if code:
        redirect_uri = _text(body, "redirectUri") or payload.get("redirectUri") or config.redirect_uri
        answer = provider_api.exchange_code(config, code, redirect_uri, payload.get("codeVerifier"))
        if config.name == "github":
            return provider_api.github_identity(config, answer["access_token"])
        if isinstance(answer.get("id_token"), str):
            return provider_api.google_identity_from_id_token(config, answer["id_token"])
        return provider_api.google_identity_from_access_token(config, answer["access_token"])
    if id_token and config.name == "google":
        return provider_api.google_identity_from_id_token(config, id_token)
    if access_token:
        if config.name == "github":
            return provider_api.github_identity(config, access_token)
        return provider_api.google_identity_from_access_token(config, access_token)
    raise BkendError("auth/missing-credentials")


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


# --- the user ----------------------------------------------------------------------------------------------------


def finish(
    backend: Backend, caller: Caller, identity: Identity, client: Client, current: AuthSettings
) -> dict[str, Any]:
    """Resolve the user, refuse a banned one, open a session: TokenPair + `is_new_user`."""
    user, is_new = resolve_user(backend, caller.environment_id, identity, client, current)
    if user.get("status") == "banned":
        raise BkendError("auth/account-banned")
    pair = grant.sign_in(backend, caller, user, method=identity.provider, client=client, settings=current)
    return {**pair, "is_new_user": is_new}


def resolve_user(
    backend: Backend, env: str, identity: Identity, client: Client, current: AuthSettings
) -> tuple[dict[str, Any], bool]:
    """(user, created?) for a provider identity, by the linking rules of §2.2."""
    linked = _linked_user(backend, env, identity)
    if linked is not None:
        return linked, False
    if not identity.email:
        raise inputs.invalid("email", "required", "The provider did not share an email address; ask for its scope")
    email = emails.normalize(identity.email)
    holder = users.find_by_email(backend, env, email)
    if holder is not None:
        if current.auto_link_verified_email and identity.email_verified:
            users.add_account(backend, env, holder["_id"], identity.provider, identity.subject, email)
            return holder, False
        raise BkendError("auth/account-exists-different-provider")
    ratelimit.hit(backend, env, current, "signup-ip", client.ip)
    try:
        created = users.create_user(
            backend, env, email=email, name=(identity.name or emails.local_part(email)).strip()[:100],
            role=current.default_role, email_verified_at=dates.now() if identity.email_verified else None,
            provider=identity.provider, provider_account_id=identity.subject,
            profile={"image": identity.image} if identity.image else None,
        )  # fmt: skip
    except BkendError as exc:
        raced = _linked_user(backend, env, identity)
        if raced is not None:
            return raced, False
        if exc.code == "auth/email-already-exists":
            raise BkendError("auth/account-exists-different-provider") from exc
        raise
    return created, True


def _linked_user(backend: Backend, env: str, identity: Identity) -> dict[str, Any] | None:
    account = users.find_account(backend, env, identity.provider, identity.subject)
    if account is None:
        return None
    user = users.get(backend, env, account["userId"])
    return user if users.is_live(user) else None
