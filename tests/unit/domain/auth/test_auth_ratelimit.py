"""Store-backed rate limits and lockout (spec/auth.md §4.4, decision D9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections, ratelimit, settings
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Query


def _settings(env, **changes):
    if changes:
        settings.update(env.backend, env.environment_id, changes)
    return settings.load(env.backend, env.environment_id)


def _hit(env, current, name="signin-ip", value="1.2.3.4"):
    ratelimit.hit(env.backend, env.environment_id, current, name, value)


def test_limit_allows_exactly_the_configured_count(env):
    current = _settings(env, rateLimits={"signin-ip": {"limit": 3}})
    for _ in range(3):
        _hit(env, current)
    with pytest.raises(BkendError) as caught:
        _hit(env, current)
    assert caught.value.code == "auth/too-many-login-attempts" and caught.value.status == 429
    assert caught.value.headers["X-RateLimit-Limit"] == "3"
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 900


def test_keys_are_counted_separately(env):
    current = _settings(env, rateLimits={"signin-ip": {"limit": 1}})
    _hit(env, current, value="1.1.1.1")
    _hit(env, current, value="2.2.2.2")


def test_the_window_slides(env):
    current = _settings(env, rateLimits={"signin-ip": {"limit": 2, "windowSeconds": 60}})
    _hit(env, current)
    _hit(env, current)
    counters = env.backend.data(env.environment_id, collections.COUNTERS)
    for doc in counters.find(Query()):
        counters.update(doc["_id"], {"at": dates.now() - timedelta(seconds=61)})
    _hit(env, current)


def test_a_blocking_rule_blocks_for_its_duration(env):
    current = _settings(env)
    for _ in range(5):
        ratelimit.record(env.backend, env.environment_id, current, "signin-account", "ada@example.com")
    with pytest.raises(BkendError) as caught:
        ratelimit.check(env.backend, env.environment_id, current, "signin-account", "ada@example.com")
    assert caught.value.code == "auth/account-locked"
    assert 890 <= int(caught.value.headers["Retry-After"]) <= 900
    ratelimit.clear(env.backend, env.environment_id, "signin-account", "ada@example.com")
    ratelimit.check(env.backend, env.environment_id, current, "signin-account", "ada@example.com")


def test_counters_store_no_plain_values(env):
    current = _settings(env)
    _hit(env, current, "mail-address", "ada@example.com")
    counters = env.backend.data(env.environment_id, collections.COUNTERS)
    assert "ada@example.com" not in str(counters.find(Query()))


def test_disabled_limits_record_nothing(env):
    current = _settings(env, rateLimits={"enabled": False, "signin-ip": {"limit": 1}})
    for _ in range(5):
        _hit(env, current)
    assert env.backend.data(env.environment_id, collections.COUNTERS).count() == 0


def test_non_prod_environments_get_the_relaxed_signup_limit(env):
    assert ratelimit.rule(_settings(env), "signup-ip").limit == 100
    prod = settings.AuthSettings(environment_type="prod")
    assert ratelimit.rule(prod, "signup-ip").limit == 3


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"enabled": "no"},
        {"nope": {"limit": 1}},
        {"signin-ip": {"limit": 0}},
        {"signin-ip": {"limit": True}},
        {"signin-ip": {"burst": 3}},
        {"signin-ip": {}},
    ],
)
def test_invalid_overrides_are_refused(env, value):
    with pytest.raises(BkendError) as caught:
        settings.update(env.backend, env.environment_id, {"rateLimits": value})
    assert caught.value.code == "auth/validation-error"
    assert caught.value.details[0]["field"] == "rateLimits"
