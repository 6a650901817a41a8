"""Projects, environments, CORS, API keys and auth settings over the management API: each route's success and
its errors, answered by the same domain functions as the MCP tools."""

from __future__ import annotations

import pytest

from tests.api.console_helpers import Browser, error, make_owner, ok


@pytest.fixture
def owner(client, env) -> Browser:
    make_owner(env.backend)
    browser = Browser(client)
    browser.sign_in()
    return browser


def project_url(env, suffix: str = "") -> str:
    return f"/v1/console/projects/{env.project_id}{suffix}"


def test_list_create_update_and_delete_projects(owner, env):
    url = f"/v1/console/organizations/{env.organization_id}/projects"
    listed = ok(owner.get(url))
    assert [p["slug"] for p in listed["items"]] == ["my-app"] and listed["pagination"]["total"] == 1
    made = ok(owner.post(url, {"name": "Shop", "environments": ["dev", "prod"]}), 201)
    assert made["slug"] == "shop" and [e["environment"] for e in made["environments"]] == ["dev", "prod"]
    assert all(e["publishableKey"]["key"].startswith("pk_") for e in made["environments"])
    error(owner.post(url, {"name": "Shop", "slug": "shop"}), 409, "common/conflict")
    error(owner.post(url, {"slug": "no-name"}), 400, "common/invalid-parameters")
    error(owner.post(url, {"name": "X", "environments": "dev"}), 400, "common/invalid-parameters")
    shop = f"/v1/console/projects/{made['id']}"
    detail = ok(owner.get(shop))
    assert detail["counts"]["environments"] == 2 and detail["counts"]["apiKeys"] == 2
    assert ok(owner.patch(shop, {"description": "Online shop"}))["description"] == "Online shop"
    error(owner.patch(shop, {"slug": "other"}), 400, "common/invalid-parameters")
    error(owner.delete(shop, {"confirm": "Shop"}), 400, "common/confirmation-required")
    assert ok(owner.delete(shop, {"confirm": "shop"})) == {"deleted": True, "id": made["id"], "slug": "shop"}
    error(owner.get(shop), 404, "common/not-found")


def test_unknown_project_is_not_found(owner):
    error(owner.get("/v1/console/projects/proj_unknown"), 404, "common/not-found")
    error(owner.get("/v1/console/projects/proj_unknown/environments/dev/tables"), 404, "common/not-found")


def test_environments(owner, env):
    url = project_url(env, "/environments")
    env.create_table("posts", [{"name": "title", "type": "string", "required": True}])
    made = ok(owner.post(url, {"name": "staging", "copySchemaFrom": "dev"}), 201)
    assert made["environmentType"] == "staging" and made["copiedTables"] == ["posts"]
    assert made["publishableKey"]["key"].startswith("pk_")
    error(owner.post(url, {"name": "staging"}), 409, "common/conflict")
    error(owner.post(url, {"name": "Bad Name"}), 400, "common/invalid-parameters")
    error(owner.post(url, {}), 400, "common/invalid-parameters")
    assert [e["environment"] for e in ok(owner.get(url))["items"]] == ["dev", "staging"]
    assert ok(owner.get(f"{url}/staging"))["counts"]["tables"] == 1
    error(owner.delete(f"{url}/staging", {"confirm": "dev"}), 400, "common/confirmation-required")
    assert ok(owner.delete(f"{url}/staging", {"confirm": "staging"}))["deleted"] is True
    error(owner.delete(f"{url}/dev", {"confirm": "dev"}), 409, "common/conflict")
    error(owner.get(f"{url}/staging"), 404, "common/not-found")


def test_cors_origins(owner, env):
    url = project_url(env, "/cors")
    assert ok(owner.get(url)) == {"origins": [], "max": 3}
    for n in range(3):
        ok(owner.post(url, {"origin": f"https://app{n}.example.com/"}))
    error(owner.post(url, {"origin": "https://app9.example.com"}), 400, "common/limit-exceeded")
    bad = error(owner.post(url, {"origin": "https://*.example.com"}), 400, "common/invalid-parameters")
    assert bad["error"]["details"][0]["field"] == "origin"
    assert ok(owner.delete(url, {"origin": "https://app0.example.com"}))["origins"] == [
        "https://app1.example.com",
        "https://app2.example.com",
    ]
    error(owner.delete(url, {"origin": "https://app0.example.com"}), 404, "common/not-found")


def test_api_keys_secret_shown_once_and_revocation_is_immediate(owner, client, env):
    env.create_table("notes", [{"name": "text", "type": "string"}])
    url = project_url(env, "/environments/dev/api-keys")
    made = ok(owner.post(url, {"name": "server", "type": "secret"}), 201)
    secret = made["key"]
    assert secret.startswith("sk_") and made["maskedKey"] != secret
    listed = {k["id"]: k for k in ok(owner.get(url))["items"]}
    assert "key" not in listed[made["id"]] and listed[made["id"]]["maskedKey"] == made["maskedKey"]
    assert secret not in owner.get(url).text
    assert all(k["key"].startswith("pk_") for k in listed.values() if k["type"] == "publishable")
    error(owner.post(url, {"name": "server", "type": "secret"}), 409, "common/conflict")
    error(owner.post(url, {"name": "x", "type": "admin"}), 400, "common/invalid-parameters")
    error(owner.post(url, {"name": "x", "expiresAt": "2000-01-01T00:00:00Z"}), 400, "common/invalid-parameters")
    assert client.get("/v1/data/notes", headers={"x-api-key": secret}).status_code == 200
    assert ok(owner.delete(f"{url}/{made['id']}"))["revoked"] is True
    assert client.get("/v1/data/notes", headers={"x-api-key": secret}).status_code == 401
    error(owner.delete(f"{url}/key_unknown"), 404, "common/not-found")


def test_auth_settings_and_outbox(owner, env):
    url = project_url(env, "/environments/dev/auth")
    settings = ok(owner.get(f"{url}/settings"))
    assert settings["passwordPolicy"]["minLength"] == 8
    changed = ok(owner.patch(f"{url}/settings", {"passwordPolicy": {"minLength": 12}, "magicLinkEnabled": False}))
    assert changed["passwordPolicy"]["minLength"] == 12 and changed["magicLinkEnabled"] is False
    bad = error(
        owner.patch(f"{url}/settings", {"magicLinkExpirationMinutes": 0, "passwordPolicy": {"minLength": 2}}),
        400,
        "auth/validation-error",
    )
    assert sorted(d["field"] for d in bad["error"]["details"]) == [
        "magicLinkExpirationMinutes",
        "passwordPolicy.minLength",
    ]
    assert ok(owner.get(f"{url}/outbox")) == {"items": []}
