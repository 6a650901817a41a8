"""Password reset and change over HTTP (spec/auth.md §2.4 #15-#17)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import (
    PASSWORD,
    bearer,
    configure,
    expire_mailed_tokens,
    key,
    last_link,
    mailed_token,
    mails,
    signin,
    signup,
    token_in,
)
from tests.api.scenario import Scenario, assert_error, run

NEW = "N3w-password!"


def _request(client, env, email="ada@example.com", **extra):
    return client.post("/v1/auth/password/reset/request", json={"email": email, **extra}, headers=key(env))


def _confirm(client, env, token, email="ada@example.com", new=NEW):
    body = {"email": email, "token": token, "newPassword": new}
    return client.post("/v1/auth/password/reset/confirm", json=body, headers=key(env))


def test_reset_request_answers_the_same_for_unknown_addresses(client, env):
    signup(client, env)
    known = _request(client, env)
    unknown = _request(client, env, "ghost@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert len(mails(env, "ada@example.com")) == 1 and mails(env, "ghost@example.com") == []


def test_the_mailed_link_resets_the_password_and_signs_out_everywhere(client, env):
    pair = signup(client, env)
    _request(client, env, callbackUrl="https://app.example.com/reset")
    link = last_link(env, "ada@example.com")
    assert link.startswith("https://app.example.com/reset?token=") and "email=ada%40example.com" in link
    response = _confirm(client, env, token_in(link))
    assert response.status_code == 200 and response.json()["message"]
    assert client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).status_code == 401
    assert signin(client, env).status_code == 401
    assert signin(client, env, password=NEW).status_code == 200


def test_reset_link_uses_the_environment_reset_url(client, env):
    signup(client, env)
    configure(env, passwordResetUrl="https://app.example.com/reset?from=mail")
    _request(client, env)
    assert last_link(env, "ada@example.com").startswith("https://app.example.com/reset?from=mail&token=")


def test_reset_verifies_the_address_and_gives_a_passwordless_user_a_password(client, env):
    users.create_user(env.backend, env.environment_id, email="magic@example.com", name="M")
    _request(client, env, "magic@example.com")
    assert _confirm(client, env, mailed_token(env, "magic@example.com"), "magic@example.com").status_code == 200
    me = signin(client, env, "magic@example.com", NEW).json()["user"]
    assert me["emailVerified"] is not None and me["hasPassword"] is True


def test_a_reset_token_works_once(client, env):
    signup(client, env)
    _request(client, env)
    token = mailed_token(env, "ada@example.com")
    assert _confirm(client, env, token).status_code == 200
    again = _confirm(client, env, token, new="An0ther-password!")
    assert again.status_code == 404
    assert_error(again.json(), 404, "auth/verification-token-not-found")


def test_a_rejected_new_password_does_not_use_up_the_token(client, env):
    signup(client, env)
    _request(client, env)
    token = mailed_token(env, "ada@example.com")
    same = _confirm(client, env, token, new=PASSWORD)
    assert same.status_code == 400 and same.json()["error"]["code"] == "auth/same-as-previous-password"
    short = _confirm(client, env, token, new="short")
    assert short.status_code == 400 and short.json()["error"]["code"] == "auth/invalid-password-format"
    assert _confirm(client, env, token).status_code == 200


def test_an_expired_reset_token_is_401(client, env):
    signup(client, env)
    _request(client, env)
    expire_mailed_tokens(env)
    response = _confirm(client, env, mailed_token(env, "ada@example.com"))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/verification-token-expired"


def test_a_reset_token_for_another_address_is_404(client, env):
    signup(client, env)
    signup(client, env, "bob@example.com")
    _request(client, env)
    response = _confirm(client, env, mailed_token(env, "ada@example.com"), email="bob@example.com")
    assert response.status_code == 404


def test_a_reset_for_a_vanished_user_is_account_not_found(client, env):
    pair = signup(client, env)
    _request(client, env)
    users.update(env.backend, env.environment_id, pair["user"]["id"], {"status": "deleted"})
    response = _confirm(client, env, mailed_token(env, "ada@example.com"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "auth/account-not-found"


RESET_ERRORS = [
    Scenario("request: bad email", "POST", "/v1/auth/password/reset/request", key, {"email": "x"}, status=400,
             error_code="auth/invalid-email"),
    Scenario("request: bad callbackUrl", "POST", "/v1/auth/password/reset/request", key,
             {"email": "a@b.co", "callbackUrl": "ftp://x"}, status=400, error_code="auth/invalid-url"),
    Scenario("confirm: missing token", "POST", "/v1/auth/password/reset/confirm", key,
             {"email": "a@b.co", "newPassword": NEW}, status=400, error_code="auth/validation-error"),
    Scenario("confirm: unknown token", "POST", "/v1/auth/password/reset/confirm", key,
             {"email": "a@b.co", "token": "ab" * 32, "newPassword": NEW}, status=404,
             error_code="auth/verification-token-not-found"),
    Scenario("confirm: weak password", "POST", "/v1/auth/password/reset/confirm", key,
             {"email": "a@b.co", "token": "ab" * 32, "newPassword": "qwerty123"}, status=400,
             error_code="auth/weak-password"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", RESET_ERRORS, ids=lambda s: s.name)
def test_reset_rejects(client, env, scenario):
    run(client, env, scenario)


def _change(client, env, token, current=PASSWORD, new=NEW):
    body = {"currentPassword": current, "newPassword": new}
    return client.post("/v1/auth/password/change", json=body, headers=bearer(env, token))


def test_change_keeps_the_callers_session_and_ends_the_others(client, env):
    mine = signup(client, env)
    other = signin(client, env).json()
    response = _change(client, env, mine["accessToken"])
    assert response.status_code == 200
    assert client.get("/v1/auth/me", headers=bearer(env, mine["accessToken"])).status_code == 200
    assert client.get("/v1/auth/me", headers=bearer(env, other["accessToken"])).status_code == 401
    assert signin(client, env, password=NEW).status_code == 200


def test_change_can_end_every_session(client, env):
    configure(env, revokeAllSessionsOnPasswordChange=True)
    mine = signup(client, env)
    assert _change(client, env, mine["accessToken"]).status_code == 200
    assert client.get("/v1/auth/me", headers=bearer(env, mine["accessToken"])).status_code == 401


@pytest.mark.parametrize(
    ("current", "new", "status", "code"),
    [
        ("Wrong-pass-1", NEW, 401, "auth/invalid-password"),
        (PASSWORD, PASSWORD, 400, "auth/same-as-previous-password"),
        (PASSWORD, "short", 400, "auth/invalid-password-format"),
        (PASSWORD, "iloveyou1", 400, "auth/weak-password"),
    ],
    ids=["wrong current", "same", "too short", "common"],
)
def test_change_rejects(client, env, current, new, status, code):
    mine = signup(client, env)
    response = _change(client, env, mine["accessToken"], current, new)
    assert response.status_code == status
    assert_error(response.json(), status, code)


def test_change_needs_a_user_token(client, env):
    response = client.post("/v1/auth/password/change", json={"currentPassword": "a", "newPassword": NEW},
                           headers=key(env))  # fmt: skip
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/unauthorized"


def test_change_for_a_passwordless_user_is_invalid_password(client, env):
    token = env.user_token("u1")
    response = _change(client, env, token)
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/invalid-password"
