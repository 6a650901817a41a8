"""domain/query.py and domain/filters.py: list parameters and filter JSON → the store AST (spec/data.md §4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.query import ListParams, build_query, pagination, parse_filter, parse_list_params
from bkend_mcp.store.base import MATCH_ALL, MATCH_NONE, And, Cond, Or, Regex, SortKey

SCHEMA: dict[str, Any] = {
    "bsonType": "object",
    "required": ["title"],
    "properties": {
        "title": {"bsonType": "string"},
        "age": {"bsonType": "int"},
        "score": {"bsonType": "double"},
        "done": {"bsonType": "bool"},
        "tags": {"bsonType": "array", "items": {"bsonType": "string"}},
        "points": {"bsonType": "array", "items": {"bsonType": "int"}},
        "due": {"bsonType": "date"},
        "day": {"bsonType": "string"},
        "notes": {"bsonType": ["string", "null"]},
        "author": {"bsonType": "object", "properties": {"name": {"bsonType": "string"}}},
        "anything": {},
    },
}
JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)


def params(**values: str | list[str]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


def raw(**values: str | list[str]) -> dict[str, list[str]]:
    """Query-string keys that are not Python identifiers (`andFilters[age][$gte]`) go through this."""
    return params(**values)


def rejected(call: Any, *args: Any, **kwargs: Any) -> BkendError:
    with pytest.raises(BkendError) as info:
        call(*args, **kwargs)
    return info.value


# --- operators -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_obj", "expected"),
    [
        ({"title": "a"}, Cond("title", "eq", "a", True)),
        ({"title": {"$eq": "a"}}, Cond("title", "eq", "a", True)),
        ({"title": {"$ne": "a"}}, Cond("title", "ne", "a", True)),
        ({"age": {"$gt": 5}}, Cond("age", "gt", 5, True)),
        ({"age": {"$gte": 5}}, Cond("age", "gte", 5, True)),
        ({"age": {"$lt": 5}}, Cond("age", "lt", 5, True)),
        ({"age": {"$lte": 5}}, Cond("age", "lte", 5, True)),
        ({"title": {"$in": ["a", "b"]}}, Cond("title", "in", ("a", "b"), True)),
        ({"title": {"$nin": ["a"]}}, Cond("title", "nin", ("a",), True)),
        ({"title": {"$regex": "^a"}}, Cond("title", "regex", Regex("^a"), True)),
        (
            {"title": {"$regex": "^a", "$options": "im"}},
            Cond("title", "regex", Regex("^a", ignore_case=True, multiline=True), True),
        ),
        (
            {"title": {"$regex": "a.b", "$options": "sx"}},
            Cond("title", "regex", Regex("a.b", dotall=True, verbose=True), True),
        ),
        ({"title": {"$exists": True}}, Cond("title", "exists", True, True)),
        ({"title": {"$exists": "false"}}, Cond("title", "exists", False, True)),
        ({"title": {"$contains": "a.b"}}, Cond("title", "regex", Regex(r"a\.b", ignore_case=True), True)),
        ({"notes": None}, Cond("notes", "eq", None, True)),
        ({"notes": {"$ne": None}}, Cond("notes", "ne", None, True)),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else "",
)
def test_each_operator_becomes_its_condition(filter_obj: dict[str, Any], expected: Cond) -> None:
    assert parse_filter(filter_obj, SCHEMA) == expected


def test_operators_of_one_field_are_anded() -> None:
    assert parse_filter({"age": {"$gte": 18, "$lt": 65}}, SCHEMA) == And(
        (Cond("age", "gte", 18, True), Cond("age", "lt", 65, True))
    )


def test_fields_of_one_filter_are_anded() -> None:
    assert parse_filter({"title": "a", "done": True}, SCHEMA) == And(
        (Cond("title", "eq", "a", True), Cond("done", "eq", True, True))
    )


def test_empty_filter_matches_everything() -> None:
    assert parse_filter({}, SCHEMA) == MATCH_ALL


@pytest.mark.parametrize(
    ("filter_obj", "operator"),
    [
        ({"title": {"$where": "sleep(1000)"}}, "$where"),
        ({"title": {"$function": {"body": "x"}}}, "$function"),
        ({"title": {"$expr": {"$gt": 1}}}, "$expr"),
        ({"tags": {"$elemMatch": {"$eq": "a"}}}, "$elemMatch"),
        ({"$where": "this.a == 1"}, "$where"),
        ({"$or": [{"a": 1}, {"b": 2}]}, "$or"),
        ({"$and": [{"a": 1}]}, "$and"),
    ],
)
def test_disallowed_operator_is_rejected_by_name(filter_obj: dict[str, Any], operator: str) -> None:
    err = rejected(parse_filter, filter_obj, SCHEMA)
    assert (err.code, err.status) == ("data/validation-error", 400)
    assert f"Disallowed query operator: {operator}" in err.message
    assert err.details[0]["field"].startswith("andFilters")


@pytest.mark.parametrize(
    "filter_obj",
    [
        {"author": {"name": {"$where": "1"}}},
        {"author": {"$eq": {"name": {"$gt": ""}}}},
        {"tags": ["a", {"$where": "1"}]},
        {"tags": {"$in": [{"$gt": "a"}]}},
    ],
)
def test_operators_hidden_in_nested_values_are_rejected(filter_obj: dict[str, Any]) -> None:
    err = rejected(parse_filter, filter_obj, SCHEMA)
    assert err.code == "data/validation-error"


def test_rejection_names_the_parameter_and_field() -> None:
    err = rejected(parse_filter, {"title": {"$where": "1"}}, SCHEMA, param="orFilters")
    assert err.details[0] == {
        "field": "orFilters.title",
        "reason": "invalid-operator",
        "message": "Disallowed query operator: $where",
    }


def test_mixing_operators_and_plain_keys_is_rejected() -> None:
    err = rejected(parse_filter, {"age": {"$gt": 1, "max": 2}}, SCHEMA)
    assert "mix" in err.message


@pytest.mark.parametrize(
    "filter_obj", [{"__proto__": 1}, {"author.constructor": 1}, {"author": {"prototype": 1}}, {"a": [{"__proto__": 1}]}]
)
def test_prototype_keys_are_rejected_anywhere(filter_obj: dict[str, Any]) -> None:
    assert rejected(parse_filter, filter_obj, SCHEMA).details[0]["reason"] == "invalid-key"


@pytest.mark.parametrize("key", ["", "a-b", "a..b", "1a", "a.", "a b", "a[0]"])
def test_malformed_field_paths_are_rejected(key: str) -> None:
    assert rejected(parse_filter, {key: 1}, SCHEMA).details[0]["reason"] == "invalid-path"


@pytest.mark.parametrize(
    ("filter_obj", "reason"),
    [
        ({"title": {"$in": "a"}}, "type"),
        ({"title": {"$nin": {"a": 1}}}, "type"),
        ({"title": {"$in": ["x"] * 1001}}, "too-large"),
        ({"title": {"$regex": "a" * 257}}, "too-large"),
        ({"title": {"$regex": "("}}, "invalid-regex"),
        ({"title": {"$regex": "a", "$options": "g"}}, "invalid-regex"),
        ({"title": {"$options": "i"}}, "invalid-operator"),
        ({"title": {"$regex": 5}}, "type"),
        ({"title": {"$exists": "maybe"}}, "type"),
        ({"title": {"$contains": 3}}, "type"),
        ({"age": {"$gt": [1]}}, "type"),
        ({"age": {"$gt": True}}, "type"),
    ],
)
def test_bad_operands_are_rejected(filter_obj: dict[str, Any], reason: str) -> None:
    assert rejected(parse_filter, filter_obj, SCHEMA).details[0]["reason"] == reason


def test_in_accepts_a_thousand_values() -> None:
    cond = parse_filter({"title": {"$in": [str(i) for i in range(1000)]}}, SCHEMA)
    assert isinstance(cond, Cond) and len(cond.value) == 1000


def test_fifty_conditions_pass_and_fifty_one_fail() -> None:
    assert len(parse_filter({f"f{i}": i for i in range(50)}, SCHEMA).items) == 50  # type: ignore[union-attr]
    assert rejected(parse_filter, {f"f{i}": i for i in range(51)}, SCHEMA).details[0]["reason"] == "too-many-conditions"


def test_filters_over_16_kib_are_rejected() -> None:
    err = rejected(parse_filter, {"title": "x" * (16 * 1024)}, SCHEMA)
    assert err.details[0]["reason"] == "too-large"


def test_non_object_filter_is_rejected() -> None:
    assert rejected(parse_filter, ["title"], SCHEMA).details[0]["reason"] == "invalid-filter"


# --- coercion and field kinds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_obj", "expected"),
    [
        ({"age": "30"}, Cond("age", "eq", 30, True)),
        ({"age": {"$gte": "18"}}, Cond("age", "gte", 18, True)),
        ({"score": {"$lt": "4.5"}}, Cond("score", "lt", 4.5, True)),
        ({"age": {"$in": ["1", "2"]}}, Cond("age", "in", (1, 2), True)),
        ({"done": "true"}, Cond("done", "eq", True, True)),
        ({"done": True}, Cond("done", "eq", True, True)),
        ({"due": {"$gte": "2026-01-01"}}, Cond("due", "gte", JAN_1, True)),
        ({"createdAt": {"$gte": "2026-01-01T00:00:00Z"}}, Cond("createdAt", "gte", JAN_1, True)),
        ({"updatedAt": {"$lt": "2026-01-01T09:00:00+09:00"}}, Cond("updatedAt", "lt", JAN_1, True)),
        ({"createdAt": {"$in": ["2026-01-01"]}}, Cond("createdAt", "in", (JAN_1,), True)),
        ({"day": {"$gte": "2026-03-01"}}, Cond("day", "gte", "2026-03-01", True)),
        ({"title": 30}, Cond("title", "eq", 30, True)),
        ({"points": "7"}, Cond("points", "eq", 7, False)),
        ({"points": {"$in": ["7"]}}, Cond("points", "in", (7,), False)),
        ({"undeclared": "30"}, Cond("undeclared", "eq", "30", False)),
        ({"anything": "2026-01-01"}, Cond("anything", "eq", "2026-01-01", False)),
        ({"age": "abc"}, Cond("age", "eq", "abc", True)),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else "",
)
def test_values_are_coerced_by_declared_type(filter_obj: dict[str, Any], expected: Cond) -> None:
    assert parse_filter(filter_obj, SCHEMA) == expected


@pytest.mark.parametrize(
    "filter_obj",
    [{"due": "01/20/2025"}, {"due": {"$in": ["2026-01-01", "later"]}}, {"createdAt": {"$gt": "yesterday"}}],
)
def test_unparseable_date_is_rejected_naming_the_field(filter_obj: dict[str, Any]) -> None:
    err = rejected(parse_filter, filter_obj, SCHEMA)
    assert err.details[0]["reason"] == "invalid-date"
    assert err.details[0]["field"] == f"andFilters.{next(iter(filter_obj))}"


def test_literal_lists_and_objects_are_compared_whole() -> None:
    assert parse_filter({"tags": ["a", "b"]}, SCHEMA) == Cond("tags", "eq", ["a", "b"], False)
    assert parse_filter({"author": {"name": "x"}}, SCHEMA) == Cond("author", "eq", {"name": "x"}, False)


def test_array_field_equality_with_one_value_matches_elements() -> None:
    assert parse_filter({"tags": "x"}, SCHEMA) == Cond("tags", "eq", "x", False)


def test_dotted_path_reaches_nested_property() -> None:
    assert parse_filter({"author.name": "x"}, SCHEMA) == Cond("author.name", "eq", "x", True)


@pytest.mark.parametrize("key", ["id", "_id"])
def test_id_maps_to_internal_id(key: str) -> None:
    assert parse_filter({key: "data_1"}, SCHEMA) == Cond("_id", "eq", "data_1", True)
    assert parse_filter({key: {"$in": ["data_1", "data_2"]}}, SCHEMA) == Cond("_id", "in", ("data_1", "data_2"), True)


@pytest.mark.parametrize("operator", ["$gt", "$lte", "$regex", "$contains"])
def test_id_allows_only_equality_membership_and_exists(operator: str) -> None:
    assert rejected(parse_filter, {"id": {operator: "data_1"}}, SCHEMA).details[0]["reason"] == "invalid-operator"


def test_system_fields_are_scalar_and_created_by_supports_in() -> None:
    assert parse_filter({"createdBy": {"$in": ["u1", "u2"]}}, SCHEMA) == Cond("createdBy", "in", ("u1", "u2"), True)


def test_user_id_placeholder_is_replaced_only_for_a_caller_with_uid() -> None:
    caller = Caller("p", "e", "user", uid="u1")
    assert parse_filter({"createdBy": "$userId"}, SCHEMA, caller) == Cond("createdBy", "eq", "u1", True)
    assert parse_filter({"createdBy": "$userId"}, SCHEMA) == Cond("createdBy", "eq", "$userId", True)


# --- list parameters -------------------------------------------------------------------------------------------------


def test_defaults_are_page_1_limit_20_newest_first() -> None:
    parsed = parse_list_params({}, SCHEMA)
    assert (parsed.page, parsed.limit, parsed.sort_by, parsed.sort_direction) == (1, 20, "createdAt", -1)
    assert (parsed.and_filter, parsed.or_branches, parsed.select, parsed.search) == (MATCH_ALL, (), None, None)


@pytest.mark.parametrize(("sent", "limit"), [("200", 100), ("100", 100), ("1", 1), ("1000", 100), (" 5 ", 5)])
def test_limit_above_maximum_is_clamped(sent: str, limit: int) -> None:
    assert parse_list_params(params(limit=sent), SCHEMA).limit == limit


def test_limit_clamps_to_configured_maximum() -> None:
    assert parse_list_params(params(limit="80"), SCHEMA, max_limit=50).limit == 50


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "-1"),
        ("limit", "abc"),
        ("limit", "1.5"),
        ("page", "0"),
        ("page", "-2"),
        ("page", "two"),
        ("page", "9" * 40),
        ("offset", "-1"),
        ("offset", "x"),
    ],
)
def test_bad_paging_parameter_is_rejected_naming_it(name: str, value: str) -> None:
    err = rejected(parse_list_params, params(**{name: value}), SCHEMA)
    assert (err.code, err.details[0]["field"]) == ("data/validation-error", name)


def test_last_value_of_a_repeated_parameter_wins() -> None:
    assert parse_list_params(params(page=["2", "3"]), SCHEMA).page == 3


def test_offset_overrides_page() -> None:
    parsed = parse_list_params(params(offset="45", limit="20", page="9"), SCHEMA)
    assert (parsed.skip, parsed.effective_page) == (45, 3)


@pytest.mark.parametrize(
    ("query", "sort_by", "direction"),
    [
        ({"sortBy": "title"}, "title", -1),
        ({"sortBy": "title", "sortDirection": "asc"}, "title", 1),
        ({"sortBy": "title", "sortDirection": "DESC"}, "title", -1),
        ({"sortBy": "title", "sortDirection": "1"}, "title", 1),
        ({"sortBy": "title", "sortDirection": "-1"}, "title", -1),
        ({"sortDirection": "asc"}, "createdAt", 1),
        ({"sortBy": "id"}, "_id", -1),
        ({"sortBy": "author.name", "sortDirection": "asc"}, "author.name", 1),
        ({"sort": "-updatedAt"}, "updatedAt", -1),
        ({"sort": "title"}, "title", 1),
        ({"sort": "title:desc"}, "title", -1),
        ({"sort": "createdAt:asc"}, "createdAt", 1),
        ({"sort": "-title", "sortDirection": "asc"}, "title", 1),
        ({"sort": "-title", "sortBy": "age"}, "age", -1),
    ],
)
def test_sort_parameters(query: dict[str, str], sort_by: str, direction: int) -> None:
    parsed = parse_list_params(params(**query), SCHEMA)
    assert (parsed.sort_by, parsed.sort_direction) == (sort_by, direction)


@pytest.mark.parametrize(("name", "value"), [("sortDirection", "up"), ("sortBy", "a b"), ("sort", "title:sideways")])
def test_bad_sort_parameter_is_rejected(name: str, value: str) -> None:
    assert rejected(parse_list_params, params(**{name: value}), SCHEMA).details[0]["field"] == name


def test_and_filters_json_is_parsed_with_coercion() -> None:
    parsed = parse_list_params(params(andFilters='{"age":"30","done":"false"}'), SCHEMA)
    assert parsed.and_filter == And((Cond("age", "eq", 30, True), Cond("done", "eq", False, True)))


@pytest.mark.parametrize("value", ["{status:'active'}", "[object Object]", '["a"]', '"x"', "NaN", '{"a": NaN}'])
def test_non_json_and_filters_is_rejected(value: str) -> None:
    err = rejected(parse_list_params, params(andFilters=value), SCHEMA)
    assert "must be URL-encoded JSON" in err.message
    assert err.details[0]["field"] == "andFilters"


def test_oversized_filter_text_is_rejected() -> None:
    text = json.dumps({"title": "x" * 17000})
    assert rejected(parse_list_params, params(andFilters=text), SCHEMA).details[0]["reason"] == "too-large"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"andFilters[status]": "active"}, Cond("status", "eq", "active", False)),
        ({"andFilters[age][$gte]": "18"}, Cond("age", "gte", 18, True)),
        ({"filter[age]": "30"}, Cond("age", "eq", 30, True)),
        ({"andFilters[title][$in]": "a,b"}, Cond("title", "in", ("a", "b"), True)),
        ({"andFilters[age][$in][]": ["1", "2"]}, Cond("age", "in", (1, 2), True)),
        ({"andFilters[age][$nin][1]": "2", "andFilters[age][$nin][0]": "1"}, Cond("age", "nin", (1, 2), True)),
        ({"andFilters[author.name]": "ann"}, Cond("author.name", "eq", "ann", True)),
        ({"andFilters[done]": "true"}, Cond("done", "eq", True, True)),
    ],
)
def test_bracket_form_filters(query: dict[str, Any], expected: Cond) -> None:
    assert parse_list_params(raw(**query), SCHEMA).and_filter == expected


def test_bracket_and_json_filters_are_combined() -> None:
    parsed = parse_list_params(raw(**{"andFilters": '{"title":"a"}', "andFilters[age][$lt]": "9"}), SCHEMA)
    assert parsed.and_filter == And((Cond("title", "eq", "a", True), Cond("age", "lt", 9, True)))


@pytest.mark.parametrize(
    "query",
    [
        {"andFilters[age]": "1", "andFilters[age][$gt]": "2"},
        {"andFilters[a][b][c][d][e]": "1"},
        {"andFilters[age][$where]": "1"},
        {"andFilters[][x]": "1"},
    ],
)
def test_bad_bracket_filters_are_rejected(query: dict[str, str]) -> None:
    assert rejected(parse_list_params, raw(**query), SCHEMA).code == "data/validation-error"


def test_or_filters_object_gives_one_branch_per_key() -> None:
    parsed = parse_list_params(params(orFilters='{"title":"a","age":{"$gt":"3"}}'), SCHEMA)
    assert parsed.or_branches == (Cond("title", "eq", "a", True), Cond("age", "gt", 3, True))


def test_or_filters_array_gives_one_branch_per_element() -> None:
    parsed = parse_list_params(params(orFilters='[{"title":"a","done":true},{"age":1}]'), SCHEMA)
    assert parsed.or_branches == (
        And((Cond("title", "eq", "a", True), Cond("done", "eq", True, True))),
        Cond("age", "eq", 1, True),
    )


def test_or_filters_bracket_array_form() -> None:
    parsed = parse_list_params(raw(**{"orFilters[0][title]": "a", "orFilters[1][age][$gte]": "2"}), SCHEMA)
    assert parsed.or_branches == (Cond("title", "eq", "a", True), Cond("age", "gte", 2, True))


@pytest.mark.parametrize("value", ['"a"', "[1]", '[{"$where": "1"}]', "{oops"])
def test_bad_or_filters_are_rejected(value: str) -> None:
    assert rejected(parse_list_params, params(orFilters=value), SCHEMA).details[0]["field"].startswith("orFilters")


def test_select_accepts_comma_lists_repeats_and_fields_alias() -> None:
    parsed = parse_list_params(params(select=["title, age", "due"], fields="author.name,,title"), SCHEMA)
    assert parsed.select == ("title", "age", "due", "author.name")


def test_select_of_more_than_100_names_is_rejected() -> None:
    names = ",".join(f"f{i}" for i in range(101))
    assert rejected(parse_list_params, params(select=names), SCHEMA).details[0]["field"] == "select"


def test_search_is_trimmed_and_search_type_without_search_is_ignored() -> None:
    assert parse_list_params(params(search="  ", searchType="title"), SCHEMA).search_type is None
    parsed = parse_list_params(params(search=" hi ", searchType="title"), SCHEMA)
    assert (parsed.search, parsed.search_type) == ("hi", "title")


def test_unknown_parameters_are_ignored() -> None:
    assert parse_list_params(params(populate="author", **{"updatedAt[$gt]": "x"}), SCHEMA) == ListParams()


# --- query assembly --------------------------------------------------------------------------------------------------


def test_default_sort_is_created_at_desc_with_id_tie_breaker() -> None:
    query, page, limit = build_query(ListParams(), SCHEMA)
    assert query.sort == (SortKey("createdAt", -1, True), SortKey("_id", -1, True))
    assert (query.skip, query.limit, page, limit, query.filter, query.projection) == (0, 20, 1, 20, MATCH_ALL, None)


def test_sort_by_id_has_no_second_key_and_tie_breaker_follows_direction() -> None:
    assert build_query(ListParams(sort_by="_id", sort_direction=1), SCHEMA)[0].sort == (SortKey("_id", 1, True),)
    assert build_query(ListParams(sort_by="title", sort_direction=1), SCHEMA)[0].sort == (
        SortKey("title", 1, True),
        SortKey("_id", 1, True),
    )


def test_page_becomes_skip() -> None:
    query, page, limit = build_query(ListParams(page=3, limit=10), SCHEMA)
    assert (query.skip, query.limit, page, limit) == (20, 10, 3, 10)


def test_final_filter_ands_every_part() -> None:
    permission = Cond("createdBy", "eq", "u1", True)
    row = Cond("status", "eq", "published", False)
    parsed = ListParams(
        and_filter=Cond("age", "gt", 1, True),
        or_branches=(Cond("title", "eq", "a", True), Cond("title", "eq", "b", True)),
        search="x",
        search_type="title",
    )
    query, _, _ = build_query(parsed, SCHEMA, permission_filter=permission, row_filter=row)
    assert query.filter == And(
        (
            Cond("age", "gt", 1, True),
            Or((Cond("title", "eq", "a", True), Cond("title", "eq", "b", True))),
            Cond("title", "regex", Regex("x", ignore_case=True), True),
            permission,
            row,
        )
    )


def test_row_filter_matching_nothing_makes_the_query_match_nothing() -> None:
    assert build_query(ListParams(), SCHEMA, row_filter=MATCH_NONE)[0].filter == MATCH_NONE


def test_search_without_type_covers_readable_string_columns_escaped() -> None:
    query, _, _ = build_query(ListParams(search="a.b*"), SCHEMA, readable=lambda f: f != "notes")
    pattern = Regex(r"a\.b\*", ignore_case=True)
    assert query.filter == Or((Cond("title", "regex", pattern, True), Cond("day", "regex", pattern, True)))


def test_search_without_string_columns_matches_nothing() -> None:
    assert build_query(ListParams(search="x"), {"properties": {"n": {"bsonType": "int"}}})[0].filter == MATCH_NONE


@pytest.mark.parametrize(
    "parsed",
    [
        ListParams(and_filter=Cond("secret", "eq", 1)),
        ListParams(and_filter=Cond("secret.inner", "eq", 1)),
        ListParams(or_branches=(Cond("title", "eq", "a"), Cond("secret", "eq", 1))),
        ListParams(sort_by="secret"),
        ListParams(search="x", search_type="secret"),
    ],
)
def test_filter_sort_or_search_on_unreadable_field_is_forbidden(parsed: ListParams) -> None:
    err = rejected(build_query, parsed, SCHEMA, readable=lambda f: f != "secret")
    assert (err.code, err.status) == ("data/permission-denied", 403)
    assert "'secret'" in err.message


def test_system_fields_stay_usable_whatever_readable_says() -> None:
    parsed = ListParams(and_filter=Cond("createdBy", "eq", "u1", True), sort_by="updatedAt")
    assert build_query(parsed, SCHEMA, readable=lambda f: False)[0].filter == Cond("createdBy", "eq", "u1", True)


def test_select_projection_drops_unreadable_and_adds_system_fields() -> None:
    parsed = ListParams(select=("title", "secret", "_id", "createdAt", "author", "author.name", "due"))
    query, _, _ = build_query(parsed, SCHEMA, readable=lambda f: f != "secret")
    assert query.projection == ("title", "author", "due", "createdBy", "createdAt", "updatedAt")


def test_select_uses_selectable_when_given() -> None:
    parsed = ListParams(select=("email",))
    query, _, _ = build_query(parsed, SCHEMA, readable=lambda f: False, selectable=lambda f: True)
    assert query.projection == ("email", "createdBy", "createdAt", "updatedAt")


def test_parsed_parameters_flow_into_the_query() -> None:
    parsed = parse_list_params(
        params(
            andFilters='{"age":{"$gte":"21"}}', sortBy="age", sortDirection="asc", page="2", limit="200", select="title"
        ),
        SCHEMA,
    )
    query, page, limit = build_query(parsed, SCHEMA)
    assert query.filter == Cond("age", "gte", 21, True)
    assert (query.sort[0], query.skip, query.limit, page, limit) == (SortKey("age", 1, True), 100, 100, 2, 100)
    assert query.projection == ("title", "createdBy", "createdAt", "updatedAt")


# --- pagination ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "page", "limit", "expected"),
    [
        (0, 1, 20, (0, False, False)),
        (0, 3, 20, (0, False, True)),
        (42, 1, 20, (3, True, False)),
        (42, 2, 20, (3, True, True)),
        (40, 2, 20, (2, False, True)),
        (42, 9, 20, (3, False, True)),
        (1, 1, 100, (1, False, False)),
    ],
)
def test_pagination_block(total: int, page: int, limit: int, expected: tuple[int, bool, bool]) -> None:
    block = pagination(total, page, limit)
    assert block == {
        "total": total,
        "page": page,
        "limit": limit,
        "totalPages": expected[0],
        "hasNext": expected[1],
        "hasPrev": expected[2],
    }
    assert [type(v) for v in block.values()] == [int, int, int, int, bool, bool]
