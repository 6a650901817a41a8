"""The `bkend-legacy` toolset (v0.0.8/v0.0.10 names, top-level ids), off by default; both engines."""

from __future__ import annotations

import pytest

from bkend_mcp.mcp.listing import effective_annotations
from tests.mcp.mcp_client import Tools

LEGACY_TOOLS = {
    "get_operation_schema": "R",
    "backend_project_delete": "W!",
    "backend_env_delete": "W!",
    "backend_table_delete": "W!",
    "backend_schema_version_get": "R",
    "backend_schema_version_apply": "W!",
    "backend_index_version_get": "R",
    "backend_data_list": "R",
    "backend_data_get": "R",
    "backend_data_create": "W",
    "backend_data_update": "W!",
    "backend_data_delete": "W!",
}
ANNOTATIONS = {"R": (True, None), "W": (False, False), "W!": (False, True)}


@pytest.fixture
def table_id(env) -> str:
    return env.create_table("posts", {"title": {"type": "string", "required": True}, "n": {"type": "number"}})["id"]


@pytest.fixture
def tools(env) -> Tools:
    return Tools(env.backend, toolsets=["bkend-legacy"])


def test_legacy_tools_are_listed_only_when_asked_for(env, monkeypatch):
    monkeypatch.delenv("BKEND_MCP_TOOLSETS", raising=False)
    default = set(Tools(env.backend).list())
    assert not set(LEGACY_TOOLS) & default
    listed = Tools(env.backend, toolsets=["core", "bkend", "bkend-legacy"]).list()
    for name, kind in LEGACY_TOOLS.items():
        annotations = effective_annotations(listed[name].annotations)
        assert (annotations.read_only_hint, annotations.destructive_hint) == ANNOTATIONS[kind], name


def test_record_crud_with_top_level_ids(env, tools, table_id):
    ids = {"organizationId": env.organization_id, "projectId": env.project_id, "environmentId": env.environment_id}
    made = tools.ok("backend_data_create", tableId=table_id, data={"title": "a", "n": "3"}, **ids)
    assert made["title"] == "a" and made["n"] == 3
    assert tools.ok("backend_data_get", tableId=table_id, recordId=made["id"])["id"] == made["id"]
    updated = tools.ok("backend_data_update", tableId=table_id, recordId=made["id"], data={"n": None})
    assert "n" not in updated
    tools.ok("backend_data_create", tableId="posts", data={"title": "b", "n": 7}, environmentId="dev")
    listed = tools.ok(
        "backend_data_list", tableId=table_id, andFilters={"n": {"$gte": 5}}, orFilters=[{"title": "b"}], limit=5
    )
    assert [i["title"] for i in listed["items"]] == ["b"] and listed["pagination"]["limit"] == 5
    assert tools.ok("backend_data_delete", tableId=table_id, recordId=made["id"]) == {"success": True}
    assert tools.error("backend_data_get", tableId=table_id, recordId=made["id"])["code"] == "NOT_FOUND"


def test_mismatched_ids_are_not_found(env, tools, table_id):
    for wrong in ({"projectId": "proj_other"}, {"environmentId": "env_other"}, {"organizationId": "org_other"}):
        assert tools.error("backend_data_list", tableId=table_id, **wrong)["code"] == "NOT_FOUND", wrong


def test_bad_record_gets_the_rest_validation_error(env, tools, table_id, client):
    rest = client.post("/v1/data/posts", json={"n": "x"}, headers={"x-api-key": env.sk}).json()["error"]
    legacy = tools.error("backend_data_create", tableId=table_id, data={"n": "x"})
    assert (legacy["restCode"], legacy["message"], legacy["details"]) == (
        rest["code"],
        rest["message"],
        rest["details"],
    )


def test_schema_versions_get_and_apply(env, tools, table_id):
    Tools(env.backend, toolsets=["bkend"]).ok(
        "backend_field_manage", tableId=table_id, body={"fieldsToAddOrUpdate": {"extra": {"bsonType": "string"}}}
    )
    first = tools.ok("backend_schema_version_get", tableId=table_id, versionId=1)
    assert first["version"] == 1 and "extra" not in first["schema"]["properties"]
    assert tools.ok("backend_schema_version_get", tableId=table_id, versionId=first["id"])["version"] == 1
    applied = tools.ok("backend_schema_version_apply", tableId=table_id, versionId=1)
    assert applied["schemaVersion"] == 3 and applied["rolledBackFrom"] == 1
    assert tools.ok("backend_index_version_get", tableId=table_id, versionId=1)["version"] == 1
    assert tools.error("backend_schema_version_get", tableId=table_id, versionId=99)["code"] == "NOT_FOUND"


def test_deletes_need_no_confirm(env, tools, table_id):
    gone = tools.ok("backend_table_delete", tableId=table_id)
    assert gone["deleted"] is True and gone["tableName"] == "posts"
    core = Tools(env.backend, toolsets=["core"])
    project = core.ok("create_project", name="Temp", environments=["dev", "staging"])
    staging = next(e for e in project["environments"] if e["environment"] == "staging")
    assert tools.ok("backend_env_delete", environmentId=staging["id"], projectId=project["id"])["deleted"] is True
    assert tools.ok("backend_project_delete", projectId=project["id"], organizationId=env.organization_id)["deleted"]
    assert project["slug"] not in {p["slug"] for p in core.ok("list_projects")["items"]}


def test_get_operation_schema_returns_the_registered_schemas(env, tools):
    both = tools.ok("get_operation_schema", operation="backend_data_create", schemaType="both")
    assert both["inputSchema"]["required"] == ["tableId", "data"]
    assert both["outputSchema"]["type"] == "object"
    only_input = tools.ok("get_operation_schema", operation="backend_data_list")
    assert set(only_input) == {"operation", "inputSchema"}
    assert tools.error("get_operation_schema", operation="nope")["code"] == "NOT_FOUND"


def test_legacy_data_tools_need_data_scopes(env, table_id):
    tools = Tools(env.backend, scopes=("table:*",), toolsets=["bkend-legacy"])
    assert tools.error("backend_data_create", tableId=table_id, data={"title": "x"})["code"] == "FORBIDDEN"
    assert env.count("posts") == 0
