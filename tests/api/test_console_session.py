"""Console sign-in (bkend_mcp/docs/management-api.md "Authentication"): the setup link, sign-in and sign-out, wrong
passwords without enumeration, lockout, session expiry, the cookie's attributes, CSRF and Origin refusals, and a
password change ending the other sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bkend_mcp.domain import dates, tenancy
from bkend_mcp.domain.console import console_sessions
from bkend_mcp.domain.console.console_collections import SESSIONS, SETUP_TOKENS
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.domain.team import owner_setup
from tests.api.console_helpers import OWNER_EMAIL, PASSWORD, Browser, error, make_owner, ok

SESSION = "/v1/console/session"


@pytest.fixture
def browser(client, env) -> Browser:
    return Browser(client)


@pytest.fixture
def owner(browser, env) -> Browser:
    make_owner(env.backend)
    browser.sign_in()
    return browser


def _token(link: str) -> str:
    return link.split("token=")[1]


# --- the setup link ----------------------------------------------------------------------------------------------


def test_first_start_offers_a_setup_link_until_the_owner_has_a_password(env):
    link = owner_setup.link_at_start(env.backend)
    assert link is not None and link.startswith(f"{env.backend.config.base_url}/console/setup?token=")
    make_owner(env.backend)
    assert owner_setup.link_at_start(env.backend) is None


def test_setup_link_sets_the_owner_password_and_signs_in_once(browser, env):
    token = _token(owner_setup.issue_link(env.backend))
    status = ok(browser.get(f"/v1/console/setup?token={token}"))
    assert status["valid"] is True and status["email"] is None and status["expiresAt"].endswith("Z")
    body = {"token": token, "email": "Me@Example.com", "password": PASSWORD, "name": "Me"}
    view = browser.adopt(browser.post("/v1/console/setup", body))
    assert view["tenant"] == {
        "id": tenancy.LOCAL_OWNER_ID,
        "email": "me@example.com",
        "name": "Me",
        "kind": "local-owner",
    }
    assert [o["role"] for o in view["organizations"]] == ["owner"]
    error(browser.post("/v1/console/setup", body), 401, "auth/invalid-token")
    error(browser.get(f"/v1/console/setup?token={token}"), 401, "auth/invalid-token")
    assert env.backend.control(SETUP_TOKENS).get(token) is None, "only the hash is stored"
    ok(Browser(browser.client).post(SESSION, {"email": "me@example.com", "password": PASSWORD}))


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"email": "me@example.com", "password": "short"}, 400, "auth/invalid-password-format", "password"),
        ({"email": "me@example.com", "password": "password123"}, 400, "auth/weak-password", "password"),
        ({"email": "not-an-address", "password": PASSWORD}, 400, "auth/invalid-email", "email"),
        ({"email": "me@example.com", "password": PASSWORD, "name": ""}, 400, "auth/invalid-name-format", "name"),
    ],
    ids=["short password", "common password", "bad email", "empty name"],
)
def test_setup_refuses_bad_input_and_keeps_the_link(browser, env, body, status, code, field):
    token = _token(owner_setup.issue_link(env.backend))
    body = error(browser.post("/v1/console/setup", {"token": token, **body}), status, code)
    assert body["error"]["details"][0]["field"] == field
    assert ok(browser.get(f"/v1/console/setup?token={token}"))["valid"] is True


def test_expired_and_replaced_setup_links_are_refused(browser, env):
    old = _token(owner_setup.issue_link(env.backend))
    new = _token(owner_setup.issue_link(env.backend))
    error(browser.get(f"/v1/console/setup?token={old}"), 401, "auth/invalid-token")
    env.backend.control(SETUP_TOKENS).update(sha256_hex(new), {"expiresAt": dates.now() - timedelta(seconds=1)})
    error(browser.get(f"/v1/console/setup?token={new}"), 401, "auth/token-expired")
    error(browser.get("/v1/console/setup"), 401, "auth/invalid-token")


# --- sign-in, sign-out ---------------------------------------------------------------------------------------------


def test_sign_in_sets_a_strict_http_only_cookie_holding_a_hashed_token(browser, env):
    make_owner(env.backend)
    response = browser.post(SESSION, {"email": OWNER_EMAIL.upper(), "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower(), "plain http: no Secure flag"
    view = browser.adopt(response)
    assert view["tenant"]["email"] == OWNER_EMAIL and view["csrfToken"]
    assert env.backend.control(SESSIONS).get(sha256_hex(browser.cookie)) is not None
    assert env.backend.control(SESSIONS).get(browser.cookie) is None


def test_cookie_is_secure_behind_an_https_public_url(env):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from bkend_mcp.rest.app import create_app

    make_owner(env.backend)
    env.backend.config = replace(env.backend.config, public_url="https://console.example")
    https = Browser(TestClient(create_app(env.backend.config, env.backend), base_url="https://console.example"))
    response = https.post(SESSION, {"email": OWNER_EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert "secure" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    "body",
    [
        {"email": OWNER_EMAIL, "password": "wrong password!"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
    ids=["wrong password", "unknown address"],
)
def test_wrong_credentials_get_one_answer(browser, env, body):
    make_owner(env.backend)
    response = error(browser.post(SESSION, body), 401, "auth/invalid-credentials")
    assert "set-cookie" not in {k.lower() for k in browser.post(SESSION, body).headers}
    assert response["message"] == "Invalid email or password"


def test_an_account_without_password_cannot_sign_in(browser, env):
    error(browser.post(SESSION, {"email": "local@example.com", "password": PASSWORD}), 401, "auth/invalid-credentials")


def test_five_failures_lock_the_address_even_for_the_right_password(browser, env):
    make_owner(env.backend)
    for _ in range(5):
        error(
            browser.post(SESSION, {"email": OWNER_EMAIL, "password": "wrong password!"}),
            401,
            "auth/invalid-credentials",
        )
    locked = browser.post(SESSION, {"email": OWNER_EMAIL, "password": PASSWORD})
    error(locked, 429, "auth/account-locked")
    assert int(locked.headers["retry-after"]) > 0


def test_session_answers_who_is_signed_in_and_sign_out_ends_it(owner):
    view = ok(owner.get(SESSION))
    assert view["tenant"]["id"] == tenancy.LOCAL_OWNER_ID
    assert view["csrfToken"] == owner.csrf
    out = owner.delete(SESSION)
    assert ok(out) == {"signedOut": True}
    assert "max-age=0" in out.headers["set-cookie"].lower()
    refused = error(owner.get(SESSION), 401, "common/authentication-required")
    assert refused["statusCode"] == 401


def test_no_cookie_and_a_forged_cookie_are_refused(browser, env):
    error(browser.get(SESSION), 401, "common/authentication-required")
    browser.cookie = "forged"
    response = browser.get("/v1/console/organizations")
    error(response, 401, "common/authentication-required")
    assert "max-age=0" in response.headers["set-cookie"].lower(), "a dead cookie is cleared"


@pytest.mark.parametrize(
    ("field", "age"),
    [("lastSeenAt", console_sessions.IDLE), ("expiresAt", timedelta(0))],
    ids=["idle for 12 hours", "past the absolute lifetime"],
)
def test_sessions_end(owner, env, field, age):
    sessions = env.backend.control(SESSIONS)
    doc = sessions.get(sha256_hex(owner.cookie))
    moved = dates.now() - age - timedelta(seconds=1)
    sessions.update(doc["_id"], {field: moved})
    error(owner.get(SESSION), 401, "common/authentication-required")
    assert sessions.get(doc["_id"]) is None, "an ended session is deleted"


def test_activity_keeps_a_session_alive(owner, env):
    sessions = env.backend.control(SESSIONS)
    key = sha256_hex(owner.cookie)
    sessions.update(key, {"lastSeenAt": dates.now() - console_sessions.IDLE + timedelta(minutes=5)})
    ok(owner.get(SESSION))
    assert dates.iso(sessions.get(key)["lastSeenAt"]) > dates.iso(dates.now() - timedelta(minutes=1))


# --- CSRF and Origin -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-csrf-token": "0" * 64}],
    ids=["no CSRF header", "wrong CSRF header"],
)
def test_cookie_writes_need_the_csrf_header(owner, env, headers):
    response = owner.request("POST", "/v1/console/organizations", {"name": "Acme"}, csrf=False, **headers)
    error(response, 403, "common/forbidden")
    assert [o["slug"] for o in tenancy.list_organizations(env.backend, tenancy.LOCAL_OWNER_ID)] == ["local"]


def test_reads_need_no_csrf_header(owner):
    ok(owner.request("GET", "/v1/console/organizations", csrf=False))


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/v1/console/organizations", {"name": "Acme"}),
        ("POST", SESSION, {"email": OWNER_EMAIL, "password": PASSWORD}),
    ],
    ids=["signed-in write", "sign-in (login CSRF)"],
)
def test_cross_site_origins_are_refused(owner, method, url, body):
    error(owner.request(method, url, body, origin="https://evil.example"), 403, "common/forbidden")


def test_the_servers_own_origin_is_accepted(owner):
    ok(owner.post("/v1/console/organizations", {"name": "Acme"}, origin="http://127.0.0.1:8000"), 201)


# --- account ---------------------------------------------------------------------------------------------------------


def test_password_change_ends_every_other_session(owner, client, env):
    other = Browser(client)
    other.sign_in()
    body = {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}
    assert ok(owner.post("/v1/console/account/password", body)) == {"changed": True}
    error(other.get(SESSION), 401, "common/authentication-required")
    ok(owner.get(SESSION))
    Browser(client).sign_in(password="a brand new passphrase")


def test_password_change_needs_the_current_password(owner):
    body = {"currentPassword": "not it at all", "newPassword": "a brand new passphrase"}
    assert error(owner.post("/v1/console/account/password", body), 401, "auth/invalid-password")["error"]["details"]


def test_rename_account(owner):
    assert ok(owner.patch("/v1/console/account", {"name": "Olive"}))["tenant"]["name"] == "Olive"
    error(owner.patch("/v1/console/account", {"name": ""}), 400, "auth/invalid-name-format")


# --- personal tokens instead of the cookie ----------------------------------------------------------------------


def test_a_personal_token_works_without_cookie_or_csrf(client, env):
    token = pats.create_pat(env.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id)["token"]
    script = Browser(client, extra={"authorization": f"Bearer {token}"})
    listed = ok(script.get(f"/v1/console/projects/{env.project_id}/environments"))
    assert [e["environment"] for e in listed["items"]] == ["dev"]
    made = script.post(f"/v1/console/organizations/{env.organization_id}/projects", {"name": "Scripted"})
    assert ok(made, 201)["slug"] == "scripted"
    error(script.get(SESSION), 401, "common/authentication-required")


def test_a_read_only_token_cannot_write(client, env):
    token = pats.create_pat(
        env.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id, scopes=["*:read"]
    )["token"]
    script = Browser(client, extra={"authorization": f"Bearer {token}"})
    error(
        script.post(f"/v1/console/organizations/{env.organization_id}/projects", {"name": "X"}), 403, "common/forbidden"
    )
    error(
        Browser(client, extra={"authorization": "Bearer mcp_" + "0" * 64}).get("/v1/console/organizations"),
        401,
        "oauth/invalid-token",
    )
