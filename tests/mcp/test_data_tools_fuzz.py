"""Generated arguments for the core data tools, on both engines: whatever records, filters, metrics and ids a model
sends, the call succeeds or fails with a named error, never an internal one. (MCP arguments keep any JSON value
exactly: integers of any size, `$` keys, dotted keys, NUL characters, deep nesting.) The example count is bounded
so the run stays within seconds; it found the integer-range and dotted-key failures of decisions.md "Records"."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.types import CallToolResult

from tests.mcp.mcp_client import Tools

POSTS = {
    "title": {"type": "string", "required": True, "maxLength": 100},
    "published": {"type": "boolean", "default": False},
    "views": {"type": "number", "minimum": 0},
    "n": {"type": "number", "integer": True},
    "email": {"type": "string", "unique": True},
    "tags": {"type": "array", "itemType": "string"},
    "due": {"type": "date"},
    "meta": {"type": "object"},
}
EXAMPLES = 20
KEYS = ["title", "published", "views", "n", "email", "tags", "due", "meta", "x", "a.b", "$where", "$gt", "_id", "id"]
OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$exists", "$where", "$function"]

keys = st.sampled_from([*KEYS, "createdAt", "", "nul\x00"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.integers(min_value=10**300, max_value=10**310),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2026-01-01", "$now", "3.0", "not a date"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(keys, st.text(max_size=4)), inner)),
    max_leaves=8,
)
records = st.dictionaries(keys, values, max_size=5)
filters = st.dictionaries(keys, st.one_of(values, st.dictionaries(st.sampled_from(OPERATORS), values, max_size=2)))
metrics = st.fixed_dictionaries(
    {"op": st.sampled_from(["count", "sum", "avg", "min", "max", "distinct_count", "median"])},
    optional={"field": st.one_of(keys, values), "as": st.one_of(keys, values)},
)
groups = st.one_of(
    keys, st.fixed_dictionaries({"field": st.one_of(keys, values)}, optional={"unit": st.sampled_from(["day", 3])})
)

CALLS = {
    "insert": st.builds(lambda r: ("insert_data", {"records": r}), st.one_of(records, st.lists(records, max_size=3))),
    "query": st.builds(
        lambda f, s, sel: ("query_data", {"filter": f, "sortBy": s, "select": sel}),
        filters,
        st.one_of(st.none(), keys),
        st.one_of(st.none(), st.lists(keys, max_size=3)),
    ),
    "update": st.builds(lambda f, d: ("update_data", {"filter": f, "data": d, "all": True}), filters, records),
    "aggregate": st.builds(
        lambda f, m, g: ("aggregate_data", {"filter": f, "metrics": m, "groupBy": g}),
        filters,
        st.lists(metrics, min_size=1, max_size=3),
        st.one_of(st.none(), st.lists(groups, max_size=3)),
    ),
    "delete-dry-run": st.builds(
        lambda f: ("delete_data", {"filter": f, "confirm": True, "dryRun": True, "all": True}), filters
    ),
}


def internal_failure(result: CallToolResult) -> str | None:
    """The text of a failure that is not a named error: an internal error, or an exception the SDK reported."""
    if not result.is_error:
        return None
    body = result.structured_content
    error = body.get("error") if isinstance(body, dict) else None
    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
    if error is None:
        return None if "validation error" in text.lower() else text
    return text if error.get("code") == "INTERNAL_ERROR" else None


@pytest.mark.parametrize("kind", list(CALLS))
def test_generated_data_tool_calls_never_fail_internally(env, kind):
    env.create_table("posts", POSTS)
    tools = Tools(env.backend)
    tools.ok("insert_data", table="posts", records=[{"title": "a", "views": 1, "n": 2, "tags": ["x"]}, {"title": "b"}])

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(call=CALLS[kind])
    def check(call: tuple[str, dict[str, Any]]) -> None:
        name, arguments = call
        sent = {key: value for key, value in arguments.items() if value is not None}
        result = tools.call(name, table="posts", **sent)
        assert internal_failure(result) is None, (name, sent, internal_failure(result))

    check()
