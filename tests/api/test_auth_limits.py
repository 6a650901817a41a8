"""Rate limits and lockout over HTTP (spec/auth.md §4.4; decision D9; compat C25)."""

from __future__ import annotations

from bkend_mcp.domain import tenancy
from tests.api.auth_helpers import PASSWORD, configure, key, mailed_token, signin, signup
from tests.api.scenario import assert_error


def test_five_failed_signins_lock_the_account_even_for_the_right_password(client, env):
    signup(client, env)
    for _ in range(5):
        assert signin(client, env, password="Wrong-pass-1").status_code == 401
    locked = signin(client, env)
    assert locked.status_code == 429
    assert_error(locked.json(), 429, "auth/account-locked")
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    assert locked.headers["X-RateLimit-Limit"] == "5" and locked.headers["X-RateLimit-Remaining"] == "0"


def test_lockout_counts_unknown_addresses_alike(client, env):
    """The lock does not reveal whether the address exists."""
    for _ in range(5):
        signin(client, env, "ghost@example.com", "Wrong-pass-1")
    assert signin(client, env, "ghost@example.com").json()["error"]["code"] == "auth/account-locked"


def test_a_successful_signin_resets_the_failure_count(client, env):
    signup(client, env)
    for _ in range(4):
        signin(client, env, password="Wrong-pass-1")
    assert signin(client, env).status_code == 200
    for _ in range(4):
        signin(client, env, password="Wrong-pass-1")
    assert signin(client, env).status_code == 200


def test_a_password_reset_unlocks_the_account(client, env):
    signup(client, env)
    for _ in range(5):
        signin(client, env, password="Wrong-pass-1")
    client.post("/v1/auth/password/reset/request", json={"email": "ada@example.com"}, headers=key(env))
    body = {"email": "ada@example.com", "token": mailed_token(env, "ada@example.com"), "newPassword": "N3w-password!"}
    assert client.post("/v1/auth/password/reset/confirm", json=body, headers=key(env)).status_code == 200
    assert signin(client, env, password="N3w-password!").status_code == 200


def test_per_ip_signin_limit(client, env):
    configure(env, rateLimits={"signin-ip": {"limit": 3}})
    for _ in range(3):
        signin(client, env, "x@example.com", "Wrong-pass-1")
    refused = signin(client, env, "y@example.com", "Wrong-pass-1")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "auth/too-many-login-attempts"
    assert "Retry-After" in refused.headers


def test_prod_environments_allow_three_signups_per_hour_per_ip(client, env):
    prod = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    pk = _key_for(env, prod["id"])
    statuses = [
        client.post(
            "/v1/auth/email/signup",
            json={"email": f"u{i}@example.com", "password": PASSWORD, "name": "U"},
            headers={"x-api-key": pk},
        ).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


def _key_for(env, environment_id: str) -> str:
    from bkend_mcp.domain import keys

    made = keys.create_key(
        env.backend, project_id=env.project_id, environment_id=environment_id, organization_id=env.organization_id,
        key_type="publishable", name="prod", created_by="test",
    )  # fmt: skip
    return made["key"]


def test_rate_limits_switch_off_per_environment(client, env):
    """compat C25: seed scripts sign up many users in a row."""
    configure(env, rateLimits={"enabled": False, "signup-ip": {"limit": 1}})
    for i in range(3):
        signup(client, env, f"seed{i}@example.com")
    for _ in range(7):
        signin(client, env, "seed0@example.com", "Wrong-pass-1")
    assert signin(client, env, "seed0@example.com").status_code == 200


def test_rate_limits_switch_off_for_the_deployment(client, env):
    from dataclasses import replace

    env.backend.config = replace(env.backend.config, rate_limits=False)
    configure(env, rateLimits={"signup-ip": {"limit": 1}})
    for i in range(3):
        signup(client, env, f"seed{i}@example.com")


def test_mail_requests_are_limited_per_address(client, env):
    signup(client, env)
    body = {"email": "ada@example.com"}
    statuses = [
        client.post("/v1/auth/password/reset/request", json=body, headers=key(env)).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.post("/v1/auth/password/reset/request", json=body, headers=key(env))
    assert refused.json()["error"]["code"] == "auth/too-many-code-requests"
    assert int(refused.headers["Retry-After"]) > 3600  # the address is blocked for 2 hours


def test_refreshes_are_limited_per_session(client, env):
    configure(env, rateLimits={"refresh-session": {"limit": 2}})
    token = signup(client, env)["refreshToken"]
    for _ in range(2):
        response = client.post("/v1/auth/refresh", json={"refreshToken": token}, headers=key(env))
        token = response.json()["refreshToken"]
    refused = client.post("/v1/auth/refresh", json={"refreshToken": token}, headers=key(env))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "auth/too-many-requests"
