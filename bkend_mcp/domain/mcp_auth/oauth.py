"""The MCP OAuth 2.1 authorization server: metadata, authorization requests, consent, codes, the token endpoint and
revocation (spec/mcp-and-console.md §1.3). Clients live in `oauth_clients`, tokens and grants in `oauth_tokens`.

Authorization requests live 10 minutes and need PKCE S256. Consent is given by the tenant signed in to the console
(in an organization they pick; the ticked scopes are narrowed to their role there) or by presenting an MCP personal
access token (its tenant and organization; it must cover every ticked scope), so consent never widens access
(`oauth_console`). With `BKEND_MCP_AUTO_APPROVE=1`, a server bound to loopback approves requests whose redirect URI
is loopback too, as the local owner in its `local` organization. Codes carry 256 bits, are stored as SHA-256, live
10 minutes and are single use; presenting one twice revokes the grant it opened.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bkend_mcp.config import Config
from bkend_mcp.domain import dates, mcp_access, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.deployment import mcp_url, origin_allowed
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth_clients, oauth_console, oauth_tokens
from bkend_mcp.domain.principal import ALL, SCOPES, check_scope_list, scope_covers
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Cond

REQUESTS = "oauth_requests"
CODES = "oauth_codes"
REQUEST_TTL = timedelta(minutes=10)
CODE_TTL = timedelta(minutes=10)
CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CODE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
MAX_STATE = 2000


@dataclass(frozen=True, slots=True)
class ConsentScreen:
    """What the consent page shows for a pending authorization request."""

    request_id: str
    client_id: str
    client_name: str
    client_uri: str | None
    redirect_host: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Redirect:
    """Send the browser back to the client: with a code, or with an error and the client's state."""

    location: str


# --- metadata documents ------------------------------------------------------------------------------------------


def protected_resource_metadata(config: Config) -> dict[str, Any]:
    """RFC 9728, served at `/.well-known/oauth-protected-resource` and `…/oauth-protected-resource/mcp`."""
    resource = mcp_url(config)
    return {
        "resource": resource,
        "authorization_servers": [resource],
        "scopes_supported": list(SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "bkend-mcp",
    }


def authorization_server_metadata(config: Config) -> dict[str, Any]:
    """RFC 8414, one document served at every discovery URL a client may try."""
    issuer = mcp_url(config)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "registration_endpoint": f"{issuer}/oauth/register",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(oauth_clients.GRANT_TYPES),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": list(oauth_clients.AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(oauth_clients.AUTH_METHODS),
        "scopes_supported": list(SCOPES),
        "authorization_response_iss_parameter_supported": True,
    }


# --- authorization requests --------------------------------------------------------------------------------------


def begin_authorization(backend: Backend, params: Mapping[str, str], origin: str | None) -> ConsentScreen | Redirect:
    """Check an authorization request and keep it for consent.

    An unknown client or redirect URI raises (the browser must not be sent anywhere); any other problem becomes an
    error redirect. An auto-approvable request (see module doc) is approved at once.
    """
    if not origin_allowed(backend.config, origin):
        raise BkendError("oauth/invalid-request", "Authorization requests must be top-level browser navigations")
    client = oauth_clients.get_client(backend, params.get("client_id"))
    if client is None:
        raise BkendError("oauth/invalid-client", "Unknown client_id; the client must register first")
    redirect_uri = _redirect_uri(client, params.get("redirect_uri"))
    try:
        scopes = list(_requested_scopes(backend.config, client, params))
    except BkendError as exc:
        return _error_redirect(backend.config, redirect_uri, exc, params.get("state"))
    request_id, doc = _keep_request(backend, client["_id"], redirect_uri, params, scopes)
    if auto_approves(backend.config, redirect_uri):
        owner = mcp_access.local_owner_principal(backend)
        if owner.organization_id is None:
            raise BkendError("oauth/access-denied", "The local owner has no organization")
        return _approve(backend, doc, tenant_id=owner.tenant_id, organization_id=owner.organization_id, scopes=scopes)
    host = urlsplit(redirect_uri).netloc or urlsplit(redirect_uri).scheme
    name = client.get("client_name") or client["_id"]
    return ConsentScreen(request_id, client["_id"], name, client.get("client_uri"), host, tuple(scopes))


def auto_approves(config: Config, redirect_uri: str) -> bool:
    """`BKEND_MCP_AUTO_APPROVE` on a loopback-bound server, for a loopback redirect URI: only a program on this
    machine can receive the code."""
    return config.mcp_auto_approve and config.on_loopback and oauth_clients.is_loopback_uri(redirect_uri)


def _keep_request(
    backend: Backend, client_id: str, redirect_uri: str, params: Mapping[str, str], scopes: list[str]
) -> tuple[str, dict[str, Any]]:
    request_id = secrets.token_urlsafe(32)
    doc = {
        "_id": sha256_hex(request_id),
        "clientId": client_id,
        "redirectUri": redirect_uri,
        "redirectUriSent": "redirect_uri" in params,
        "codeChallenge": params["code_challenge"],
        "scopes": scopes,
        "state": params.get("state"),
        "expiresAt": dates.now() + REQUEST_TTL,
        "usedAt": None,
    }
    backend.control(REQUESTS).insert(doc)
    return request_id, doc


