"""rest/cors.py + domain/cors.py: CORS decided by the project and environment a request addresses (spec/data.md
§5.11, compat.md C16, storage.md §18, mcp-and-console.md §4.12, §7 #16). An allowed origin is echoed in
`Access-Control-Allow-Origin`; a refused one gets none, so the browser hides the response from the page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from bkend_mcp.domain import cors, keys, tenancy
from bkend_mcp.domain.backend import CACHE_TTL_SECONDS, open_backend
from bkend_mcp.rest.app import create_app
from tests.api.console_helpers import Browser, make_owner, owner_principal

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
LOCAL = "http://localhost:5173"
C16_METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS")
C16_HEADERS = ("x-api-key", "authorization", "content-type")


@dataclass
class World:
    """The first-start project with its `dev` environment and a `prod` one, each with a publishable key."""

    client: TestClient
    env: Any
    prod_pk: str

    def key(self, environment: str) -> str:
        return self.env.pk if environment == "dev" else self.prod_pk

    def storage_key(self, environment: str) -> str:
        return f"{self.env.project_id}/{environment}/images/file_nothere/photo.png"

    def allow(self, *origins: str) -> None:
        for origin in origins:
            cors.manage_cors(self.env.backend, owner_principal(), "add", origin, self.env.project_id)


@pytest.fixture
def world(client, env) -> World:
    prod = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    made = keys.create_key(
        env.backend,
        project_id=env.project_id,
        environment_id=prod["id"],
        organization_id=env.organization_id,
        key_type="publishable",
        name="prod",
        created_by="test",
    )
    return World(client, env, made["key"])


def allowed_origin(response) -> str | None:
    return response.headers.get("access-control-allow-origin")


# --- actual requests: one row per (environment, configured list, origin), each on every route family -------------


@dataclass(frozen=True)
class Case:
    name: str
    environment: str
    configured: tuple[str, ...]
    origin: str
    allowed: bool


CASES = [
    Case("dev with no list reflects any origin", "dev", (), OTHER, True),
    Case("prod with no list allows no foreign origin", "prod", (), OTHER, False),
    Case("dev with a list allows a listed origin", "dev", (APP,), APP, True),
    Case("dev with a list refuses an unlisted origin", "dev", (APP,), OTHER, False),
    Case("prod with a list allows a listed origin", "prod", (APP, LOCAL), APP, True),
    Case("prod with a list allows listed localhost", "prod", (APP, LOCAL), LOCAL, True),
    Case("prod with a list refuses an unlisted origin", "prod", (APP,), OTHER, False),
    Case("origins compare case-insensitively", "prod", (APP,), APP.upper(), True),
]
ROUTES = {
    "data": lambda w, e: ("GET", "/v1/data/posts", {"x-api-key": w.key(e)}),
    "data by project headers": lambda w, e: (
        "GET",
        "/v1/data/posts",
        {"x-project-id": w.env.project_id, "x-environment": e},
    ),
    "auth": lambda w, e: ("GET", "/v1/auth/me", {"x-api-key": w.key(e)}),
    "files": lambda w, e: ("GET", "/v1/files", {"x-api-key": w.key(e)}),
    "storage object": lambda w, e: ("GET", f"/_storage/o/{w.storage_key(e)}", {}),
    "public file url": lambda w, e: ("GET", f"/cdn/{w.storage_key(e)}", {}),
}


@pytest.mark.parametrize("route", list(ROUTES), ids=list(ROUTES))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_actual_request_gets_cors_headers_only_for_an_allowed_origin(world, case, route):
    world.allow(*case.configured)
    method, url, headers = ROUTES[route](world, case.environment)
    response = world.client.request(method, url, headers={**headers, "origin": case.origin})
    assert response.status_code < 500, response.text
    assert allowed_origin(response) == (case.origin if case.allowed else None)
    assert "Origin" in response.headers.get("vary", "")
    if case.allowed:
        assert "etag" in response.headers["access-control-expose-headers"].lower()


def test_request_naming_no_existing_environment_is_answered_for_any_origin(world):
    """It can only fail, with no project data; the browser may read why (a wrong key, a missing header)."""
    world.allow(APP)
    for headers in ({}, {"x-api-key": "pk_" + "0" * 64}, {"x-project-id": "proj_nope"}):
        response = world.client.get("/v1/data/posts", headers={**headers, "origin": OTHER})
        assert response.status_code in (400, 401, 404), response.text
        assert allowed_origin(response) == OTHER


def test_request_without_origin_carries_no_cors_headers(world):
    response = world.client.get("/v1/data/posts", headers={"x-api-key": world.key("dev")})
    assert allowed_origin(response) is None


# --- preflights (C16) ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", C16_METHODS)
def test_api_preflight_succeeds_for_every_c16_method_with_key_and_token_headers(world, method):
    world.allow(APP)
    response = world.client.options(
        "/v1/data/posts",
        headers={
            "origin": OTHER,
            "access-control-request-method": method,
            "access-control-request-headers": ", ".join(C16_HEADERS),
        },
    )
    assert response.status_code == 200
    assert allowed_origin(response) == OTHER  # a preflight carries no key: the actual request is decided
    assert method in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert all(h in allowed_headers for h in C16_HEADERS)


STORAGE_PREFLIGHTS = [
    ("dev", (), OTHER, True),
    ("prod", (), OTHER, False),
    ("prod", (APP,), APP, True),
    ("dev", (APP,), OTHER, False),
]


@pytest.mark.parametrize(("environment", "configured", "origin", "allowed"), STORAGE_PREFLIGHTS)
def test_storage_preflight_for_put_is_decided_by_the_keys_environment(world, environment, configured, origin, allowed):
    world.allow(*configured)
    response = world.client.options(
        f"/_storage/o/{world.storage_key(environment)}",
        headers={
            "origin": origin,
            "access-control-request-method": "PUT",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == (200 if allowed else 400)
    assert allowed_origin(response) == (origin if allowed else None)
    if allowed:
        assert "PUT" in response.headers["access-control-allow-methods"]
        assert "content-type" in response.headers["access-control-allow-headers"].lower()


# --- the console is same-origin only; MCP and OAuth discovery stay open --------------------------------------------


@pytest.mark.parametrize("url", ["/console", "/v1/console/session"])
def test_console_gives_no_cors_headers_to_a_foreign_origin(world, url):
    assert allowed_origin(world.client.get(url, headers={"origin": OTHER})) is None
    preflight = world.client.options(url, headers={"origin": OTHER, "access-control-request-method": "POST"})
    assert allowed_origin(preflight) is None


@pytest.mark.parametrize("url", ["/health", "/.well-known/oauth-protected-resource"])
def test_discovery_and_health_answer_any_origin(world, url):
    world.allow(APP)
    assert allowed_origin(world.client.get(url, headers={"origin": OTHER})) == OTHER


def test_mcp_preflight_answers_any_origin_for_browser_clients(world):
    response = world.client.options(
        "/mcp",
        headers={
            "origin": "http://localhost:6274",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, mcp-protocol-version",
        },
    )
    assert response.status_code == 200
    assert allowed_origin(response) == "http://localhost:6274"
    assert "mcp-protocol-version" in response.headers["access-control-allow-headers"].lower()


# --- changes apply on the next request -----------------------------------------------------------------------------


def test_change_through_the_management_api_applies_on_the_next_request(world):
    make_owner(world.env.backend)
    owner = Browser(world.client)
    owner.sign_in()
    url = f"/v1/console/projects/{world.env.project_id}/cors"
    ask = {"x-api-key": world.key("dev")}

    def origin_seen(origin: str) -> str | None:
        return allowed_origin(world.client.get("/v1/data/posts", headers={**ask, "origin": origin}))

    assert origin_seen(OTHER) == OTHER  # dev, empty list: warm the cache with "any origin"
    assert owner.post(url, {"origin": APP}).status_code == 200
    assert (origin_seen(OTHER), origin_seen(APP)) == (None, APP)
    assert owner.delete(url, {"origin": APP}).status_code == 200
    assert origin_seen(OTHER) == OTHER


def test_change_made_by_another_process_applies_within_the_cache_bound(world, request):
    if request.node.callspec.params.get("backend") != "sqlite":
        pytest.skip("two processes share a data dir only on the embedded store")
    other = open_backend(world.env.backend.config)  # a second worker process's backend on the same data dir
    try:
        with TestClient(create_app(other.config, other)) as second:
            ask = {"x-api-key": world.key("prod"), "origin": APP}
            assert allowed_origin(second.get("/v1/data/posts", headers=ask)) is None  # cached: prod, empty list
            world.allow(APP)
            deadline = time.monotonic() + CACHE_TTL_SECONDS * 3
            while allowed_origin(second.get("/v1/data/posts", headers=ask)) is None:
                assert time.monotonic() < deadline, "the other process never saw the new CORS list"
    finally:
        other.close()
