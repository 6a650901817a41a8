"""The activity log: every MCP tool call is one entry (client from `initialize`, tool, redacted arguments, outcome,
duration, records touched, project), readable through `get_activity` and `bkend://activity` with filters and
paging, and never showing another tenant's calls or, on a pinned connection, another project's."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bkend_mcp.domain import activity, dates, projects
from bkend_mcp.domain.principal import ConnectionPolicy, Principal
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
