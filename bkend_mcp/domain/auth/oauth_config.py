"""Google and GitHub sign-in settings of an environment (spec/auth.md §2.12 #59-#62, P10).

Stored in the environment's `_auth_config` document `_id: "oauth"` as `{providers: {<name>: {...}}}`. The client
secret is write-only: it is kept encrypted with the deployment keyring (`clientSecretEnc`) and shown only as
`clientSecretSet`. Every provider endpoint (authorize, token, user info, e-mails, JWKS) has the provider's public
default and may be overridden per environment (`endpoints`), for a provider-compatible service or a local test
provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections, urls
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError

OAUTH_CONFIG_ID = "oauth"


@dataclass(frozen=True, slots=True)
class ProviderKind:
    """What differs between providers: their public endpoints, default scopes and accepted ID-token issuers."""

    endpoints: dict[str, str]
    scopes: tuple[str, ...]
    issuers: tuple[str, ...] = ()
    pkce: bool = False


PROVIDERS: dict[str, ProviderKind] = {
    "google": ProviderKind(
        endpoints={
            "authorize": "https://accounts.google.com/o/oauth2/v2/auth",
            "token": "https://oauth2.googleapis.com/token",
            "userinfo": "https://openidconnect.googleapis.com/v1/userinfo",
            "jwks": "https://www.googleapis.com/oauth2/v3/certs",
        },
        scopes=("openid", "email", "profile"),
        issuers=("accounts.google.com", "https://accounts.google.com"),
        pkce=True,
    ),
    "github": ProviderKind(
        endpoints={
            "authorize": "https://github.com/login/oauth/authorize",
            "token": "https://github.com/login/oauth/access_token",
            "userinfo": "https://api.github.com/user",
            "emails": "https://api.github.com/user/emails",
        },
        scopes=("read:user", "user:email"),
    ),
}
"""Supported social providers; `email` is a sign-in method but not an OAuth provider."""
ENDPOINT_NAMES = ("authorize", "token", "userinfo", "emails", "jwks", "issuer")


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """A provider as configured for one environment, secret decrypted: what the OAuth flows use."""

    name: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...]
    endpoints: dict[str, str]
    additional_client_ids: tuple[str, ...] = ()
    issuers: tuple[str, ...] = field(default_factory=tuple)
    pkce: bool = False

    @property
    def audiences(self) -> tuple[str, ...]:
        return (self.client_id, *self.additional_client_ids)


def require_supported(provider: Any) -> str:
    if provider not in PROVIDERS:
        raise BkendError("auth/unsupported-provider", f"Unsupported provider '{provider}'; use google or github")
    return provider


def _stored(backend: Backend, environment_id: str) -> dict[str, Any]:
    doc = backend.data(environment_id, collections.CONFIG).get(OAUTH_CONFIG_ID) or {}
    return doc.get("providers") or {}


def default_redirect_uri(backend: Backend, provider: str) -> str:
    return f"{backend.config.base_url}/v1/auth/{provider}/callback"


def describe(backend: Backend, environment_id: str, provider: Any) -> dict[str, Any]:
    """OAuthConfig of #60; an unconfigured provider shows its defaults with `enabled: false`."""
    name = require_supported(provider)
    return _public(backend, name, _stored(backend, environment_id).get(name))


def describe_all(backend: Backend, environment_id: str) -> list[dict[str, Any]]:
    stored = _stored(backend, environment_id)
    return [_public(backend, name, stored.get(name)) for name in PROVIDERS]


