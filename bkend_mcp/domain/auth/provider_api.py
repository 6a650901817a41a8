"""The calls bkend-mcp makes to Google and GitHub (spec/auth.md §2.2 "Code exchange", "Identity").

This is the one module that talks to the outside world over HTTP (httpx, synchronous: domain code runs in the
worker pool). Every answer is reduced to an `Identity`, or to one of three failures: the provider refused the
code or token (401 `auth/invalid-oauth-code`), a Google ID token does not verify (401
`auth/google-id-token-invalid`), or the provider is unreachable or answers nonsense (500
`auth/oauth-callback-failed`). Provider access tokens are used once and never stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from bkend_mcp.domain.auth.oauth_config import ProviderConfig
from bkend_mcp.domain.errors import BkendError

log = logging.getLogger("bkend_mcp.oauth")
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60
USER_AGENT = "bkend-mcp"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says signed in."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    image: str | None


def _failed(what: str, detail: Any) -> BkendError:
    log.warning("oauth provider call failed: %s: %s", what, detail)
    return BkendError("auth/oauth-callback-failed", f"The sign-in provider could not complete {what}; try again")


def _request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            return client.request(method, url, headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        raise _failed(url, exc) from None


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise _failed(what, f"HTTP {response.status_code}, not JSON") from None


def exchange_code(
    config: ProviderConfig, code: str, redirect_uri: str, code_verifier: str | None = None
) -> dict[str, Any]:
    """The provider's token response for an authorization code (`access_token`, Google: `id_token`)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    response = _request("POST", config.endpoints["token"], data=form)
    if response.status_code >= 500:
        raise _failed("the code exchange", f"HTTP {response.status_code}")
    body = _json(response, "the code exchange")
    if response.status_code >= 400 or not isinstance(body, dict) or body.get("error"):
        reason = body.get("error") if isinstance(body, dict) else response.status_code
        raise BkendError("auth/invalid-oauth-code", f"The provider rejected the code ({reason})")
    if not isinstance(body.get("access_token"), str):
        raise _failed("the code exchange", "no access_token")
    return body


def _get_with_token(url: str, access_token: str, what: str) -> Any:
    response = _request("GET", url, headers={"Authorization": f"Bearer {access_token}"})
    if response.status_code in (400, 401, 403):
        raise BkendError("auth/invalid-oauth-code", "The provider rejected the access token")
    if response.status_code >= 300:
        raise _failed(what, f"HTTP {response.status_code}")
    return _json(response, what)


def google_identity_from_access_token(config: ProviderConfig, access_token: str) -> Identity:
    info = _get_with_token(config.endpoints["userinfo"], access_token, "the user info request")
    if not isinstance(info, dict) or not info.get("sub"):
        raise _failed("the user info request", "no sub")
    return _google_identity(info)


def google_identity_from_id_token(config: ProviderConfig, id_token: str) -> Identity:
    """Verify an ID token against the provider's JWKS: RS256 signature, issuer, audience (client id or one of
    `additionalClientIds`), expiry."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise BkendError("auth/google-id-token-invalid", "The ID token is malformed") from None
    key = _signing_key(config, header.get("kid"))
    try:
        claims = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=list(config.audiences),
            options={"require": ["iss", "aud", "exp", "sub"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.PyJWTError as exc:
        raise BkendError("auth/google-id-token-invalid", f"The ID token does not verify ({exc})") from None
    if claims.get("iss") not in config.issuers:
        raise BkendError("auth/google-id-token-invalid", "The ID token was issued by someone else")
    return _google_identity(claims)


def _signing_key(config: ProviderConfig, kid: Any) -> Any:
    response = _request("GET", config.endpoints["jwks"])
    if response.status_code != 200:
        raise _failed("the signing key download", f"HTTP {response.status_code}")
    try:
        key_set = jwt.PyJWKSet.from_dict(_json(response, "the signing key download"))
    except (jwt.PyJWTError, TypeError, KeyError) as exc:
        raise _failed("the signing key download", exc) from None
    for key in key_set.keys:
        if kid is None or key.key_id == kid:
            return key.key
    raise BkendError("auth/google-id-token-invalid", "The ID token is signed with an unknown key")


def _google_identity(info: dict[str, Any]) -> Identity:
    verified = info.get("email_verified")
    return Identity(
        provider="google",
        subject=str(info["sub"]),
        email=info.get("email") if isinstance(info.get("email"), str) else None,
        email_verified=verified is True or verified == "true",
        name=info.get("name") if isinstance(info.get("name"), str) else None,
        image=info.get("picture") if isinstance(info.get("picture"), str) else None,
    )


def github_identity(config: ProviderConfig, access_token: str) -> Identity:
    """`GET /user` for the id and profile, `GET /user/emails` for the primary verified address."""
    user = _get_with_token(config.endpoints["userinfo"], access_token, "the user request")
    if not isinstance(user, dict) or user.get("id") is None:
        raise _failed("the user request", "no id")
    emails = _get_with_token(config.endpoints["emails"], access_token, "the e-mail request")
    primary = next(
        (e for e in emails if isinstance(e, dict) and e.get("primary") and e.get("verified")),
        None,
    ) if isinstance(emails, list) else None  # fmt: skip
    if primary is None or not isinstance(primary.get("email"), str):
        raise BkendError("auth/github-email-not-found")
    name = user.get("name") or user.get("login")
    return Identity(
        provider="github",
        subject=str(user["id"]),
        email=primary["email"],
        email_verified=True,
        name=name if isinstance(name, str) else None,
        image=user.get("avatar_url") if isinstance(user.get("avatar_url"), str) else None,
    )
