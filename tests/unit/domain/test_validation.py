"""domain/validation.py: coercion (§3.3), key safety (§0.6), the insert and PATCH steps (§3.2, §3.4, §3.5)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bkend_mcp.domain import validation
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.validation import check_keys, coerce, prepare_insert, prepare_patch


def table(properties: dict, required: list[str] | None = None, **root: object) -> dict:
    return {"bsonType": "object", "required": required or [], "properties": properties, **root}


def failures(schema: dict, body: dict) -> list[dict]:
    with pytest.raises(BkendError) as caught:
        prepare_insert(schema, body)
    assert caught.value.code == "data/validation-error"
    return caught.value.details


def reasons(details: list[dict]) -> list[tuple[str, str]]:
    return [(d["field"], d["reason"]) for d in details]


# --- coercion ----------------------------------------------------------------------------------------------------

MARCH_1 = datetime(2026, 3, 1, tzinfo=UTC)

COERCION_MATRIX = [
    ("int", "30", 30),
    ("int", " 42 ", 42),
    ("int", "3.0", 3),
    ("int", "1e2", 100),
    ("int", "+7", 7),
    ("int", "3.5", "3.5"),
    ("int", "abc", "abc"),
    ("int", "", ""),
    ("int", "١٢", "١٢"),  # non-ASCII digits are not numbers
    ("int", 3.0, 3),
    ("int", True, True),
    ("long", "9007199254740993", 9007199254740993),
    ("long", "1e400", "1e400"),
    ("double", "30", 30),
    ("double", "-45.67", -45.67),
    ("double", ".5", 0.5),
    ("double", "1e400", "1e400"),
    ("double", "0x10", "0x10"),
    ("double", False, False),
    ("double", 30.0, 30.0),
    ("decimal", "2.5", 2.5),
    ("bool", "true", True),
    ("bool", " FALSE ", False),
    ("bool", "True", True),
    ("bool", "1", "1"),
    ("bool", "yes", "yes"),
    ("bool", 1, 1),
    ("bool", 0, 0),
    ("date", "2026-03-01", MARCH_1),
    ("date", "2026-03-01T09:00:00+09:00", MARCH_1),
    ("date", "2026-03-01T00:00:00.123456Z", MARCH_1.replace(microsecond=123000)),
    ("date", "01/20/2025", "01/20/2025"),
    ("date", "2025.01.20", "2025.01.20"),
    ("date", 1700000000, 1700000000),
    ("string", "2026-03-01", "2026-03-01"),
    ("string", '{"a": 1}', '{"a": 1}'),
    ("string", 123, 123),
    ("string", True, True),
    ("array", "a,b", "a,b"),
    ("object", "{}", "{}"),
]


@pytest.mark.parametrize(
    ("bson", "given_value", "expected"), COERCION_MATRIX, ids=[f"{b}-{v!r}" for b, v, _ in COERCION_MATRIX]
)
def test_coercion_follows_the_spec_matrix(bson: str, given_value: object, expected: object) -> None:
    result = coerce({"bsonType": bson}, given_value)
    assert result == expected
    assert type(result) is type(expected)


def test_number_string_becomes_number_for_number_column() -> None:
    schema = table({"age": {"bsonType": "double"}})
    assert prepare_insert(schema, {"age": "30"}) == {"age": 30}


def test_date_looking_string_stays_byte_exact_in_string_column() -> None:
    schema = table({"day": {"bsonType": "string"}})
    assert prepare_insert(schema, {"day": "2026-03-01"}) == {"day": "2026-03-01"}


def test_type_list_coerces_with_its_non_null_type() -> None:
    assert coerce({"bsonType": ["int", "null"]}, "5") == 5


def test_type_list_with_string_never_coerces() -> None:
    assert coerce({"bsonType": ["int", "string"]}, "5") == "5"


def test_untyped_and_missing_properties_never_coerce() -> None:
    assert coerce({}, "30") == "30"
    assert coerce(None, "2026-03-01") == "2026-03-01"


def test_coercion_recurses_into_items_and_properties() -> None:
    prop = {
        "bsonType": "object",
        "properties": {
            "scores": {"bsonType": "array", "items": {"bsonType": "int"}},
            "at": {"bsonType": "date"},
        },
    }
    value = {"scores": ["1", "2"], "at": "2026-03-01", "extra": "7"}
    assert coerce(prop, value) == {"scores": [1, 2], "at": MARCH_1, "extra": "7"}
    assert value["scores"] == ["1", "2"]


def test_huge_integer_becomes_float_for_double_column() -> None:
    assert coerce({"bsonType": "double"}, 10**30) == 1e30


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
PROPS = [
    {},
    {"bsonType": "int"},
    {"bsonType": "long"},
    {"bsonType": "double"},
    {"bsonType": "bool"},
    {"bsonType": "date"},
    {"bsonType": "string"},
    {"bsonType": ["int", "null"]},
    {"bsonType": ["date", "null"]},
    {"bsonType": "array", "items": {"bsonType": "int"}},
    {"bsonType": "object", "properties": {"a": {"bsonType": "date"}, "b": {"bsonType": "bool"}}},
]
numeric_text = st.from_regex(r"\A\s?[+-]?([0-9]{1,25}(\.[0-9]{0,5})?|\.[0-9]{1,5})([eE][+-]?[0-9]{1,4})?\s?\Z")


@settings(max_examples=300)
@given(prop=st.sampled_from(PROPS), value=json_values | numeric_text)
def test_coercion_never_raises(prop: dict, value: object) -> None:
    coerce(prop, value)


VALID_VALUES = {
    "string": st.text(),
    "int": st.integers(-(2**31), 2**31 - 1),
    "long": st.integers(-(2**63), 2**63 - 1),
    "double": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53),
    "bool": st.booleans(),
    "date": st.datetimes(timezones=st.just(UTC)),
    "object": st.dictionaries(st.from_regex(r"\A[a-z]{1,5}\Z"), st.integers(), max_size=3),
    "array": st.lists(st.integers(), max_size=4),
}


@settings(max_examples=200)
@given(data=st.data(), bson=st.sampled_from(sorted(VALID_VALUES)))
def test_valid_values_of_each_type_always_pass(data: st.DataObject, bson: str) -> None:
    value = data.draw(VALID_VALUES[bson])
    assert prepare_insert(table({"f": {"bsonType": bson}}), {"f": value})["f"] == value


# --- type rules (§2.4) --------------------------------------------------------------------------------------------

TYPE_FAILURES = [
    ("int", True, "type", "'f' must be an integer"),
    ("int", 3.5, "type", "'f' must be an integer"),
    ("int", 2**31, "type", "'f' must be an integer"),
    ("long", 2**63, "type", "'f' must be an integer"),
    ("double", False, "type", "'f' must be a number"),
    ("double", "abc", "type", "'f' must be a number"),
    ("bool", 1, "type", "'f' must be a boolean"),
    ("bool", "yes", "type", "'f' must be a boolean"),
    ("string", 123, "type", "'f' must be a string"),
    ("object", [], "type", "'f' must be an object"),
    ("array", "a,b", "type", "'f' must be an array"),
    ("date", "01/20/2025", "invalid-date", "'f' has an invalid date format"),
    ("date", 1700000000, "invalid-date", "'f' has an invalid date format"),
    (["string", "int"], 1.5, "type", "'f' must be a string or an integer"),
]


@pytest.mark.parametrize(
    ("bson", "value", "reason", "message"), TYPE_FAILURES, ids=[f"{b}-{v!r}" for b, v, _, _ in TYPE_FAILURES]
)
def test_wrong_types_fail_naming_the_expected_type(bson: object, value: object, reason: str, message: str) -> None:
    [detail] = failures(table({"f": {"bsonType": bson}}), {"f": value})
    assert detail == {"field": "f", "reason": reason, "message": message}


def test_true_fails_int_and_one_fails_bool() -> None:
    details = failures(table({"n": {"bsonType": "int"}, "b": {"bsonType": "bool"}}), {"n": True, "b": 1})
    assert reasons(details) == [("n", "type"), ("b", "type")]


def test_long_accepts_beyond_int32() -> None:
    assert prepare_insert(table({"n": {"bsonType": "long"}}), {"n": 2**40}) == {"n": 2**40}


def test_integral_float_is_stored_as_int_for_int_column() -> None:
    stored = prepare_insert(table({"n": {"bsonType": "int"}}), {"n": 30.0})
    assert stored == {"n": 30} and type(stored["n"]) is int


def test_failed_type_skips_the_remaining_constraints() -> None:
    prop = {"bsonType": "string", "minLength": 3, "enum": ["abcd"]}
    assert reasons(failures(table({"s": prop}), {"s": 5})) == [("s", "type")]


# --- constraints (§2.3, §3.4 order) ------------------------------------------------------------------------------

CONSTRAINT_CASES = [
    (
        {"bsonType": "string", "enum": ["breakfast", "lunch", "dinner", "snack"]},
        "brunch",
        "lunch",
        "enum",
        "'f' must be one of: breakfast, lunch, dinner, snack",
    ),
    ({"bsonType": "int", "enum": [1, 2]}, 3, 2, "enum", "'f' must be one of: 1, 2"),
    ({"bsonType": "string", "minLength": 2}, "a", "ab", "minLength", "'f' must be at least 2 characters"),
    ({"bsonType": "string", "maxLength": 2}, "abc", "😀😀", "maxLength", "'f' must be at most 2 characters"),
    ({"bsonType": "double", "minimum": 0}, -1, 0, "minimum", "'f' must be >= 0"),
    ({"bsonType": "double", "minimum": 0, "exclusiveMinimum": True}, 0, 0.1, "minimum", "'f' must be > 0"),
    ({"bsonType": "int", "maximum": 5}, 6, 5, "maximum", "'f' must be <= 5"),
    ({"bsonType": "double", "maximum": 5.5, "exclusiveMaximum": True}, 5.5, 5, "maximum", "'f' must be < 5.5"),
    ({"bsonType": "string", "pattern": "^[a-z]+$"}, "Abc", "abc", "pattern", "'f' must match the pattern ^[a-z]+$"),
    ({"bsonType": "string", "pattern": "b"}, "xyz", "abc", "pattern", "'f' must match the pattern b"),
    ({"bsonType": "array", "minItems": 1}, [], [1], "minItems", "'f' must have at least 1 items"),
    ({"bsonType": "array", "maxItems": 1}, [1, 2], [1], "maxItems", "'f' must have at most 1 items"),
    (
        {"bsonType": "array", "uniqueItems": True},
        [1, 1.0],
        [1, True, "1"],
        "uniqueItems",
        "'f' must not contain duplicate items",
    ),
]


@pytest.mark.parametrize(
    ("prop", "bad", "good", "reason", "message"), CONSTRAINT_CASES, ids=[f"{c[3]}-{c[1]!r}" for c in CONSTRAINT_CASES]
)
def test_each_constraint_rejects_and_accepts(prop: dict, bad: object, good: object, reason: str, message: str) -> None:
    assert failures(table({"f": prop}), {"f": bad}) == [{"field": "f", "reason": reason, "message": message}]
    assert prepare_insert(table({"f": prop}), {"f": good}) == {"f": good}


def test_enum_compares_after_coercion_and_by_type() -> None:
    schema = table({"n": {"bsonType": "int", "enum": [1, 2]}, "b": {"enum": [1]}})
    assert prepare_insert(schema, {"n": "2"}) == {"n": 2}
    assert reasons(failures(schema, {"b": True})) == [("b", "enum")]
    assert reasons(failures(table({"s": {"bsonType": "string", "enum": ["1"]}}), {"s": "01"})) == [("s", "enum")]


def test_date_enum_accepts_any_spelling_of_the_instant() -> None:
    schema = table({"d": {"bsonType": "date", "enum": ["2026-03-01T00:00:00.000Z"]}})
    assert prepare_insert(schema, {"d": "2026-03-01"}) == {"d": MARCH_1}


def test_constraints_are_reported_in_spec_order() -> None:
    prop = {"bsonType": "string", "enum": ["abcdef"], "minLength": 5, "pattern": "^z"}
    assert [d["reason"] for d in failures(table({"s": prop}), {"s": "ab"})] == ["enum", "minLength", "pattern"]


def test_the_documented_messages() -> None:
    schema = table(
        {
            "title": {"bsonType": "string"},
            "mealType": {"bsonType": "string", "enum": ["breakfast", "lunch", "dinner", "snack"]},
            "age": {"bsonType": "int", "minimum": 0},
            "isPublished": {"bsonType": "bool"},
            "date": {"bsonType": "date"},
        },
        required=["title"],
    )
    with pytest.raises(BkendError) as caught:
        prepare_insert(schema, {"mealType": "brunch", "age": -1, "isPublished": "yes", "date": "01/20/2025"})
    assert [d["message"] for d in caught.value.details] == [
        "'title' is required",
        "'mealType' must be one of: breakfast, lunch, dinner, snack",
        "'age' must be >= 0",
        "'isPublished' must be a boolean",
        "'date' has an invalid date format",
    ]
    assert caught.value.message == "Validation failed: 'title' is required"
    assert caught.value.status == 400


# --- required (D3), nesting, unknown fields ----------------------------------------------------------------------


def test_every_failing_field_is_listed_in_one_error() -> None:
    schema = table({"a": {"bsonType": "string"}, "b": {"bsonType": "int"}, "c": {"bsonType": "bool"}}, required=["a"])
    assert reasons(failures(schema, {"b": "x", "c": "maybe"})) == [("a", "required"), ("b", "type"), ("c", "type")]


def test_empty_string_passes_required() -> None:
    assert prepare_insert(table({"t": {"bsonType": "string"}}, ["t"]), {"t": ""}) == {"t": ""}


def test_null_fails_required_unless_nullable() -> None:
    assert reasons(failures(table({"t": {"bsonType": "string"}}, ["t"]), {"t": None})) == [("t", "required")]
    nullable = table({"t": {"bsonType": ["string", "null"]}}, ["t"])
    assert prepare_insert(nullable, {"t": None}) == {"t": None}
    assert reasons(failures(nullable, {})) == [("t", "required")]


def test_nested_failures_name_their_path() -> None:
    schema = table(
        {
            "items": {
                "bsonType": "array",
                "items": {
                    "bsonType": "object",
                    "required": ["name"],
                    "properties": {"name": {"bsonType": "string", "minLength": 1}, "qty": {"bsonType": "int"}},
                },
            },
            "address": {"bsonType": "object", "properties": {"city": {"bsonType": "string"}}},
        }
    )
    body = {"items": [{"name": "a"}, {"name": "b", "qty": "2"}, {"qty": "x"}, {"name": ""}], "address": {"city": None}}
    assert reasons(failures(schema, body)) == [
        ("items[2].name", "required"),
        ("items[2].qty", "type"),
        ("items[3].name", "minLength"),
        ("address.city", "type"),
    ]


def test_nested_values_are_coerced_on_insert() -> None:
    schema = table(
        {"items": {"bsonType": "array", "items": {"bsonType": "object", "properties": {"qty": {"bsonType": "int"}}}}}
    )
    assert prepare_insert(schema, {"items": [{"qty": "2"}]}) == {"items": [{"qty": 2}]}


def test_unknown_fields_are_stored_as_sent() -> None:
    assert prepare_insert(table({}), {"extra": "30", "when": "2026-03-01"}) == {"extra": "30", "when": "2026-03-01"}


def test_unknown_fields_fail_when_additional_properties_is_false() -> None:
    schema = table(
        {
            "a": {"bsonType": "string"},
            "o": {"bsonType": "object", "additionalProperties": False, "properties": {"x": {"bsonType": "int"}}},
        },
        additionalProperties=False,
    )
    assert reasons(failures(schema, {"a": "x", "b": 1, "o": {"x": 1, "y": 2}})) == [
        ("o.y", "unknown-field"),
        ("b", "unknown-field"),
    ]


def test_top_level_nulls_are_dropped_on_insert_unless_nullable() -> None:
    schema = table({"a": {"bsonType": "string"}, "b": {"bsonType": ["string", "null"]}})
    assert prepare_insert(schema, {"a": None, "b": None, "c": None}) == {"b": None}


# --- defaults ----------------------------------------------------------------------------------------------------


def test_defaults_fill_absent_and_null_keys_on_insert() -> None:
    schema = table({"status": {"bsonType": "string", "default": "todo"}, "n": {"bsonType": "int", "default": 1}})
    assert prepare_insert(schema, {}) == {"status": "todo", "n": 1}
    assert prepare_insert(schema, {"status": None, "n": None}) == {"status": "todo", "n": 1}


def test_defaults_leave_real_values_alone() -> None:
    schema = table(
        {
            "s": {"bsonType": "string", "default": "x"},
            "n": {"bsonType": "int", "default": 1},
            "b": {"bsonType": "bool", "default": True},
        }
    )
    assert prepare_insert(schema, {"s": "", "n": 0, "b": False}) == {"s": "", "n": 0, "b": False}


def test_defaults_are_fresh_copies() -> None:
    schema = table({"tags": {"bsonType": "array", "default": ["a"]}})
    first = prepare_insert(schema, {})
    first["tags"].append("b")
    assert schema["properties"]["tags"]["default"] == ["a"]
    assert prepare_insert(schema, {}) == {"tags": ["a"]}


def test_defaults_are_coerced_like_sent_values() -> None:
    schema = table({"due": {"bsonType": "date", "default": "2026-03-01T00:00:00.000Z"}})
    assert prepare_insert(schema, {}) == {"due": MARCH_1}


def test_now_default_is_the_insert_time() -> None:
    stored = prepare_insert(table({"at": {"bsonType": "date", "default": "$now"}}), {})
    assert isinstance(stored["at"], datetime) and stored["at"].tzinfo is not None


def test_nested_defaults_apply_inside_present_objects() -> None:
    schema = table(
        {
            "address": {
                "bsonType": "object",
                "properties": {"country": {"bsonType": "string", "default": "KR"}, "city": {"bsonType": "string"}},
            }
        }
    )
    assert prepare_insert(schema, {"address": {"city": "Seoul"}}) == {"address": {"city": "Seoul", "country": "KR"}}
    assert prepare_insert(schema, {}) == {}


def test_defaults_are_never_applied_on_patch() -> None:
    schema = table({"status": {"bsonType": "string", "default": "todo"}, "n": {"bsonType": "int"}})
    assert prepare_patch(schema, {"n": 1}) == ({"n": 1}, [])


# --- PATCH (§3.5) ------------------------------------------------------------------------------------------------


def test_patch_null_unsets_the_field() -> None:
    schema = table({"a": {"bsonType": "string"}})
    assert prepare_patch(schema, {"a": None, "extra": None}) == ({}, ["a", "extra"])


def test_patch_null_on_nullable_field_stores_null() -> None:
    assert prepare_patch(table({"a": {"bsonType": ["string", "null"]}}), {"a": None}) == ({"a": None}, [])


def test_patch_null_on_required_field_is_rejected() -> None:
    with pytest.raises(BkendError) as caught:
        prepare_patch(table({"t": {"bsonType": "string"}}, ["t"]), {"t": None})
    assert caught.value.status == 400
    assert reasons(caught.value.details) == [("t", "required")]


def test_patch_validates_only_sent_keys() -> None:
    schema = table({"t": {"bsonType": "string"}, "n": {"bsonType": "int", "minimum": 0}}, ["t"])
    assert prepare_patch(schema, {"n": "5"}) == ({"n": 5}, [])
    with pytest.raises(BkendError) as caught:
        prepare_patch(schema, {"n": -1, "x": "1"})
    assert reasons(caught.value.details) == [("n", "minimum")]


def test_patch_rejects_unknown_keys_when_additional_properties_is_false() -> None:
    with pytest.raises(BkendError) as caught:
        prepare_patch(table({}, additionalProperties=False), {"x": 1})
    assert reasons(caught.value.details) == [("x", "unknown-field")]


def test_prepare_insert_does_not_modify_the_body() -> None:
    schema = table(
        {"n": {"bsonType": "int", "default": 1}, "o": {"bsonType": "object", "properties": {"d": {"bsonType": "date"}}}}
    )
    body = {"o": {"d": "2026-03-01"}, "gone": None}
    before = copy.deepcopy(body)
    prepare_insert(schema, body)
    assert body == before


# --- key safety (§0.6) -------------------------------------------------------------------------------------------

BAD_KEYS = [
    ({"": 1}, ""),
    ({"$set": 1}, "$set"),
    ({"a.b": 1}, "a.b"),
    ({"a\x00b": 1}, "a\\u0000b"),
    ({"__proto__": {}}, "__proto__"),
    ({"profile": {"constructor": 1}}, "profile.constructor"),
    ({"list": [{"ok": 1}, {"$where": "x"}]}, "list[1].$where"),
    ({"a": {"b": {"prototype": 1}}}, "a.b.prototype"),
]


@pytest.mark.parametrize(("body", "field"), BAD_KEYS, ids=[f for _, f in BAD_KEYS])
def test_unsafe_keys_are_reported_at_any_depth(body: dict, field: str) -> None:
    [detail] = check_keys(body)
    assert detail["field"] == field and detail["reason"] == "invalid-key"
    assert detail["message"].startswith(f"'{field}' is not an allowed key")


def test_safe_body_has_no_key_failures() -> None:
    assert check_keys({"title": "x", "tags": ["a", {"b": [1, {"c": None}]}], "n$": 1, "_x": 2}) == []


def test_bodies_nested_deeper_than_32_levels_are_reported() -> None:
    ok: object = 1
    for _ in range(31):
        ok = {"a": ok}
    assert check_keys({"top": ok}) == []
    assert [d["reason"] for d in check_keys({"top": {"a": ok}})] == ["max-depth"]


def test_every_constraint_and_coercion_row_is_covered() -> None:
    assert {c[3] for c in CONSTRAINT_CASES} == {c.keyword for c in validation.CONSTRAINTS}
    assert set(validation.COERCIONS) <= {b for b, _, _ in COERCION_MATRIX}
