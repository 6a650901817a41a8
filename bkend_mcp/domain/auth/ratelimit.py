"""Rate limits and lockout for app-user auth (spec/auth.md §4.4; decision D9; compat C25).

Counters live in the environment's `_auth_counters` collection, so every app server of a deployment sees the same
numbers. Each counted event is a small document (`key`, `at`); a limit is "at most `limit` events in the last
`window` seconds" (a sliding window), and a rule with `block` keeps the key blocked that long once exceeded.
Keys are hashed, so the collection holds no addresses or IPs in clear. Two racing requests may both pass at the
edge (count, then insert): limits are a brake, not an invariant.

Numbers (all per environment, every one overridable in the environment's `rateLimits` setting):

| rule              | limit | window | block  | keyed by         | answer                           |
|-------------------|-------|--------|--------|------------------|----------------------------------|
| signin-account    | 5     | 15 min | 15 min | failed sign-ins per address | 429 `auth/account-locked` |
| signin-ip         | 20    | 15 min | —      | sign-in attempts per IP     | 429 `auth/too-many-login-attempts` |
| signup-ip         | 3 (prod) / 100 (other types) | 1 h | — | sign-ups per IP | 429 `auth/too-many-requests` |
| refresh-session   | 10    | 1 min  | —      | refreshes per session       | 429 `auth/too-many-requests` |
| mail-address      | 3     | 1 h    | 2 h    | mails per address           | 429 `auth/too-many-code-requests` |
| mail-ip           | 20    | 1 h    | —      | mails per IP                | 429 `auth/too-many-code-requests` |
| accounts-check-ip | 30    | 1 min  | —      | account checks per IP       | 429 `auth/too-many-requests` |

`BKEND_RATE_LIMITS=off` (deployment) or `rateLimits: {"enabled": false}` (environment) turns them all off.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Collection, Cond, Query, SortKey, all_of

PURGE_BATCH = 20


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    window: int
    """seconds"""
    code: str
    block: int = 0
    """seconds a key stays blocked once the limit is exceeded; 0 = until the window frees up."""


RULES: dict[str, Rule] = {
    "signin-account": Rule(5, 900, "auth/account-locked", block=900),
    "signin-ip": Rule(20, 900, "auth/too-many-login-attempts"),
    "signup-ip": Rule(3, 3600, "auth/too-many-requests"),
    "refresh-session": Rule(10, 60, "auth/too-many-requests"),
    "mail-address": Rule(3, 3600, "auth/too-many-code-requests", block=7200),
    "mail-ip": Rule(20, 3600, "auth/too-many-code-requests"),
    "accounts-check-ip": Rule(30, 60, "auth/too-many-requests"),
}
NON_PROD_LIMITS = {"signup-ip": 100}
"""Relaxed defaults for environments that are not of type `prod`, so seed scripts work (spec P16)."""
OVERRIDE_FIELDS = {"limit": ("limit", 1), "windowSeconds": ("window", 1), "blockSeconds": ("block", 0)}


def rule(settings: AuthSettings, name: str) -> Rule:
    """The effective rule: the default, relaxed outside `prod`, then the environment's overrides."""
    base = RULES[name]
    if settings.environment_type != "prod" and name in NON_PROD_LIMITS:
        base = replace(base, limit=NON_PROD_LIMITS[name])
    override = settings.rate_limit_overrides.get(name) or {}
    return replace(base, **{OVERRIDE_FIELDS[k][0]: v for k, v in override.items()})


def check_overrides(value: Any) -> str | None:
    """Why a `rateLimits` setting is invalid, or None."""
    if not isinstance(value, dict):
        return "must be an object"
    for name, override in value.items():
        if name == "enabled":
            if not isinstance(override, bool):
                return "'enabled' must be true or false"
            continue
        if name not in RULES:
            return f"has an unknown rule '{name}' (known: {', '.join(RULES)})"
        if not isinstance(override, dict) or not override:
            return f"'{name}' must be an object of limit, windowSeconds, blockSeconds"
        for key, number in override.items():
            low = OVERRIDE_FIELDS[key][1] if key in OVERRIDE_FIELDS else None
            if low is None or not isinstance(number, int) or isinstance(number, bool) or number < low:
                return f"'{name}.{key}' must be an integer ≥ {low}" if low is not None else f"has unknown '{key}'"
    return None


