"""E-mail verification over HTTP (spec/auth.md §2.5 #18-#22): the sign-up link opened from a mail client, and the
contact-address family."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.auth_helpers import (
    bearer,
    configure,
    expire_mailed_tokens,
    key,
    last_link,
    mailed_token,
    mails,
    signup,
)
from tests.api.scenario import Scenario, assert_error, run

APP = "https://app.example.com/verified"


def _resend(client, env, email="ada@example.com", **extra):
    return client.post("/v1/auth/signup/email/resend", json={"email": email, **extra}, headers=key(env))


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_the_signup_link_confirms_with_the_documented_wrapped_body(client, env):
    pair = signup(client, env)
    response = _resend(client, env)
    assert response.status_code == 200 and response.json()["email"] == "ada@example.com"
    link = last_link(env, "ada@example.com")
    assert "/v1/auth/signup/email/confirm?token=" in link
    confirmed = client.get(_path(link))  # a browser: no API key
    assert confirmed.status_code == 200
    assert confirmed.json() == {"success": True, "data": {"verified": True, "email": "ada@example.com"}}
    me = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).json()
    assert me["emailVerified"] is not None
    again = client.get(_path(link))
    assert again.status_code == 404
    assert_error(again.json(), 404, "auth/verification-token-not-found")
    assert _resend(client, env).json()["error"]["code"] == "auth/already-verified"


def test_the_signup_link_redirects_to_the_stored_callback(client, env):
    signup(client, env)
    _resend(client, env, callbackUrl=APP)
    link = last_link(env, "ada@example.com")
    response = client.get(_path(link), follow_redirects=False)
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == APP
    assert parse_qs(target.query) == {"verified": ["true"], "email": ["ada@example.com"]}
    failed = client.get(_path(link), follow_redirects=False)
    assert failed.status_code == 302
    query = parse_qs(urlsplit(failed.headers["location"]).query)
    assert query["verified"] == ["false"] and query["error"] == ["auth/verification-token-not-found"]


def test_the_signup_link_never_redirects_to_a_url_it_did_not_send(client, env):
    signup(client, env)
    _resend(client, env, callbackUrl=APP)
    link = last_link(env, "ada@example.com").replace("app.example.com", "evil.example.net")
    response = client.get(_path(link), follow_redirects=False)
    assert response.status_code == 200 and response.json()["data"]["verified"] is True


def test_an_expired_signup_link_is_401(client, env):
    signup(client, env)
    _resend(client, env)
    expire_mailed_tokens(env)
    response = client.get(_path(last_link(env, "ada@example.com")))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/verification-token-expired"


def test_required_verification_mails_the_link_at_signup(client, env):
    configure(env, requireEmailVerification=True)
    signup(client, env, "eve@example.com")
    assert client.get(_path(last_link(env, "eve@example.com"))).status_code == 200
    body = {"email": "eve@example.com", "password": "Passw0rd!"}
    assert client.post("/v1/auth/email/signin", json=body, headers=key(env)).status_code == 200


def test_resend_for_an_unknown_address_is_a_silent_200(client, env):
    response = _resend(client, env, "ghost@example.com")
    assert response.status_code == 200 and mails(env, "ghost@example.com") == []


CONFIRM_ERRORS = [
    Scenario("no token", "GET", "/v1/auth/signup/email/confirm?email=a%40b.co", status=404,
             error_code="auth/verification-token-not-found"),
    Scenario("unknown token", "GET", "/v1/auth/signup/email/confirm?email=a%40b.co&token=" + "ab" * 32, status=404,
             error_code="auth/verification-token-not-found"),
    Scenario("resend: bad email", "POST", "/v1/auth/signup/email/resend", key, {"email": "x"}, status=400,
             error_code="auth/invalid-email"),
    Scenario("verify/send: bad url", "POST", "/v1/auth/email/verify/send", key,
             {"email": "a@b.co", "callbackUrl": "nope"}, status=400, error_code="auth/invalid-url"),
    Scenario("verify/confirm: unknown token", "POST", "/v1/auth/email/verify/confirm", key,
             {"email": "a@b.co", "token": "ab" * 32}, status=404, error_code="auth/verification-token-not-found"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", CONFIRM_ERRORS, ids=lambda s: s.name)
def test_verification_rejects(client, env, scenario):
    run(client, env, scenario)


def _verify_send(client, env, headers, email, path="send", **extra):
    return client.post(f"/v1/auth/email/verify/{path}", json={"email": email, **extra}, headers=headers)


def _verify_confirm(client, env, headers, email, token):
    return client.post("/v1/auth/email/verify/confirm", json={"email": email, "token": token}, headers=headers)


def test_verifying_a_new_address_moves_the_user_to_it(client, env):
    pair = signup(client, env)
    headers = bearer(env, pair["accessToken"])
    sent = _verify_send(client, env, headers, "Ada.New@example.com", callbackUrl=APP)
    assert sent.status_code == 200 and sent.json()["email"] == "ada.new@example.com"
    assert last_link(env, "ada.new@example.com").startswith(APP + "?token=")
    token = mailed_token(env, "ada.new@example.com")
    confirmed = _verify_confirm(client, env, key(env), "ada.new@example.com", token)
    assert confirmed.status_code == 200 and confirmed.json()["verified"] is True
    me = client.get("/v1/auth/me", headers=headers).json()
    assert me["email"] == "ada.new@example.com" and me["emailVerified"] is not None
    body = {"email": "ada.new@example.com", "password": "Passw0rd!"}
    assert client.post("/v1/auth/email/signin", json=body, headers=key(env)).status_code == 200


def test_verifying_the_own_address_without_a_token(client, env):
    signup(client, env)
    assert _verify_send(client, env, key(env), "ada@example.com", path="resend").status_code == 200
    token = mailed_token(env, "ada@example.com")
    assert _verify_confirm(client, env, key(env), "ada@example.com", token).status_code == 200
    again = _verify_send(client, env, key(env), "ada@example.com")
    assert again.status_code == 400 and again.json()["error"]["code"] == "auth/already-verified"


def test_an_address_held_by_another_user_is_409(client, env):
    pair = signup(client, env)
    signup(client, env, "bob@example.com")
    response = _verify_send(client, env, bearer(env, pair["accessToken"]), "bob@example.com")
    assert response.status_code == 409 and response.json()["error"]["code"] == "auth/email-already-exists"


def test_a_stale_token_on_an_optional_endpoint_is_ignored(client, env):
    signup(client, env)
    headers = {**key(env), "authorization": "Bearer garbage"}
    assert _verify_send(client, env, headers, "ada@example.com").status_code == 200


def test_verify_for_an_unknown_address_is_a_silent_200(client, env):
    response = _verify_send(client, env, key(env), "ghost@example.com")
    assert response.status_code == 200 and mails(env, "ghost@example.com") == []
