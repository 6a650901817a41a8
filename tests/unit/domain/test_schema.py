"""domain/schema.py: column definitions → stored `$jsonSchema` (spec/data.md §2), schema evolution (§2.8)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import schema
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.schema import (
    abstract_type,
    check_field_name,
    fields_view,
    is_scalar_prop,
    normalize_property,
    normalize_schema,
    prop_types,
    unique_fields,
)


def rejected(call, *args, **kwargs) -> BkendError:  # type: ignore[no-untyped-def]
    with pytest.raises(BkendError) as caught:
        call(*args, **kwargs)
    return caught.value


def stored(definition: dict) -> dict:
    return normalize_property("f", definition)[0]


# --- names -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["title", "a", "A1_b", "x" * 64])
def test_valid_field_names_pass(name: str) -> None:
    check_field_name(name)


@pytest.mark.parametrize("name", ["", "1a", "_a", "a-b", "a.b", "$a", "a b", "é", "x" * 65])
def test_invalid_field_names_are_rejected(name: str) -> None:
    assert rejected(check_field_name, name).code == "table/invalid-name"


@pytest.mark.parametrize("name", schema.SYSTEM_FIELDS)
def test_system_field_names_are_protected(name: str) -> None:
    assert rejected(check_field_name, name).code == "table/system-field-protected"


# --- types (§2.1) ------------------------------------------------------------------------------------------------

TYPE_NAMES = [
    ("string", {"bsonType": "string"}),
    ("String", {"bsonType": "string"}),
    ("number", {"bsonType": "double"}),
    ("NUMBER", {"bsonType": "double"}),
    ("integer", {"bsonType": "int"}),
    ("boolean", {"bsonType": "bool"}),
    ("bool", {"bsonType": "bool"}),
    ("date", {"bsonType": "date"}),
    ("object", {"bsonType": "object"}),
    ("array", {"bsonType": "array"}),
    ("reference", {"bsonType": "string", "x-ref": ""}),
    ("int", {"bsonType": "int"}),
    ("long", {"bsonType": "long"}),
    ("double", {"bsonType": "double"}),
    ("decimal", {"bsonType": "double"}),
    ("objectId", {"bsonType": "string", "pattern": "^[0-9a-f]{24}$"}),
    ("mixed", {}),
    ("Mixed", {}),
    ("any", {}),
    (["string", "null"], {"bsonType": ["string", "null"]}),
    (["number", "double", "null"], {"bsonType": ["double", "null"]}),
    (["int"], {"bsonType": "int"}),
    (["mixed", "null"], {}),
]


@pytest.mark.parametrize(("name", "expected"), TYPE_NAMES, ids=[str(n) for n, _ in TYPE_NAMES])
@pytest.mark.parametrize("key", ["type", "bsonType"])
def test_type_names_and_aliases_normalise(key: str, name: object, expected: dict) -> None:
    assert stored({key: name}) == expected


@pytest.mark.parametrize("name", ["strin", "text", "null", ["null"], [], 5, ["string", "uuid"]])
def test_unknown_type_is_rejected_naming_the_field(name: object) -> None:
    error = rejected(normalize_property, "status", {"type": name})
    assert error.code == "table/invalid-column-type"
    assert error.details[0]["field"] == "status" and "'status'" in error.message


def test_integer_flag_makes_a_number_column_int() -> None:
    assert stored({"type": "number", "integer": True}) == {"bsonType": "int"}
    assert stored({"type": "number", "integer": False}) == {"bsonType": "double"}
    assert rejected(normalize_property, "f", {"type": "string", "integer": True}).code == "table/invalid-schema"


def test_reference_stores_a_string_with_its_target() -> None:
    assert stored({"type": "reference", "ref": "posts"}) == {"bsonType": "string", "x-ref": "posts"}
    assert stored({"bsonType": "string", "x-ref": "users"}) == {"bsonType": "string", "x-ref": "users"}
    assert rejected(normalize_property, "f", {"type": "reference", "ref": "bad name"}).code == "table/invalid-schema"


# --- the two input forms (§2.2) ----------------------------------------------------------------------------------

SAME_COLUMN = [
    (
        {
            "name": "status",
            "type": "String",
            "required": True,
            "defaultValue": "todo",
            "enum": ["todo", "done"],
            "minLength": 1,
            "maxLength": 20,
            "unique": False,
        },
        {"bsonType": "string", "enum": ["todo", "done"], "minLength": 1, "maxLength": 20, "default": "todo"},
    ),
    ({"type": "number", "min": 0, "max": 5, "integer": True}, {"bsonType": "int", "minimum": 0, "maximum": 5}),
    (
        {"type": "array", "itemType": "string", "maxItems": 3},
        {"bsonType": "array", "items": {"bsonType": "string"}, "maxItems": 3},
    ),
    ({"type": "array", "items": "number"}, {"bsonType": "array", "items": {"bsonType": "double"}}),
    (
        {"type": "object", "properties": [{"name": "city", "type": "string", "required": True}]},
        {"bsonType": "object", "properties": {"city": {"bsonType": "string"}}, "required": ["city"]},
    ),
    ({"type": "reference", "ref": "users", "unique": True}, {"bsonType": "string", "x-ref": "users", "unique": True}),
    ({"type": "date", "default": "2026-03-01"}, {"bsonType": "date", "default": "2026-03-01T00:00:00.000Z"}),
    ({"type": "boolean", "defaultValue": False}, {"bsonType": "bool", "default": False}),
]


@pytest.mark.parametrize(("abstract", "raw"), SAME_COLUMN, ids=[a["type"] for a, _ in SAME_COLUMN])
def test_abstract_and_raw_forms_normalise_to_the_same_stored_prop(abstract: dict, raw: dict) -> None:
    assert stored(abstract) == stored(raw) == raw


def test_required_flag_is_returned_not_stored() -> None:
    assert normalize_property("t", {"type": "string", "required": True}) == ({"bsonType": "string"}, True)
    assert normalize_property("t", {"bsonType": "string"}) == ({"bsonType": "string"}, False)


def test_null_attributes_count_as_absent() -> None:
    assert stored({"type": "string", "maxLength": None, "default": None}) == {"bsonType": "string"}


def test_alias_conflicting_with_its_canonical_key_is_rejected() -> None:
    assert rejected(normalize_property, "f", {"type": "number", "min": 1, "minimum": 2}).code == "table/invalid-schema"


def test_type_and_bson_type_together_are_rejected() -> None:
    error = rejected(normalize_property, "f", {"type": "string", "bsonType": "int"})
    assert error.code == "table/invalid-schema"


# --- keyword rules (§2.3) ----------------------------------------------------------------------------------------

REJECTED_DEFINITIONS = [
    ({"bsonType": "string", "$ref": "#/x"}, "unsupported-keyword"),
    ({"bsonType": "string", "oneOf": []}, "unsupported-keyword"),
    ({"bsonType": "string", "anyOf": []}, "unsupported-keyword"),
    ({"bsonType": "string", "allOf": []}, "unsupported-keyword"),
    ({"bsonType": "string", "not": {}}, "unsupported-keyword"),
    ({"bsonType": "string", "format": "email"}, "unsupported-keyword"),
    ({"bsonType": "object", "patternProperties": {}}, "unsupported-keyword"),
    ({"bsonType": "string", "colour": "red"}, "unknown-keyword"),
    ({"type": "date", "minimum": 0}, "invalid-constraint"),
    ({"type": "date", "max": 10}, "invalid-constraint"),
    ({"type": "string", "minimum": 0}, "invalid-constraint"),
    ({"type": "number", "maxLength": 3}, "invalid-constraint"),
    ({"type": "string", "items": {"type": "string"}}, "invalid-constraint"),
    ({"type": "array", "properties": {}}, "invalid-constraint"),
    ({"maxLength": 3}, "invalid-constraint"),
    ({"type": "string", "minLength": -1}, "invalid-constraint"),
    ({"type": "string", "minLength": 1.5}, "invalid-constraint"),
    ({"type": "string", "minLength": True}, "invalid-constraint"),
    ({"type": "string", "minLength": 5, "maxLength": 2}, "invalid-constraint"),
    ({"type": "number", "minimum": 5, "maximum": 2}, "invalid-constraint"),
    ({"type": "number", "minimum": "0"}, "invalid-constraint"),
    ({"type": "number", "exclusiveMinimum": 3}, "invalid-constraint"),
    ({"type": "array", "minItems": 3, "maxItems": 1}, "invalid-constraint"),
    ({"type": "string", "unique": "yes"}, "invalid-constraint"),
    ({"type": "string", "description": 5}, "invalid-constraint"),
    ({"type": "string", "pattern": "("}, "invalid-pattern"),
    ({"type": "string", "pattern": r"\p{L}+"}, "invalid-pattern"),
    ({"type": "string", "pattern": "(?<year>\\d{4})"}, "invalid-pattern"),
    ({"type": "string", "pattern": 5}, "invalid-pattern"),
    ({"type": "array", "unique": True}, "not-scalar"),
    ({"type": "object", "unique": True}, "not-scalar"),
    ({"type": "mixed", "unique": True}, "not-scalar"),
    ({"type": "string", "enum": []}, "invalid-enum"),
    ({"type": "string", "enum": "a"}, "invalid-enum"),
    ({"type": "string", "enum": ["a", 1]}, "invalid-enum"),
    ({"type": "boolean", "enum": [1]}, "invalid-enum"),
    ({"type": "string", "enum": [["a"]]}, "invalid-enum"),
    ({"type": "number", "default": "abc"}, "invalid-default"),
    ({"type": "string", "default": 5}, "invalid-default"),
    ({"type": "string", "maxLength": 2, "default": "abc"}, "invalid-default"),
    ({"type": "string", "enum": ["a"], "default": "b"}, "invalid-default"),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "default": {}}, "invalid-default"),
    ({"type": "object", "required": ["ghost"]}, "invalid-schema"),
    ({"type": "object", "properties": {"1bad": {"type": "string"}}}, "invalid-name"),
    ({"type": "string", "required": "yes"}, "invalid-schema"),
    ({"type": "array", "items": "string", "itemType": "string"}, "invalid-schema"),
    ({"type": "array", "items": [{"type": "string"}]}, "invalid-schema"),
]


@pytest.mark.parametrize(("definition", "reason"), REJECTED_DEFINITIONS, ids=[str(d) for d, _ in REJECTED_DEFINITIONS])
def test_bad_definitions_are_rejected(definition: dict, reason: str) -> None:
    error = rejected(normalize_property, "f", definition)
    assert reason in [d["reason"] for d in error.details]
    assert error.code in ("table/invalid-schema", "table/invalid-name")
    assert all(d["field"].startswith("f") for d in error.details)


def test_unique_on_array_is_rejected_at_definition() -> None:
    error = rejected(normalize_property, "tags", {"type": "array", "itemType": "string", "unique": True})
    assert error.code == "table/invalid-schema"
    assert error.details == [{"field": "tags", "reason": "not-scalar", "message": error.message}]


def test_bad_regex_is_rejected_at_definition() -> None:
    error = rejected(normalize_property, "code", {"type": "string", "pattern": "[a-"})
    assert error.details[0]["reason"] == "invalid-pattern" and "'code'" in error.message


@pytest.mark.parametrize("bson", ["string", "int", "long", "double", "bool", "date", ["string", "null"]])
def test_unique_is_allowed_on_scalar_types(bson: object) -> None:
    assert stored({"bsonType": bson, "unique": True})["unique"] is True


def test_false_flags_are_not_stored() -> None:
    assert stored({"type": "number", "exclusiveMinimum": False, "unique": False}) == {"bsonType": "double"}
    assert stored({"type": "object", "additionalProperties": True}) == {"bsonType": "object"}
    assert stored({"type": "object", "additionalProperties": False}) == {
        "bsonType": "object",
        "additionalProperties": False,
    }


def test_default_and_enum_are_stored_coerced() -> None:
    assert stored({"type": "number", "default": "30"}) == {"bsonType": "double", "default": 30}
    assert stored({"type": "date", "enum": ["2026-03-01"]}) == {
        "bsonType": "date",
        "enum": ["2026-03-01T00:00:00.000Z"],
    }
    assert stored({"type": "date", "default": "$now"}) == {"bsonType": "date", "default": "$now"}


def test_nested_definitions_are_normalised_recursively() -> None:
    prop = stored(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "required": True, "maxLength": 10},
                    "tags": {"bsonType": "array", "items": {"bsonType": "string", "pattern": "^#"}},
                },
            },
        }
    )
    assert prop == {
        "bsonType": "array",
        "items": {
            "bsonType": "object",
            "properties": {
                "name": {"bsonType": "string", "maxLength": 10},
                "tags": {"bsonType": "array", "items": {"bsonType": "string", "pattern": "^#"}},
            },
            "required": ["name"],
        },
    }


def test_nested_duplicate_columns_name_their_path() -> None:
    error = rejected(
        normalize_property,
        "addr",
        {"type": "object", "properties": [{"name": "city", "type": "string"}, {"name": "city", "type": "string"}]},
    )
    assert error.code == "table/duplicate-column" and error.details[0]["field"] == "addr.city"


def test_nesting_deeper_than_five_levels_is_rejected() -> None:
    definition: dict = {"type": "string"}
    for _ in range(5):
        definition = {"type": "array", "items": definition}
    assert stored(definition)["bsonType"] == "array"
    error = rejected(normalize_property, "f", {"type": "array", "items": definition})
    assert [d["reason"] for d in error.details] == ["too-deep"]


def test_nested_failures_name_their_path() -> None:
    error = rejected(
        normalize_property,
        "items",
        {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "number", "minimum": "x"}}}},
    )
    assert error.details[0]["field"] == "items[].qty"


# --- whole schemas -----------------------------------------------------------------------------------------------


def test_property_map_and_column_list_give_the_same_schema() -> None:
    as_map = normalize_schema({"title": {"bsonType": "string"}, "n": {"bsonType": "int"}}, ["title"])
    as_list = normalize_schema(
        [{"name": "title", "type": "string", "required": True}, {"name": "n", "type": "number", "integer": True}]
    )
    as_root = normalize_schema(
        {
            "bsonType": "object",
            "required": ["title"],
            "properties": {"title": {"bsonType": "string"}, "n": {"bsonType": "int"}},
        }
    )
    expected = {
        "bsonType": "object",
        "required": ["title"],
        "properties": {"title": {"bsonType": "string"}, "n": {"bsonType": "int"}},
    }
    assert as_map == as_list == as_root == expected


def test_mongo_validator_wrapper_is_accepted() -> None:
    wrapped = {"$jsonSchema": {"bsonType": "object", "properties": {"a": {"bsonType": "bool"}}}}
    assert normalize_schema(wrapped)["properties"] == {"a": {"bsonType": "bool"}}


def test_empty_schema_is_valid() -> None:
    assert normalize_schema({}) == {"bsonType": "object", "required": [], "properties": {}}


def test_additional_properties_false_is_kept_on_the_root() -> None:
    root = normalize_schema({"bsonType": "object", "properties": {}, "additionalProperties": False})
    assert root["additionalProperties"] is False


def test_normalising_a_stored_schema_changes_nothing() -> None:
    first = normalize_schema(
        [
            {"name": "status", "type": "string", "enum": ["a", "b"], "default": "a", "required": True},
            {"name": "due", "type": "date", "default": "2026-03-01"},
            {"name": "owner", "type": "reference", "ref": "users", "unique": True},
            {
                "name": "lines",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": [{"name": "qty", "type": "number", "integer": True, "min": 1, "required": True}],
                },
            },
        ]
    )
    assert normalize_schema(first) == first


def test_every_failing_field_is_reported_in_one_error() -> None:
    error = rejected(
        normalize_schema,
        {
            "ok": {"type": "string"},
            "a": {"type": "strin"},
            "b": {"type": "string", "pattern": "("},
            "c": {"type": "array", "unique": True},
        },
    )
    assert [d["field"] for d in error.details] == ["a", "b", "c"]
    assert error.code == "table/invalid-schema"
    assert "and 2 more problems" in error.message


def test_one_kind_of_failure_keeps_its_code() -> None:
    error = rejected(normalize_schema, {"a": {"type": "strin"}, "b": {"type": "texte"}})
    assert error.code == "table/invalid-column-type"
    assert [d["field"] for d in error.details] == ["a", "b"]


def test_duplicate_columns_are_rejected() -> None:
    error = rejected(normalize_schema, [{"name": "a", "type": "string"}, {"name": "a", "type": "number"}])
    assert error.code == "table/duplicate-column"


def test_system_fields_cannot_be_defined_or_required() -> None:
    assert rejected(normalize_schema, {"createdAt": {"type": "date"}}).code == "table/system-field-protected"
    assert rejected(normalize_schema, {}, ["id"]).code == "table/system-field-protected"


def test_required_names_must_be_declared() -> None:
    error = rejected(normalize_schema, {"a": {"type": "string"}}, ["b"])
    assert error.code == "table/invalid-schema" and error.details[0]["field"] == "b"


def test_column_without_name_is_rejected() -> None:
    assert rejected(normalize_schema, [{"type": "string"}]).details[0]["field"] == "schema[0]"


def test_more_than_200_fields_exceed_the_limit() -> None:
    fields = {f"f{i}": {"type": "string"} for i in range(201)}
    assert rejected(normalize_schema, fields).code == "table/limit-exceeded"
    assert len(normalize_schema(dict(list(fields.items())[:200]))["properties"]) == 200


def test_unknown_root_keys_are_rejected() -> None:
    error = rejected(normalize_schema, {"bsonType": "object", "properties": {}, "oneOf": []})
    assert error.code == "table/invalid-schema"


# --- views -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prop", "types", "scalar", "abstract"),
    [
        ({"bsonType": "string"}, {"string"}, True, "string"),
        ({"bsonType": "string", "x-ref": "users"}, {"string"}, True, "reference"),
        ({"bsonType": "int"}, {"int"}, True, "number"),
        ({"bsonType": "long"}, {"long"}, True, "number"),
        ({"bsonType": "double"}, {"double"}, True, "number"),
        ({"bsonType": "bool"}, {"bool"}, True, "boolean"),
        ({"bsonType": "date"}, {"date"}, True, "date"),
        ({"bsonType": ["null", "date"]}, {"date", "null"}, True, "date"),
        ({"bsonType": "array"}, {"array"}, False, "array"),
        ({"bsonType": "object"}, {"object"}, False, "object"),
        ({"bsonType": ["string", "array"]}, {"string", "array"}, False, "string"),
        ({}, None, False, "mixed"),
    ],
)
def test_prop_types_scalarity_and_console_type(prop: dict, types: set | None, scalar: bool, abstract: str) -> None:
    assert prop_types(prop) == (frozenset(types) if types is not None else None)
    assert is_scalar_prop(prop) is scalar
    assert abstract_type(prop) == abstract


def test_fields_view_lists_every_field_with_its_constraints() -> None:
    table = normalize_schema(
        [
            {"name": "title", "type": "string", "required": True, "maxLength": 100},
            {"name": "email", "type": "string", "unique": True},
            {"name": "owner", "type": "reference", "ref": "users"},
            {"name": "meta", "type": "mixed"},
        ]
    )
    assert fields_view(table) == [
        {
            "name": "title",
            "type": "string",
            "bsonType": "string",
            "required": True,
            "unique": False,
            "default": None,
            "maxLength": 100,
        },
        {"name": "email", "type": "string", "bsonType": "string", "required": False, "unique": True, "default": None},
        {
            "name": "owner",
            "type": "reference",
            "bsonType": "string",
            "required": False,
            "unique": False,
            "default": None,
            "x-ref": "users",
        },
        {"name": "meta", "type": "mixed", "bsonType": None, "required": False, "unique": False, "default": None},
    ]
    assert unique_fields(table) == ["email"]


def test_type_table_holds_the_seven_abstract_types() -> None:
    assert set(schema.ABSTRACT_TYPES) <= set(schema.COLUMN_TYPES)
    assert len(schema.ABSTRACT_TYPES) == 7
