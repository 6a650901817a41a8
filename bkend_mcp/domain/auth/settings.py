"""Per-environment auth settings (spec/auth.md §2.12 EmailConfig, §3.2, §4; decisions D5, D9).

Stored as one document (`_id: "settings"`) in the environment's `_auth_config` collection, in the camelCase shape
the management API shows. Only what differs from the defaults needs to be stored; `load` merges. `update` takes a
partial change, validates every field against `FIELDS` and reports all failures at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError

DAY = 86400
SETTINGS_ID = "settings"


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """D5: length over composition; classes can be switched on per environment."""

    min_length: int = 8
    max_length: int = 128
    require_uppercase: bool = False
    require_lowercase: bool = False
    require_numbers: bool = False
    require_special_chars: bool = False
    expiration_days: int | None = None


@dataclass(frozen=True, slots=True)
class AuthSettings:
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    magic_link_enabled: bool = True
    magic_link_minutes: int = 15
    require_email_verification: bool = False
    allowed_redirect_urls: tuple[str, ...] = ()
    password_reset_url: str | None = None
    invitation_url: str | None = None
    default_role: str = "user"
    refresh_token_ttl: int = 7 * DAY
    """Idle lifetime of a session: every refresh token expires this long after it is issued (§3.2)."""
    session_max_age: int = 30 * DAY
    """Absolute lifetime of a session from sign-in (§3.2)."""
    refresh_grace_seconds: int = 30
    revoke_all_sessions_on_password_change: bool = False
    magic_link_signin_requires_account: bool = False
    include_user_in_token_response: bool = True
    auto_link_verified_email: bool = False
    """Social sign-in for an address a user already holds links the provider instead of 409 (spec §2.2)."""
    mfa_issuer: str = "bkend"
    rate_limits_enabled: bool = True
    rate_limit_overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    environment_type: str = "dev"
    """Not a setting: the environment's type, which picks the sign-up limit's default (spec §4.4)."""


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _int_between(low: int, high: int | None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
        return None if ok else f"must be an integer {low}-{high}" if high else f"must be an integer ≥ {low}"

    return check


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


def _url(value: Any) -> str | None:
    from bkend_mcp.domain.auth import urls

    return None if isinstance(value, str) and urls.is_absolute_http(value) else "must be an absolute http(s) URL"


def _url_list(value: Any) -> str | None:
    ok = isinstance(value, list) and all(_url(v) is None for v in value)
    return None if ok else "must be a list of absolute http(s) URLs"


def _role(value: Any) -> str | None:
    from bkend_mcp.domain.auth import users

    return None if isinstance(value, str) and users.ROLE.match(value) else "must be admin, user, guest or a role name"


def _label(value: Any) -> str | None:
    ok = isinstance(value, str) and 0 < len(value.strip()) <= 64 and ":" not in value
    return None if ok else "must be 1-64 characters without ':'"


def _rate_limits(value: Any) -> str | None:
    from bkend_mcp.domain.auth import ratelimit

    return ratelimit.check_overrides(value)


POLICY_FIELDS: dict[str, tuple[str, Callable[[Any], str | None]]] = {
    "minLength": ("min_length", _int_between(6, 128)),
    "maxLength": ("max_length", _int_between(6, 1024)),
    "requireUppercase": ("require_uppercase", _bool),
    "requireLowercase": ("require_lowercase", _bool),
    "requireNumbers": ("require_numbers", _bool),
    "requireSpecialChars": ("require_special_chars", _bool),
    "expirationDays": ("expiration_days", _optional(_int_between(1, None))),
}
FIELDS: dict[str, tuple[str, Callable[[Any], str | None]]] = {
    "magicLinkEnabled": ("magic_link_enabled", _bool),
    "magicLinkExpirationMinutes": ("magic_link_minutes", _int_between(1, 1440)),
    "requireEmailVerification": ("require_email_verification", _bool),
    "allowedRedirectUrls": ("allowed_redirect_urls", _url_list),
    "passwordResetUrl": ("password_reset_url", _optional(_url)),
    "invitationUrl": ("invitation_url", _optional(_url)),
    "defaultRole": ("default_role", _role),
    "refreshTokenTtl": ("refresh_token_ttl", _int_between(300, 365 * DAY)),
    "sessionMaxAge": ("session_max_age", _int_between(300, 3650 * DAY)),
    "refreshGraceSeconds": ("refresh_grace_seconds", _int_between(0, 300)),
    "revokeAllSessionsOnPasswordChange": ("revoke_all_sessions_on_password_change", _bool),
    "magicLinkSigninRequiresAccount": ("magic_link_signin_requires_account", _bool),
    "includeUserInTokenResponse": ("include_user_in_token_response", _bool),
    "autoLinkVerifiedEmail": ("auto_link_verified_email", _bool),
    "mfaIssuer": ("mfa_issuer", _label),
    "rateLimits": ("rate_limit_overrides", _rate_limits),
}


def stored(backend: Backend, environment_id: str) -> dict[str, Any]:
    """The stored overrides (camelCase), without defaults."""
    doc = backend.data(environment_id, collections.CONFIG).get(SETTINGS_ID) or {}
    return {k: v for k, v in doc.items() if k in FIELDS or k == "passwordPolicy"}


def load(backend: Backend, environment_id: str) -> AuthSettings:
    raw = stored(backend, environment_id)
    env = backend.control("environments").get(environment_id) or {}
    policy = PasswordPolicy(**{POLICY_FIELDS[k][0]: v for k, v in raw.get("passwordPolicy", {}).items()})
    values = {FIELDS[k][0]: v for k, v in raw.items() if k in FIELDS}
    limits = values.pop("rate_limit_overrides", {}) or {}
    if "allowed_redirect_urls" in values:
        values["allowed_redirect_urls"] = tuple(values["allowed_redirect_urls"])
    return AuthSettings(
        password_policy=policy,
        rate_limits_enabled=backend.config.rate_limits and limits.get("enabled", True) is not False,
        rate_limit_overrides={k: v for k, v in limits.items() if k != "enabled"},
        environment_type=env.get("environmentType", "dev"),
        **values,
    )


def describe(backend: Backend, environment_id: str) -> dict[str, Any]:
    """The effective settings in the management API's camelCase shape (EmailConfig of §2.12 + extensions)."""
    current = load(backend, environment_id)
    policy = {name: getattr(current.password_policy, attr) for name, (attr, _) in POLICY_FIELDS.items()}
    out: dict[str, Any] = {"provider": "email", "enabled": True, "passwordPolicy": policy}
    for name, (attr, _) in FIELDS.items():
        value = getattr(current, attr)
        out[name] = list(value) if isinstance(value, tuple) else value
    out["rateLimits"] = {"enabled": current.rate_limits_enabled, **current.rate_limit_overrides}
    return out


