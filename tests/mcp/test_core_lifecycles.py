"""Lifecycles through the core tools: projects, environments, tables (fields, indexes, versions), keys and CORS,
including the confirm rules of destructive calls."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

POSTS_FIELDS = [
    {"name": "title", "type": "string", "required": True, "maxLength": 100},
    {"name": "published", "type": "boolean", "default": False},
    {"name": "email", "type": "string", "unique": True},
    {"name": "views", "type": "integer", "minimum": 0},
]


async def test_project_lifecycle_with_keys_and_confirmation(mcp):
    made = await mcp.ok("create_project", name="Shop Front", environments=["dev", "prod"])
    assert made["slug"] == "shop-front"
    envs = {e["environment"]: e for e in made["environments"]}
    assert set(envs) == {"dev", "prod"} and envs["prod"]["environmentType"] == "prod"
    assert all(e["publishableKey"]["key"].startswith("pk_") and e["publishableKey"]["name"] == "default"
               for e in envs.values())  # fmt: skip

    renamed = await mcp.ok("update_project", project="shop-front", name="Shop", settings={"theme": "dark"})
    assert renamed["name"] == "Shop" and renamed["settings"] == {"corsOrigins": [], "theme": "dark"}
    detail = await mcp.ok("get_project", project=made["id"])
    assert detail["counts"] == {"environments": 2, "tables": 0, "apiKeys": 2, "users": 0, "files": 0}

    for wrong in ({}, {"confirm": "Shop"}, {"confirm": made["id"]}):
        error = await mcp.error("delete_project", project="shop-front", **wrong)
        assert (error["code"], error["restCode"]) == ("CONFIRMATION_REQUIRED", "common/confirmation-required")
        assert "confirm='shop-front'" in error["message"] and error["details"][0]["field"] == "confirm"
    assert await mcp.ok("delete_project", project="shop-front", confirm="shop-front") == {
        "deleted": True, "id": made["id"], "slug": "shop-front"
    }  # fmt: skip
    assert (await mcp.error("get_project", project="shop-front"))["code"] == "NOT_FOUND"
    listed = await mcp.ok("list_projects")
    assert [p["slug"] for p in listed["items"]] == ["my-app"] and listed["pagination"]["total"] == 1


async def test_derived_slugs_stay_unique_and_a_bad_environment_name_creates_nothing(mcp):
    first = await mcp.ok("create_project", name="Blog")
    second = await mcp.ok("create_project", name="Blog")
    assert (first["slug"], second["slug"]) == ("blog", "blog-2")
    refused = await mcp.call("create_project", name="Broken", environments=["dev", "Prod!"])
    assert refused.is_error and "environments.1" in refused.content[0].text
    assert (await mcp.ok("list_projects"))["pagination"]["total"] == 3


async def test_several_projects_need_an_explicit_project(mcp):
    await mcp.ok("create_project", name="Second")
    error = await mcp.error("list_tables")
    assert error["code"] == "VALIDATION_ERROR" and "my-app" in error["message"] and "second" in error["message"]
    assert (await mcp.ok("list_tables", project="second"))["items"] == []


async def test_environment_copy_schema_then_delete(mcp, env):
    await mcp.ok("create_table", table="posts", fields=POSTS_FIELDS, indexes=[{"fields": {"views": -1}}],
                 permissions={"user": {"create": True, "read": True}, "guest": {"read": True}})  # fmt: skip
    env.backend.data(env.environment_id, "posts").insert({"_id": "r1", "title": "kept in dev"})

    staging = await mcp.ok("create_environment", name="staging", copySchemaFrom="dev")
    assert staging["environmentType"] == "staging" and staging["copiedTables"] == ["posts"]
    assert staging["publishableKey"]["key"].startswith("pk_")
    copy = await mcp.ok("get_table", table="posts", environment="staging")
    original = await mcp.ok("get_table", table="posts")
    assert copy["fields"] == original["fields"] and copy["permissions"] == original["permissions"]
    assert [i["name"] for i in copy["indexes"]] == [i["name"] for i in original["indexes"]]
    assert (copy["documentCount"], original["documentCount"], copy["schemaVersion"]) == (0, 1, 1)
    assert (await mcp.ok("get_environment", environment="staging"))["counts"]["tables"] == 1

    error = await mcp.error("delete_environment", environment="staging", confirm="dev")
    assert error["code"] == "CONFIRMATION_REQUIRED"
    assert (await mcp.ok("delete_environment", environment="staging", confirm="staging"))["deleted"] is True
    assert [e["environment"] for e in (await mcp.ok("list_environments"))["items"]] == ["dev"]
    last = await mcp.error("delete_environment", environment="dev", confirm="dev")
    assert last["code"] == "CONFLICT" and "last environment" in last["message"]


async def test_table_lifecycle_fields_indexes_versions_and_delete(mcp, env):
    indexes = [{"fields": ["published", "views"]}, {"name": "by_title", "fields": {"title": 1}}]
    made = await mcp.ok("create_table", table="posts", fields=POSTS_FIELDS, displayName="Posts", indexes=indexes)
    assert (made["schemaVersion"], made["indexVersion"]) == (1, 1)
    assert made["schema"]["required"] == ["title"] and made["schema"]["properties"]["views"]["bsonType"] == "int"
    names = [i["name"] for i in made["indexes"]]
    assert {"uniq_email", "idx_published_asc_views_asc", "by_title"} <= set(names)
    assert made["rest"]["endpoints"]["list"] == f"GET {env.backend.config.base_url}/v1/data/posts"
    listed = await mcp.ok("list_tables")
    assert [(t["tableName"], t["fieldCount"], t["isSystem"]) for t in listed["items"]] == [("posts", 4, False)]
    with_system = await mcp.ok("list_tables", includeSystem=True)
    assert {t["tableName"] for t in with_system["items"] if t["isSystem"]} == {"users", "accounts", "sessions", "files"}

    env.backend.data(env.environment_id, "posts").insert({"_id": "r1", "title": "old"})
    preview = await mcp.ok("manage_fields", table="posts", add=[{"name": "slug", "type": "string"}],
                           require=["slug"], dryRun=True)  # fmt: skip
    assert preview["dryRun"] is True and preview["schemaVersion"] == 1
    assert preview["warnings"] == [{"field": "slug", "nonConformingCount": 1,
                                    "message": "1 existing record(s) have no 'slug'"}]  # fmt: skip
    assert (await mcp.ok("get_table", table="posts"))["schemaVersion"] == 1
    changed = await mcp.ok("manage_fields", table="posts", add=[{"name": "slug", "type": "string"}], require=["slug"],
                           remove=["views"])  # fmt: skip
    assert changed["schemaVersion"] == 2 and changed["warnings"][0]["field"] == "slug"
    assert "views" not in [f["name"] for f in changed["fields"]]

    changed_indexes = await mcp.ok("manage_indexes", table="posts", add=[{"fields": {"slug": 1}, "unique": True}],
                           remove=["by_title"])  # fmt: skip
    assert changed_indexes["indexVersion"] == 2
    assert "idx_slug_asc" in [i["name"] for i in changed_indexes["indexes"]]
    assert "by_title" not in [i["name"] for i in changed_indexes["indexes"]]

    versions = await mcp.ok("list_schema_versions", table="posts")
    assert [(v["version"], v["isCurrent"]) for v in versions["items"]] == [(2, True), (1, False)]
    assert "schema" not in versions["items"][0]
    assert "schema" in (await mcp.ok("list_schema_versions", table="posts", includeSchema=True))["items"][0]
    rolled = await mcp.ok("rollback_schema", table="posts", version=1)
    assert (rolled["schemaVersion"], rolled["rolledBackFrom"]) == (3, 1) and rolled["warnings"] == []
    assert [v["version"] for v in (await mcp.ok("list_index_versions", table="posts"))["items"]] == [2, 1]

    updated = await mcp.ok("update_table", table="posts", description="Blog posts",
                           rowFilters=[{"expression": "guest", "filter": {"published": True}}])  # fmt: skip
    assert updated["description"] == "Blog posts" and updated["rowFilters"][0]["expression"] == "guest"
    cleared = await mcp.ok("update_table", table="posts", clear=["rowFilters"])
    assert cleared["rowFilters"] is None

    assert (await mcp.error("delete_table", table="posts", confirm="Posts"))["code"] == "CONFIRMATION_REQUIRED"
    deleted = await mcp.ok("delete_table", table=made["id"], confirm="posts")
    assert deleted == {"deleted": True, "id": made["id"], "tableName": "posts", "documentsDeleted": 1}
    assert (await mcp.ok("list_tables"))["items"] == []


async def test_create_table_accepts_the_bson_schema_form_with_required(mcp):
    bson = {"name": {"bsonType": "string"}, "at": {"bsonType": "date"}, "required": ["name"]}
    made = await mcp.ok("create_table", table="events", schema=bson)
    assert made["schema"]["required"] == ["name"] and [f["type"] for f in made["fields"]] == ["string", "date"]
    both = await mcp.error("create_table", table="other", fields=[{"name": "a", "type": "string"}], schema={})
    assert both["code"] == "VALIDATION_ERROR" and both["details"][0]["field"] == "schema"


async def test_a_unique_index_over_duplicates_is_a_conflict_and_changes_nothing(mcp, env):
    await mcp.ok("create_table", table="people", fields=[{"name": "email", "type": "string"}])
    for n in (1, 2):
        env.backend.data(env.environment_id, "people").insert({"_id": f"p{n}", "email": "same@example.com"})
    error = await mcp.error("manage_indexes", table="people", add=[{"fields": ["email"], "unique": True}])
    assert (error["code"], error["restCode"]) == ("CONFLICT", "table/duplicate-data")
    assert (await mcp.ok("get_table", table="people"))["indexVersion"] == 1


async def test_api_keys_show_publishable_in_full_and_secrets_once(mcp, env):
    listed = await mcp.ok("manage_api_keys", action="list")
    by_type = {k["type"]: k for k in listed["items"]}
    assert by_type["publishable"]["key"] == env.pk
    assert "key" not in by_type["secret"] and by_type["secret"]["maskedKey"].startswith("sk_")

    made = await mcp.ok("manage_api_keys", action="create", type="secret", name="ci", scopes=["posts:read"])
    assert made["key"].startswith("sk_") and len(made["key"]) == 67 and made["scopes"] == ["posts:read"]
    again = await mcp.ok("manage_api_keys", action="list")
    assert made["key"] not in str(again) and len(again["items"]) == 3
    duplicate = await mcp.error("manage_api_keys", action="create", name="ci")
    assert duplicate["code"] == "CONFLICT"
    past = await mcp.error("manage_api_keys", action="create", name="old", expiresAt="2001-01-01T00:00:00Z")
    assert past["details"][0]["field"] == "expiresAt"

    revoked = await mcp.ok("manage_api_keys", action="revoke", keyId=made["id"])
    assert revoked["revoked"] is True and revoked["revokedAt"]
    assert (await mcp.ok("manage_api_keys", action="create", name="ci"))["name"] == "ci"


@pytest.mark.parametrize(
    "origin",
    ["app.example.com", "https://*.example.com", "https://example.com/app", "ftp://example.com",
     "https://example.com:99999", "https://user@example.com"],
)  # fmt: skip
async def test_cors_rejects_origins_that_are_not_scheme_host_port(mcp, origin):
    error = await mcp.error("manage_cors", action="add", origin=origin)
    assert (error["code"], error["details"][0]["field"]) == ("VALIDATION_ERROR", "origin")


async def test_cors_origins_add_list_remove_with_a_maximum_of_three(mcp):
    for origin in ("https://app.example.com/", "http://localhost:3000", "HTTPS://Admin.Example.com"):
        result = await mcp.ok("manage_cors", action="add", origin=origin)
    assert result == {"origins": ["https://app.example.com", "http://localhost:3000", "https://admin.example.com"],
                      "max": 3}  # fmt: skip
    assert (await mcp.ok("manage_cors", action="add", origin="http://localhost:3000"))["origins"] == result["origins"]
    full = await mcp.error("manage_cors", action="add", origin="https://fourth.example.com")
    assert (full["code"], full["restCode"]) == ("LIMIT_EXCEEDED", "common/limit-exceeded")
    removed = await mcp.ok("manage_cors", action="remove", origin="http://localhost:3000")
    assert removed["origins"] == ["https://app.example.com", "https://admin.example.com"]
    project = await mcp.ok("get_project", project="my-app")
    assert project["settings"]["corsOrigins"] == removed["origins"]
    assert (await mcp.error("update_project", project="my-app", settings={"corsOrigins": ["*"]}))["code"] == (
        "VALIDATION_ERROR"
    )
