"""Google and GitHub sign-in over HTTP against a real local OAuth provider (spec/auth.md §2.2 #6-#8, §6 rule 12)."""

from __future__ import annotations

import socket

import pytest

from bkend_mcp.domain.auth import collections, oauth_config, users
from tests.api.auth_helpers import PASSWORD, bearer, configure, key, signup
from tests.api.oauth_helpers import (
    APP_REDIRECT,
    api_callback,
    app_code,
    authorize,
    configure_provider,
    consent,
    path_of,
    query_of,
    server_round_trip,
)
from tests.api.scenario import assert_error
from tests.oauth_provider import CLIENT_ID, OAuthProvider, Person


@pytest.fixture
def google(env, oauth_provider: OAuthProvider) -> OAuthProvider:
    configure_provider(env, oauth_provider, "google")
    return oauth_provider


@pytest.fixture
def github(env, oauth_provider: OAuthProvider) -> OAuthProvider:
    configure_provider(env, oauth_provider, "github")
    return oauth_provider


def _me(client, env, token):
    return client.get("/v1/auth/me", headers=bearer(env, token))


# --- start ---------------------------------------------------------------------------------------------------


def test_authorize_builds_the_provider_url_with_state_and_pkce(client, env, google):
    body = authorize(client, env, "google", redirect=APP_REDIRECT, state="mine")
    url = body["authorizationUrl"]
    query = query_of(url)
    assert url.startswith(google.endpoints("google")["authorize"] + "?")
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == f"{env.backend.config.base_url}/v1/auth/google/callback"
    assert query["scope"] == "openid email profile"
    assert query["state"] == body["state"] and len(body["state"]) == 64
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]


def test_github_authorize_has_no_pkce(client, env, github):
    query = query_of(authorize(client, env, "github")["authorizationUrl"])
    assert "code_challenge" not in query and query["scope"] == "read:user user:email"


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/v1/auth/twitter/authorize", 400, "auth/unsupported-provider"),
        ("/v1/auth/email/authorize", 400, "auth/unsupported-provider"),
        ("/v1/auth/github/authorize", 400, "auth/oauth-not-configured"),
        ("/v1/auth/google/authorize?redirect=javascript:alert(1)", 400, "auth/invalid-url"),
        ("/v1/auth/google/authorize?redirect=/relative", 400, "auth/invalid-url"),
    ],
    ids=["unknown provider", "email is no oauth provider", "unconfigured", "script url", "relative url"],
)
def test_authorize_errors(client, env, google, path, status, code):
    response = client.get(path, headers=key(env))
    assert response.status_code == status
    assert_error(response.json(), status, code)


def test_a_disabled_provider_is_not_configured(client, env, google):
    oauth_config.update(env.backend, env.environment_id, "google", {"enabled": False})
    response = client.get("/v1/auth/google/authorize", headers=key(env))
    assert_error(response.json(), 400, "auth/oauth-not-configured")


def test_authorize_needs_the_key(client, env, google):
    assert client.get("/v1/auth/google/authorize").status_code == 400


# --- browser redirect mode -----------------------------------------------------------------------------------


def test_google_round_trip_redirects_to_the_app_with_tokens(client, env, google):
    response = server_round_trip(client, env, "google", redirect=APP_REDIRECT, state="app-xyz")
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(APP_REDIRECT + "?")
    query = query_of(location)
    assert query["isNewUser"] == "true" and query["expiresIn"] == "3600" and query["state"] == "app-xyz"
    me = _me(client, env, query["accessToken"]).json()
    assert me["email"] == "grace@example.com" and me["name"] == "Grace Hopper"
    assert me["image"] == "https://img.example.com/grace.png" and me["emailVerified"] is not None
    assert google.token_requests[-1]["code_verifier"], "PKCE verifier sent with the exchange"
    again = query_of(server_round_trip(client, env, "google", redirect=APP_REDIRECT).headers["location"])
    assert again["isNewUser"] == "false"
    assert _me(client, env, again["accessToken"]).json()["id"] == me["id"]


def test_without_redirect_the_callback_answers_json(client, env, google):
    response = server_round_trip(client, env, "google")
    assert response.status_code == 200
    body = response.json()
    assert (
        body["is_new_user"] is True and body["tokenType"] == "Bearer" and body["user"]["email"] == "grace@example.com"
    )


def test_a_state_works_once(client, env, google):
    back = consent(authorize(client, env, "google")["authorizationUrl"])
    assert client.get(path_of(back)).status_code == 200
    replay = client.get(path_of(back))
    assert replay.status_code == 400
    assert_error(replay.json(), 400, "auth/invalid-state")


