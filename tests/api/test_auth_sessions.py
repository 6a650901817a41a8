"""Tokens and sessions over HTTP: refresh, me, sign-out, session list and revocation (spec/auth.md §2.3, §3;
compat C1, C2, C4, C5, C26)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import jwt
import pytest

from bkend_mcp.domain import dates, tokens
from bkend_mcp.domain.auth import collections, users
from tests.api.auth_helpers import bearer, configure, key, signin, signup
from tests.api.scenario import Scenario, assert_error, run


def _refresh(client, env, token, **headers):
    return client.post("/v1/auth/refresh", json={"refreshToken": token}, headers={**key(env), **headers})


def _claims(token):
    return jwt.decode(token, options={"verify_signature": False})


# --- refresh -----------------------------------------------------------------------------------------------------


def test_refresh_returns_both_tokens_and_rotates(client, env):
    """compat C2: both tokens top-level, strings."""
    pair = signup(client, env)
    response = _refresh(client, env, pair["refreshToken"], authorization="Bearer stale-garbage")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["accessToken"], str) and isinstance(body["refreshToken"], str)
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 3600
    assert _claims(body["refreshToken"])["gen"] == 1 and _claims(pair["refreshToken"])["gen"] == 0
    assert _claims(body["accessToken"])["sid"] == _claims(pair["accessToken"])["sid"]


def test_refresh_is_bare_even_in_wrapped_mode(client, env):
    pair = signup(client, env)
    env.backend.config = replace(env.backend.config, response_envelope="wrapped")
    body = _refresh(client, env, pair["refreshToken"]).json()
    assert "accessToken" in body and "refreshToken" in body and "success" not in body
    assert client.get("/v1/auth/me", headers=bearer(env, body["accessToken"])).json()["success"] is True


def test_refresh_keeps_earlier_access_tokens_valid(client, env):
    """compat C26: refreshing never revokes outstanding access tokens."""
    pair = signup(client, env)
    _refresh(client, env, pair["refreshToken"])
    assert client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).status_code == 200


def test_the_same_refresh_token_twice_within_grace_gets_two_valid_pairs(client, env):
    """compat C26: parallel tabs refreshing with one token all succeed."""
    pair = signup(client, env)
    first = _refresh(client, env, pair["refreshToken"]).json()
    second = _refresh(client, env, pair["refreshToken"]).json()
    for got in (first, second):
        assert client.get("/v1/auth/me", headers=bearer(env, got["accessToken"])).status_code == 200
    assert _refresh(client, env, second["refreshToken"]).status_code == 200


def test_a_reused_refresh_token_past_grace_revokes_every_session(client, env):
    pair = signup(client, env)
    other = signin(client, env).json()
    rotated = _refresh(client, env, pair["refreshToken"]).json()
    sid = _claims(pair["refreshToken"])["sid"]
    sessions = env.backend.data(env.environment_id, collections.SESSIONS)
    sessions.update(sid, {"prevGenRotatedAt": dates.now() - timedelta(seconds=31)})
    replay = _refresh(client, env, pair["refreshToken"])
    assert replay.status_code == 401
    assert_error(replay.json(), 401, "auth/invalid-refresh-token")
    for token in (rotated["accessToken"], other["accessToken"]):
        assert client.get("/v1/auth/me", headers=bearer(env, token)).status_code == 401
    assert _refresh(client, env, rotated["refreshToken"]).status_code == 401


def test_an_older_generation_is_a_replay_even_within_grace(client, env):
    pair = signup(client, env)
    one = _refresh(client, env, pair["refreshToken"]).json()
    _refresh(client, env, one["refreshToken"])
    assert _refresh(client, env, pair["refreshToken"]).status_code == 401


def test_strict_rotation_when_grace_is_zero(client, env):
    configure(env, refreshGraceSeconds=0)
    pair = signup(client, env)
    assert _refresh(client, env, pair["refreshToken"]).status_code == 200
    assert _refresh(client, env, pair["refreshToken"]).status_code == 401


def test_refresh_past_the_absolute_limit_is_session_expired(client, env):
    pair = signup(client, env)
    sid = _claims(pair["refreshToken"])["sid"]
    sessions = env.backend.data(env.environment_id, collections.SESSIONS)
    sessions.update(sid, {"absoluteExpiresAt": dates.now() - timedelta(seconds=1)})
    response = _refresh(client, env, pair["refreshToken"])
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/session-expired"


def test_refresh_of_a_banned_user_is_403(client, env):
    pair = signup(client, env)
    users.update(env.backend, env.environment_id, pair["user"]["id"], {"status": "banned"})
    response = _refresh(client, env, pair["refreshToken"])
    assert response.status_code == 403 and response.json()["error"]["code"] == "auth/account-banned"


REFRESH_ERRORS = [
    Scenario("missing token", "POST", "/v1/auth/refresh", key, {}, status=401, error_code="auth/invalid-refresh-token"),
    Scenario("garbage token", "POST", "/v1/auth/refresh", key, {"refreshToken": "abc"}, status=401,
             error_code="auth/invalid-refresh-token"),
    Scenario("access token as refresh token", "POST", "/v1/auth/refresh", key,
             {"refreshToken": jwt.encode({"typ": "access"}, "k" * 32)}, status=401,
             error_code="auth/invalid-refresh-token"),
    Scenario("no key", "POST", "/v1/auth/refresh", lambda e: {}, {"refreshToken": "abc"}, status=400,
             error_code="data/invalid-header"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", REFRESH_ERRORS, ids=lambda s: s.name)
def test_refresh_rejects(client, env, scenario):
    run(client, env, scenario)


def test_an_access_token_is_not_a_refresh_token(client, env):
    pair = signup(client, env)
    assert _refresh(client, env, pair["accessToken"]).status_code == 401


def test_a_refresh_token_is_not_an_access_token(client, env):
    pair = signup(client, env)
    response = client.get("/v1/auth/me", headers=bearer(env, pair["refreshToken"]))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/invalid-access-token"


# --- me and sign-out ---------------------------------------------------------------------------------------------


def test_me_returns_the_full_user(client, env):
    pair = signup(client, env)
    me = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).json()
    for field in ("id", "role", "name", "email", "emailVerified", "image", "onboardingStatus", "createdAt"):
        assert field in me
    assert "passwordHash" not in me and "mfa" not in me


def _sessionless_token(env) -> str:
    """A genuinely signed token whose `sid` names no session (as minted before auth existed)."""
    return tokens.issue_access_token(
        env.backend, project_id=env.project_id, environment_id=env.environment_id, user_id="u1"
    )


ME_ERRORS = [
    Scenario("no bearer", "GET", "/v1/auth/me", key, status=401, error_code="auth/unauthorized"),
    Scenario("secret key alone", "GET", "/v1/auth/me", lambda e: {"x-api-key": e.sk}, status=401,
             error_code="auth/unauthorized"),
    Scenario("malformed bearer", "GET", "/v1/auth/me", lambda e: bearer(e, "nope"), status=401,
             error_code="auth/invalid-token-format"),
    Scenario("expired token", "GET", "/v1/auth/me", lambda e: bearer(e, e.user_token("u1", ttl=-60)), status=401,
             error_code="auth/access-token-expired"),
    Scenario("token without session", "GET", "/v1/auth/me", lambda e: bearer(e, _sessionless_token(e)), status=401,
             error_code="auth/invalid-access-token"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", ME_ERRORS, ids=lambda s: s.name)
def test_me_rejects(client, env, scenario):
    run(client, env, scenario)


def test_signout_revokes_the_session_on_the_next_request(client, env):
    pair = signup(client, env)
    other = signin(client, env).json()
    response = client.post("/v1/auth/signout", headers=bearer(env, pair["accessToken"]))
    assert response.status_code == 200 and response.json()["message"]
    after = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"]))
    assert after.status_code == 401
    assert_error(after.json(), 401, "auth/invalid-access-token")
    assert _refresh(client, env, pair["refreshToken"]).status_code == 401
    assert client.get("/v1/auth/me", headers=bearer(env, other["accessToken"])).status_code == 200


def test_signout_is_idempotent_and_accepts_an_expired_token(client, env):
    pair = signup(client, env)
    assert client.post("/v1/auth/signout", headers=bearer(env, pair["accessToken"])).status_code == 200
    assert client.post("/v1/auth/signout", headers=bearer(env, pair["accessToken"])).status_code == 200
    stale = env.user_token("u1", ttl=-600)
    assert client.post("/v1/auth/signout", headers=bearer(env, stale)).status_code == 200


def test_signout_with_the_refresh_token_in_the_body(client, env):
    pair = signup(client, env)
    response = client.post("/v1/auth/signout", json={"refreshToken": pair["refreshToken"]}, headers=key(env))
    assert response.status_code == 200
    assert client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).status_code == 401


def test_signout_without_any_token_is_401(client, env):
    response = client.post("/v1/auth/signout", headers=key(env))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/unauthorized"
    forged = client.post("/v1/auth/signout", headers=bearer(env, jwt.encode({"sub": "x"}, "k" * 32)))
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "auth/invalid-access-token"


# --- sessions ----------------------------------------------------------------------------------------------------


def test_sessions_list_marks_the_current_one(client, env):
    first = signup(client, env)
    second = client.post(
        "/v1/auth/email/signin",
        json={"email": "ada@example.com", "password": "Passw0rd!"},
        headers={**key(env), "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Chrome/126.0 Safari/537.36"},
    ).json()
    body = client.get("/v1/auth/sessions", headers=bearer(env, second["accessToken"])).json()
    assert body["pagination"] == {"page": 1, "limit": 10, "total": 2, "totalPages": 1, "hasNext": False,
                                  "hasPrev": False}  # fmt: skip
    newest, older = body["items"]
    assert newest["current"] is True and older["current"] is False
    assert newest["deviceInfo"] == "Chrome on macOS" and newest["userId"] == first["user"]["id"]
    assert {"id", "userAgent", "ipAddress", "lastActivityAt", "createdAt", "expiresAt"} <= set(newest)
    paged = client.get("/v1/auth/sessions?limit=1&page=2", headers=bearer(env, second["accessToken"])).json()
    assert len(paged["items"]) == 1 and paged["pagination"]["hasPrev"] is True


def test_deleting_a_session_ends_it_at_once(client, env):
    first = signup(client, env)
    second = signin(client, env).json()
    sid = _claims(first["accessToken"])["sid"]
    response = client.delete(f"/v1/auth/sessions/{sid}", headers=bearer(env, second["accessToken"]))
    assert response.status_code == 200
    assert client.get("/v1/auth/me", headers=bearer(env, first["accessToken"])).status_code == 401
    listed = client.get("/v1/auth/sessions", headers=bearer(env, second["accessToken"])).json()
    assert [s["id"] for s in listed["items"]] == [_claims(second["accessToken"])["sid"]]


def test_another_users_session_is_404(client, env):
    ada = signup(client, env)
    bob = signup(client, env, "bob@example.com")
    sid = _claims(ada["accessToken"])["sid"]
    response = client.delete(f"/v1/auth/sessions/{sid}", headers=bearer(env, bob["accessToken"]))
    assert response.status_code == 404
    assert_error(response.json(), 404, "auth/session-not-found")
    assert client.get("/v1/auth/me", headers=bearer(env, ada["accessToken"])).status_code == 200


def test_sessions_need_a_user_token(client, env):
    response = client.get("/v1/auth/sessions", headers=key(env))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/unauthorized"


# --- the user record decides -------------------------------------------------------------------------------------


def test_a_role_change_is_effective_on_the_next_request(client, env):
    env.create_table("secrets", {"v": {"bsonType": "string"}}, permissions={"admin": {"read": True, "list": True}})
    pair = signup(client, env)
    headers = bearer(env, pair["accessToken"])
    assert client.get("/v1/data/secrets", headers=headers).status_code == 403
    users.update(env.backend, env.environment_id, pair["user"]["id"], {"role": "admin"})
    assert client.get("/v1/data/secrets", headers=headers).status_code == 200


def test_a_deleted_user_token_is_401(client, env):
    pair = signup(client, env)
    users.update(env.backend, env.environment_id, pair["user"]["id"], {"status": "deleted"})
    response = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"]))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/invalid-access-token"


def test_a_vanished_user_is_404(client, env):
    pair = signup(client, env)
    env.backend.data(env.environment_id, collections.USERS).delete(pair["user"]["id"])
    response = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"]))
    assert response.status_code == 404 and response.json()["error"]["code"] == "auth/user-not-found"


def test_permission_problems_stay_403_for_a_valid_token(client, env):
    """compat C4: a valid token never earns a 401 for lack of permission."""
    env.create_table("locked", {"v": {"bsonType": "string"}}, permissions={"admin": {"create": True}})
    pair = signup(client, env)
    response = client.post("/v1/data/locked", json={"v": "x"}, headers=bearer(env, pair["accessToken"]))
    assert response.status_code == 403


def test_built_in_tables_are_not_reachable_through_the_data_api(client, env):
    pair = signup(client, env)
    for table in ("users", "accounts", "sessions"):
        created = client.post(f"/v1/data/{table}", json={"email": "x@y.z"}, headers=bearer(env, pair["accessToken"]))
        assert created.status_code == 403
        listed = client.get(f"/v1/data/{table}", headers=bearer(env, pair["accessToken"]))
        assert listed.status_code in (403, 404) and "argon2" not in listed.text
    assert client.get("/v1/data/_email_outbox", headers={"x-api-key": env.sk}).status_code == 404
