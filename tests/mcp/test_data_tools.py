"""The core data tools over the SDK's in-memory client, on both engines: the cookbook flow, batch rules, parity with
the REST data API, acting as an app user, scopes, dry runs and limits."""

from __future__ import annotations

import pytest

from bkend_mcp.mcp.listing import effective_annotations
from tests import auth_testing
from tests.mcp.mcp_client import Tools

POSTS = {
    "title": {"type": "string", "required": True, "maxLength": 100},
    "published": {"type": "boolean", "default": False},
    "views": {"type": "number", "minimum": 0},
    "email": {"type": "string", "unique": True},
    "tags": {"type": "array", "itemType": "string"},
}
NOTES_PERMISSIONS = {"user": {"create": True}, "self": {"read": True, "list": True, "update": True, "delete": True}}


@pytest.fixture
def tools(env) -> Tools:
    env.create_table("posts", POSTS)
    env.create_table("notes", {"text": {"type": "string"}}, permissions=NOTES_PERMISSIONS)
    for uid in ("u1", "u2", "user-7"):
        auth_testing.ensure_user(env.backend, env.environment_id, uid)
    return Tools(env.backend)


def titles(result):
    return [item["title"] for item in result["items"]]


def test_cookbook_flow_insert_query_update_aggregate_delete(env, tools):
    inserted = tools.ok(
        "insert_data",
        table="posts",
        records=[
            {"title": "Hello", "published": True, "views": 1},
            {"title": "Draft one"},
            {"title": "Second", "published": True, "views": 5},
            {"title": "Draft two", "published": False},
            {"title": "Third", "published": True, "views": 3},
        ],
    )
    assert inserted["count"] == 5
    assert [item["published"] for item in inserted["items"]] == [True, False, True, False, True]

    published = tools.ok("query_data", table="posts", filter={"published": True}, sortBy="views", sortDirection="desc")
    assert titles(published) == ["Second", "Third", "Hello"]
    assert published["pagination"]["total"] == 3

    updated = tools.ok("update_data", table="posts", filter={"published": False}, data={"views": 0})
    assert (updated["matched"], updated["modified"]) == (2, 2)
    assert sorted(titles(updated)) == ["Draft one", "Draft two"]

    report = tools.ok("aggregate_data", table="posts", groupBy=["published"], metrics=[{"op": "count"}])
    assert report["groups"] == [{"key": {"published": True}, "count": 3}, {"key": {"published": False}, "count": 2}]
    assert report["totals"] == {"count": 5}

    refused = tools.error("delete_data", table="posts", filter={"published": False})
    assert (refused["code"], refused["restCode"]) == ("CONFIRMATION_REQUIRED", "common/confirmation-required")
    assert env.count("posts") == 5
    deleted = tools.ok("delete_data", table="posts", filter={"published": False}, confirm=True)
    assert deleted["deleted"] == 2 and sorted(deleted["ids"]) == sorted(i["id"] for i in updated["items"])
    assert tools.ok("query_data", table="posts", countOnly=True) == {"count": 3}


def test_batch_with_one_bad_record_writes_nothing_and_names_index_and_field(env, tools):
    error = tools.error("insert_data", table="posts", records=[{"title": "ok"}, {"views": -1}, {"title": 5}])
    assert error["code"] == "SCHEMA_VIOLATION" and error["restCode"] == "data/validation-error"
    assert [(d["index"], d["field"], d["reason"]) for d in error["details"]] == [
        (1, "title", "required"),
        (1, "views", "minimum"),
        (2, "title", "type"),
    ]
    assert env.count("posts") == 0


def test_integers_beyond_int64_become_floats_and_beyond_a_float_are_refused(env, tools):
    """MCP arguments keep any integer exactly; an engine cannot store one beyond int64 (MongoDB) or 64 bits (the
    embedded engine's JSON): such a value is stored as the float a JavaScript client would send, and one too large
    for a float names its field, and the batch writes nothing."""
    inserted = tools.ok("insert_data", table="posts", records={"title": "big", "extra": {"n": [2**70]}})
    assert inserted["items"][0]["extra"] == {"n": [float(2**70)]}
    error = tools.error("insert_data", table="posts", records=[{"title": "ok"}, {"title": "huge", "n": 10**400}])
    assert error["code"] == "SCHEMA_VIOLATION"
    assert [(d["index"], d["field"], d["reason"]) for d in error["details"]] == [(1, "n", "range")]
    assert env.count("posts") == 1
    updated = tools.error("update_data", table="posts", id=inserted["items"][0]["id"], data={"extra": -(10**400)})
    assert [(d["field"], d["reason"]) for d in updated["details"]] == [("extra", "range")]