def test_a_used_state_redirects_with_the_error(client, env, google):
    back = consent(authorize(client, env, "google", redirect=APP_REDIRECT)["authorizationUrl"])
    client.get(path_of(back), follow_redirects=False)
    replay = client.get(path_of(back), follow_redirects=False)
    assert replay.status_code == 302
    query = query_of(replay.headers["location"])
    assert query["error"] == "auth/invalid-state" and query["errorMessage"] and "accessToken" not in query


def test_a_denied_consent_redirects_with_an_error(client, env, google):
    google.deny_next = True
    response = server_round_trip(client, env, "google", redirect=APP_REDIRECT, state="s1")
    query = query_of(response.headers["location"])
    assert query["error"] == "auth/invalid-oauth-code" and "said no" in query["errorMessage"] and query["state"] == "s1"


def test_the_get_callback_with_a_key_and_no_server_state_is_the_api_form(client, env, google):
    code = app_code(google, "google")
    response = client.get(
        "/v1/auth/google/callback", params={"code": code, "redirectUri": APP_REDIRECT}, headers=key(env)
    )
    assert response.status_code == 200 and response.json()["is_new_user"] is True


def test_the_get_callback_without_key_or_server_state_is_refused(client, env, google):
    response = client.get("/v1/auth/google/callback", params={"code": "x", "state": "not-ours"})
    assert response.status_code == 400
    assert_error(response.json(), 400, "data/invalid-header")


# --- API mode ------------------------------------------------------------------------------------------------


def test_google_code_exchange_with_the_apps_redirect_uri(client, env, google):
    code = app_code(google, "google")
    response = api_callback(client, env, "google", code=code, redirectUri=APP_REDIRECT, state="app-state")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["is_new_user"] is True and body["user"]["email"] == "grace@example.com"
    assert _me(client, env, body["accessToken"]).status_code == 200


def test_a_server_state_posted_to_the_api_callback_supplies_verifier_and_redirect_uri(client, env, google):
    started = authorize(client, env, "google")
    code = query_of(consent(started["authorizationUrl"]))["code"]
    response = api_callback(client, env, "google", code=code, state=started["state"])
    assert response.status_code == 200, response.text
    assert api_callback(client, env, "google", code=code, state=started["state"]).json()["error"]["code"] == (
        "auth/invalid-state"
    )


def test_github_code_exchange(client, env, github):
    github.sign_in_as(subject="583231", email="Octo@Example.com", name=None, login="octocat")
    code = app_code(github, "github")
    body = api_callback(client, env, "github", code=code, redirectUri=APP_REDIRECT).json()
    assert body["is_new_user"] is True
    assert body["user"]["email"] == "octo@example.com" and body["user"]["name"] == "octocat"
    account = users.find_account(env.backend, env.environment_id, "github", "583231")
    assert account is not None and account["type"] == "oauth"


@pytest.mark.parametrize("name", ["google", "github"])
def test_a_used_or_unknown_code_is_401(client, env, oauth_provider, name):
    configure_provider(env, oauth_provider, name)
    code = app_code(oauth_provider, name)
    assert api_callback(client, env, name, code=code, redirectUri=APP_REDIRECT).status_code == 200
    again = api_callback(client, env, name, code=code, redirectUri=APP_REDIRECT)
    assert again.status_code == 401
    assert_error(again.json(), 401, "auth/invalid-oauth-code")


def test_a_wrong_redirect_uri_is_401(client, env, google):
    code = app_code(google, "google")
    response = api_callback(client, env, "google", code=code, redirectUri="http://elsewhere.test/cb")
    assert_error(response.json(), 401, "auth/invalid-oauth-code")


def test_google_native_id_token(client, env, google):
    token = google.id_token(Person(subject="g-77", email="native@example.com"))
    body = api_callback(client, env, "google", idToken=token).json()
    assert body["is_new_user"] is True and body["user"]["email"] == "native@example.com"


def test_an_id_token_for_an_additional_client_id(client, env, google):
    oauth_config.update(env.backend, env.environment_id, "google", {"additionalClientIds": ["ios-client"]})
    response = api_callback(client, env, "google", idToken=google.id_token(audience="ios-client"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"iss": "https://evil.example.com"}, {"exp": 1_000_000}],
    ids=["audience", "issuer", "expired"],
)
def test_bad_id_tokens_are_401(client, env, google, claims):
    token = google.id_token(**claims)
    response = api_callback(client, env, "google", idToken=token)
    assert response.status_code == 401
    assert_error(response.json(), 401, "auth/google-id-token-invalid")


