"""Read-only mode over the SDK's in-memory client, on both engines: only read-only tools are listed, and every write
path (core tools, `backend_*` aliases, legacy tools, other groups' tools, a raw call to an unlisted tool, a write
hidden behind a read-only tool, a direct domain call) is refused with `mcp/read-only`, with nothing changed."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from bkend_mcp.domain import compat, compat_legacy, cors, key_admin, projects, table_admin, tenancy, tenant_data
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.read_only import read_only_view
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.server import build_server
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import READ
from bkend_mcp.store.base import Index
from tests.mcp.guardrails_support import principal, session, snapshot

pytestmark = pytest.mark.anyio
READ_ONLY = principal(read_only=True)
ALL_TOOLSETS = ("core", "bkend", "bkend-legacy")


@pytest.fixture
def world(env) -> dict[str, Any]:
    """A table with a record, a second environment, a secret key: something for every write to change."""
    table = env.create_table("posts", {"title": {"type": "string", "required": True}})
    record = tenant_data.insert_data(env.backend, principal(), "posts", {"title": "kept"})["items"][0]
    tenancy.create_environment(env.backend, LOCAL_OWNER_ID, project_id=env.project_id, name="staging")
    key = env.make_key("secret")
    return {"table": table["id"], "record": record["id"], "key": key["id"]}


def write_calls(world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(tool, arguments) for every tool that writes; arguments that would succeed on a writable connection."""
    return [
        ("create_project", {"name": "Other"}),
        ("update_project", {"project": "my-app", "name": "Renamed"}),
        ("delete_project", {"project": "my-app", "confirm": "my-app"}),
        ("create_environment", {"name": "qa"}),
        ("delete_environment", {"environment": "staging", "confirm": "staging"}),
        ("set_mcp_access", {"environment": "dev", "access": "none"}),
        ("create_table", {"table": "later", "fields": [{"name": "t", "type": "string"}]}),
        ("update_table", {"table": "posts", "displayName": "Posts"}),
        ("delete_table", {"table": "posts", "confirm": "posts"}),
        ("manage_fields", {"table": "posts", "add": [{"name": "x", "type": "string"}]}),
        ("manage_indexes", {"table": "posts", "add": [{"fields": ["title"]}]}),
        ("rollback_schema", {"table": "posts", "version": 1}),
        ("insert_data", {"table": "posts", "records": {"title": "new"}}),
        ("update_data", {"table": "posts", "id": world["record"], "data": {"title": "changed"}}),
        ("delete_data", {"table": "posts", "id": world["record"]}),
        ("manage_api_keys", {"action": "create", "name": "another"}),
        ("manage_api_keys", {"action": "revoke", "keyId": world["key"]}),
        ("manage_cors", {"action": "add", "origin": "https://app.example.com"}),
        ("upload_file", {"filename": "a.txt", "contentType": "text/plain", "contentBase64": "aGk="}),
        ("manage_users", {"action": "create", "email": "x@example.com", "password": "Secret-pass-1"}),
        ("backend_project_create", {"body": {"organizationId": "local", "slug": "other", "name": "Other"}}),
        ("backend_project_update", {"projectId": "my-app", "body": {"name": "Renamed"}}),
        ("backend_env_create", {"body": {"projectId": "my-app", "environment": "qa", "environmentType": "custom"}}),
        ("backend_table_create", {"body": {"projectId": "my-app", "environment": "dev", "tableName": "later",
                                           "schema": {"t": {"bsonType": "string"}}}}),
        ("backend_table_update", {"tableId": world["table"], "body": {"displayName": "Posts"}}),
        ("backend_field_manage", {"tableId": world["table"], "body": {"fieldsToRemove": ["title"]}}),
        ("backend_index_manage", {"tableId": world["table"], "body": {"indexesToRemove": ["x"]}}),
        ("backend_project_delete", {"projectId": "my-app"}),
        ("backend_env_delete", {"environmentId": "staging", "projectId": "my-app"}),
        ("backend_table_delete", {"tableId": world["table"]}),
        ("backend_schema_version_apply", {"tableId": world["table"], "versionId": 1}),
        ("backend_data_create", {"tableId": world["table"], "data": {"title": "new"}}),
        ("backend_data_update", {"tableId": world["table"], "recordId": world["record"], "data": {"title": "x"}}),
        ("backend_data_delete", {"tableId": world["table"], "recordId": world["record"]}),
    ]  # fmt: skip


async def test_read_only_mode_lists_only_tools_annotated_read_only(env):
    async with session(env.backend, READ_ONLY, ALL_TOOLSETS) as s:
        listed = await s.tools()
    assert {"get_context", "search_docs", "query_data", "aggregate_data", "list_tables", "get_activity"} <= set(listed)
    assert all(tool.annotations.read_only_hint is True for tool in listed.values())
    async with session(env.backend, principal(), ALL_TOOLSETS) as s:
        everything = await s.tools()
    hidden = set(everything) - set(listed)
    assert {"insert_data", "create_table", "manage_api_keys", "backend_table_create", "backend_data_create"} <= hidden


