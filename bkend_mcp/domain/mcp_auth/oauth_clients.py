"""OAuth clients of the MCP authorization server: dynamic registration (RFC 7591), redirect URI rules, and client
authentication at the token and revocation endpoints.

Client ids are `dyn-` + 16 hex characters. `token_endpoint_auth_method: none` registers a public client (PKCE is
its only proof); `client_secret_post` / `client_secret_basic` (the RFC 7591 default) get a 32-byte hex secret, shown
once and stored as SHA-256. Redirect URIs must be `https://…`, loopback `http://127.0.0.1|localhost|[::1]` (any
port at authorization time, RFC 8252 §7.3), or a private-use scheme of a native app (`cursor://…`).
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import check_scope_list
from bkend_mcp.domain.secrets import same, sha256_hex
from bkend_mcp.store.base import Cond, all_of

COLLECTION = "oauth_clients"
CLIENT_ID_PREFIX = "dyn-"
AUTH_METHODS = ("none", "client_secret_post", "client_secret_basic")
GRANT_TYPES = ("authorization_code", "refresh_token")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
FORBIDDEN_SCHEMES = ("javascript", "data", "file", "vbscript", "about", "blob", "ftp", "ws", "wss")
MAX_REDIRECT_URIS = 10
MAX_TEXT = 500
OPTIONAL_TEXT = ("client_name", "client_uri", "logo_uri", "software_id", "software_version")
REGISTRATIONS_PER_HOUR = 60


def _metadata_error(message: str) -> BkendError:
    return BkendError("oauth/invalid-client-metadata", message)


def redirect_uri_problem(uri: Any) -> str | None:
    """Why `uri` cannot be a redirect URI, or None when it can."""
    if not isinstance(uri, str) or not uri or len(uri) > 2000:
        return "a redirect URI must be a non-empty string of at most 2000 characters"
    try:
        parts = urlsplit(uri)
    except ValueError:
        return f"'{uri}' is not a URI"
    scheme = parts.scheme.lower()
    if not scheme:
        return f"'{uri}' is not an absolute URI"
    if parts.fragment or "#" in uri:
        return f"'{uri}' must not contain a fragment"
    if scheme in FORBIDDEN_SCHEMES:
        return f"the scheme '{scheme}' is not allowed in a redirect URI"
    if scheme == "https" and not parts.hostname:
        return f"'{uri}' has no host"
    if scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return "plain http redirect URIs are only allowed on loopback (127.0.0.1, localhost, [::1]); use https"
    return None


def is_loopback_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def redirect_matches(registered: str, requested: str) -> bool:
    """Exact match, except that a loopback `http` URI may use any port (native apps pick a free one)."""
    if registered == requested:
        return True
    if not (is_loopback_uri(registered) and is_loopback_uri(requested)):
        return False
    a, b = urlsplit(registered), urlsplit(requested)
    return (a.hostname, a.path or "/", a.query) == (b.hostname, b.path or "/", b.query)


def register_client(backend: Backend, metadata: Any, *, source: str) -> dict[str, Any]:
    """Register a client from RFC 7591 metadata; `source` (the caller's address) feeds the hourly limit."""
    if not isinstance(metadata, dict):
        raise _metadata_error("the registration body must be a JSON object")
    _check_rate(backend, sha256_hex(source))
    record = _client_record(metadata)
    secret = None
    if record["token_endpoint_auth_method"] != "none":
        secret = secrets.token_hex(32)
    client_id = CLIENT_ID_PREFIX + secrets.token_hex(8)
    issued_at = int(time.time())
    backend.control(COLLECTION).insert(
        {
            "_id": client_id,
            **record,
            "client_id_issued_at": issued_at,
            "secretHash": sha256_hex(secret) if secret else None,
            "registeredFrom": sha256_hex(source),
            "createdAt": dates.now(),
        }
    )
    response: dict[str, Any] = {"client_id": client_id, "client_id_issued_at": issued_at, **record}
    if secret:
        response |= {"client_secret": secret, "client_secret_expires_at": 0}
    return {k: v for k, v in response.items() if v is not None}


def _client_record(metadata: dict[str, Any]) -> dict[str, Any]:
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not uris:
        raise BkendError("oauth/invalid-redirect-uri", "'redirect_uris' must list at least one URI")
    if len(uris) > MAX_REDIRECT_URIS:
        raise BkendError("oauth/invalid-redirect-uri", f"at most {MAX_REDIRECT_URIS} redirect URIs")
    for uri in uris:
        problem = redirect_uri_problem(uri)
        if problem:
            raise BkendError("oauth/invalid-redirect-uri", problem)
    method = metadata.get("token_endpoint_auth_method") or "client_secret_basic"
    if method not in AUTH_METHODS:
        raise _metadata_error(f"'token_endpoint_auth_method' must be one of {', '.join(AUTH_METHODS)}")
    grants = metadata.get("grant_types") or list(GRANT_TYPES)
    if not isinstance(grants, list) or "authorization_code" not in grants or any(g not in GRANT_TYPES for g in grants):
        raise _metadata_error("'grant_types' must include 'authorization_code' and may add only 'refresh_token'")
    responses = metadata.get("response_types") or ["code"]
    if responses != ["code"]:
        raise _metadata_error("'response_types' must be [\"code\"]")
    texts = {key: metadata.get(key) for key in OPTIONAL_TEXT}
    for key, value in texts.items():
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise _metadata_error(f"'{key}' must be a string of at most {MAX_TEXT} characters")
    return {
        "redirect_uris": list(dict.fromkeys(uris)),
        "token_endpoint_auth_method": method,
        "grant_types": list(dict.fromkeys(grants)),
        "response_types": ["code"],
        "scope": _registered_scope(metadata.get("scope")),
        **texts,
    }


def _registered_scope(scope: Any) -> str | None:
    if scope is None or scope == "":
        return None
    if not isinstance(scope, str):
        raise _metadata_error("'scope' must be a space-separated string")
    try:
        return " ".join(check_scope_list(scope.split()))
    except BkendError as exc:
        raise _metadata_error(f"'scope': {exc.message}") from exc


def _check_rate(backend: Backend, source_hash: str) -> None:
    since = dates.now() - timedelta(hours=1)
    recent = backend.control(COLLECTION).count(
        all_of([Cond("registeredFrom", "eq", source_hash, scalar=True), Cond("createdAt", "gte", since, scalar=True)])
    )
    if recent >= REGISTRATIONS_PER_HOUR:
        raise BkendError("oauth/temporarily-unavailable", "Too many client registrations from this address")


def get_client(backend: Backend, client_id: Any) -> dict[str, Any] | None:
    if not isinstance(client_id, str) or not client_id.startswith(CLIENT_ID_PREFIX):
        return None
    return backend.control(COLLECTION).get(client_id)


def authenticate_client(
    backend: Backend, client_id: str | None, secret: str | None, basic: tuple[str, str] | None = None
) -> dict[str, Any]:
    """The client of a token or revocation request: a public client names itself; a confidential one proves its
    secret by `client_secret_post` or `client_secret_basic` (either is accepted)."""
    if basic is not None:
        if client_id is not None and client_id != basic[0]:
            raise BkendError("oauth/invalid-request", "client_id in the body and the Authorization header differ")
        client_id, secret = basic
    client = get_client(backend, client_id)
    if client is None:
        raise BkendError("oauth/invalid-client", "Unknown client")
    if client["token_endpoint_auth_method"] == "none":
        return client
    if not secret or not same(sha256_hex(secret), client.get("secretHash") or ""):
        raise BkendError("oauth/invalid-client", "Client authentication failed")
    return client
