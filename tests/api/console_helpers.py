"""Helpers for the management API tests: console accounts, and a browser-like client that holds one session
cookie and sends the CSRF header on writes, so several tenants can act side by side over one app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.testclient import TestClient

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_sessions
from bkend_mcp.domain.principal import ALL, Principal
from bkend_mcp.domain.team import invitations, tenants

OWNER_EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"
ORIGIN = "http://testserver"


def make_owner(backend: Backend) -> None:
    tenants.set_owner_credentials(backend, OWNER_EMAIL, PASSWORD, "Olive Owner")


def owner_principal() -> Principal:
    return Principal(tenancy.LOCAL_OWNER_ID, ALL)


def add_member(backend: Backend, org_id: str, email: str, role: str) -> str:
    """A tenant with `PASSWORD` who joined `org_id` with `role` through a real invitation; returns its id."""
    made = invitations.invite(backend, owner_principal(), org_id, email=email, role=role)
    token = made["inviteUrl"].split("token=")[1]
    return str(invitations.accept(backend, token, PASSWORD, None, console_client())["_id"])


def console_client() -> Any:
    from bkend_mcp.domain.auth.inputs import Client

    return Client(ip="203.0.113.9", user_agent="tests")


@dataclass
class Browser:
    """One signed-in (or not) console user over a shared TestClient."""

    client: TestClient
    cookie: str | None = None
    csrf: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, url: str, json: Any = None, csrf: bool = True, **headers: str) -> httpx.Response:
        sent = {**self.extra, **headers}
        if self.cookie:
            sent["cookie"] = f"{console_sessions.COOKIE}={self.cookie}"
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            sent.setdefault("x-csrf-token", self.csrf)
        self.client.cookies.clear()
        response = self.client.request(method, url, json=json, headers=sent)
        self.client.cookies.clear()
        return response

    def get(self, url: str, **headers: str) -> httpx.Response:
        return self.request("GET", url, **headers)

    def post(self, url: str, json: Any = None, **headers: str) -> httpx.Response:
        return self.request("POST", url, json, **headers)

    def patch(self, url: str, json: Any = None, **headers: str) -> httpx.Response:
        return self.request("PATCH", url, json, **headers)

    def delete(self, url: str, json: Any = None, **headers: str) -> httpx.Response:
        return self.request("DELETE", url, json, **headers)

    def adopt(self, response: httpx.Response) -> dict[str, Any]:
        """Keep the session a sign-in answer opened; returns the session view."""
        assert response.status_code == 200, response.text
        self.cookie = response.cookies[console_sessions.COOKIE]
        self.csrf = response.json()["csrfToken"]
        return response.json()

    def sign_in(self, email: str = OWNER_EMAIL, password: str = PASSWORD) -> dict[str, Any]:
        return self.adopt(self.post("/v1/console/session", {"email": email, "password": password}))


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code, body
    return body
