"""The `bkend://` resources and the prompts, read through the SDK's in-memory client."""

from __future__ import annotations

import json

import pytest
from mcp.shared.exceptions import MCPError

from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.tenancy import LOCAL_OWNER_ID

pytestmark = pytest.mark.anyio

STATIC = {"bkend://context", "bkend://organizations", "bkend://projects", "bkend://environments", "bkend://tables",
          "bkend://access-tokens", "bkend://activity"}  # fmt: skip
TEMPLATES = {
    "bkend://organizations/{organizationId}", "bkend://projects/{projectId}", "bkend://environments/{environmentId}",
    "bkend://tables/{tableId}", "bkend://tables/{tableId}/schema/versions", "bkend://tables/{tableId}/indexes/versions",
    "bkend://tables/{tableId}/openapi", "bkend://access-tokens/{accessTokenId}",
    "bkend://activity{?tool,outcome,since,until,page,limit}",
}  # fmt: skip


async def read(session, uri: str):
    result = await session.client.read_resource(uri)
    [content] = result.contents
    assert content.mime_type == "application/json"
    return json.loads(content.text)


async def test_static_resources_are_listed_and_parameterised_ones_are_templates(mcp):
    listed = (await mcp.client.list_resources()).resources
    templates = (await mcp.client.list_resource_templates()).resource_templates
    assert {str(r.uri) for r in listed} == STATIC
    assert {t.uri_template for t in templates} == TEMPLATES
    assert all(r.mime_type == "application/json" and r.description for r in [*listed, *templates])


async def test_context_resource_matches_get_context(mcp):
    assert await read(mcp, "bkend://context") == await mcp.ok("get_context")


async def test_lists_and_objects_read_as_json(mcp, env):
    table = env.create_table("posts", {"title": {"type": "string", "required": True}})
    orgs = await read(mcp, "bkend://organizations")
    assert [o["id"] for o in orgs["items"]] == [env.organization_id] and orgs["pagination"]["total"] == 1
    assert (await read(mcp, f"bkend://organizations/{env.organization_id}"))["role"] == "owner"
    assert [p["id"] for p in (await read(mcp, "bkend://projects"))["items"]] == [env.project_id]
    assert (await read(mcp, f"bkend://projects/{env.project_id}"))["counts"]["tables"] == 1
    assert [e["id"] for e in (await read(mcp, "bkend://environments"))["items"]] == [env.environment_id]
    assert (await read(mcp, f"bkend://environments/{env.environment_id}"))["environment"] == "dev"
    tables = await read(mcp, "bkend://tables")
    assert [(t["tableName"], t["environment"]) for t in tables["items"]] == [("posts", "dev")]
    one = await read(mcp, f"bkend://tables/{table['id']}")
    assert one["schema"]["required"] == ["title"] and one["rest"]["endpoints"]["create"].startswith("POST ")
    versions = await read(mcp, f"bkend://tables/{table['id']}/schema/versions")
    assert [v["version"] for v in versions["items"]] == [1] and "schema" in versions["items"][0]
    assert [v["version"] for v in (await read(mcp, f"bkend://tables/{table['id']}/indexes/versions"))["items"]] == [1]
    document = await read(mcp, f"bkend://tables/{table['id']}/openapi")
    assert document["openapi"].startswith("3.0") and any(path.endswith("/posts") for path in document["paths"])


async def test_access_token_resources_never_carry_a_secret(mcp, env):
    tokens = await read(mcp, "bkend://access-tokens")
    assert {t["type"] for t in tokens["items"]} == {"publishable", "secret"}
    assert env.sk not in json.dumps(tokens) and env.pk in json.dumps(tokens)
    secret = next(t for t in tokens["items"] if t["type"] == "secret")
    one = await read(mcp, f"bkend://access-tokens/{secret['id']}")
    assert one["maskedKey"] == secret["maskedKey"] and "key" not in one


@pytest.mark.parametrize(
    "uri",
    ["bkend://tables/tbl_nope", "bkend://tables/nope/openapi", "bkend://projects/nope",
     "bkend://environments/env_nope", "bkend://organizations/org_nope", "bkend://access-tokens/key_nope",
     "bkend://tables/tbl_nope/schema/versions"],
)  # fmt: skip
async def test_reading_a_missing_object_is_error_32002(mcp, uri):
    with pytest.raises(MCPError) as raised:
        await mcp.client.read_resource(uri)
    assert raised.value.code == -32002 and raised.value.data["code"] == "NOT_FOUND"


async def test_reading_without_the_scope_is_forbidden(connect):
    async with connect(principal=Principal(LOCAL_OWNER_ID, ("project:read",))) as session:
        assert (await read(session, "bkend://projects"))["items"]
        with pytest.raises(MCPError) as raised:
            await session.client.read_resource("bkend://tables")
    assert raised.value.code == -32003 and "'table:read'" in raised.value.message


async def test_prompts_are_listed_with_their_arguments(mcp):
    prompts = {p.name: p for p in (await mcp.client.list_prompts()).prompts}
    assert set(prompts) == {"design_backend", "seed_data", "generate_client"}
    assert [(a.name, a.required) for a in prompts["seed_data"].arguments] == [("table", True), ("count", False)]
    assert all(p.description for p in prompts.values())


async def test_prompts_render_instructions_naming_the_tools(mcp):
    design = await mcp.client.get_prompt("design_backend", {"description": "a recipe blog"})
    text = design.messages[0].content.text
    assert "a recipe blog" in text and "get_context" in text and "create_table" in text and "confirm" in text
    seed = (await mcp.client.get_prompt("seed_data", {"table": "posts", "count": "5"})).messages[0].content.text
    assert "5 realistic" in seed and "insert_data" in seed
    client_code = await mcp.client.get_prompt("generate_client", {"framework": "flutter", "table": "posts"})
    assert "search_docs" in client_code.messages[0].content.text and "X-API-Key" in client_code.messages[0].content.text
