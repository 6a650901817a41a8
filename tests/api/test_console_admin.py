"""Per-environment administration over the management API: app-user auth providers and mail templates (with
preview), app users (search, role, ban, delete), files (list, visibility, delete), MCP access, and the activity
log. The handlers run the same action tables and functions as the MCP tools."""

from __future__ import annotations

import base64

import pytest

from tests.api.console_helpers import Browser, add_member, error, make_owner, ok


@pytest.fixture
def owner(client, env) -> Browser:
    make_owner(env.backend)
    browser = Browser(client)
    browser.sign_in()
    return browser


@pytest.fixture
def dev(env) -> str:
    return f"/v1/console/projects/{env.project_id}/environments/dev"


def test_providers_and_email_config(owner, dev):
    config = ok(owner.get(f"{dev}/auth/config"))
    assert "email" in config
    provider = {"clientId": "cid", "clientSecret": "shh", "redirectUri": "https://app.example/cb",
                "scopes": ["openid", "email"], "enabled": True}  # fmt: skip
    saved = ok(owner.request("PUT", f"{dev}/auth/providers/google", provider))
    assert "shh" not in str(saved)
    error(owner.request("PUT", f"{dev}/auth/providers/myspace", provider), 400, "auth/unsupported-provider")
    ok(owner.delete(f"{dev}/auth/providers/google"))
    ok(owner.patch(f"{dev}/auth/email", {"magicLinkEnabled": False}))
    error(owner.patch(f"{dev}/auth/email", {"bogus": 1}), 400, "common/invalid-parameters")


def test_templates_edit_preview_and_reset(owner, dev):
    listed = ok(owner.get(f"{dev}/auth/templates"))["items"]
    assert "magic_link" in {t.get("category", t.get("id")) for t in listed}
    url = f"{dev}/auth/templates/magic_link"
    ok(owner.request("PUT", url, {"subject": "Sign in, {{userName}}", "body": "<p>{{magicLink}} {{typo}}</p>"}))
    preview = ok(owner.post(f"{url}/preview", {"sampleData": {"userName": "Ada"}}))
    assert preview["subject"] == "Sign in, Ada" and preview["unknownVariables"] == ["typo"]
    ok(owner.delete(url))
    error(owner.get(f"{dev}/auth/templates/nope"), 404, "auth/template-not-found")


def test_users_search_role_ban_and_delete(owner, dev, env):
    made = ok(owner.post(f"{dev}/users", {"email": "ada@example.com", "name": "Ada"}), 201)
    user = f"{dev}/users/{made['id']}"
    found = ok(owner.get(f"{dev}/users?search=ada"))["items"]
    assert [u["email"] for u in found] == ["ada@example.com"]
    assert ok(owner.request("PUT", f"{user}/role", {"role": "admin"}))["role"] == "admin"
    assert ok(owner.patch(user, {"status": "banned"}))["status"] == "banned"
    error(owner.post(f"{dev}/users", {"email": "ada@example.com"}), 409, "auth/email-already-exists")
    assert ok(owner.delete(user)) == {"deleted": True, "id": made["id"]}
    error(owner.get(user), 404, "user/not-found")


def test_files_list_visibility_and_delete(owner, dev):
    content = base64.b64encode(b"hello").decode()
    made = ok(owner.post(f"{dev}/files", {"filename": "a.txt", "contentType": "text/plain", "contentBase64": content}),
              201)  # fmt: skip
    file_id = made["file"]["id"]
    assert [f["id"] for f in ok(owner.get(f"{dev}/files?search=a.txt"))["items"]] == [file_id]
    assert ok(owner.patch(f"{dev}/files/{file_id}", {"visibility": "private"}))["visibility"] == "private"
    assert ok(owner.get(f"{dev}/files/{file_id}"))["downloadUrl"]
    error(owner.delete(f"{dev}/files/{file_id}", {}), 400, "common/confirmation-required")
    assert ok(owner.delete(f"{dev}/files/{file_id}", {"confirm": True}))["deleted"] is True
    error(owner.get(f"{dev}/files/{file_id}"), 404, "file/not-found")


def test_mcp_access_is_set_by_owners_and_admins_only(owner, client, env, dev):
    assert ok(owner.get(f"{dev}/mcp-access"))["mcpAccess"] == "write"
    assert ok(owner.request("PUT", f"{dev}/mcp-access", {"mcpAccess": "none"}))["mcpAccess"] == "none"
    error(owner.request("PUT", f"{dev}/mcp-access", {"mcpAccess": "maybe"}), 400, "data/validation-error")
    add_member(env.backend, env.organization_id, "mem@example.com", "member")
    member = Browser(client)
    member.sign_in("mem@example.com")
    error(member.request("PUT", f"{dev}/mcp-access", {"mcpAccess": "write"}), 403, "common/forbidden")
    assert ok(member.get(f"{dev}/tables"))["items"] == [], "the console is no MCP connection: mcpAccess never applies"


def test_console_writes_are_in_the_activity_log(owner, env, dev):
    ok(owner.post(f"{dev}/tables", {"table": "notes"}), 201)
    error(owner.post(f"{dev}/tables", {"table": "notes"}), 409, "table/already-exists")
    ok(owner.post(f"{dev}/api-keys", {"name": "srv", "type": "secret"}), 201)
    log = ok(owner.get(f"/v1/console/organizations/{env.organization_id}/activity"))["items"]
    assert [(e["tool"].split(" ", 2)[1], e["outcome"]) for e in log] == [
        ("POST", "ok"),
        ("POST", "table/already-exists"),
        ("POST", "ok"),
    ]
    newest = log[0]
    assert newest["tool"] == "console POST /v1/console/projects/{project}/environments/{env}/api-keys"
    assert newest["projectId"] == env.project_id and newest["environmentId"] == env.environment_id
    assert newest["clientId"] == "console" and newest["arguments"]["body"]["name"] == "srv"
    failed = ok(owner.get(f"/v1/console/organizations/{env.organization_id}/activity?outcome=error"))["items"]
    assert [e["outcome"] for e in failed] == ["table/already-exists"]
    error(
        owner.get(f"/v1/console/organizations/{env.organization_id}/activity?since=yesterday"),
        400,
        "data/validation-error",
    )
