"""Single-use link tokens (spec/auth.md §6 rule 9)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bkend_mcp.domain.auth import collections, onetime
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Query


def _issue(env, email="ada@example.com", purpose="magic_link", ttl=900):
    return onetime.issue(
        env.backend, purpose=purpose, environment_id=env.environment_id, email=email, ttl_seconds=ttl,
        payload={"callbackUrl": "https://app.example.com"},
    )  # fmt: skip


def test_a_token_is_64_hex_and_stored_only_as_its_hash(env):
    raw = _issue(env)
    assert len(raw) == 64 and int(raw, 16) >= 0
    stored = env.backend.control(collections.TOKENS).find(Query())
    assert raw not in str(stored) and len(stored[0]["tokenHash"]) == 64


def test_a_double_click_yields_one_success(env):
    raw = _issue(env)

    def use(_):
        try:
            return onetime.consume(env.backend, raw, "magic_link", environment_id=env.environment_id)["email"]
        except BkendError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(use, range(5)))
    assert outcomes.count("ada@example.com") == 1
    assert outcomes.count("auth/invalid-token") == 4


def test_purpose_environment_and_address_must_match(env):
    raw = _issue(env)
    for kwargs in ({"environment_id": "env_other"}, {"email": "bob@example.com"}):
        with pytest.raises(BkendError) as caught:
            onetime.consume(env.backend, raw, "magic_link", **kwargs)
        assert caught.value.code == "auth/invalid-token"
    with pytest.raises(BkendError) as caught:
        onetime.consume(env.backend, raw, "password_reset")
    assert caught.value.code == "auth/verification-token-not-found"


def test_expired_tokens_report_the_purpose_code(env):
    raw = _issue(env, purpose="password_reset", ttl=-1)
    with pytest.raises(BkendError) as caught:
        onetime.consume(env.backend, raw, "password_reset")
    assert caught.value.code == "auth/verification-token-expired"


def test_a_new_token_retires_the_previous_one(env):
    first = _issue(env)
    second = _issue(env)
    with pytest.raises(BkendError):
        onetime.consume(env.backend, first, "magic_link")
    assert onetime.consume(env.backend, second, "magic_link")["payload"]["callbackUrl"] == "https://app.example.com"


def test_usable_does_not_use(env):
    raw = _issue(env)
    found = onetime.usable(env.backend, raw, "magic_link")
    assert found["usedAt"] is None
    onetime.use(env.backend, found)
    with pytest.raises(BkendError):
        onetime.use(env.backend, found)
