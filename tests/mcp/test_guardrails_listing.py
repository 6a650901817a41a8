"""The compact `tools/list`: noise goes (derived titles, null branches, JSON Schema defaults, single-use `$defs`,
generic output schemas), meaning stays (descriptions, constraints, enums, defaults, names that look like
keywords), and the server still validates against the full schema."""

from __future__ import annotations

import pytest
from mcp.types import ToolAnnotations

from bkend_mcp.mcp.listing import compact_schema, compact_tool, effective_annotations, inline_single_use_defs
from tests.mcp.guardrails_support import principal, session

pytestmark = pytest.mark.anyio


def test_optional_arguments_lose_their_null_branch_and_derived_title_but_keep_their_meaning():
    schema = {
        "title": "toolArguments",
        "type": "object",
        "properties": {
            "project": {"anyOf": [{"type": "string", "maxLength": 64}, {"type": "null"}], "default": None,
                        "description": "Project  id\n   or slug", "title": "Project"},
            "title": {"type": "string", "title": "Title"},
            "default": {"description": "A field named like a keyword", "title": "Default"},
            "limit": {"type": "integer", "default": 20, "minimum": 1, "title": "Limit"},
            "either": {"anyOf": [{"type": "object", "additionalProperties": True}, {"type": "array"},
                                 {"type": "null"}], "default": None},
        },
    }  # fmt: skip
    assert compact_schema(schema) == {
        "type": "object",
        "properties": {
            "project": {"type": "string", "maxLength": 64, "description": "Project id or slug"},
            "title": {"type": "string"},
            "default": {"description": "A field named like a keyword"},
            "limit": {"type": "integer", "default": 20, "minimum": 1},
            "either": {"anyOf": [{"type": "object"}, {"type": "array"}]},
        },
    }


def test_single_use_definitions_are_inlined_and_shared_ones_kept():
    schema = {
        "properties": {"body": {"$ref": "#/$defs/Body"}, "a": {"$ref": "#/$defs/Shared"},
                       "b": {"items": {"$ref": "#/$defs/Shared"}, "type": "array"}},
        "$defs": {"Body": {"type": "object", "properties": {"x": {"type": "string"}}}, "Shared": {"type": "integer"}},
    }  # fmt: skip
    inlined = inline_single_use_defs(schema)
    assert inlined["properties"]["body"] == {"type": "object", "properties": {"x": {"type": "string"}}}
    assert inlined["$defs"] == {"Shared": {"type": "integer"}}
    assert inlined["properties"]["a"] == {"$ref": "#/$defs/Shared"}


def test_a_generic_output_schema_is_dropped_and_descriptions_are_unindented():
    tool = {"name": "t", "description": "Line one\n        line two.", "inputSchema": {"type": "object"},
            "outputSchema": {"type": "object", "additionalProperties": True, "title": "tDictOutput"}}  # fmt: skip
    assert compact_tool(tool) == {"name": "t", "description": "Line one line two.", "inputSchema": {"type": "object"}}


async def test_listed_tools_keep_descriptions_and_arguments_still_validate_fully(env):
    async with session(env.backend, principal(), ("core", "bkend")) as s:
        tools = await s.tools()
        refused = await s.call("create_table", table="t", fields=[{"type": "string"}])  # FieldDef without a name
    assert all(tool.description for tool in tools.values())
    query = tools["query_data"].input_schema["properties"]
    assert "description" in query["filter"] and "title" not in query["filter"] and "anyOf" not in query["project"]
    assert refused.is_error and "name" in refused.content[0].text


def test_annotation_hints_equal_to_the_mcp_defaults_are_left_out_and_read_back_the_same():
    write = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": False}
    read = {"readOnlyHint": True, "openWorldHint": False}
    destructive = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}
    listed = [compact_tool({"name": n, "inputSchema": {"type": "object"}, "annotations": a})
              for n, a in (("w", write), ("r", read), ("d", destructive))]  # fmt: skip
    assert [t.get("annotations") for t in listed] == [
        {"destructiveHint": False, "openWorldHint": False},
        {"readOnlyHint": True, "openWorldHint": False},
        None,
    ]
    for original, tool in zip((write, read, destructive), listed, strict=True):
        back = effective_annotations(ToolAnnotations.model_validate(tool.get("annotations") or {}))
        assert back == effective_annotations(ToolAnnotations.model_validate(original))


def test_a_definition_used_once_is_inlined_even_when_it_refers_to_another():
    schema = {
        "properties": {"body": {"$ref": "#/$defs/Body"}},
        "$defs": {"Body": {"type": "object", "properties": {"x": {"$ref": "#/$defs/X"}}}, "X": {"type": "integer"}},
    }
    assert inline_single_use_defs(schema) == {
        "properties": {"body": {"type": "object", "properties": {"x": {"type": "integer"}}}}
    }