def _counters(backend: Backend, environment_id: str) -> Collection:
    return backend.data(environment_id, collections.COUNTERS)


def _key(name: str, value: str) -> str:
    return f"{name}:{sha256_hex(value)[:32]}"


def _refuse(limit: Rule, retry_after: float) -> BkendError:
    seconds = max(1, int(retry_after + 0.999))
    headers = {"Retry-After": str(seconds), "X-RateLimit-Limit": str(limit.limit), "X-RateLimit-Remaining": "0"}
    return BkendError(limit.code, headers=headers)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else (dates.parse(value) or dates.now())


def _blocked_until(counters: Collection, key: str, now: datetime) -> datetime | None:
    block = counters.get("block:" + key)
    until = _as_datetime(block["until"]) if block else None
    return until if until is not None and until > now else None


def _window(key: str, since: datetime) -> Query:
    live = all_of([Cond("key", "eq", key, scalar=True), Cond("at", "gte", since, scalar=True)])
    return Query(live, sort=(SortKey("at", 1, scalar=True),), limit=1)


def check(backend: Backend, environment_id: str, settings: AuthSettings, name: str, value: str) -> None:
    """429 if `value` is blocked or has used up `name`'s window; records nothing."""
    if not settings.rate_limits_enabled:
        return
    limit, key, now = rule(settings, name), _key(name, value), dates.now()
    counters = _counters(backend, environment_id)
    until = _blocked_until(counters, key, now)
    if until is not None:
        raise _refuse(limit, (until - now).total_seconds())
    since = now - timedelta(seconds=limit.window)
    if counters.count(_window(key, since).filter) >= limit.limit:
        oldest = counters.find(_window(key, since))
        retry = (_as_datetime(oldest[0]["at"]) + timedelta(seconds=limit.window) - now) if oldest else timedelta(0)
        raise _refuse(limit, retry.total_seconds())


def record(backend: Backend, environment_id: str, settings: AuthSettings, name: str, value: str) -> None:
    """Count one event for `value`; when that reaches the limit of a rule with `block`, block the key."""
    if not settings.rate_limits_enabled:
        return
    limit, key, now = rule(settings, name), _key(name, value), dates.now()
    counters = _counters(backend, environment_id)
    counters.insert({"_id": secrets.token_hex(12), "key": key, "at": now})
    _purge(counters, key, now - timedelta(seconds=limit.window))
    if limit.block and counters.count(_window(key, now - timedelta(seconds=limit.window)).filter) >= limit.limit:
        until = now + timedelta(seconds=limit.block)
        if counters.update("block:" + key, {"until": until}) is None:
            counters.insert({"_id": "block:" + key, "key": key, "until": until})


def hit(backend: Backend, environment_id: str, settings: AuthSettings, name: str, value: str) -> None:
    """`check`, then `record`: the usual "this request counts against the limit"."""
    check(backend, environment_id, settings, name, value)
    record(backend, environment_id, settings, name, value)


def hit_all(backend: Backend, environment_id: str, settings: AuthSettings, keyed: list[tuple[str, str]]) -> None:
    """Several `(rule, value)` limits for one request: all are checked before any is recorded, so a refused
    request uses up nothing."""
    for name, value in keyed:
        check(backend, environment_id, settings, name, value)
    for name, value in keyed:
        record(backend, environment_id, settings, name, value)


def mail_limits(email: str, ip: str) -> list[tuple[str, str]]:
    """The limits every mail-sending request counts against (spec §4.4)."""
    return [("mail-address", email), ("mail-ip", ip)]


def clear(backend: Backend, environment_id: str, name: str, value: str) -> None:
    """Forget `value`'s events and block for `name` (a successful sign-in or a password reset)."""
    key = _key(name, value)
    counters = _counters(backend, environment_id)
    counters.delete("block:" + key)
    for doc in counters.find(Query(Cond("key", "eq", key, scalar=True), projection=("key",))):
        counters.delete(doc["_id"])


def _purge(counters: Collection, key: str, before: datetime) -> None:
    stale = all_of([Cond("key", "eq", key, scalar=True), Cond("at", "lt", before, scalar=True)])
    for doc in counters.find(Query(stale, projection=("key",), limit=PURGE_BATCH)):
        counters.delete(doc["_id"])
