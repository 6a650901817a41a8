"""Refresh rotation under concurrency (spec/auth.md §3.3; compat C26), straight through the domain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.auth import password_auth, refresh, sessions, settings
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.identity import resolve_caller, resolve_key_caller


def _signup(env):
    caller = resolve_key_caller(env.backend, {"x-api-key": env.pk})
    body = {"email": "ada@example.com", "password": "Passw0rd!", "name": "Ada"}
    return caller, password_auth.email_signup(env.backend, caller, body, Client(ip="10.0.0.1"))


def _me(env, access_token):
    return resolve_caller(env.backend, {"x-api-key": env.pk, "authorization": f"Bearer {access_token}"})


def test_concurrent_refreshes_with_one_token_all_get_valid_pairs(env):
    caller, pair = _signup(env)

    def attempt(_):
        return refresh.refresh(env.backend, caller, {"refreshToken": pair["refreshToken"]}, Client(ip="10.0.0.1"))

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(6)))
    for result in results:
        assert _me(env, result["accessToken"]).uid == pair["user"]["id"]
    session = sessions.get(env.backend, env.environment_id, _me(env, pair["accessToken"]).session_id)
    assert session["refreshGen"] == 1, "exactly one refresh rotated the session"
    follow_up = refresh.refresh(env.backend, caller, {"refreshToken": results[0]["refreshToken"]}, Client())
    assert follow_up["accessToken"]


def test_replay_revokes_every_session_of_the_user(env):
    caller, pair = _signup(env)
    second = password_auth.email_signin(
        env.backend, caller, {"email": "ada@example.com", "password": "Passw0rd!"}, Client()
    )
    settings.update(env.backend, env.environment_id, {"refreshGraceSeconds": 0})
    refresh.refresh(env.backend, caller, {"refreshToken": pair["refreshToken"]}, Client())
    with pytest.raises(BkendError) as caught:
        refresh.refresh(env.backend, caller, {"refreshToken": pair["refreshToken"]}, Client())
    assert caught.value.code == "auth/invalid-refresh-token"
    with pytest.raises(BkendError):
        _me(env, second["accessToken"])


def test_a_refresh_token_of_another_environment_is_invalid(env):
    caller, pair = _signup(env)
    prod = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    other = type(caller)(project_id=env.project_id, environment_id=prod["id"], group="guest")
    with pytest.raises(BkendError) as caught:
        refresh.refresh(env.backend, other, {"refreshToken": pair["refreshToken"]}, Client())
    assert caught.value.code == "auth/invalid-refresh-token"