def _redirect_uri(client: dict[str, Any], requested: str | None) -> str:
    registered: list[str] = client["redirect_uris"]
    if requested is None:
        if len(registered) == 1:
            return registered[0]
        raise BkendError("oauth/invalid-redirect-uri", "redirect_uri is required: the client registered several")
    if not any(oauth_clients.redirect_matches(uri, requested) for uri in registered):
        raise BkendError("oauth/invalid-redirect-uri", "redirect_uri is not one the client registered")
    return requested


def _requested_scopes(config: Config, client: dict[str, Any], params: Mapping[str, str]) -> tuple[str, ...]:
    if params.get("response_type") != "code":
        raise BkendError("oauth/unsupported-response-type", "response_type must be 'code'")
    if not CODE_CHALLENGE.match(params.get("code_challenge") or ""):
        raise BkendError("oauth/invalid-request", "code_challenge is required: PKCE S256, 43 base64url characters")
    if params.get("code_challenge_method", "S256") != "S256":
        raise BkendError("oauth/invalid-request", "code_challenge_method must be S256")
    if len(params.get("state") or "") > MAX_STATE:
        raise BkendError("oauth/invalid-request", f"state must be at most {MAX_STATE} characters")
    _check_resource(config, params.get("resource"))
    registered = tuple((client.get("scope") or "").split()) or ALL
    scopes = parse_scopes(params["scope"]) if params.get("scope") else registered
    wider = [s for s in scopes if not scope_covers(registered, s)]
    if wider:
        raise BkendError("oauth/invalid-scope", f"The client did not register the scope '{wider[0]}'")
    return scopes


def parse_scopes(text: str) -> tuple[str, ...]:
    """A space-separated scope parameter, each scope known (wildcards allowed), else `oauth/invalid-scope`."""
    try:
        return tuple(dict.fromkeys(check_scope_list(text.split())))
    except BkendError as exc:
        raise BkendError("oauth/invalid-scope", exc.message) from exc


def _check_resource(config: Config, resource: str | None) -> None:
    if resource is not None and resource.rstrip("/") != mcp_url(config):
        raise BkendError("oauth/invalid-target", f"resource must be {mcp_url(config)}")


# --- consent -----------------------------------------------------------------------------------------------------


def complete_consent(
    backend: Backend, form: Mapping[str, list[str]], origin: str | None, session_token: str | None = None
) -> Redirect:
    """The consent form's answer: deny, or approve the ticked scopes as the signed-in console tenant (in the
    organization they picked) or with an owner's personal access token (see `oauth_console`)."""
    if not origin_allowed(backend.config, origin):
        raise BkendError("oauth/access-denied", "The consent form must be submitted from this server's own page")
    doc = _pending_request(backend, _one(form, "request_id"))
    if _one(form, "decision") != "approve":
        _spend_request(backend, doc)
        denied = BkendError("oauth/access-denied", "The owner denied the request")
        return _error_redirect(backend.config, doc["redirectUri"], denied, doc.get("state"))
    chosen = [s for s in form.get("scope", []) if s in doc["scopes"]]
    if not chosen:
        raise BkendError("oauth/invalid-scope", "Tick at least one permission to approve")
    by = oauth_console.approver(backend, form, session_token, chosen)
    return _approve(backend, doc, tenant_id=by.tenant_id, organization_id=by.organization_id, scopes=list(by.scopes))