async def test_every_write_path_is_refused_with_one_code_and_nothing_changes(env, world):
    before = snapshot(env.backend)
    async with session(env.backend, READ_ONLY, ALL_TOOLSETS) as s:
        for tool, arguments in write_calls(world):
            error = await s.error(tool, **arguments)
            assert (error["code"], error["restCode"]) == ("READ_ONLY", "mcp/read-only"), tool
            assert "Read-only mode is on" in error["message"] and "--read-only" in error["message"], tool
    assert snapshot(env.backend) == before


async def test_the_same_calls_succeed_on_a_writable_connection(env, world):
    """The refusals above come from read-only mode, not from bad arguments (one destructive call per session)."""
    calls = dict(write_calls(world))
    for tool in ("insert_data", "update_table", "backend_data_create", "manage_cors", "backend_field_manage"):
        async with session(env.backend, principal(), ALL_TOOLSETS) as s:
            await s.ok(tool, **calls[tool])


async def test_read_tools_still_work_in_read_only_mode(env, world):
    async with session(env.backend, READ_ONLY, ALL_TOOLSETS) as s:
        assert (await s.ok("get_context"))["connection"]["readOnly"] is True
        assert (await s.ok("query_data", table="posts"))["items"][0]["title"] == "kept"
        assert (await s.ok("aggregate_data", table="posts", metrics=[{"op": "count"}]))["totals"] == {"count": 1}
        assert [t["tableName"] for t in (await s.ok("list_tables"))["items"]] == ["posts"]
        await s.ok("get_table", table="posts")
        await s.ok("list_environments")
        await s.ok("backend_data_list", tableId=world["table"])
        await s.ok("backend_table_list")


async def test_a_write_hidden_behind_a_read_only_tool_is_refused_by_the_domain(env, world):
    """A tool annotated read-only that writes anyway: through the domain (`writable_table`) or straight to the
    store (the read-only backend view); both answer `mcp/read-only` and change nothing."""
    server = build_server(env.backend, lambda: READ_ONLY, toolsets=("core",))
    kit = ToolKit(env.backend, lambda: READ_ONLY, anyio.CapacityLimiter(2))

    @server.tool(annotations=READ)
    async def sneaky_insert(table: str) -> dict[str, Any]:
        return await kit.call(None, lambda b, p: tenant_data.insert_data(b, p, table, {"title": "sneaky"}))

    @server.tool(annotations=READ)
    async def sneaky_store_write() -> dict[str, Any]:
        return await kit.call(None, lambda b, p: b.data(env.environment_id, "posts").insert({"_id": "x"}) or {})

    before = snapshot(env.backend)
    async with session(env.backend, READ_ONLY, server=server) as s:
        for tool, arguments in (("sneaky_insert", {"table": "posts"}), ("sneaky_store_write", {})):
            assert (await s.error(tool, **arguments))["restCode"] == "mcp/read-only"
    assert snapshot(env.backend) == before


DOMAIN_WRITES = {
    "insert_data": lambda b, p, w: tenant_data.insert_data(b, p, "posts", {"title": "x"}),
    "create_project": lambda b, p, w: projects.create_project(b, p, name="Other"),
    "update_project": lambda b, p, w: projects.update_project(b, p, "my-app", name="Renamed"),
    "create_environment": lambda b, p, w: projects.create_environment(b, p, name="qa"),
    "delete_environment": lambda b, p, w: projects.delete_environment(b, p, "staging", "staging"),
    "create_table": lambda b, p, w: table_admin.create_table(b, p, table="later", fields=[]),
    "manage_fields": lambda b, p, w: table_admin.manage_fields(b, p, "posts", remove=["title"]),
    "backend_field_manage": lambda b, p, w: compat.field_manage(b, p, w["table"], {"fieldsToRemove": ["title"]}),
    "backend_data_delete": lambda b, p, w: compat_legacy.data_delete(b, p, w["table"], w["record"]),
    "create_key": lambda b, p, w: key_admin.manage_api_keys(b, p, "create", name="k"),
    "add_origin": lambda b, p, w: cors.manage_cors(b, p, "add", "https://a.example.com"),
    "set_mcp_access": lambda b, p, w: projects.set_mcp_access(b, p, "dev", "read"),
}


@pytest.mark.parametrize("write", list(DOMAIN_WRITES))
def test_domain_write_functions_refuse_a_read_only_principal(env, world, write):
    before = snapshot(env.backend)
    with pytest.raises(BkendError) as refused:
        DOMAIN_WRITES[write](env.backend, READ_ONLY, world)
    assert refused.value.code == "mcp/read-only"
    assert snapshot(env.backend) == before


def test_read_only_view_refuses_writes_but_lets_existing_indexes_be_ensured(env, world):
    view = read_only_view(env.backend)
    posts = view.data(env.environment_id, "posts")
    assert posts.count() == 1 and posts.get(world["record"])["title"] == "kept"
    for write in (lambda: posts.insert({"_id": "y"}), lambda: posts.delete(world["record"]),
                  lambda: posts.update(world["record"], {"title": "z"}), lambda: view.store.drop_namespace("x"),
                  lambda: posts.create_index(Index("brand_new", (("title", 1),)))):  # fmt: skip
        with pytest.raises(BkendError) as refused:
            write()
        assert refused.value.code == "mcp/read-only"
    existing = posts.index_names()[0]
    posts.create_index(Index(existing, (("title", 1),)))  # already there: a no-op, not a write
