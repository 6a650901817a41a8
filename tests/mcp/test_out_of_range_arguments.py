"""Numbers no engine can keep, sent as MCP arguments (which keep any integer exactly), on both engines: a page, a
schema bound or default, a version number. Each gets a named refusal or is kept as records keep such numbers (a
float), never an internal error (decisions.md "Records")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mcp.mcp_client import Tools

BEYOND_INT64 = 2**70
BEYOND_FLOAT = 10**400


def column(**definition: Any) -> list[dict[str, Any]]:
    return [{"name": "n", **definition}]


REFUSED = [
    ("query_data", {"table": "posts", "page": 10**9 + 1}, "page"),
    ("get_activity", {"page": BEYOND_INT64}, "page"),
    ("list_projects", {"page": BEYOND_INT64}, "page"),
    ("create_table", {"table": "t", "fields": column(type="string", maxLength=BEYOND_INT64)}, "maxLength"),
    ("create_table", {"table": "t", "fields": column(type="number", maximum=BEYOND_FLOAT)}, "maximum"),
    ("create_table", {"table": "t", "fields": column(type="number", default=BEYOND_FLOAT)}, "n"),
    ("rollback_schema", {"table": "posts", "version": BEYOND_INT64}, "not found"),
]


@pytest.fixture
def tools(env) -> Tools:
    env.create_table("posts", {"title": {"type": "string"}})
    return Tools(env.backend)


@pytest.mark.parametrize(("tool", "arguments", "named"), REFUSED, ids=[f"{t}-{n}" for t, _, n in REFUSED])
def test_an_unkeepable_number_is_refused_by_name(tools, tool, arguments, named):
    result = tools.call(tool, **arguments)
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and named in text and "INTERNAL_ERROR" not in text, text


def test_a_schema_default_beyond_int64_is_kept_as_a_float(tools):
    created = tools.ok("create_table", table="t", fields=column(type="number", default=BEYOND_INT64, enum=[1, 2**70]))
    stored = next(f for f in created["fields"] if f["name"] == "n")
    assert stored["default"] == float(BEYOND_INT64) and stored["enum"] == [1, float(BEYOND_INT64)]
    inserted = tools.ok("insert_data", table="t", records={})
    assert inserted["items"][0]["n"] == float(BEYOND_INT64)
