"""Social sign-in end to end: a live `bkend-mcp serve` and our local OAuth provider, both on 127.0.0.1. A Google-
style round trip through the server-built URL and the browser redirect, a GitHub-style app-built code exchange,
linking, and the tenant-side configuration through the REST management routes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.test_auth_over_http import PASSWORD, server  # noqa: F401  (the live-server fixture)
from tests.oauth_provider import CLIENT_ID, CLIENT_SECRET, OAuthProvider

APP = "http://app.test/welcome"


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _browser_get(url: str) -> httpx.Response:
    response = httpx.get(url, follow_redirects=False, timeout=20)
    assert response.status_code == 302, response.text
    return response


@pytest.fixture(scope="module")
def http(server, oauth_server: OAuthProvider) -> Iterator[httpx.Client]:  # noqa: F811  (server)
    admin = {"x-api-key": server["sk"]}
    with httpx.Client(base_url=server["base"], timeout=20, headers={"x-api-key": server["pk"]}) as client:
        for name in ("google", "github"):
            body = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "endpoints": oauth_server.endpoints(name)}
            configured = client.put(f"/v1/auth/providers/oauth/{name}", json=body, headers=admin)
            assert configured.status_code == 200, configured.text
            assert configured.json()["redirectUri"] == f"{server['base']}/v1/auth/{name}/callback"
        yield client


def test_google_redirect_round_trip(http, oauth_server):
    oauth_server.sign_in_as(subject="e2e-g-1", email="grace.e2e@example.com")
    started = http.get("/v1/auth/google/authorize", params={"redirect": APP, "state": "app-1"})
    assert started.status_code == 200, started.text
    at_provider = _browser_get(started.json()["authorizationUrl"])
    callback = at_provider.headers["location"]
    assert callback.startswith(f"{http.base_url}/v1/auth/google/callback?")
    back_at_app = _browser_get(callback)
    query = _query(back_at_app.headers["location"])
    assert back_at_app.headers["location"].startswith(APP + "?")
    assert query["isNewUser"] == "true" and query["state"] == "app-1"
    me = http.get("/v1/auth/me", headers={"authorization": f"Bearer {query['accessToken']}"}).json()
    assert me["email"] == "grace.e2e@example.com" and me["emailVerified"] is not None
    refreshed = http.post("/v1/auth/refresh", json={"refreshToken": query["refreshToken"]})
    assert refreshed.status_code == 200


def test_github_app_built_code_exchange_and_linking(http, oauth_server):
    signup = http.post("/v1/auth/email/signup", json={"email": "octo.e2e@example.com", "password": PASSWORD,
                                                       "name": "Octo"})  # fmt: skip
    assert signup.status_code == 201
    oauth_server.sign_in_as(subject="424242", email="octo.e2e@example.com", login="octocat")
    params = {"client_id": CLIENT_ID, "redirect_uri": APP, "response_type": "code", "state": "s"}
    code = _query(_browser_get(str(httpx.URL(oauth_server.endpoints("github")["authorize"], params=params))).headers[
        "location"])["code"]  # fmt: skip
    collision = http.post("/v1/auth/github/callback", json={"code": code, "redirectUri": APP})
    assert collision.status_code == 409
    assert collision.json()["error"]["code"] == "auth/account-exists-different-provider"
    token = signup.json()["accessToken"]
    linked = http.post("/v1/auth/accounts", json={"provider": "github", "accessToken": oauth_server.access_token()},
                       headers={"authorization": f"Bearer {token}"})  # fmt: skip
    assert linked.status_code == 201, linked.text
    code = _query(_browser_get(str(httpx.URL(oauth_server.endpoints("github")["authorize"], params=params))).headers[
        "location"])["code"]  # fmt: skip
    signed_in = http.post("/v1/auth/github/callback", json={"code": code, "redirectUri": APP})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["is_new_user"] is False
    assert signed_in.json()["user"]["id"] == signup.json()["user"]["id"]