def test_a_filter_with_an_integer_beyond_int64_finds_what_such_an_insert_stored(tools):
    records = [{"title": "big", "extra": 2**70, "deep": {"k": [2**70]}}, {"title": "viewed", "views": 5}]
    tools.ok("insert_data", table="posts", records=records)
    for where, found in (
        ({"extra": 2**70}, ["big"]),
        ({"extra": {"$in": [2**70, 1]}}, ["big"]),
        ({"deep": {"k": [2**70]}}, ["big"]),
        ({"views": {"$lt": 2**70}}, ["viewed"]),
    ):
        assert titles(tools.ok("query_data", table="posts", filter=where)) == found, where


@pytest.mark.parametrize(
    ("where", "field", "reason"),
    [
        ({"extra": {"$gt": 10**400}}, "filter.extra.$gt", "range"),
        ({"deep": {"a.b": 1}}, "filter.deep", "invalid-key"),
        ({"deep": {"nested": {"nul\x00key": 1}}}, "filter.deep", "invalid-key"),
    ],
    ids=["beyond-a-float", "dotted-key-in-a-value", "nul-in-a-nested-key"],
)
def test_a_filter_value_no_record_can_hold_is_refused_by_name(tools, where, field, reason):
    error = tools.error("query_data", table="posts", filter=where)
    assert [(d["field"], d["reason"]) for d in error["details"]] == [(field, reason)]


def test_unique_clash_inside_a_batch_leaves_nothing_behind(env, tools):
    error = tools.error(
        "insert_data",
        table="posts",
        records=[
            {"title": "a", "email": "x@y.z"},
            {"title": "b", "email": "other@y.z"},
            {"title": "c", "email": "x@y.z"},
        ],
    )
    assert (error["code"], error["restCode"]) == ("CONFLICT", "data/duplicate-value")
    assert error["details"][0]["index"] == 2 and error["details"][0]["field"] == "email"
    assert env.count("posts") == 0


def test_unique_clash_with_a_stored_record_writes_nothing(env, tools):
    tools.ok("insert_data", table="posts", records={"title": "first", "email": "x@y.z"})
    error = tools.error("insert_data", table="posts", records=[{"title": "b"}, {"title": "c", "email": "x@y.z"}])
    assert error["restCode"] == "data/duplicate-value"
    assert env.count("posts") == 1


def test_system_fields_sent_are_ignored_with_a_warning(tools):
    result = tools.ok("insert_data", table="posts", records={"id": "mine", "title": "t", "createdAt": "2020-01-01"})
    assert result["items"][0]["id"] != "mine" and result["items"][0]["createdAt"] != "2020-01-01"
    assert {w["field"] for w in result["warnings"]} == {"id", "createdAt"}


