"""Helpers for the social sign-in tests: point an environment at the local OAuth provider and walk the browser leg."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.testclient import TestClient

from bkend_mcp.domain.auth import oauth_config
from tests.api.auth_helpers import key
from tests.oauth_provider import CLIENT_ID, CLIENT_SECRET, OAuthProvider

APP_REDIRECT = "http://app.test/auth/done"


def configure_provider(env: Any, provider: OAuthProvider, name: str = "google", **changes: Any) -> dict[str, Any]:
    body = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "endpoints": provider.endpoints(name), **changes}
    return oauth_config.update(env.backend, env.environment_id, name, body)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def consent(url: str) -> str:
    """Follow the provider's authorize URL as a browser would; returns where the provider sends it next."""
    response = httpx.get(url, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def authorize(client: TestClient, env: Any, name: str = "google", **params: str) -> dict[str, Any]:
    response = client.get(f"/v1/auth/{name}/authorize", params=params, headers=key(env))
    assert response.status_code == 200, response.text
    return response.json()


def server_round_trip(client: TestClient, env: Any, name: str = "google", **params: str) -> Any:
    """Server-built flow: authorize → provider consent → our GET callback (as the browser, without a key)."""
    back = consent(authorize(client, env, name, **params)["authorizationUrl"])
    return client.get(path_of(back), follow_redirects=False)


def app_code(provider: OAuthProvider, name: str = "google", redirect_uri: str = APP_REDIRECT) -> str:
    """App-built flow: the app sends the browser to the provider itself and receives the code."""
    query = {"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code", "state": "app-state"}
    back = consent(str(httpx.URL(provider.endpoints(name)["authorize"], params=query)))
    found = query_of(back)
    assert found["state"] == "app-state"
    return found["code"]


def api_callback(client: TestClient, env: Any, name: str = "google", **body: Any) -> Any:
    return client.post(f"/v1/auth/{name}/callback", json=body, headers=key(env))