def update(backend: Backend, environment_id: str, changes: Any) -> dict[str, Any]:
    """Merge a partial change into the stored settings; every invalid field is reported in one error."""
    if not isinstance(changes, dict):
        raise BkendError("auth/validation-error", "Settings must be a JSON object")
    problems = _problems(changes)
    if problems:
        raise BkendError("auth/validation-error", f"Invalid settings: {problems[0]['message']}", problems)
    merged = stored(backend, environment_id)
    for key, value in changes.items():
        if key == "passwordPolicy":
            merged["passwordPolicy"] = {**merged.get("passwordPolicy", {}), **value}
        elif key in FIELDS:
            merged[key] = value
    policy = merged.get("passwordPolicy", {})
    if policy.get("maxLength", 128) < policy.get("minLength", 8):
        raise BkendError("auth/validation-error", "passwordPolicy.maxLength must be ≥ minLength")
    config = backend.data(environment_id, collections.CONFIG)
    doc = {**merged, "updatedAt": dates.now()}
    if config.update(SETTINGS_ID, doc) is None:
        config.insert({"_id": SETTINGS_ID, **doc})
    return describe(backend, environment_id)


def _problems(changes: dict[str, Any]) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    for key, value in changes.items():
        if key == "passwordPolicy":
            if not isinstance(value, dict):
                problems.append(_problem(key, "must be an object"))
                continue
            for sub, sub_value in value.items():
                rule = POLICY_FIELDS.get(sub)
                reason = rule[1](sub_value) if rule else "is not a password policy setting"
                if reason:
                    problems.append(_problem(f"passwordPolicy.{sub}", reason))
        elif key in FIELDS:
            reason = FIELDS[key][1](value)
            if reason:
                problems.append(_problem(key, reason))
    return problems


def _problem(field_name: str, reason: str) -> dict[str, str]:
    return {"field": field_name, "reason": "invalid", "message": f"'{field_name}' {reason}"}