def test_an_id_token_signed_by_another_key_is_401(client, env, google):
    forger = OAuthProvider()
    response = api_callback(client, env, "google", idToken=forger.id_token())
    assert_error(response.json(), 401, "auth/google-id-token-invalid")


@pytest.mark.parametrize("name", ["google", "github"])
def test_a_provider_access_token(client, env, oauth_provider, name):
    configure_provider(env, oauth_provider, name)
    body = api_callback(client, env, name, accessToken=oauth_provider.access_token()).json()
    assert body["is_new_user"] is True
    bad = api_callback(client, env, name, accessToken="not-a-token")
    assert_error(bad.json(), 401, "auth/invalid-oauth-code")


@pytest.mark.parametrize(
    "name, body",
    [("google", {}), ("github", {"idToken": "x"}), ("google", {"redirectUri": APP_REDIRECT})],
    ids=["nothing", "id token with github", "only redirectUri"],
)
def test_missing_credentials(client, env, oauth_provider, name, body):
    configure_provider(env, oauth_provider, name)
    response = api_callback(client, env, name, **body)
    assert_error(response.json(), 400, "auth/missing-credentials")


def test_github_without_a_verified_primary_email(client, env, github):
    github.sign_in_as(github_emails=({"email": "x@example.com", "primary": True, "verified": False},))
    response = api_callback(client, env, "github", code=app_code(github, "github"), redirectUri=APP_REDIRECT)
    assert_error(response.json(), 400, "auth/github-email-not-found")


def test_an_unreachable_provider_is_500(client, env, oauth_provider):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    configure_provider(env, oauth_provider, "google", endpoints={"token": f"{closed}/token"})
    response = api_callback(client, env, "google", code="x", redirectUri=APP_REDIRECT)
    assert response.status_code == 500
    assert_error(response.json(), 500, "auth/oauth-callback-failed")


def test_the_callback_ignores_a_stale_authorization_header(client, env, google):
    """compat C5."""
    token = google.id_token()
    headers = {**key(env), "authorization": "Bearer expired.garbage.token"}
    assert client.post("/v1/auth/google/callback", json={"idToken": token}, headers=headers).status_code == 200


# --- linking rules -------------------------------------------------------------------------------------------


def test_an_address_registered_with_a_password_is_409(client, env, google):
    signup(client, env, "grace@example.com")
    response = api_callback(client, env, "google", idToken=google.id_token())
    assert response.status_code == 409
    assert_error(response.json(), 409, "auth/account-exists-different-provider")


def test_auto_link_of_a_provider_verified_address(client, env, google):
    user = signup(client, env, "grace@example.com")["user"]
    configure(env, autoLinkVerifiedEmail=True)
    body = api_callback(client, env, "google", idToken=google.id_token()).json()
    assert body["is_new_user"] is False and body["user"]["id"] == user["id"]
    unverified = google.id_token(Person(subject="other", email="ada@example.com", email_verified=False))
    signup(client, env, "ada@example.com")
    assert_error(
        api_callback(client, env, "google", idToken=unverified).json(), 409, "auth/account-exists-different-provider"
    )


def test_a_later_sign_in_does_not_overwrite_the_profile(client, env, google):
    first = api_callback(client, env, "google", idToken=google.id_token()).json()
    client.patch(f"/v1/users/{first['user']['id']}/profile", json={"name": "Amazing Grace"},
                 headers=bearer(env, first["accessToken"]))  # fmt: skip
    again = api_callback(client, env, "google", idToken=google.id_token()).json()
    assert again["user"]["name"] == "Amazing Grace" and again["is_new_user"] is False


def test_a_banned_user_cannot_sign_in_with_google(client, env, google):
    user = api_callback(client, env, "google", idToken=google.id_token()).json()["user"]
    users.update(env.backend, env.environment_id, user["id"], {"status": "banned"})
    assert_error(api_callback(client, env, "google", idToken=google.id_token()).json(), 403, "auth/account-banned")


def test_the_client_secret_is_write_only_and_encrypted(client, env, google):
    shown = client.get("/v1/auth/providers/oauth/google", headers={"x-api-key": env.sk}).json()
    assert shown["clientSecretSet"] is True and "clientSecret" not in shown
    stored = env.backend.data(env.environment_id, collections.CONFIG).get("oauth")
    assert "s3cret-of-the-client" not in str(stored) and stored["providers"]["google"]["clientSecretEnc"]


def test_a_social_only_user_cannot_use_password_sign_in(client, env, google):
    api_callback(client, env, "google", idToken=google.id_token())
    body = {"email": "grace@example.com", "password": PASSWORD}
    response = client.post("/v1/auth/email/signin", json=body, headers=key(env))
    assert_error(response.json(), 401, "auth/invalid-credentials")
