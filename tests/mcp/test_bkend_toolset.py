"""The `bkend` toolset: hosted bkend's `backend_*` names and `body` shapes over the in-memory client, both engines."""

from __future__ import annotations

import pytest

from bkend_mcp.mcp.listing import effective_annotations
from tests.mcp.mcp_client import Tools

BKEND_TOOLS = {
    "backend_org_list": "R",
    "backend_org_get": "R",
    "backend_project_list": "R",
    "backend_project_get": "R",
    "backend_project_create": "W",
    "backend_project_update": "W",
    "backend_env_list": "R",
    "backend_env_get": "R",
    "backend_env_create": "W",
    "backend_access_token_list": "R",
    "backend_access_token_get": "R",
    "backend_table_list": "R",
    "backend_table_get": "R",
    "backend_table_create": "W",
    "backend_table_update": "W",
    "backend_field_manage": "W!",
    "backend_index_manage": "W",
    "backend_schema_version_list": "R",
    "backend_index_version_list": "R",
}
ANNOTATIONS = {"R": (True, None), "W": (False, False), "W!": (False, True)}
SCHEMA = {"title": {"bsonType": "string"}, "published": {"bsonType": "bool"}, "required": ["title"]}


@pytest.fixture
def tools(env) -> Tools:
    return Tools(env.backend, toolsets=["bkend"])


def make_posts(env, tools):
    return tools.ok(
        "backend_table_create",
        body={"projectId": env.project_id, "environment": "dev", "tableName": "posts", "schema": SCHEMA},
    )


def test_every_bkend_tool_is_listed_with_its_annotations_and_says_call_get_context_first(env):
    listed = Tools(env.backend, toolsets=["bkend"]).list()
    assert set(listed) == set(BKEND_TOOLS)
    for name, kind in BKEND_TOOLS.items():
        annotations = effective_annotations(listed[name].annotations)
        assert (annotations.read_only_hint, annotations.destructive_hint) == ANNOTATIONS[kind], name
        assert listed[name].description.startswith("Call get_context first"), name


def test_default_toolsets_include_bkend_and_core_hides_it(env, monkeypatch):
    monkeypatch.delenv("BKEND_MCP_TOOLSETS", raising=False)
    assert set(BKEND_TOOLS) <= set(Tools(env.backend).list())
    monkeypatch.setenv("BKEND_MCP_TOOLSETS", "core")
    names = set(Tools(env.backend).list())
    assert "insert_data" in names and not any(n.startswith("backend_") for n in names)


def test_create_takes_the_body_wrapper_and_required_fields(env, tools):
    table = make_posts(env, tools)
    assert table["tableName"] == "posts" and table["schema"]["required"] == ["title"]
    assert table["schema"]["properties"]["published"]["bsonType"] == "bool"
    missing = tools.call("backend_table_create", body={"projectId": env.project_id, "environment": "dev"})
    assert missing.is_error
    extra = tools.call(
        "backend_table_create",
        body={"projectId": env.project_id, "environment": "dev", "tableName": "x", "schema": {}, "fields": []},
    )
    assert extra.is_error


def test_table_get_update_field_and_index_manage_by_table_id(env, tools):
    table_id = make_posts(env, tools)["id"]
    got = tools.ok("backend_table_get", tableId=table_id)
    assert got["tableName"] == "posts" and got["documentCount"] == 0
    updated = tools.ok(
        "backend_table_update",
        tableId=table_id,
        body={"displayName": "Posts", "permissions": {"guest": {"read": True, "list": True}}},
    )
    assert updated["displayName"] == "Posts" and updated["permissions"] == {"guest": {"read": True, "list": True}}
    fields = tools.ok(
        "backend_field_manage",
        tableId=table_id,
        body={"fieldsToAddOrUpdate": {"views": {"bsonType": "int"}}, "requiredFieldsToAdd": ["published"]},
    )
    assert fields["schemaVersion"] == 2 and fields["schema"]["properties"]["views"]["bsonType"] == "int"
    assert set(fields["schema"]["required"]) == {"title", "published"}
    indexes = tools.ok(
        "backend_index_manage",
        tableId=table_id,
        body={"indexesToAddOrUpdate": [{"name": "by_views", "fields": {"views": -1}}]},
    )
    assert indexes["indexVersion"] == 2 and "by_views" in {ix["name"] for ix in indexes["indexes"]}
    versions = tools.ok("backend_schema_version_list", tableId=table_id)
    assert [v["version"] for v in versions["items"]] == [2, 1] and "schema" in versions["items"][0]
    assert tools.ok("backend_index_version_list", tableId=table_id, limit=1)["pagination"]["total"] == 2


