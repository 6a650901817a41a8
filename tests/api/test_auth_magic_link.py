"""Magic links over HTTP: send (sign-up 201, sign-in 200), the mailed link, and the callback (spec/auth.md §2.1
#3-#5, §6 rule 11)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import bearer, configure, expire_mailed_tokens, key, last_link, mails, signup, token_in
from tests.api.scenario import Scenario, assert_error, run

CALLBACK = "https://app.example.com/auth/callback"


def _send(client, env, path="signin", email="new@example.com", **extra):
    body = {"method": "magiclink", "email": email, "callbackUrl": CALLBACK, **extra}
    return client.post(f"/v1/auth/email/{path}", json=body, headers=key(env))


def _callback(client, env, token, **extra):
    return client.post("/v1/auth/email/callback", json={"token": token, **extra}, headers=key(env))


def test_signup_link_is_201_and_signin_link_is_200(client, env):
    signup_response = _send(client, env, "signup", "one@example.com")
    signin_response = _send(client, env, "signin", "two@example.com")
    assert signup_response.status_code == 201 and signin_response.status_code == 200
    assert signup_response.json() == {"message": signup_response.json()["message"], "email": "one@example.com"}


def test_the_mailed_link_signs_a_new_user_up_then_in(client, env):
    _send(client, env, "signup", "New@Example.com", name="Newt")
    link = last_link(env, "new@example.com")
    assert link.startswith(CALLBACK + "?token=")
    first = _callback(client, env, token_in(link))
    assert first.status_code == 200
    body = first.json()
    assert body["is_new_user"] is True and body["user"]["name"] == "Newt"
    assert body["user"]["emailVerified"] is not None
    assert client.get("/v1/auth/me", headers=bearer(env, body["accessToken"])).status_code == 200
    _send(client, env, "signin", "new@example.com")
    again = _callback(client, env, token_in(last_link(env, "new@example.com")), email="NEW@example.com").json()
    assert again["is_new_user"] is False and again["user"]["id"] == body["user"]["id"]


def test_an_existing_password_user_is_signed_in_and_verified(client, env):
    user = signup(client, env)["user"]
    _send(client, env, "signin", "ada@example.com")
    body = _callback(client, env, token_in(last_link(env, "ada@example.com"))).json()
    assert body["is_new_user"] is False and body["user"]["id"] == user["id"]
    assert body["user"]["emailVerified"] is not None


def test_a_link_works_once(client, env):
    _send(client, env)
    token = token_in(last_link(env, "new@example.com"))
    assert _callback(client, env, token).status_code == 200
    again = _callback(client, env, token)
    assert again.status_code == 401
    assert_error(again.json(), 401, "auth/invalid-token")


def test_a_newer_link_invalidates_the_older(client, env):
    _send(client, env)
    old = token_in(last_link(env, "new@example.com"))
    _send(client, env)
    assert _callback(client, env, old).json()["error"]["code"] == "auth/invalid-token"
    assert _callback(client, env, token_in(last_link(env, "new@example.com"))).status_code == 200


def test_an_expired_link_is_401_token_expired(client, env):
    _send(client, env)
    token = token_in(last_link(env, "new@example.com"))
    expire_mailed_tokens(env)
    response = _callback(client, env, token)
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/token-expired"


def test_a_link_for_another_address_is_invalid(client, env):
    _send(client, env)
    response = _callback(client, env, token_in(last_link(env, "new@example.com")), email="other@example.com")
    assert response.status_code == 401


def test_unknown_and_known_addresses_get_the_same_signin_answer(client, env):
    """No enumeration: an unknown address gets a sign-up link and the same body."""
    signup(client, env)
    known = _send(client, env, "signin", "ada@example.com")
    unknown = _send(client, env, "signin", "ghost@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.json()["message"] == unknown.json()["message"]
    assert len(mails(env, "ghost@example.com")) == 1


def test_strict_mode_refuses_signin_links_for_unknown_addresses(client, env):
    configure(env, magicLinkSigninRequiresAccount=True)
    response = _send(client, env, "signin", "ghost@example.com")
    assert response.status_code == 404 and response.json()["error"]["code"] == "auth/user-not-found"
    assert _send(client, env, "signup", "ghost@example.com").status_code == 201


def test_a_social_only_user_cannot_use_magic_links(client, env):
    users.create_user(
        env.backend, env.environment_id, email="soc@example.com", name="S", provider="github",
        provider_account_id="12345",
    )  # fmt: skip
    response = _send(client, env, "signin", "soc@example.com")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "auth/magiclink-not-available-for-social"


def test_disabled_magic_links_are_400(client, env):
    configure(env, magicLinkEnabled=False)
    response = _send(client, env)
    assert response.status_code == 400 and response.json()["error"]["code"] == "auth/magiclink-disabled"


def test_callback_url_must_be_on_the_allow_list_when_one_is_set(client, env):
    configure(env, allowedRedirectUrls=["https://app.example.com"])
    assert _send(client, env).status_code == 200
    assert _send(client, env, callbackUrl="http://localhost:3000/cb").status_code == 200
    refused = _send(client, env, callbackUrl="https://evil.example.net/cb")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "auth/invalid-url"


SEND_ERRORS = [
    Scenario("missing callbackUrl", "POST", "/v1/auth/email/signin", key, {"method": "magiclink", "email": "a@b.co"},
             status=400, error_code="auth/invalid-url"),
    Scenario("relative callbackUrl", "POST", "/v1/auth/email/signin", key,
             {"method": "magiclink", "email": "a@b.co", "callbackUrl": "/cb"}, status=400,
             error_code="auth/invalid-url"),
    Scenario("javascript callbackUrl", "POST", "/v1/auth/email/signup", key,
             {"method": "magiclink", "email": "a@b.co", "callbackUrl": "javascript:alert(1)"}, status=400,
             error_code="auth/invalid-url"),
    Scenario("bad email", "POST", "/v1/auth/email/signin", key,
             {"method": "magiclink", "email": "nope", "callbackUrl": CALLBACK}, status=400,
             error_code="auth/invalid-email"),
    Scenario("callback without token", "POST", "/v1/auth/email/callback", key, {}, status=400,
             error_code="auth/magic-token-missing"),
    Scenario("callback with unknown token", "POST", "/v1/auth/email/callback", key, {"token": "ab" * 32}, status=401,
             error_code="auth/invalid-token", unchanged="users"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", SEND_ERRORS, ids=lambda s: s.name)
def test_magic_link_rejects(client, env, scenario):
    run(client, env, scenario)
