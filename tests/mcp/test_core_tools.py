"""The core toolset as a client sees it: the catalogue (names, annotations, input constraints), the session tools,
scope checks, the one error shape, and errors identical to the REST API's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID
from bkend_mcp.mcp.listing import effective_annotations

pytestmark = pytest.mark.anyio

R, W, WI, WD = "read", "write", "write-idempotent", "destructive"
CORE_TOOLS = {
    "get_context": R, "search_docs": R,
    "list_organizations": R, "get_organization": R,
    "list_projects": R, "get_project": R, "create_project": W, "update_project": WI, "delete_project": WD,
    "list_environments": R, "get_environment": R, "create_environment": W, "delete_environment": WD,
    "list_tables": R, "get_table": R, "create_table": W, "update_table": WI, "delete_table": WD,
    "manage_fields": WD, "manage_indexes": W, "list_schema_versions": R, "rollback_schema": WD,
    "list_index_versions": R,
    "manage_api_keys": WD, "manage_cors": W, "manage_auth": WD, "manage_users": WD,
}  # fmt: skip
HINTS = {  # kind → (readOnlyHint, destructiveHint, idempotentHint)
    R: (True, None, None),
    W: (False, False, False),
    WI: (False, False, True),
    WD: (False, True, False),
}
POSTS_FIELDS = [
    {"name": "title", "type": "string", "required": True},
    {"name": "published", "type": "boolean", "default": False},
]


async def tool_catalogue(session) -> dict[str, Any]:
    return {tool.name: tool for tool in (await session.client.list_tools()).tools}


async def test_tools_list_has_every_core_tool_with_its_annotations(mcp):
    catalogue = await tool_catalogue(mcp)
    for name, kind in CORE_TOOLS.items():
        assert name in catalogue, name
        hints = effective_annotations(catalogue[name].annotations)
        assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == HINTS[kind], name
        assert hints.open_world_hint is False, name
        assert catalogue[name].description and len(catalogue[name].description) > 40, name


async def test_input_schemas_carry_the_constraints(mcp):
    catalogue = await tool_catalogue(mcp)
    search = catalogue["search_docs"].input_schema["properties"]
    assert (search["query"]["minLength"], search["query"]["maxLength"]) == (1, 500)
    assert (search["limit"]["minimum"], search["limit"]["maximum"], search["limit"]["default"]) == (1, 10, 5)
    create_table = catalogue["create_table"].input_schema
    assert create_table["properties"]["table"]["pattern"] == "^[A-Za-z][A-Za-z0-9_-]{0,63}$"
    field_def = create_table["properties"]["fields"]["items"]  # used once: inlined by the compact listing
    if "$ref" in field_def:
        field_def = create_table["$defs"][field_def["$ref"].rsplit("/", 1)[-1]]
    assert field_def["properties"]["name"]["pattern"] == "^[A-Za-z][A-Za-z0-9_]{0,63}$"
    assert set(field_def["properties"]["type"]["enum"]) == {
        "string", "number", "integer", "boolean", "date", "object", "array", "reference"
    }  # fmt: skip
    assert field_def["additionalProperties"] is False and field_def["required"] == ["name", "type"]
    assert catalogue["manage_api_keys"].input_schema["properties"]["action"]["enum"] == ["list", "create", "revoke"]
    assert catalogue["manage_cors"].input_schema["properties"]["action"]["enum"] == ["list", "add", "remove"]
    assert catalogue["list_projects"].input_schema["properties"]["limit"]["maximum"] == 100
    assert "pattern" in catalogue["create_environment"].input_schema["properties"]["name"]
    assert catalogue["rollback_schema"].input_schema["properties"]["version"]["minimum"] == 1


async def test_core_toolset_alone_hides_other_toolsets(connect):
    async with connect(toolsets=("core",)) as session:
        names = set(await tool_catalogue(session))
    assert set(CORE_TOOLS) <= names and not any(n.startswith("backend_") for n in names)


async def test_get_context_gives_markdown_and_the_structured_session(mcp, env):
    result = await mcp.call("get_context")
    ctx, text = result.structured_content, result.content[0].text
    assert not result.is_error
    assert ctx["restBaseUrl"] == env.backend.config.base_url and ctx["mcpUrl"].endswith("/mcp")
    assert ctx["organization"]["id"] == env.organization_id
    assert ctx["defaults"] == {"projectId": env.project_id, "environment": "dev"}
    [project] = ctx["projects"]
    assert project["slug"] == "my-app" and project["environments"][0]["name"] == "dev"
    assert [k["key"] for k in ctx["publishableKeys"]] == [env.pk]
    assert ctx["conventions"]["idField"] == "id"
    assert "## Your session" in text and env.pk in text and ctx["restBaseUrl"] in text
    assert env.sk not in text and env.sk not in str(ctx) and "sk_" not in str(ctx["publishableKeys"])


async def test_get_context_without_read_scopes_still_answers_and_says_what_is_missing(connect):
    async with connect(principal=Principal(LOCAL_OWNER_ID, ("table:read",))) as session:
        ctx = await session.ok("get_context")
    assert ctx["projects"] == [] and ctx["publishableKeys"] == []
    assert any("project:read" in w for w in ctx["warnings"])
    assert any("access-token:read" in w for w in ctx["warnings"])


async def test_search_docs_finds_andfilters_and_returns_at_most_five(mcp):
    result = await mcp.call("search_docs", query="andFilters")
    found = result.structured_content
    assert not result.is_error and 1 <= len(found["results"]) <= 5
    assert found["results"][0]["path"].startswith("bkend_mcp/docs/")
    assert any("andFilters" in r["excerpt"] for r in found["results"])
    assert all(len(r["excerpt"]) <= 1200 for r in found["results"])
    assert [r["score"] for r in found["results"]] == sorted((r["score"] for r in found["results"]), reverse=True)
    assert result.content[0].text.startswith('## Search Results for "andFilters"')


async def test_search_docs_respects_limit_and_fills_the_url_placeholders(mcp, env):
    found = await mcp.ok("search_docs", query="fetch helper X-API-Key base URL", limit=2)
    assert len(found["results"]) == 2
    assert not any(
        "{{REST_BASE_URL}}" in r["excerpt"] for r in (await mcp.ok("search_docs", query="recipes"))["results"]
    )
    recipes = await mcp.ok("search_docs", query="fetch helper Bearer", limit=10)
    assert any(env.backend.config.base_url in r["excerpt"] for r in recipes["results"])


async def test_search_docs_with_no_match_is_a_hint_not_an_error(mcp):
    result = await mcp.call("search_docs", query="zyzzyva quokka")
    assert not result.is_error and result.structured_content["results"] == []
    assert "broader" in result.content[0].text


@dataclass(frozen=True)
class Scoped:
    tool: str
    args: dict[str, Any]
    scope: str


SCOPED = [
    Scoped("list_organizations", {}, "organization:read"),
    Scoped("get_organization", {}, "organization:read"),
    Scoped("list_projects", {}, "project:read"),
    Scoped("get_project", {"project": "my-app"}, "project:read"),
    Scoped("create_project", {"name": "Shop"}, "project:create"),
    Scoped("update_project", {"project": "my-app", "name": "Renamed"}, "project:update"),
    Scoped("delete_project", {"project": "my-app", "confirm": "my-app"}, "project:delete"),
    Scoped("list_environments", {}, "environment:read"),
    Scoped("get_environment", {"environment": "dev"}, "environment:read"),
    Scoped("create_environment", {"name": "staging"}, "environment:create"),
    Scoped("delete_environment", {"environment": "dev", "confirm": "dev"}, "environment:delete"),
    Scoped("list_tables", {}, "table:read"),
    Scoped("get_table", {"table": "posts"}, "table:read"),
    Scoped("create_table", {"table": "notes"}, "table:create"),
    Scoped("update_table", {"table": "posts", "displayName": "Posts"}, "table:update"),
    Scoped("delete_table", {"table": "posts", "confirm": "posts"}, "table:delete"),
    Scoped("manage_fields", {"table": "posts", "remove": ["title"]}, "table:update"),
    Scoped("manage_indexes", {"table": "posts", "add": [{"fields": ["title"]}]}, "table:update"),
    Scoped("list_schema_versions", {"table": "posts"}, "table:read"),
    Scoped("rollback_schema", {"table": "posts", "version": 1}, "table:update"),
    Scoped("list_index_versions", {"table": "posts"}, "table:read"),
    Scoped("manage_api_keys", {"action": "list"}, "access-token:read"),
    Scoped("manage_api_keys", {"action": "create", "name": "ci"}, "access-token:create"),
    Scoped("manage_api_keys", {"action": "revoke", "keyId": "key_x"}, "access-token:delete"),
    Scoped("manage_cors", {"action": "list"}, "cors:read"),
    Scoped("manage_cors", {"action": "add", "origin": "https://app.example.com"}, "cors:update"),
]


async def test_a_missing_scope_is_forbidden_naming_the_scope_and_changes_nothing(connect, env):
    """Read tools with no scope at all, write tools with every read scope (`*:read`)."""
    env.create_table("posts", POSTS_FIELDS)
    for scopes, cases in (((), [c for c in SCOPED if c.scope.endswith(":read")]),
                          (("*:read",), [c for c in SCOPED if not c.scope.endswith(":read")])):  # fmt: skip
        async with connect(principal=Principal(LOCAL_OWNER_ID, scopes)) as session:
            for case in cases:
                error = await session.error(case.tool, **case.args)
                assert (error["code"], error["restCode"], error["statusCode"]) == (
                    "FORBIDDEN", "common/forbidden", 403
                ), case  # fmt: skip
                assert f"'{case.scope}'" in error["message"], case
    async with connect() as owner:
        project = await owner.ok("get_project", project="my-app")
        keys = await owner.ok("manage_api_keys", action="list")
        cors = await owner.ok("manage_cors", action="list")
    assert project["name"] == "My app" and project["counts"] == {
        "environments": 1, "tables": 1, "apiKeys": 2, "users": 0, "files": 0
    }  # fmt: skip
    assert len(keys["items"]) == 2 and cors["origins"] == []


async def test_read_wildcard_reaches_every_read_tool(connect, env):
    env.create_table("posts", POSTS_FIELDS)
    async with connect(principal=Principal(LOCAL_OWNER_ID, ("*:read",))) as session:
        for case in (c for c in SCOPED if c.scope.endswith(":read")):
            await session.ok(case.tool, **case.args)


@dataclass(frozen=True)
class Failure:
    name: str
    tool: str
    args: dict[str, Any]
    code: str
    rest_code: str


FAILURES = [
    Failure("unknown organization", "get_organization", {"organizationId": "org_nope"}, "NOT_FOUND",
            "common/not-found"),
    Failure("unknown project", "get_project", {"project": "nope"}, "NOT_FOUND", "common/not-found"),
    Failure("unknown environment", "get_environment", {"environment": "qa"}, "NOT_FOUND", "common/not-found"),
    Failure("unknown table", "get_table", {"table": "nope"}, "NOT_FOUND", "table/not-found"),
    Failure("taken slug", "create_project", {"name": "Again", "slug": "my-app"}, "CONFLICT", "common/conflict"),
    Failure("environment exists", "create_environment", {"name": "dev"}, "CONFLICT", "common/conflict"),
    Failure("table exists", "create_table", {"table": "posts"}, "CONFLICT", "table/already-exists"),
    Failure("reserved table", "create_table", {"table": "users"}, "CONFLICT", "table/already-exists"),
    Failure("nothing to update", "update_table", {"table": "posts"}, "VALIDATION_ERROR", "common/invalid-parameters"),
    Failure("system table", "delete_table", {"table": "users", "confirm": "users"}, "SYSTEM_TABLE",
            "data/system-table-access"),
    Failure("unconfirmed table delete", "delete_table", {"table": "posts"}, "CONFIRMATION_REQUIRED",
            "common/confirmation-required"),
    Failure("system field", "manage_fields", {"table": "posts", "remove": ["createdAt"]}, "SYSTEM_TABLE",
            "table/system-field-protected"),
    Failure("default index", "manage_indexes", {"table": "posts", "remove": ["idx_createdAt_desc"]}, "SYSTEM_TABLE",
            "table/system-index-protected"),
    Failure("unknown schema version", "rollback_schema", {"table": "posts", "version": 9}, "NOT_FOUND",
            "table/schema-version-not-found"),
    Failure("unknown index version", "list_index_versions", {"table": "nope"}, "NOT_FOUND", "table/not-found"),
    Failure("unknown key", "manage_api_keys", {"action": "revoke", "keyId": "key_nope"}, "NOT_FOUND",
            "common/not-found"),
    Failure("bad origin", "manage_cors", {"action": "add", "origin": "https://a.com/path"}, "VALIDATION_ERROR",
            "common/invalid-parameters"),
    Failure("last environment", "delete_environment", {"environment": "dev", "confirm": "dev"}, "CONFLICT",
            "common/conflict"),
]  # fmt: skip


async def test_tool_failures_share_one_error_shape(mcp, env):
    env.create_table("posts", POSTS_FIELDS)
    for case in FAILURES:
        error = await mcp.error(case.tool, **case.args)
        assert (error["code"], error["restCode"]) == (case.code, case.rest_code), case.name
        assert set(error) <= {"code", "message", "details", "restCode", "statusCode"} and error["message"], case.name
        assert isinstance(error["statusCode"], int) and 400 <= error["statusCode"] < 500, case.name


@dataclass(frozen=True)
class Parity:
    name: str
    rest_body: dict[str, Any]
    tool_args: dict[str, Any]
    rest_code: str


PARITY = [
    Parity("bad column type", {"tableName": "t1", "schema": {"x": {"bsonType": "varchar"}}},
           {"table": "t1", "schema": {"x": {"bsonType": "varchar"}}}, "table/invalid-column-type"),
    Parity("system field defined", {"tableName": "t1", "fields": [{"name": "createdAt", "type": "date"}]},
           {"table": "t1", "fields": [{"name": "createdAt", "type": "date"}]}, "table/system-field-protected"),
    Parity("required but not declared", {"tableName": "t1", "schema": {"a": {"bsonType": "string"}}, "required": ["b"]},
           {"table": "t1", "schema": {"a": {"bsonType": "string"}, "required": ["b"]}}, "table/invalid-schema"),
    Parity("several bad columns at once",
           {"tableName": "t1", "fields": [{"name": "a", "type": "number", "minimum": 5, "maximum": 1},
                                          {"name": "b", "type": "string", "pattern": "("}]},
           {"table": "t1", "fields": [{"name": "a", "type": "number", "minimum": 5, "maximum": 1},
                                      {"name": "b", "type": "string", "pattern": "("}]}, "table/invalid-schema"),
    Parity("unknown permission role", {"tableName": "t1", "permissions": {"wizard": {"read": True}}},
           {"table": "t1", "permissions": {"wizard": {"read": True}}}, "table/invalid-permissions"),
]  # fmt: skip


@pytest.mark.parametrize("case", PARITY, ids=[c.name for c in PARITY])
async def test_table_errors_match_the_rest_api(mcp, env, client, case):
    response = client.post("/v1/tables", json=case.rest_body, headers={"X-API-Key": env.sk})
    rest_error = response.json()["error"]
    error = await mcp.error("create_table", **case.tool_args)
    assert rest_error["code"] == error["restCode"] == case.rest_code
    assert error["statusCode"] == response.status_code
    assert error.get("details") == rest_error.get("details") and error["message"] == rest_error["message"]
    assert env.backend.control("tables").count() == 0


def test_every_core_tool_resource_and_prompt_is_documented_in_mcp_md():
    text = (Path(__file__).resolve().parents[2] / "bkend_mcp" / "docs" / "mcp.md").read_text()
    for name in [*CORE_TOOLS, "design_backend", "seed_data", "generate_client", "bkend://context", "-32002"]:
        assert f"`{name}`" in text, name