BAD_BODIES = [
    pytest.param({"views": "many"}, id="missing required and wrong type"),
    pytest.param({"title": "x" * 101, "published": "maybe"}, id="too long and not a boolean"),
    pytest.param({"title": "t", "tags": ["a", 3]}, id="bad array element"),
    pytest.param({"title": "t", "$where": 1}, id="unsafe key"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_same_bad_record_gets_the_same_error_over_mcp_and_rest(env, tools, client, body):
    rest = client.post("/v1/data/posts", json=body, headers={"x-api-key": env.sk}).json()["error"]
    mcp = tools.error("insert_data", table="posts", records=[body])
    assert mcp["restCode"] == rest["code"]
    assert mcp["message"] == rest["message"]
    assert [{k: v for k, v in d.items() if k != "index"} for d in mcp["details"]] == rest["details"]
    assert {d["index"] for d in mcp["details"]} == {0}


def test_as_user_sees_and_changes_only_own_rows(env, tools):
    tools.ok("insert_data", table="notes", records=[{"text": "mine 1"}, {"text": "mine 2"}], asUser="u1")
    theirs = tools.ok("insert_data", table="notes", records={"text": "theirs"}, asUser="u2")["items"][0]
    assert tools.ok("query_data", table="notes", countOnly=True, asUser="u1") == {"count": 2}
    assert tools.ok("query_data", table="notes", countOnly=True) == {"count": 3}

    updated = tools.ok(
        "update_data", table="notes", filter={"text": {"$contains": "e"}}, data={"text": "x"}, asUser="u1"
    )
    assert updated["matched"] == 2
    assert tools.ok("query_data", table="notes", id=theirs["id"])["text"] == "theirs"

    denied = tools.error("delete_data", table="notes", id=theirs["id"], asUser="u1")
    assert (denied["code"], denied["restCode"]) == ("FORBIDDEN", "data/permission-denied")
    report = tools.ok("aggregate_data", table="notes", metrics=[{"op": "count"}], asUser="u1")
    assert report["totals"] == {"count": 2}
    assert tools.error("query_data", table="notes", id=theirs["id"], asUser="u1")["code"] == "FORBIDDEN"


def test_as_user_owns_the_records_it_inserts(tools):
    item = tools.ok("insert_data", table="notes", records={"text": "n"}, asUser="user-7")["items"][0]
    assert item["createdBy"] == "user-7"


def test_as_user_by_email_acts_as_that_user(tools):
    tools.ok("insert_data", table="notes", records={"text": "by mail"}, asUser="U1@users.test")
    mine = tools.ok("query_data", table="notes", asUser="u1@users.test")["items"]
    assert [(n["text"], n["createdBy"]) for n in mine] == [("by mail", "u1")]


def test_as_user_uses_the_users_real_role(env, tools):
    tools.ok("insert_data", table="notes", records={"text": "u2's"}, asUser="u2")
    auth_testing.ensure_user(env.backend, env.environment_id, "boss", role="admin")
    assert tools.ok("query_data", table="notes", countOnly=True, asUser="u1") == {"count": 0}
    assert tools.ok("query_data", table="notes", countOnly=True, asUser="boss@users.test") == {"count": 1}


@pytest.mark.parametrize("as_user", ["nobody", "nobody@example.com", " "])
def test_as_user_must_name_a_live_user(env, tools, as_user):
    error = tools.error("query_data", table="notes", asUser=as_user)
    assert error["code"] in ("NOT_FOUND", "VALIDATION_ERROR")
    from bkend_mcp.domain.auth import deletion

    deletion.delete_user(env.backend, env.environment_id, "u2", "admin")
    assert tools.error("query_data", table="notes", asUser="u2")["restCode"] == "user/not-found"


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [(("*:read",), False), (("table:*",), False), (("table:data:*",), True), (("table:data:create",), True)],
)
def test_insert_needs_a_data_create_scope(env, scopes, allowed):
    env.create_table("posts", POSTS)
    tools = Tools(env.backend, scopes=scopes)
    result = tools.call("insert_data", table="posts", records={"title": "t"})
    assert result.is_error is not allowed
    if not allowed:
        assert result.structured_content["error"]["code"] == "FORBIDDEN"
        assert "table:data:create" in result.structured_content["error"]["message"]
        assert env.count("posts") == 0


def test_read_scope_can_query_and_aggregate(env):
    env.create_table("posts", POSTS)
    tools = Tools(env.backend, scopes=("*:read",))
    assert tools.ok("query_data", table="posts", countOnly=True) == {"count": 0}
    assert tools.ok("aggregate_data", table="posts", metrics=[{"op": "count"}])["totals"] == {"count": 0}
    assert tools.error("delete_data", table="posts", ids=["data_x"])["code"] == "FORBIDDEN"


def seed(tools, n=5):
    return tools.ok("insert_data", table="posts", records=[{"title": f"p{i}", "views": i} for i in range(n)])["items"]


def test_dry_run_changes_nothing(env, tools):
    items = seed(tools)
    preview = tools.ok("update_data", table="posts", filter={"views": {"$gte": 3}}, data={"title": "new"}, dryRun=True)
    assert preview["dryRun"] is True and preview["matched"] == 2 and len(preview["ids"]) == 2
    gone = tools.ok("delete_data", table="posts", filter={"views": {"$lt": 2}}, dryRun=True)
    assert gone["matched"] == 2 and gone["deleted"] == 0
    after = tools.ok("query_data", table="posts", sortBy="views", sortDirection="asc")
    assert titles(after) == [i["title"] for i in items]
    assert [i["updatedAt"] for i in after["items"]] == [i["updatedAt"] for i in items]


def test_dry_run_still_validates_the_data(tools):
    seed(tools, 2)
    error = tools.error("update_data", table="posts", filter={"views": 0}, data={"views": -5}, dryRun=True)
    assert error["details"][0]["field"] == "views"


def test_more_matches_than_limit_is_refused_unless_all(env, tools):
    seed(tools)
    error = tools.error("update_data", table="posts", filter={"views": {"$gte": 0}}, data={"title": "x"}, limit=3)
    assert (error["code"], error["restCode"]) == ("LIMIT_EXCEEDED", "common/limit-exceeded")
    assert tools.ok("query_data", table="posts", filter={"title": "x"}, countOnly=True) == {"count": 0}
    done = tools.ok("update_data", table="posts", filter={"views": {"$gte": 0}}, data={"title": "x"}, limit=3, all=True)
    assert done["modified"] == 5
    assert tools.error("delete_data", table="posts", filter={"title": "x"}, confirm=True, limit=2)["code"] == (
        "LIMIT_EXCEEDED"
    )
    assert env.count("posts") == 5


def test_empty_filter_needs_all(env, tools):
    seed(tools, 3)
    assert tools.error("update_data", table="posts", filter={}, data={"views": 9})["code"] == "CONFIRMATION_REQUIRED"
    assert tools.ok("update_data", table="posts", filter={}, data={"views": 9}, all=True)["modified"] == 3
    assert tools.ok("delete_data", table="posts", all=True, confirm=True)["deleted"] == 3
    assert env.count("posts") == 0


def test_update_by_id_sets_and_unsets(tools):
    item = tools.ok("insert_data", table="posts", records={"title": "t", "views": 4, "tags": ["a"]})["items"][0]
    result = tools.ok("update_data", table="posts", id=item["id"], data={"title": "u"}, unset=["tags"])
    assert result["matched"] == 1 and result["items"][0]["title"] == "u" and "tags" not in result["items"][0]
    required = tools.error("update_data", table="posts", id=item["id"], unset=["title"])
    assert required["details"][0] == {
        "field": "title",
        "reason": "required",
        "message": required["details"][0]["message"],
    }


def test_update_needs_exactly_one_target(tools):
    assert tools.error("update_data", table="posts", data={"views": 1})["code"] == "VALIDATION_ERROR"
    error = tools.error("update_data", table="posts", id="data_x", filter={"views": 1}, data={"views": 1})
    assert error["code"] == "VALIDATION_ERROR"


def test_delete_by_ids_is_all_or_nothing_on_unknown_ids(env, tools):
    items = seed(tools, 3)
    error = tools.error("delete_data", table="posts", ids=[items[0]["id"], "data_missing"])
    assert error["code"] == "NOT_FOUND" and error["details"][0]["id"] == "data_missing"
    assert env.count("posts") == 3
    assert tools.ok("delete_data", table="posts", ids=[i["id"] for i in items[:2]])["deleted"] == 2
    assert env.count("posts") == 1


def test_query_by_id_select_and_or_filters(tools):
    items = seed(tools, 4)
    one = tools.ok("query_data", table="posts", id=items[1]["id"], select=["title"])
    assert set(one) == {"id", "title", "createdBy", "createdAt", "updatedAt"}
    assert tools.error("query_data", table="posts", id="data_nope")["code"] == "NOT_FOUND"
    either = tools.ok("query_data", table="posts", orFilters=[{"views": 0}, {"title": "p3"}], sortBy="views")
    assert titles(either) == ["p3", "p0"]
    searched = tools.ok("query_data", table="posts", search="P2", searchType="title")
    assert titles(searched) == ["p2"]
    paged = tools.ok("query_data", table="posts", page=2, limit=3, sortBy="views", sortDirection="asc")
    assert titles(paged) == ["p3"] and paged["pagination"]["hasPrev"] is True


def test_bad_filter_names_the_argument(tools):
    error = tools.error("query_data", table="posts", filter={"views": {"$where": 1}})
    assert error["details"][0]["field"] == "filter.views"


def test_unknown_table_is_not_found(tools):
    assert tools.error("query_data", table="nope")["code"] == "NOT_FOUND"


def test_data_tools_are_listed_with_their_annotations(env):
    listed = Tools(env.backend, toolsets=["core"]).list()
    expected = {
        "insert_data": (False, False),
        "query_data": (True, None),
        "update_data": (False, True),
        "delete_data": (False, True),
        "aggregate_data": (True, None),
    }
    for name, (read_only, destructive) in expected.items():
        annotations = effective_annotations(listed[name].annotations)
        assert (annotations.read_only_hint, annotations.destructive_hint) == (read_only, destructive), name
        assert annotations.open_world_hint is False
    records = listed["insert_data"].input_schema["properties"]["records"]
    batch = next(option for option in records["anyOf"] if option["type"] == "array")
    assert (batch["minItems"], batch["maxItems"]) == (1, 100)
    assert listed["update_data"].input_schema["properties"]["limit"]["maximum"] == 1000
