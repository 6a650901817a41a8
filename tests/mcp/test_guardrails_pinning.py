"""Pinned connections (`--project`, `--environment`, `?project=&environment=`) over the in-memory client: the other
project and environments are invisible (lists leave them out, naming them is NOT_FOUND, never their data), a pinned
connection creates no second project, and a token's scopes and organization still apply (a pin never widens)."""

from __future__ import annotations

from typing import Any

import pytest

from bkend_mcp.domain import projects, table_admin, tenancy, tenant_data
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import ConnectionPolicy
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.connection import flag, narrowed_by_query, policy_from_env
from tests.mcp.guardrails_support import principal, session, snapshot

pytestmark = pytest.mark.anyio
SECRET = "shop-secret-order"


@pytest.fixture
def shop(env) -> dict[str, Any]:
    """A second project `shop` (dev + prod) with a table holding a record the pinned connection must never see."""
    owner = principal()
    made = projects.create_project(env.backend, owner, name="Shop", slug="shop", environments=["dev", "prod"])
    table = table_admin.create_table(env.backend, owner, table="orders", fields=[{"name": "note", "type": "string"}],
                                     project="shop")  # fmt: skip
    record = tenant_data.insert_data(env.backend, owner, "orders", {"note": SECRET}, project="shop")["items"][0]
    env.create_table("posts", {"title": {"type": "string"}})
    envs = {e["environment"]: e["id"] for e in made["environments"]}
    return {"project": made["id"], "table": table["id"], "record": record["id"], "envs": envs}


PINNED = principal(project="my-app")


async def test_lists_show_only_the_pinned_project(env, shop):
    async with session(env.backend, PINNED, ("core", "bkend")) as s:
        assert [p["slug"] for p in (await s.ok("list_projects"))["items"]] == ["my-app"]
        assert [p["slug"] for p in (await s.ok("backend_project_list"))["items"]] == ["my-app"]
        assert [p["slug"] for p in (await s.ok("get_context"))["projects"]] == ["my-app"]
        assert {e["projectId"] for e in (await s.ok("backend_env_list"))["items"]} == {env.project_id}
        assert [t["tableName"] for t in (await s.ok("backend_table_list"))["items"]] == ["posts"]
        projects_resource = await s.client.read_resource("bkend://projects")
    assert "shop" not in projects_resource.contents[0].text


NAMING_THE_OTHER_PROJECT = [
    ("get_project", {"project": "shop"}),
    ("list_environments", {"project": "shop"}),
    ("list_tables", {"project": "shop"}),
    ("query_data", {"table": "orders", "project": "shop"}),
    ("insert_data", {"table": "orders", "project": "shop", "records": {"note": "x"}}),
    ("delete_project", {"project": "shop", "confirm": "shop"}),
    ("backend_project_get", {"projectId": "shop"}),
]


async def test_naming_another_project_is_not_found_and_reveals_nothing(env, shop):
    before = snapshot(env.backend)
    by_id = [("query_data", {"table": shop["table"]}), ("get_table", {"table": shop["table"]}),
             ("get_environment", {"environment": shop["envs"]["prod"]}),
             ("backend_table_get", {"tableId": shop["table"]}),
             ("backend_env_get", {"environmentId": shop["envs"]["dev"]})]  # fmt: skip
    async with session(env.backend, PINNED, ("core", "bkend")) as s:
        for tool, arguments in NAMING_THE_OTHER_PROJECT + by_id:
            result = await s.call(tool, **arguments)
            assert result.is_error, tool
            assert result.structured_content["error"]["code"] == "NOT_FOUND", (tool, result.structured_content)
            assert SECRET not in result.content[0].text
    assert snapshot(env.backend) == before


async def test_the_pinned_project_is_the_default_and_works(env, shop):
    async with session(env.backend, principal(project="shop"), ("core",)) as s:
        assert (await s.ok("query_data", table="orders"))["items"][0]["note"] == SECRET
        assert (await s.ok("get_context"))["defaults"]["projectId"] == shop["project"]
        assert (await s.error("query_data", table="posts", project="my-app"))["code"] == "NOT_FOUND"


async def test_a_pinned_connection_creates_no_other_project(env, shop):
    async with session(env.backend, PINNED, ("core",)) as s:
        error = await s.error("create_project", name="Third")
    assert error["restCode"] == "mcp/pinned"
    assert len(tenancy.list_projects(env.backend, LOCAL_OWNER_ID)) == 2


async def test_an_environment_pin_hides_the_other_environments(env, shop):
    pinned = principal(project="shop", environment="prod")
    async with session(env.backend, pinned, ("core",)) as s:
        assert [e["environment"] for e in (await s.ok("list_environments"))["items"]] == ["prod"]
        assert (await s.ok("list_tables"))["environment"] == "prod"
        assert (await s.error("query_data", table="orders", environment="dev"))["code"] == "NOT_FOUND"
        assert (await s.error("get_environment", environment=shop["envs"]["dev"]))["code"] == "NOT_FOUND"
        assert (await s.error("create_environment", name="qa"))["restCode"] == "mcp/pinned"
        assert (await s.ok("get_context"))["defaults"]["environment"] == "prod"


async def test_a_pin_never_widens_a_token(env, shop):
    """An organization-bound read-only token pinned to a project: still read-only by scope, still blind to the
    other project; pinned to a project of another organization, it sees none at all."""
    reader = principal(scopes=("*:read",), organization_id=env.organization_id, project="my-app")
    async with session(env.backend, reader, ("core",)) as s:
        assert (await s.error("insert_data", table="posts", records={"title": "x"}))["code"] == "FORBIDDEN"
        assert (await s.error("get_project", project="shop"))["code"] == "NOT_FOUND"
    other_org = tenancy.create_organization(env.backend, LOCAL_OWNER_ID, name="Elsewhere", slug="elsewhere")
    outside = principal(organization_id=other_org["id"], project="shop")
    async with session(env.backend, outside, ("core",)) as s:
        assert (await s.ok("list_projects"))["items"] == []
        assert (await s.error("query_data", table="orders"))["code"] == "NOT_FOUND"


def test_a_connection_can_narrow_the_servers_policy_but_never_widen_it():
    server = ConnectionPolicy(read_only=True, project="shop")
    narrowed = server.narrowed(read_only=False, project="shop", environment="prod")
    assert (narrowed.read_only, narrowed.project, narrowed.environment) == (True, "shop", "prod")
    with pytest.raises(BkendError) as moved:
        server.narrowed(project="my-app")
    assert moved.value.code == "mcp/pin-conflict"


def test_flags_and_query_strings_become_a_policy_and_a_typo_turns_a_guardrail_on():
    server = policy_from_env({"BKEND_MCP_READ_ONLY": "yes", "BKEND_MCP_PROJECT": "shop"})
    assert (server.read_only, server.project, server.environment) == (True, "shop", None)
    assert policy_from_env({"BKEND_MCP_READ_ONLY": "0"}).read_only is False
    assert flag("treu") is True and flag("off") is False and flag(None) is False
    connection = narrowed_by_query(ConnectionPolicy(), "readOnly=true&project=my-app&environment=prod&toolsets=core")
    assert (connection.read_only, connection.project, connection.environment) == (True, "my-app", "prod")