def _one(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def _pending_request(backend: Backend, request_id: str) -> dict[str, Any]:
    doc = backend.control(REQUESTS).get(sha256_hex(request_id)) if request_id else None
    if doc is None or doc.get("usedAt") is not None or dates.iso(doc["expiresAt"]) <= dates.iso(dates.now()):
        raise BkendError("oauth/invalid-request", "This authorization request is unknown, used or expired; retry")
    return doc


def _spend_request(backend: Backend, doc: dict[str, Any]) -> None:
    if backend.control(REQUESTS).update(doc["_id"], {"usedAt": dates.now()}, guard=Cond("usedAt", "eq", None)) is None:
        raise BkendError("oauth/invalid-request", "This authorization request was already answered")


def _approve(
    backend: Backend, doc: dict[str, Any], *, tenant_id: str, organization_id: str, scopes: list[str]
) -> Redirect:
    tenancy.get_organization(backend, tenant_id, organization_id)
    _spend_request(backend, doc)
    code = secrets.token_urlsafe(32)
    backend.control(CODES).insert(
        {
            "_id": sha256_hex(code),
            "clientId": doc["clientId"],
            "redirectUri": doc["redirectUri"],
            "redirectUriSent": doc["redirectUriSent"],
            "codeChallenge": doc["codeChallenge"],
            "scopes": scopes,
            "tenantId": tenant_id,
            "organizationId": organization_id,
            "grantId": oauth_tokens.new_grant_id(),
            "expiresAt": dates.now() + CODE_TTL,
            "usedAt": None,
        }
    )
    params = {"code": code, "state": doc.get("state"), "iss": mcp_url(backend.config)}
    return Redirect(_with_query(doc["redirectUri"], params))


def _error_redirect(config: Config, redirect_uri: str, exc: BkendError, state: str | None) -> Redirect:
    params = {"error": oauth_error_name(exc.code), "error_description": exc.message, "state": state}
    return Redirect(_with_query(redirect_uri, {**params, "iss": mcp_url(config)}))


def oauth_error_name(code: str) -> str:
    """`oauth/invalid-grant` → `invalid_grant`; any other code is an `invalid_request`."""
    family, _, name = code.partition("/")
    return name.replace("-", "_") if family == "oauth" else "invalid_request"


def _with_query(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- token endpoint ----------------------------------------------------------------------------------------------


def exchange_token(backend: Backend, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
    """`POST /mcp/oauth/token`: the authorization_code and refresh_token grants."""
    grant = GRANT_HANDLERS.get(form.get("grant_type", ""))
    if grant is None:
        raise BkendError("oauth/unsupported-grant-type", "grant_type must be authorization_code or refresh_token")
    client = oauth_clients.authenticate_client(backend, form.get("client_id"), form.get("client_secret"), basic)
    if form["grant_type"] not in client["grant_types"]:
        raise BkendError("oauth/unauthorized-client", f"The client did not register the {form['grant_type']} grant")
    _check_resource(backend.config, form.get("resource"))
    return grant(backend, client, form)


def _code_grant(backend: Backend, client: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    code_hash = sha256_hex(form.get("code", ""))
    doc = backend.control(CODES).get(code_hash)
    if doc is None or doc["clientId"] != client["_id"]:
        raise BkendError("oauth/invalid-grant", "Unknown authorization code")
    if backend.control(CODES).update(code_hash, {"usedAt": dates.now()}, guard=Cond("usedAt", "eq", None)) is None:
        oauth_tokens.revoke_grant(backend, doc["grantId"])
        raise BkendError("oauth/invalid-grant", "The code was already used; the tokens issued from it are revoked")
    if dates.iso(doc["expiresAt"]) <= dates.iso(dates.now()):
        raise BkendError("oauth/invalid-grant", "The authorization code has expired")
    sent = form.get("redirect_uri")
    if (doc["redirectUriSent"] or sent is not None) and sent != doc["redirectUri"]:
        raise BkendError("oauth/invalid-grant", "redirect_uri does not match the authorization request")
    verifier = form.get("code_verifier", "")
    if not CODE_VERIFIER.match(verifier) or _s256(verifier) != doc["codeChallenge"]:
        raise BkendError("oauth/invalid-grant", "code_verifier does not match the code_challenge (PKCE)")
    grant = oauth_tokens.open_grant(
        backend,
        grant_id=doc["grantId"],
        client_id=client["_id"],
        tenant_id=doc["tenantId"],
        organization_id=doc["organizationId"],
        scopes=doc["scopes"],
    )
    return oauth_tokens.token_response(backend, grant, doc["scopes"], client)


def _refresh_grant(backend: Backend, client: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    if not form.get("refresh_token"):
        raise BkendError("oauth/invalid-request", "refresh_token is required")
    requested = parse_scopes(form["scope"]) if form.get("scope") else None
    token, grant = oauth_tokens.usable_refresh_token(backend, form["refresh_token"], client["_id"])
    scopes = list(requested) if requested is not None else grant["scopes"]
    wider = [s for s in scopes if not scope_covers(grant["scopes"], s)]
    if wider:
        raise BkendError("oauth/invalid-scope", f"'{wider[0]}' was not granted; a refresh can only narrow scopes")
    oauth_tokens.spend_refresh_token(backend, token, grant)
    return oauth_tokens.token_response(backend, grant, scopes, client)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


GRANT_HANDLERS: dict[str, Callable[[Backend, dict[str, Any], Mapping[str, str]], dict[str, Any]]] = {
    "authorization_code": _code_grant,
    "refresh_token": _refresh_grant,
}


# --- revocation --------------------------------------------------------------------------------------------------


def revoke_token(backend: Backend, form: Mapping[str, str], basic: tuple[str, str] | None) -> None:
    """RFC 7009: revoking an access or a refresh token revokes its grant, so both die. Unknown tokens, and tokens
    of another client, are ignored: the answer is always 200 once the client is authenticated."""
    client = oauth_clients.authenticate_client(backend, form.get("client_id"), form.get("client_secret"), basic)
    token = form.get("token", "")
    refresh = oauth_tokens.find_refresh_token(backend, token)
    if refresh is not None:
        if refresh["clientId"] == client["_id"]:
            oauth_tokens.revoke_grant(backend, refresh["grantId"])
        return
    try:
        claims = oauth_tokens.access_token_claims(backend, token, verify_exp=False)
    except BkendError:
        return
    if claims.get("client_id") == client["_id"]:
        oauth_tokens.revoke_grant(backend, claims["gid"])
