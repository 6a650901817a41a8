"""Managing an environment's auth: sign-in providers and mail settings (spec/auth.md §2.12 #56-#64, P19).

For the tenant and the environment's servers only: an `sk_` key, or the tenant through MCP or the console. A
publishable key is refused with 403 `auth/forbidden`, even with an admin user's token: these settings hold
secrets and change how every user signs in. REST (`/v1/auth/providers…`, `/v1/auth/email-templates/config`) and
MCP (`manage_auth`) call the functions below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections, emails, oauth_config, settings, templates, urls
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
EMAIL_CONFIG_KEYS = ("senderEmail", "senderName", "logoUrl", "brandColor", "overrideDefaults")


def require_manager(caller: Caller) -> None:
    if not caller.secret_key and not caller.tenant_id:
        raise BkendError("auth/forbidden", "Auth settings are managed with a secret key (sk_) or through MCP")


# --- providers ---------------------------------------------------------------------------------------------------


def providers(backend: Backend, caller: Caller) -> dict[str, Any]:
    """#56: `{email: EmailConfig, oauth: [OAuthConfig]}`."""
    require_manager(caller)
    env = caller.environment_id
    return {"email": settings.describe(backend, env), "oauth": oauth_config.describe_all(backend, env)}


def email_provider(backend: Backend, caller: Caller) -> dict[str, Any]:
    """#57: the e-mail sign-in settings (password policy, magic links, and this product's extensions)."""
    require_manager(caller)
    return settings.describe(backend, caller.environment_id)


def update_email_provider(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#58: a partial change, merged; every invalid field is reported at once."""
    require_manager(caller)
    return settings.update(backend, caller.environment_id, body)


def oauth_providers(backend: Backend, caller: Caller) -> list[dict[str, Any]]:
    """#59."""
    require_manager(caller)
    return oauth_config.describe_all(backend, caller.environment_id)


def oauth_provider(backend: Backend, caller: Caller, provider: str) -> dict[str, Any]:
    """#60."""
    require_manager(caller)
    return oauth_config.describe(backend, caller.environment_id, provider)


def set_oauth_provider(backend: Backend, caller: Caller, provider: str, body: Any) -> dict[str, Any]:
    """#61: the secret is write-only (`clientSecretSet`) and encrypted at rest."""
    require_manager(caller)
    return oauth_config.update(backend, caller.environment_id, provider, body)


def delete_oauth_provider(backend: Backend, caller: Caller, provider: str) -> dict[str, Any]:
    """#62."""
    require_manager(caller)
    return oauth_config.delete(backend, caller.environment_id, provider)


def config_overview(backend: Backend, caller: Caller) -> dict[str, Any]:
    """MCP `manage_auth get_config`: `{email, oauth: {google: …, github: …}}`."""
    require_manager(caller)
    env = caller.environment_id
    oauth = {c["provider"]: c for c in oauth_config.describe_all(backend, env)}
    return {"email": settings.describe(backend, env), "oauth": oauth}


# --- mail settings -----------------------------------------------------------------------------------------------


def _optional(check: Callable[[Any], bool], message: str) -> Callable[[Any], str | None]:
    return lambda value: None if value is None or check(value) else message


EMAIL_RULES: dict[str, Callable[[Any], str | None]] = {
    "senderEmail": _optional(lambda v: isinstance(v, str) and emails.is_valid(v.strip().lower()), "must be an email"),
    "senderName": _optional(lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 100, "must be 1-100 characters"),
    "logoUrl": _optional(lambda v: isinstance(v, str) and urls.is_absolute_http(v), "must be an http(s) URL"),
    "brandColor": _optional(lambda v: isinstance(v, str) and bool(COLOR.match(v)), "must be #RRGGBB"),
    "overrideDefaults": lambda v: None if isinstance(v, bool) else "must be true or false",
}


def email_settings(backend: Backend, caller: Caller) -> dict[str, Any]:
    """#63: `{senderEmail, senderName, logoUrl, brandColor, overrideDefaults}`."""
    require_manager(caller)
    return _email_view(templates.email_config(backend, caller.environment_id))


def update_email_settings(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#64: a partial change (`null` clears); the customised templates are kept."""
    require_manager(caller)
    if not isinstance(body, dict):
        raise BkendError("auth/validation-error", "The mail settings must be a JSON object")
    problems = [
        {"field": key, "reason": "invalid", "message": f"'{key}' {reason}"}
        for key, rule in EMAIL_RULES.items()
        if key in body and (reason := rule(body[key]))
    ]
    if problems:
        raise BkendError("auth/validation-error", problems[0]["message"], problems)
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in body.items() if k in EMAIL_RULES}
    if isinstance(changes.get("senderEmail"), str):
        changes["senderEmail"] = changes["senderEmail"].lower()
    save_email_config(backend, caller.environment_id, changes)
    return email_settings(backend, caller)


def _email_view(config: dict[str, Any]) -> dict[str, Any]:
    view = {key: config.get(key) for key in EMAIL_CONFIG_KEYS}
    view["overrideDefaults"] = bool(view["overrideDefaults"])
    return view


def save_email_config(backend: Backend, environment_id: str, changes: dict[str, Any]) -> None:
    """Set top-level fields of the `email` config document (creating it on first use)."""
    config = backend.data(environment_id, collections.CONFIG)
    doc = {**changes, "updatedAt": dates.now()}
    if config.update(templates.EMAIL_CONFIG_ID, doc) is None:
        config.insert({"_id": templates.EMAIL_CONFIG_ID, **doc})
