"""domain/schema_changes.py: one field change applied to a stored schema (spec/data.md §2.8)."""

from __future__ import annotations

import copy

import pytest

from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.schema import normalize_schema
from bkend_mcp.domain.schema_changes import apply_field_changes


def rejected(call, *args, **kwargs) -> BkendError:  # type: ignore[no-untyped-def]
    with pytest.raises(BkendError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- schema evolution (§2.8) -------------------------------------------------------------------------------------

BASE = normalize_schema(
    [
        {"name": "title", "type": "string", "required": True, "maxLength": 100},
        {"name": "status", "type": "string", "enum": ["todo", "done"], "default": "todo"},
        {"name": "age", "type": "number", "min": 0},
    ]
)


def test_adding_a_field() -> None:
    new = apply_field_changes(BASE, {"tags": {"type": "array", "itemType": "string"}})
    assert new["properties"]["tags"] == {"bsonType": "array", "items": {"bsonType": "string"}}
    assert list(new["properties"]) == ["title", "status", "age", "tags"]


def test_updating_a_field_merges_its_attributes() -> None:
    new = apply_field_changes(BASE, {"status": {"maxLength": 10}})
    assert new["properties"]["status"] == {
        "bsonType": "string",
        "enum": ["todo", "done"],
        "maxLength": 10,
        "default": "todo",
    }


def test_null_attribute_in_an_update_removes_it() -> None:
    new = apply_field_changes(BASE, {"status": {"default": None, "defaultValue": None}})
    assert "default" not in new["properties"]["status"]


def test_changing_the_type_drops_constraints_that_no_longer_apply() -> None:
    new = apply_field_changes(BASE, {"title": {"type": "number", "max": 5}})
    assert new["properties"]["title"] == {"bsonType": "double", "maximum": 5}
    assert new["required"] == ["title"]


def test_changing_the_type_revalidates_kept_default() -> None:
    error = rejected(apply_field_changes, BASE, {"status": {"type": "number"}})
    assert {d["reason"] for d in error.details} == {"invalid-enum", "invalid-default"}


def test_integer_flag_alone_turns_a_number_column_int() -> None:
    new = apply_field_changes(BASE, {"age": {"integer": True}})
    assert new["properties"]["age"] == {"bsonType": "int", "minimum": 0}


def test_resending_a_reference_type_keeps_its_target_and_string_drops_it() -> None:
    table = normalize_schema({"owner": {"type": "reference", "ref": "users"}})
    kept = apply_field_changes(table, {"owner": {"type": "reference", "unique": True}})
    assert kept["properties"]["owner"] == {"bsonType": "string", "x-ref": "users", "unique": True}
    assert apply_field_changes(table, {"owner": {"type": "string"}})["properties"]["owner"] == {"bsonType": "string"}


def test_removing_a_field_also_removes_it_from_required() -> None:
    new = apply_field_changes(BASE, None, ["title"])
    assert "title" not in new["properties"] and new["required"] == []


def test_required_lists_and_flags_are_applied() -> None:
    new = apply_field_changes(BASE, {"age": {"required": True}}, None, ["status"], ["title"])
    assert new["required"] == ["age", "status"]
    assert apply_field_changes(BASE, {"title": {"required": False}})["required"] == []


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (({"title": {"maxLength": 5}}, ["title"], None, None), "table/field-conflict"),
        ((None, None, ["age"], ["age"]), "table/required-conflict"),
        (({"createdBy": {"type": "string"}}, None, None, None), "table/system-field-protected"),
        ((None, ["updatedAt"], None, None), "table/system-field-protected"),
        ((None, None, ["id"], None), "table/system-field-protected"),
        ((None, None, ["ghost"], None), "table/invalid-schema"),
        ((None, ["ghost"], None, None), "table/invalid-schema"),
        (({"age": {"type": "strin"}}, None, None, None), "table/invalid-column-type"),
        (({"age": "number"}, None, None, None), "table/invalid-schema"),
    ],
)
def test_bad_field_changes_are_rejected(args: tuple, code: str) -> None:
    assert rejected(apply_field_changes, BASE, *args).code == code


def test_field_changes_do_not_modify_the_input_schema() -> None:
    before = copy.deepcopy(BASE)
    apply_field_changes(BASE, {"status": {"maxLength": 10}, "x": {"type": "string"}}, ["age"], ["x"], ["title"])
    assert before == BASE


def test_additional_properties_survives_field_changes() -> None:
    closed = {**BASE, "additionalProperties": False}
    assert apply_field_changes(closed, {"x": {"type": "string"}})["additionalProperties"] is False
