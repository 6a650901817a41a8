"""Linked accounts over HTTP: link, list, unlink, check (spec/auth.md §2.7 #26-#29)."""

from __future__ import annotations

import pytest

from tests.api.auth_helpers import bearer, configure, key, signin, signup
from tests.api.oauth_helpers import (
    APP_REDIRECT,
    api_callback,
    app_code,
    authorize,
    configure_provider,
    consent,
    query_of,
)
from tests.api.scenario import Scenario, assert_error, run
from tests.oauth_provider import OAuthProvider, Person


@pytest.fixture
def providers(env, oauth_provider: OAuthProvider) -> OAuthProvider:
    configure_provider(env, oauth_provider, "google")
    configure_provider(env, oauth_provider, "github")
    return oauth_provider


def _link(client, env, token, **body):
    return client.post("/v1/auth/accounts", json=body, headers=bearer(env, token))


def _accounts(client, env, token):
    return client.get("/v1/auth/accounts", headers=bearer(env, token)).json()


def test_link_google_with_a_code_then_sign_in_with_it(client, env, providers):
    ada = signup(client, env)
    providers.sign_in_as(subject="g-ada", email="ada.personal@gmail.test")
    response = _link(
        client, env, ada["accessToken"], provider="google", code=app_code(providers), redirectUri=APP_REDIRECT
    )
    assert response.status_code == 201, response.text
    account = response.json()
    assert account["provider"] == "google" and account["providerAccountId"] == "g-ada"
    assert account["email"] == "ada.personal@gmail.test" and account["linkedAt"] == account["connectedAt"]
    listed = _accounts(client, env, ada["accessToken"])
    assert [a["provider"] for a in listed["items"]] == ["email", "google"]
    assert listed["pagination"]["total"] == 2
    social = api_callback(client, env, "google", idToken=providers.id_token()).json()
    assert social["is_new_user"] is False and social["user"]["id"] == ada["user"]["id"]


def test_link_with_a_server_issued_state(client, env, providers):
    ada = signup(client, env)
    started = authorize(client, env, "google")
    code = query_of(consent(started["authorizationUrl"]))["code"]
    response = _link(client, env, ada["accessToken"], provider="google", code=code, state=started["state"])
    assert response.status_code == 201, response.text


def test_an_identity_linked_elsewhere_or_a_second_account_is_409(client, env, providers):
    ada, bob = signup(client, env), signup(client, env, "bob@example.com")
    assert (
        _link(client, env, ada["accessToken"], provider="github", accessToken=providers.access_token()).status_code
        == 201
    )
    taken = _link(client, env, bob["accessToken"], provider="github", accessToken=providers.access_token())
    assert_error(taken.json(), 409, "auth/account-already-linked")
    providers.sign_in_as(subject="20002", email="ada2@example.com")
    second = _link(client, env, ada["accessToken"], provider="github", accessToken=providers.access_token())
    assert_error(second.json(), 409, "auth/account-already-linked")