def _public(backend: Backend, name: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    doc = doc or {}
    return {
        "provider": name,
        "clientId": doc.get("clientId"),
        "redirectUri": doc.get("redirectUri") or default_redirect_uri(backend, name),
        "scopes": list(doc.get("scopes") or PROVIDERS[name].scopes),
        "enabled": bool(doc.get("enabled", False)),
        "clientSecretSet": bool(doc.get("clientSecretEnc")),
        "additionalClientIds": list(doc.get("additionalClientIds") or []),
        "endpoints": dict(doc.get("endpoints") or {}),
    }


def load(backend: Backend, environment_id: str, provider: Any) -> ProviderConfig:
    """The usable configuration, or 400 `auth/unsupported-provider` / `auth/oauth-not-configured`."""
    name = require_supported(provider)
    doc = _stored(backend, environment_id).get(name)
    if not doc or not doc.get("enabled") or not doc.get("clientId") or not doc.get("clientSecretEnc"):
        raise BkendError("auth/oauth-not-configured", f"{name} sign-in is not configured for this environment")
    kind = PROVIDERS[name]
    overrides = doc.get("endpoints") or {}
    return ProviderConfig(
        name=name,
        client_id=doc["clientId"],
        client_secret=backend.keyring.decrypt(doc["clientSecretEnc"]),
        redirect_uri=doc.get("redirectUri") or default_redirect_uri(backend, name),
        scopes=tuple(doc.get("scopes") or kind.scopes),
        endpoints={**kind.endpoints, **overrides},
        additional_client_ids=tuple(doc.get("additionalClientIds") or ()),
        issuers=(*kind.issuers, *([overrides["issuer"]] if overrides.get("issuer") else [])),
        pkce=kind.pkce,
    )


# --- changes ---------------------------------------------------------------------------------------------------


def _text(limit: int) -> Callable[[Any], str | None]:
    return lambda v: None if isinstance(v, str) and 0 < len(v.strip()) <= limit else f"must be 1-{limit} characters"


def _url(value: Any) -> str | None:
    return None if isinstance(value, str) and urls.is_absolute_http(value) else "must be an absolute http(s) URL"


def _strings(value: Any) -> str | None:
    ok = isinstance(value, list) and len(value) <= 20 and all(_text(200)(v) is None for v in value)
    return None if ok else "must be a list of at most 20 non-empty strings"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _endpoints(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object"
    unknown = [k for k in value if k not in ENDPOINT_NAMES]
    if unknown:
        return f"has unknown key '{unknown[0]}' (allowed: {', '.join(ENDPOINT_NAMES)})"
    bad = [k for k, v in value.items() if v is not None and _url(v)]
    return f"'{bad[0]}' must be an absolute http(s) URL" if bad else None


FIELDS: dict[str, Callable[[Any], str | None]] = {
    "clientId": _text(500),
    "clientSecret": _text(2000),
    "redirectUri": _url,
    "scopes": _strings,
    "enabled": _bool,
    "additionalClientIds": _strings,
    "endpoints": _endpoints,
}
REQUIRED_FIRST = ("clientId", "clientSecret")


def update(backend: Backend, environment_id: str, provider: Any, changes: Any) -> dict[str, Any]:
    """#61: set a provider. `clientId` and `clientSecret` are needed the first time (redirect URI, scopes and
    `enabled: true` then default); later changes are partial and an omitted secret keeps the stored one."""
    name = require_supported(provider)
    if not isinstance(changes, dict):
        raise BkendError("auth/validation-error", "The provider settings must be a JSON object")
    current = dict(_stored(backend, environment_id).get(name) or {})
    problems = [
        _problem(key, reason)
        for key, value in changes.items()
        if key in FIELDS and (value is not None or key not in ("redirectUri", "endpoints"))
        and (reason := FIELDS[key](value))
    ]  # fmt: skip
    missing = [k for k in REQUIRED_FIRST if not current.get(_stored_key(k)) and changes.get(k) is None]
    problems += [_problem(key, "is required the first time a provider is set") for key in missing]
    if problems:
        raise BkendError("auth/validation-error", f"Invalid provider settings: {problems[0]['message']}", problems)
    for key, value in changes.items():
        if key == "clientSecret":
            current["clientSecretEnc"] = backend.keyring.encrypt(value.strip())
        elif key == "endpoints":
            current[key] = {k: v.rstrip("/") for k, v in (value or {}).items() if v}
        elif key in FIELDS:
            current[key] = value.strip() if isinstance(value, str) else value
    current.setdefault("enabled", True)
    current["updatedAt"] = dates.now()
    _save(backend, environment_id, {**_stored(backend, environment_id), name: current})
    return describe(backend, environment_id, name)


def delete(backend: Backend, environment_id: str, provider: Any) -> dict[str, Any]:
    """#62: forget a provider (its users keep their accounts but cannot sign in with it until it is set again)."""
    name = require_supported(provider)
    stored = _stored(backend, environment_id)
    _save(backend, environment_id, {k: v for k, v in stored.items() if k != name})
    return {"message": f"{name} sign-in configuration deleted", "deleted": True}


def _stored_key(key: str) -> str:
    return "clientSecretEnc" if key == "clientSecret" else key


def _save(backend: Backend, environment_id: str, providers: dict[str, Any]) -> None:
    config = backend.data(environment_id, collections.CONFIG)
    doc = {"providers": providers, "updatedAt": dates.now()}
    if config.update(OAUTH_CONFIG_ID, doc) is None:
        config.insert({"_id": OAUTH_CONFIG_ID, **doc})


def _problem(field_name: str, reason: str) -> dict[str, str]:
    return {"field": field_name, "reason": "invalid", "message": f"'{field_name}' {reason}"}
