"""domain/validation.py under hostile input (issue 8): properties that must hold for every value a client can send,
where test_validation.py pins the documented examples. Each property states the rule; hypothesis hunts for a
counter-example."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.validation import check_keys, coerce, prepare_insert, prepare_patch

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=16,
)
SCHEMA = {
    "bsonType": "object",
    "required": ["name"],
    "properties": {
        "name": {"bsonType": "string", "minLength": 1, "maxLength": 20},
        "age": {"bsonType": "int", "minimum": 0, "maximum": 150},
        "score": {"bsonType": "double", "maximum": 10, "exclusiveMaximum": True},
        "active": {"bsonType": "bool"},
        "born": {"bsonType": ["date", "null"]},
        "kind": {"bsonType": "string", "enum": ["a", "b"]},
        "tags": {"bsonType": "array", "items": {"bsonType": "string"}, "maxItems": 3, "uniqueItems": True},
        "meta": {"bsonType": "object", "properties": {"n": {"bsonType": "long"}}},
    },
}
FIELDS = sorted(SCHEMA["properties"])
body_keys = st.sampled_from(FIELDS) | st.text(max_size=8)


def outcome(schema: dict, body: dict) -> dict | list[dict]:
    """The stored document, or the failure details; any other exception fails the property."""
    try:
        return prepare_insert(schema, body)
    except BkendError as error:
        assert error.code == "data/validation-error"
        assert error.status == 400
        return error.details


@settings(max_examples=150)
@given(body=st.dictionaries(body_keys, json_values, max_size=8))
def test_any_json_body_is_stored_or_refused_with_named_fields(body: dict) -> None:
    result = outcome(SCHEMA, body)
    if isinstance(result, list):
        assert result, "a refusal lists at least one failure"
        for detail in result:
            assert set(detail) == {"field", "reason", "message"}
            assert detail["field"].split(".")[0].split("[")[0] in {*body, "name"}
            assert detail["field"] in detail["message"] or detail["reason"] == "required"
    else:
        assert set(result) <= set(body), "insert adds no field the schema has no default for"


@settings(max_examples=100)
@given(body=st.dictionaries(body_keys, json_values, max_size=8))
def test_a_stored_document_validates_again_unchanged(body: dict) -> None:
    stored = outcome(SCHEMA, body)
    if isinstance(stored, dict):
        assert prepare_insert(SCHEMA, stored) == stored


@settings(max_examples=100)
@given(prop=st.sampled_from([*SCHEMA["properties"].values(), {}]), value=json_values)
def test_coercion_is_idempotent(prop: dict, value: object) -> None:
    once = coerce(prop, value)
    assert coerce(prop, once) == once or once != once  # NaN is the only value not equal to itself


@given(text=st.text())
def test_string_column_keeps_any_text_byte_exact(text: str) -> None:
    schema = {"bsonType": "object", "properties": {"s": {"bsonType": "string"}}}
    assert prepare_insert(schema, {"s": text}) == {"s": text}


@given(low=st.integers(0, 6), span=st.integers(0, 6), text=st.text(max_size=14))
def test_length_bounds_count_code_points(low: int, span: int, text: str) -> None:
    prop = {"bsonType": "string", "minLength": low, "maxLength": low + span}
    result = outcome({"bsonType": "object", "properties": {"s": prop}}, {"s": text})
    assert isinstance(result, dict) == (low <= len(text) <= low + span)


@given(
    bound=st.integers(-1000, 1000) | st.floats(-1e6, 1e6),
    value=st.integers(-2000, 2000) | st.floats(-2e6, 2e6),
    exclusive=st.booleans(),
    upper=st.booleans(),
)
def test_numeric_bounds_hold_inclusive_and_exclusive(bound, value, exclusive: bool, upper: bool) -> None:
    name = "maximum" if upper else "minimum"
    prop = {"bsonType": "double", name: bound, f"exclusive{name.capitalize()}": exclusive}
    result = outcome({"bsonType": "object", "properties": {"x": prop}}, {"x": value})
    inside = (
        (value < bound if exclusive else value <= bound) if upper else (value > bound if exclusive else value >= bound)
    )
    assert isinstance(result, dict) == inside


@given(n=st.integers(-(2**40), 2**40), as_text=st.booleans())
def test_int_column_takes_exactly_the_32_bit_range(n: int, as_text: bool) -> None:
    result = outcome({"bsonType": "object", "properties": {"i": {"bsonType": "int"}}}, {"i": str(n) if as_text else n})
    fits = -(2**31) <= n < 2**31
    assert isinstance(result, dict) == fits
    if fits:
        assert result == {"i": n} and type(result["i"]) is int


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values: 0 and 0.0 are one number, but true is not 1."""
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers) and isinstance(b, numbers):
        return a == b
    return type(a) is type(b) and a == b


@given(value=json_values, choices=st.lists(st.integers(0, 5) | st.text(max_size=3), min_size=1, max_size=4))
def test_enum_accepts_its_members_and_nothing_else(value: object, choices: list) -> None:
    schema = {"bsonType": "object", "properties": {"e": {"enum": choices}}}
    member = any(same_json(value, c) for c in choices)
    if value is None:
        return  # a top-level null is dropped on insert, not validated
    assert isinstance(outcome(schema, {"e": value}), dict) == member


safe_key = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_ -]{0,8}\Z").filter(
    lambda k: k not in ("__proto__", "constructor", "prototype")
)
bad_key = st.sampled_from(
    ["$where", "$gt", "$", "a.b", ".", "x.", "__proto__", "constructor", "prototype", "", "a\x00"]
)


@settings(max_examples=100)
@given(path=st.lists(safe_key | st.integers(0, 2), max_size=6), bad=bad_key, leaf=json_values)
def test_an_unsafe_key_is_reported_at_any_depth(path: list, bad: str, leaf: object) -> None:
    body: object = {bad: leaf}
    for step in reversed(path):
        body = [None] * step + [body] if isinstance(step, int) else {step: body}
    if not isinstance(body, dict):
        body = {"root": body}
    details = check_keys(body)
    assert details and all(d["reason"] == "invalid-key" for d in details), details


@given(body=st.recursive(st.integers(), lambda inner: st.dictionaries(safe_key, inner, max_size=3), max_leaves=10))
def test_safe_keys_raise_nothing(body: object) -> None:
    assert check_keys({"root": body}) == []


@settings(max_examples=100)
@given(body=st.dictionaries(body_keys, json_values, max_size=6))
def test_patch_touches_only_sent_keys(body: dict) -> None:
    try:
        to_set, to_unset = prepare_patch(SCHEMA, body)
    except BkendError as error:
        assert error.code == "data/validation-error"
        return
    assert set(to_set) | set(to_unset) <= set(body)
    assert not set(to_set) & set(to_unset)


@given(text=st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=5))
def test_non_ascii_digits_never_become_numbers(text: str) -> None:
    result = outcome({"bsonType": "object", "properties": {"d": {"bsonType": "double"}}}, {"d": text})
    if not text.isascii():
        assert isinstance(result, list), f"{text!r} ({[unicodedata.name(c) for c in text]}) was taken as a number"