def test_empty_manage_body_is_a_validation_error(env, tools):
    table_id = make_posts(env, tools)["id"]
    error = tools.error("backend_field_manage", tableId=table_id, body={})
    assert error["code"] == "VALIDATION_ERROR"


def test_table_list_filters_by_project_and_environment_or_lists_all(env, tools):
    make_posts(env, tools)
    everything = tools.ok("backend_table_list")
    assert [t["tableName"] for t in everything["items"]] == ["posts"]
    assert everything["items"][0]["environment"] == "dev" and "schema" in everything["items"][0]
    assert tools.ok("backend_table_list", projectId=env.project_id, environment="dev")["pagination"]["total"] == 1


def test_projects_and_environments(env, tools):
    org = tools.ok("backend_org_list")["items"][0]
    assert tools.ok("backend_org_get", organizationId=org["id"])["id"] == org["id"]
    assert tools.error("backend_org_get", organizationId="org_nope")["code"] == "NOT_FOUND"
    project = tools.ok(
        "backend_project_create",
        body={"organizationId": org["id"], "slug": "shop", "name": "Shop", "primaryCloud": "aws",
              "primaryRegion": "ap-northeast-2"},
    )  # fmt: skip
    assert project["slug"] == "shop" and project["primaryCloud"] == "aws"
    listed = tools.ok("backend_project_list")
    assert {p["slug"] for p in listed["items"]} == {"my-app", "shop"}
    assert all("environmentCount" in p for p in listed["items"])
    updated = tools.ok("backend_project_update", projectId=project["id"], body={"name": "Shop 2", "slug": "shop"})
    assert updated["name"] == "Shop 2"
    slug_change = tools.error("backend_project_update", projectId=project["id"], body={"slug": "other"})
    assert slug_change["code"] == "VALIDATION_ERROR"

    env_made = tools.ok(
        "backend_env_create", body={"projectId": project["id"], "environment": "staging", "environmentType": "staging"}
    )
    assert env_made["environment"] == "staging" and env_made["publishableKey"]["key"].startswith("pk_")
    assert tools.ok("backend_env_get", environmentId=env_made["id"])["id"] == env_made["id"]
    assert {e["environment"] for e in tools.ok("backend_env_list", projectId=project["id"])["items"]} == {
        "dev",
        "staging",
    }
    assert len(tools.ok("backend_env_list")["items"]) == 3


def test_access_tokens_never_show_a_secret_value(env, tools):
    listed = tools.ok("backend_access_token_list")["items"]
    by_type = {k["type"]: k for k in listed}
    assert by_type["publishable"]["key"] == env.pk
    assert "key" not in by_type["secret"] and env.sk not in str(listed)
    one = tools.ok("backend_access_token_get", accessTokenId=by_type["secret"]["id"])
    assert one["maskedKey"] and "key" not in one
    assert tools.error("backend_access_token_get", accessTokenId="key_missing")["code"] == "NOT_FOUND"


def test_scopes_apply_to_compat_tools(env):
    reader = Tools(env.backend, scopes=("*:read",), toolsets=["bkend"])
    assert reader.ok("backend_table_list")["items"] == []
    error = reader.error(
        "backend_table_create",
        body={"projectId": env.project_id, "environment": "dev", "tableName": "t", "schema": {}},
    )
    assert error["code"] == "FORBIDDEN" and "table:create" in error["message"]
