"""Every management action leaves one activity entry, whichever interface did it (issue #8 item 6): REST with the
environment's key (`domain/api_activity.py`, hooked in `rest/http.py` `as_caller`), the console's management API
(`domain/console/console_activity.py`) and MCP (`mcp/guardrails.py`). All three are read back through the console's
activity API, which is `get_activity`'s domain function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bkend_mcp.domain import keys
from tests.api.console_helpers import Browser, make_owner, ok
from tests.mcp.conftest import OWNER, anyio_backend, connect  # noqa: F401  (fixtures)

PASSWORD = "a long Secret pass 1"


@pytest.fixture
def owner(client, env) -> Browser:
    make_owner(env.backend)
    browser = Browser(client)
    browser.sign_in()
    return browser


def activity(owner: Browser, env: Any, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    url = f"/v1/console/organizations/{env.organization_id}/activity?limit=100&{query}"
    return ok(owner.get(url))["items"]


def create_user(client, env, email: str = "ada@example.com") -> str:
    body = {"name": "Ada", "email": email, "password": PASSWORD}
    response = client.post("/v1/users", json=body, headers={"x-api-key": env.sk})
    assert response.status_code == 201, response.text
    return response.json()["id"]


# --- REST with the environment's key: one row per management route family ------------------------------------------


@dataclass(frozen=True)
class Management:
    name: str
    method: str
    url: Callable[[Any, Any], str]
    body: Any
    status: int
    tool: str
    outcome: str = "ok"
    key: str = "sk"


ROWS = [
    Management(
        "create a table",
        "POST",
        lambda c, e: "/v1/tables",
        {"tableName": "books", "schema": {"title": {"bsonType": "string"}}},
        201,
        "rest POST /v1/tables",
    ),
    Management(
        "change a user's role",
        "PATCH",
        lambda c, e: f"/v1/users/{create_user(c, e)}/role",
        {"role": "admin"},
        200,
        "rest PATCH /v1/users/{user_id}/role",
    ),
    Management(
        "change the e-mail auth settings",
        "PUT",
        lambda c, e: "/v1/auth/providers/email",
        {"magicLinkExpirationMinutes": 30},
        200,
        "rest PUT /v1/auth/providers/email",
    ),
    Management(
        "tighten MCP access",
        "PUT",
        lambda c, e: "/v1/mcp-access",
        {"mcpAccess": "read"},
        200,
        "rest PUT /v1/mcp-access",
    ),
    Management(
        "change file settings",
        "PATCH",
        lambda c, e: "/v1/files/settings",
        {"defaultVisibility": "private"},
        200,
        "rest PATCH /v1/files/settings",
    ),
    Management(
        "a refused attempt with the publishable key is filed with its code",
        "POST",
        lambda c, e: "/v1/tables",
        {"tableName": "books"},
        403,
        "rest POST /v1/tables",
        outcome="table/permission-denied",
        key="pk",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_rest_management_write_leaves_one_entry(client, env, owner, row):
    url = row.url(client, env)
    key = env.sk if row.key == "sk" else env.pk
    response = client.request(row.method, url, json=row.body, headers={"x-api-key": key})
    assert response.status_code == row.status, response.text
    entries = activity(owner, env, tool=row.tool)
    assert len(entries) == 1, entries
    entry = entries[0]
    key_id = keys.verify_key(env.backend, key)["_id"]
    assert entry["outcome"] == row.outcome
    assert entry["client"] == {"name": "REST API"} and entry["clientId"] == f"key:{key_id}"
    assert (entry["projectId"], entry["environmentId"]) == (env.project_id, env.environment_id)
    assert entry["arguments"]["body"] == row.body
    assert entry["at"]


def test_rest_entry_redacts_passwords_and_names_the_target(client, env, owner):
    user_id = create_user(client, env)
    entry = activity(owner, env, tool="rest POST /v1/users")[0]
    assert entry["arguments"]["body"]["password"] == "[redacted]"
    assert PASSWORD not in str(entry)
    client.delete(f"/v1/users/{user_id}", headers={"x-api-key": env.sk})
    deleted = activity(owner, env, tool="rest DELETE /v1/users/{user_id}")[0]
    assert deleted["arguments"]["user_id"] == user_id and deleted["outcome"] == "ok"


def test_reads_and_data_writes_are_not_management(client, env, owner):
    env.create_table("posts")
    sk = {"x-api-key": env.sk}
    assert client.get("/v1/tables", headers=sk).status_code == 200
    assert client.post("/v1/data/posts", json={}, headers=sk).status_code == 201
    assert [e for e in activity(owner, env) if e["tool"].startswith("rest ")] == []


# --- the console's management API ----------------------------------------------------------------------------------


def test_console_management_write_leaves_one_entry_with_its_outcome(owner, env):
    url = f"/v1/console/projects/{env.project_id}/cors"
    ok(owner.post(url, {"origin": "https://app.example.com"}))
    owner.post(url, {"origin": "not an origin"})
    entries = activity(owner, env, tool="console POST /v1/console/projects/{project}/cors")
    assert [e["outcome"] for e in entries] == ["common/invalid-parameters", "ok"]
    assert entries[1]["arguments"] == {"project": env.project_id, "body": {"origin": "https://app.example.com"}}
    assert entries[1]["client"] == {"name": "bkend console"} and entries[1]["projectId"] == env.project_id


def test_console_key_creation_entry_never_holds_the_secret(owner, env):
    made = ok(owner.post(f"/v1/console/projects/{env.project_id}/environments/dev/api-keys",
                         {"name": "server", "type": "secret"}), 201)  # fmt: skip
    entries = activity(owner, env, tool="console POST /v1/console/projects/{project}/environments/{env}/api-keys")
    assert len(entries) == 1 and entries[0]["outcome"] == "ok"
    assert made["key"] not in str(entries)


# --- MCP -----------------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_mcp_management_call_leaves_one_entry(connect, owner, env):  # noqa: F811
    async with connect(OWNER) as mcp:
        await mcp.ok("manage_cors", action="add", origin="https://app.example.com")
    entries = activity(owner, env, tool="manage_cors")
    assert len(entries) == 1
    assert (entries[0]["outcome"], entries[0]["arguments"]["origin"]) == ("ok", "https://app.example.com")
