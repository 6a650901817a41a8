"""The per-environment `mcpAccess` setting: an owner sets it with the environment's secret key
(`/v1/mcp-access`); `read` lets MCP run only read-only tools there, `none` refuses every tool on that environment
and keeps its tables and keys out of listings; MCP itself can only tighten it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bkend_mcp.domain import guardrails, keys, projects, table_admin, tenancy
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from tests.mcp.guardrails_support import principal, session, snapshot

pytestmark = pytest.mark.anyio


@pytest.fixture
def prod(env, client) -> dict[str, Any]:
    """`posts` in dev, and a `prod` environment with its own `orders` table and secret key."""
    env.create_table("posts", {"title": {"type": "string"}})
    made = tenancy.create_environment(env.backend, LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    sk = keys.create_key(env.backend, project_id=env.project_id, environment_id=made["id"],
                         organization_id=env.organization_id, key_type="secret", name="prod",
                         created_by="test")  # fmt: skip
    table_admin.create_table(env.backend, principal(), table="orders", environment="prod")
    return {"id": made["id"], "sk": sk["key"]}


def set_access(client, key: str, level: str) -> Any:
    return client.put("/v1/mcp-access", json={"mcpAccess": level}, headers={"X-API-Key": key})


def test_an_owner_reads_and_sets_mcp_access_with_the_secret_key(env, client):
    assert client.get("/v1/mcp-access", headers={"X-API-Key": env.sk}).json()["mcpAccess"] == "write"
    changed = set_access(client, env.sk, "read")
    assert changed.status_code == 200 and changed.json()["mcpAccess"] == "read"
    assert changed.json()["environmentId"] == env.environment_id
    assert set_access(client, env.pk, "write").status_code == 403
    refused = set_access(client, env.sk, "sometimes")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "data/validation-error"
    assert set_access(client, env.sk, "write").json()["mcpAccess"] == "write"  # the owner may loosen it


async def test_read_access_allows_read_tools_and_refuses_writing_tools_there(env, client, prod):
    set_access(client, env.sk, "read")
    before = snapshot(env.backend)
    async with session(env.backend, principal(), ("core", "bkend")) as s:
        assert (await s.ok("query_data", table="posts"))["items"] == []
        assert [t["tableName"] for t in (await s.ok("list_tables"))["items"]] == ["posts"]
        for tool, arguments in (("insert_data", {"table": "posts", "records": {"title": "x"}}),
                                ("create_table", {"table": "later"}),
                                ("manage_api_keys", {"action": "list"}),
                                ("backend_table_create", {"body": {"projectId": "my-app", "environment": "dev",
                                                                   "tableName": "later", "schema": {}}})):  # fmt: skip
            error = await s.error(tool, **arguments)
            assert error["restCode"] == "mcp/read-only" and "mcpAccess: read" in error["message"], tool
        await s.ok("create_table", table="elsewhere", environment="prod")  # other environments are unaffected
    after = snapshot(env.backend)

    def dev(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k.startswith(env.environment_id)}

    assert dev(after["data"]) == dev(before["data"])
    assert len(after["control"]["tables"]) == len(before["control"]["tables"]) + 1


async def test_no_access_refuses_every_tool_on_that_environment_and_hides_its_tables(env, client, prod):
    set_access(client, prod["sk"], "none")
    async with session(env.backend, principal(), ("core", "bkend")) as s:
        for tool, arguments in (("query_data", {"table": "orders", "environment": "prod"}),
                                ("list_tables", {"environment": "prod"}),
                                ("get_environment", {"environment": prod["id"]}),
                                ("manage_api_keys", {"action": "list", "environment": "prod"}),
                                ("create_table", {"table": "t", "environment": "prod"})):  # fmt: skip
            error = await s.error(tool, **arguments)
            assert (error["code"], error["restCode"]) == ("FORBIDDEN", "mcp/environment-closed"), tool
        listed = await s.ok("list_environments")
        context = await s.ok("get_context")
        tables = await s.ok("backend_table_list")
        tokens = await s.ok("backend_access_token_list")
        resource = json.loads((await s.client.read_resource("bkend://tables")).contents[0].text)
    assert {e["environment"]: e["mcpAccess"] for e in listed["items"]} == {"dev": "write", "prod": "none"}
    assert {k["environment"] for k in context["publishableKeys"]} == {"dev"}
    assert {t["environment"] for t in tables["items"]} == {"dev"} == {t["environment"] for t in resource["items"]}
    assert "orders" not in json.dumps(tables) + json.dumps(resource)
    assert {k["environment"] for k in tokens["items"]} == {"dev"}


async def test_mcp_can_tighten_access_but_never_loosen_it(env, client, prod):
    async with session(env.backend, principal(), ("core",)) as s:
        assert (await s.ok("set_mcp_access", environment="prod", access="read"))["mcpAccess"] == "read"
        loosen = await s.error("set_mcp_access", environment="prod", access="write")
        assert loosen["code"] == "FORBIDDEN" and "PUT /v1/mcp-access" in loosen["message"]
        assert (await s.ok("set_mcp_access", environment="prod", access="none"))["mcpAccess"] == "none"
        assert (await s.error("query_data", table="x", environment="prod"))["restCode"] == "mcp/environment-closed"
    doc = env.backend.control("environments").get(prod["id"])
    assert guardrails.access_of(doc) == "none" and doc["mcpAccessChangedBy"] == LOCAL_OWNER_ID
    console = Principal(LOCAL_OWNER_ID)  # no connection policy: the console may loosen it
    assert projects.set_mcp_access(env.backend, console, "prod", "write")["mcpAccess"] == "write"


async def test_the_console_and_rest_are_not_limited_by_mcp_access(env, client, prod):
    set_access(client, env.sk, "none")
    made = client.post("/v1/data/posts", json={"title": "from the app"}, headers={"X-API-Key": env.sk})
    assert made.status_code == 201
    console = Principal(LOCAL_OWNER_ID)  # no connection policy: not an MCP connection
    assert table_admin.list_tables(env.backend, console)["items"][0]["documentCount"] == 1