LINK_ERRORS = [
    Scenario("no token", "POST", "/v1/auth/accounts", key, {"provider": "google", "idToken": "x"}, status=401,
             error_code="auth/unauthorized"),
    Scenario("no provider", "POST", "/v1/auth/accounts", lambda env: bearer(env, env.user_token("u1")), {},
             status=400, error_code="auth/validation-error"),
    Scenario("unsupported provider", "POST", "/v1/auth/accounts", lambda env: bearer(env, env.user_token("u1")),
             {"provider": "apple", "code": "x"}, status=400, error_code="auth/unsupported-provider"),
    Scenario("no credentials", "POST", "/v1/auth/accounts", lambda env: bearer(env, env.user_token("u1")),
             {"provider": "google"}, status=400, error_code="auth/missing-credentials"),
    Scenario("bad provider token", "POST", "/v1/auth/accounts", lambda env: bearer(env, env.user_token("u1")),
             {"provider": "github", "accessToken": "nope"}, status=401, error_code="auth/invalid-oauth-code"),
    Scenario("list without token", "GET", "/v1/auth/accounts", key, status=401, error_code="auth/unauthorized"),
    Scenario("unlink unknown provider", "DELETE", "/v1/auth/accounts/apple",
             lambda env: bearer(env, env.user_token("u1")), status=400, error_code="auth/unsupported-provider"),
    Scenario("unlink unlinked", "DELETE", "/v1/auth/accounts/google", lambda env: bearer(env, env.user_token("u1")),
             status=404, error_code="auth/account-not-found"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", LINK_ERRORS, ids=lambda s: s.name)
def test_link_errors(client, env, providers, scenario):
    run(client, env, scenario)


def test_unlink_google_keeps_the_password(client, env, providers):
    ada = signup(client, env)
    _link(client, env, ada["accessToken"], provider="google", idToken=providers.id_token())
    response = client.delete("/v1/auth/accounts/google", headers=bearer(env, ada["accessToken"]))
    assert response.status_code == 200 and response.json()["message"]
    assert [a["provider"] for a in _accounts(client, env, ada["accessToken"])["items"]] == ["email"]
    assert signin(client, env).status_code == 200


def test_unlink_email_forgets_the_password(client, env, providers):
    ada = signup(client, env)
    _link(client, env, ada["accessToken"], provider="google", idToken=providers.id_token())
    assert client.delete("/v1/auth/accounts/email", headers=bearer(env, ada["accessToken"])).status_code == 200
    assert_error(signin(client, env).json(), 401, "auth/invalid-credentials")
    assert api_callback(client, env, "google", idToken=providers.id_token()).status_code == 200


def test_the_last_way_in_cannot_be_unlinked(client, env, providers):
    social = api_callback(client, env, "google", idToken=providers.id_token()).json()
    response = client.delete("/v1/auth/accounts/google", headers=bearer(env, social["accessToken"]))
    assert response.status_code == 400
    assert_error(response.json(), 400, "auth/last-auth-method")


def test_a_password_less_email_account_counts_only_while_magic_links_are_on(client, env, providers):
    ada = signup(client, env)
    _link(client, env, ada["accessToken"], provider="google", idToken=providers.id_token())
    client.delete("/v1/auth/accounts/email", headers=bearer(env, ada["accessToken"]))
    assert client.delete("/v1/auth/accounts/google", headers=bearer(env, ada["accessToken"])).status_code == 400
    configure(env, magicLinkEnabled=False)
    assert (
        _link(client, env, ada["accessToken"], provider="github", accessToken=providers.access_token()).status_code
        == 201
    )
    assert client.delete("/v1/auth/accounts/github", headers=bearer(env, ada["accessToken"])).status_code == 200
    last = client.delete("/v1/auth/accounts/google", headers=bearer(env, ada["accessToken"]))
    assert_error(last.json(), 400, "auth/last-auth-method")


# --- accounts/check ------------------------------------------------------------------------------------------


def _check(client, env, **body):
    return client.post("/v1/auth/accounts/check", json=body, headers=key(env))


def test_check_tells_whether_an_account_exists(client, env, providers):
    signup(client, env)
    api_callback(client, env, "google", idToken=providers.id_token(Person(subject="g-1", email="g@example.com")))
    assert _check(client, env, type="credentials", provider="email", providerAccountId="ADA@example.com").json() == {
        "exists": True, "type": "credentials", "provider": "email"
    }  # fmt: skip
    assert _check(client, env, type="oauth", provider="google", providerAccountId="g-1").json()["exists"] is True
    assert _check(client, env, type="credentials", provider="email", providerAccountId="no@example.com").json() == {
        "exists": False
    }
    garbage = {"x-api-key": env.pk, "authorization": "Bearer garbage"}
    response = client.post("/v1/auth/accounts/check", headers=garbage,
                           json={"type": "oauth", "provider": "github", "providerAccountId": "1"})  # fmt: skip
    assert response.json() == {"exists": False}


@pytest.mark.parametrize(
    "body, code",
    [
        ({"provider": "email", "providerAccountId": "a@b.co"}, "auth/validation-error"),
        ({"type": "email", "provider": "email", "providerAccountId": "a@b.co"}, "auth/validation-error"),
        ({"type": "oauth", "provider": "email", "providerAccountId": "a@b.co"}, "auth/validation-error"),
        ({"type": "oauth", "provider": "apple", "providerAccountId": "1"}, "auth/unsupported-provider"),
        ({"type": "credentials", "provider": "email"}, "auth/validation-error"),
    ],
    ids=["no type", "old type name", "type mismatch", "unsupported", "no id"],
)
def test_check_errors(client, env, body, code):
    response = _check(client, env, **body)
    assert_error(response.json(), 400, code)


def test_check_is_rate_limited_per_ip(client, env):
    configure(env, rateLimits={"accounts-check-ip": {"limit": 2}})
    body = {"type": "credentials", "provider": "email", "providerAccountId": "a@example.com"}
    assert [_check(client, env, **body).status_code for _ in range(3)] == [200, 200, 429]
    assert _check(client, env, **body).json()["error"]["code"] == "auth/too-many-requests"
