"""The activity log: every MCP tool call is one entry (client from `initialize`, tool, redacted arguments, outcome,
duration, records touched, project), readable through `get_activity` and `bkend://activity` with filters and
paging, and never showing another tenant's calls or, on a pinned connection, another project's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import pytest

from bkend_mcp.domain import activity, dates, projects
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import ConnectionPolicy, Principal
from bkend_mcp.mcp.server import build_server
from bkend_mcp.mcp.toolkit import ToolKit
from tests.mcp.guardrails_support import TEST_CLIENT, activity_entries, principal, session

pytestmark = pytest.mark.anyio
SECRET_KEY = "sk_" + "ab" * 32


@pytest.fixture
def accounts(env) -> None:
    env.create_table("accounts_", {"name": {"type": "string"}, "password": {"type": "string"}})


async def test_each_call_is_logged_with_client_outcome_duration_records_and_secrets_redacted(env, accounts):
    async with session(env.backend, principal(), ("core",)) as s:
        made = await s.ok("insert_data", table="accounts_", records=[{"name": "ann", "password": "hunter2"}])
        await s.error("insert_data", table="accounts_", records={"name": 5})
        await s.call("manage_users", action="create", email="bob@example.com", password="Correct-horse-9",
                     apiKey=SECRET_KEY)  # fmt: skip
        await s.call("no_such_tool")
    entries = {(e["tool"], e["outcome"] == "ok"): e for e in activity_entries(env.backend)}
    ok = entries[("insert_data", True)]
    assert ok["arguments"]["records"][0] == {"name": "ann", "password": "[redacted]"}
    assert ok["client"] == {"name": TEST_CLIENT.name, "version": TEST_CLIENT.version}
    assert ok["records"] == {"count": 1, "ids": [made["items"][0]["id"]]}
    assert ok["tenantId"] == "tnt_localowner"
    assert (ok["projectId"], ok["environmentId"]) == (env.project_id, env.environment_id)
    assert ok["durationMs"] >= 0 and ok["clientId"] == "test"
    failed = entries[("insert_data", False)]
    assert failed["outcome"] == "data/validation-error" and failed["error"]
    users = next(e for e in activity_entries(env.backend) if e["tool"] == "manage_users")
    assert users["arguments"]["password"] == "[redacted]" and "Correct-horse-9" not in json.dumps(users, default=str)
    assert SECRET_KEY not in json.dumps(users, default=str)
    assert entries[("no_such_tool", False)]["outcome"] == "unknown-tool"
    stored = env.backend.data(env.environment_id, "accounts_").get(made["items"][0]["id"])
    assert stored["password"] == "hunter2"  # only the log is redacted, never the data


async def test_refusals_are_logged_with_their_code(env, accounts):
    async with session(env.backend, principal(read_only=True), ("core",)) as s:
        await s.call("insert_data", table="accounts_", records={"name": "x"})
        listed = await s.ok("get_activity", outcome="mcp/read-only")
    [entry] = listed["items"]
    assert entry["tool"] == "insert_data" and entry["connection"]["readOnly"] is True


async def test_get_activity_filters_by_tool_outcome_and_time_and_pages_newest_first(env, accounts):
    async with session(env.backend, principal(), ("core",)) as s:
        for n in range(3):
            await s.ok("insert_data", table="accounts_", records={"name": f"n{n}"})
        await s.error("query_data", table="missing")
        await s.ok("list_tables")
        inserts = await s.ok("get_activity", tool="insert_data", limit=2)
        second_page = await s.ok("get_activity", tool="insert_data", limit=2, page=2)
        errors = await s.ok("get_activity", outcome="error")
        oks = await s.ok("get_activity", outcome="ok")
        future = await s.ok("get_activity", since=dates.iso(dates.now() + timedelta(minutes=1)))
        past = await s.ok("get_activity", until=dates.iso(dates.now() - timedelta(minutes=1)))
        bad = await s.error("get_activity", since="yesterday-ish")
    assert inserts["pagination"]["total"] == 3 and len(inserts["items"]) == 2 and len(second_page["items"]) == 1
    assert inserts["items"][0]["at"] >= inserts["items"][1]["at"] >= second_page["items"][0]["at"]
    assert [e["outcome"] for e in errors["items"]] == ["table/not-found"]
    assert {e["tool"] for e in oks["items"]} == {"insert_data", "list_tables", "get_activity"}
    assert future["items"] == [] and past["items"] == []
    assert bad["code"] == "VALIDATION_ERROR"


async def test_activity_of_other_tenants_and_other_projects_stays_hidden(env, accounts):
    owner = principal()
    projects.create_project(env.backend, owner, name="Shop", slug="shop")
    env.backend.control(activity.COLLECTION).insert(
        activity.entry(Principal("tnt_someone_else"), "query_data", {}, outcome="ok", duration_ms=1)
    )
    async with session(env.backend, owner, ("core",)) as s:
        await s.ok("list_tables", project="shop")
        await s.ok("list_tables", project="my-app")
    async with session(env.backend, principal(project="shop"), ("core",)) as s:
        pinned = await s.ok("get_activity", tool="list_tables")
    async with session(env.backend, owner, ("core",)) as s:
        everything = await s.ok("get_activity", tool="list_tables")
        all_tools = await s.ok("get_activity", tool="query_data")
    shop_id = projects.get_project(env.backend, owner, "shop")["id"]
    assert [e["projectId"] for e in pinned["items"]] == [shop_id]
    assert len(everything["items"]) == 2 and all_tools["items"] == []


async def test_the_activity_resource_reads_the_log_with_filters(env, accounts):
    async with session(env.backend, principal(), ("core",)) as s:
        await s.ok("insert_data", table="accounts_", records={"name": "x", "password": "p"})
        await s.ok("list_tables")
        whole = json.loads((await s.client.read_resource("bkend://activity")).contents[0].text)
        only = json.loads((await s.client.read_resource("bkend://activity?tool=insert_data&limit=1")).contents[0].text)
    assert {e["tool"] for e in whole["items"]} == {"insert_data", "list_tables"}
    assert [e["tool"] for e in only["items"]] == ["insert_data"] and only["pagination"]["limit"] == 1
    assert only["items"][0]["arguments"]["records"]["password"] == "[redacted]"


async def test_every_call_has_exactly_one_entry_in_the_store_before_its_result_arrives(env, accounts):
    async with session(env.backend, principal(), ("core",)) as s:
        calls = [
            ("insert_data", {"table": "accounts_", "records": {"name": "a"}}),
            ("insert_data", {"table": "accounts_", "records": {"name": 5}}),
            ("query_data", {"table": "accounts_"}),
            ("get_context", {}),
            ("query_data", {"table": "accounts_", "limit": "many"}),
            ("no_such_tool", {}),
        ]
        seen = []
        for tool, arguments in calls:
            await s.call(tool, **arguments)
            seen.append([(e["tool"], e["outcome"]) for e in activity_entries(env.backend)])
    logged = seen[-1]
    assert [len(after) for after in seen] == [1, 2, 3, 4, 5, 6]
    assert [tool for tool, _ in logged] == [tool for tool, _ in calls]
    assert [outcome for _, outcome in logged] == [
        "ok", "data/validation-error", "ok", "ok", "invalid-arguments", "unknown-tool"
    ]  # fmt: skip


async def test_an_entry_is_amended_when_the_result_differs_from_the_first_domain_call(env):
    """A handler that makes a second domain call (or reshapes its result) still gets one entry telling what the
    client received."""
    who = principal()
    server = build_server(env.backend, lambda: who, toolsets=("core",))
    kit = ToolKit(env.backend, lambda: who, anyio.CapacityLimiter(2))

    def missing(backend, caller):
        raise BkendError("table/not-found", "Table 'nope' not found")

    @server.tool()
    async def two_steps() -> dict:
        await kit.call(None, lambda b, p: {"ids": ["rec_1"], "count": 1})
        return await kit.call(None, missing)

    async with session(env.backend, who, server=server) as s:
        await s.error("two_steps")
    [entry] = [e for e in activity_entries(env.backend) if e["tool"] == "two_steps"]
    assert (entry["outcome"], entry["error"], entry["records"]) == ("table/not-found", "Table 'nope' not found", None)


async def test_the_entry_is_written_in_the_same_worker_hop_as_the_domain_work(env):
    """No thread hop of its own: the entry is in the store as soon as `kit.call` returns to the handler."""
    who = principal()
    server = build_server(env.backend, lambda: who, toolsets=("core",))
    kit = ToolKit(env.backend, lambda: who, anyio.CapacityLimiter(2))
    seen_by_the_handler = []

    @server.tool()
    async def looks_at_the_log() -> dict[str, Any]:
        result = await kit.call(None, lambda b, p: {"ids": ["rec_1"], "count": 1})
        seen_by_the_handler.extend(e["tool"] for e in activity_entries(env.backend))
        return result

    async with session(env.backend, who, server=server) as s:
        await s.ok("looks_at_the_log")
    assert seen_by_the_handler == ["looks_at_the_log"]
    [entry] = activity_entries(env.backend)
    assert (entry["outcome"], entry["records"]) == ("ok", {"count": 1, "ids": ["rec_1"]})


def test_redaction_covers_nested_names_secret_values_and_clips_large_values():
    redacted = activity.redact({
        "body": {"clientSecret": "s", "refreshToken": "t", "Authorization": "Bearer x", "contentBase64": "AAAA"},
        "records": [{"newPassword": "p"}] * 25,
        "note": "x" * 600,
        "key": SECRET_KEY,
        "keyId": "key_123",
    })  # fmt: skip
    assert set(redacted["body"].values()) == {"[redacted]"}
    assert redacted["records"][0] == {"newPassword": "[redacted]"} and redacted["records"][-1] == "[5 more]"
    assert len(redacted["records"]) == 21 and redacted["note"].endswith("[600 chars]")
    assert redacted["key"] == "[redacted]" and redacted["keyId"] == "key_123"


def test_records_touched_are_read_from_the_result_shapes():
    assert activity.records_of({"deleted": 2, "ids": ["a", "b"]}) == {"count": 2, "ids": ["a", "b"]}
    assert activity.records_of({"items": [{"id": "a"}], "count": 1}) == {"count": 1, "ids": ["a"]}
    assert activity.records_of({"id": "a", "createdAt": "…", "title": "x"}) == {"count": 1, "ids": ["a"]}
    assert activity.records_of({"groups": []}) is None


def test_a_logged_entry_names_the_connection_policy():
    who = Principal("tnt_x", policy=ConnectionPolicy(read_only=True, project="shop"))
    entry = activity.entry(who, "get_context", {}, outcome="ok", duration_ms=0.5)
    assert entry["connection"] == {"readOnly": True, "project": "shop", "environment": None}
