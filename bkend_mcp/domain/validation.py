"""The record write pipeline's coerce and validate steps (spec/data.md §2.4, §3.2 steps 7–10, §3.3–§3.5).

A property is one entry of a stored table schema (MongoDB `$jsonSchema` vocabulary, see `domain/schema.py`).
Every failure is collected as `{field, reason, message}` and raised once as `data/validation-error`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.errors import validation_error
from bkend_mcp.store.base import PATH_SEGMENT

Detail = dict[str, Any]
Prop = Mapping[str, Any]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
NUMERIC_TYPES = frozenset({"int", "long", "double", "decimal"})
MAX_RECORD_DEPTH = 32
NOW_DEFAULT = "$now"
"""A `default` of a date property that means "the insert time"."""


def prop_types(prop: Prop | None) -> frozenset[str] | None:
    """The property's bsonType names (a list means any-of); None when it accepts any value (legacy Mixed)."""
    if not isinstance(prop, Mapping) or prop.get("bsonType") is None:
        return None
    declared = prop["bsonType"]
    return frozenset([declared] if isinstance(declared, str) else declared)


def nullable(prop: Prop | None) -> bool:
    types = prop_types(prop)
    return types is not None and "null" in types


# --- value rules per bsonType (§2.4) -------------------------------------------------------------------------


def _int_within(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return INT64[0] <= value <= INT64[1]
    return isinstance(value, float) and math.isfinite(value)


TYPE_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "int": (_int_within(*INT32), "an integer"),
    "long": (_int_within(*INT64), "an integer"),
    "double": (_finite_number, "a number"),
    "decimal": (_finite_number, "a number"),
    "bool": (lambda v: isinstance(v, bool), "a boolean"),
    "date": (lambda v: isinstance(v, datetime), "a date"),
    "object": (lambda v: isinstance(v, dict), "an object"),
    "array": (lambda v: isinstance(v, list), "an array"),
    "null": (lambda v: v is None, "null"),
}


def type_ok(types: frozenset[str], value: Any) -> bool:
    return any(t in TYPE_RULES and TYPE_RULES[t][0](value) for t in types)


# --- coercion (§3.3): only strings, never for string-typed properties -----------------------------------------

_NUMERIC_TEXT = re.compile(r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$", re.ASCII)


def _text_to_integer(text: str) -> Any:
    """`"3"`/`"3.0"`/`"3e2"` → int; anything fractional, too large or not numeric stays the string."""
    if not _NUMERIC_TEXT.match(text):
        return text
    try:
        number = Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the regex admits only Decimal syntax
        return text
    if number.is_zero():
        return 0
    if number.adjusted() > 19 or number != number.to_integral_value():
        return text
    return int(number)


def _text_to_number(text: str) -> Any:
    """`"123"` → 123, `"-45.67"` → -45.67; non-finite results stay the string."""
    if not _NUMERIC_TEXT.match(text):
        return text
    stripped = text.strip()
    if not any(c in stripped for c in ".eE") and len(stripped.lstrip("+-")) <= 18:
        return int(stripped)
    value = float(stripped)
    return value if math.isfinite(value) else text


def _text_to_bool(text: str) -> Any:
    return {"true": True, "false": False}.get(text.strip().lower(), text)


def _text_to_date(text: str) -> Any:
    parsed = dates.parse(text)
    return text if parsed is None else parsed


COERCIONS: dict[str, Callable[[str], Any]] = {
    "int": _text_to_integer,
    "long": _text_to_integer,
    "double": _text_to_number,
    "decimal": _text_to_number,
    "bool": _text_to_bool,
    "date": _text_to_date,
}
_TYPE_ORDER = tuple(TYPE_RULES)


def _coerce_text(types: frozenset[str], text: str) -> Any:
    for name in _TYPE_ORDER:
        if name in types and name in COERCIONS:
            result = COERCIONS[name](text)
            if result is not text:
                return result
    return text


def _coerce_number(types: frozenset[str], value: int | float) -> Any:
    """Integral floats within int64 become ints for int/long-only properties; ints beyond int64 become floats for
    doubles."""
    floating = bool(types & {"double", "decimal"})
    if isinstance(value, float) and not floating and types & {"int", "long"} and value.is_integer():
        return int(value) if INT64[0] <= value <= INT64[1] else value
    if isinstance(value, int) and floating and not INT64[0] <= value <= INT64[1]:
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def coerce(prop: Prop | None, value: Any) -> Any:
    """The value after the coercion rules of §3.3, or the value unchanged when none applies. Never raises."""
    types = prop_types(prop)
    if types is None or prop is None:
        return value
    if isinstance(value, str):
        return value if "string" in types else _coerce_text(types, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _coerce_number(types, value)
    items, properties = prop.get("items"), prop.get("properties")
    if isinstance(value, list) and "array" in types and isinstance(items, Mapping):
        return [coerce(items, element) for element in value]
    if isinstance(value, dict) and "object" in types and isinstance(properties, Mapping):
        return {key: coerce(properties.get(key), element) for key, element in value.items()}
    return value


# --- key safety (§0.6) -----------------------------------------------------------------------------------------

_BLOCKED_KEYS = ("__proto__", "constructor", "prototype")
_KEY_RULES: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda k: k == "", "keys must not be empty"),
    (lambda k: k.startswith("$"), "keys must not start with '$'"),
    (lambda k: "." in k, "keys must not contain '.'"),
    (lambda k: "\x00" in k, "keys must not contain NUL characters"),
    (lambda k: k in _BLOCKED_KEYS, "'__proto__', 'constructor' and 'prototype' are reserved"),
)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(path: str) -> str:
    return path.replace("\x00", "\\u0000")


def check_keys(body: Any) -> list[Detail]:
    """Key-safety failures at any depth, and bodies nested deeper than 32 levels."""
    details: list[Detail] = []
    _walk_keys("", body, 1, details)
    return details


def _walk_keys(path: str, value: Any, depth: int, details: list[Detail]) -> None:
    if not isinstance(value, (dict, list)):
        return
    if depth > MAX_RECORD_DEPTH:
        message = f"'{_shown(path)}' is nested too deeply (at most {MAX_RECORD_DEPTH} levels)"
        details.append({"field": _shown(path), "reason": "max-depth", "message": message})
        return
    if isinstance(value, list):
        for index, element in enumerate(value):
            _walk_keys(f"{path}[{index}]", element, depth + 1, details)
        return
    for key, element in value.items():
        child = _join(path, str(key))
        broken = next((rule for test, rule in _KEY_RULES if test(str(key))), None)
        if broken:
            message = f"'{_shown(child)}' is not an allowed key: {broken}"
            details.append({"field": _shown(child), "reason": "invalid-key", "message": message})
        _walk_keys(child, element, depth + 1, details)


# --- constraints (§2.3), checked in the order of §3.4 ----------------------------------------------------------


def _canon(value: Any) -> Any:
    """A hashable, type-sensitive form for equality: `1 == 1.0`, but `1 != True` and `1 != "1"`."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_canon(v) for v in value))
    if isinstance(value, dict):
        return ("object", tuple(sorted((str(k), _canon(v)) for k, v in value.items())))
    return (type(value).__name__, value)


def show(value: Any) -> str:
    """A value as a message shows it: JSON words for booleans and null, `30` for `30.0`, ISO dates."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return dates.iso(value)
    return str(value)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _in_enum(allowed: list[Any], value: Any, prop: Prop) -> bool:
    return _canon(value) in {_canon(coerce(prop, element)) for element in allowed}


def _above(bound: Any, value: Any, prop: Prop) -> bool:
    return bool(value > bound if prop.get("exclusiveMinimum") else value >= bound)


def _below(bound: Any, value: Any, prop: Prop) -> bool:
    return bool(value < bound if prop.get("exclusiveMaximum") else value <= bound)


def _matches(pattern: str, value: str, prop: Prop) -> bool:
    return _compiled(pattern).search(value) is not None


def _distinct(on: bool, value: list[Any], prop: Prop) -> bool:
    return not on or len({_canon(e) for e in value}) == len(value)


def _bound(symbol: str, exclusive: str) -> Callable[[Any, Prop], str]:
    return lambda n, p: f"must be {symbol}{'' if p.get(exclusive) else '='} {show(n)}"


@dataclass(frozen=True, slots=True)
class Constraint:
    """One row of the constraint table: the keyword (also the reason token), which values it looks at, the test
    `holds(limit, value, prop)` and the message after the field name."""

    keyword: str
    applies: Callable[[Any], bool]
    holds: Callable[[Any, Any, Prop], bool]
    message: Callable[[Any, Prop], str]


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("enum", lambda v: True, _in_enum, lambda a, p: "must be one of: " + ", ".join(show(e) for e in a)),
    Constraint("minLength", _is_text, lambda n, v, p: len(v) >= n, lambda n, p: f"must be at least {n} characters"),
    Constraint("maxLength", _is_text, lambda n, v, p: len(v) <= n, lambda n, p: f"must be at most {n} characters"),
    Constraint("minimum", _is_number, _above, _bound(">", "exclusiveMinimum")),
    Constraint("maximum", _is_number, _below, _bound("<", "exclusiveMaximum")),
    Constraint("pattern", _is_text, _matches, lambda r, p: f"must match the pattern {r}"),
    Constraint("minItems", _is_list, lambda n, v, p: len(v) >= n, lambda n, p: f"must have at least {n} items"),
    Constraint("maxItems", _is_list, lambda n, v, p: len(v) <= n, lambda n, p: f"must have at most {n} items"),
    Constraint("uniqueItems", _is_list, _distinct, lambda on, p: "must not contain duplicate items"),
)


# --- validation walk -------------------------------------------------------------------------------------------


def _detail(path: str, reason: str, text: str) -> Detail:
    return {"field": path, "reason": reason, "message": f"'{path}' {text}"}


def _type_detail(path: str, types: frozenset[str]) -> Detail:
    if types - {"null"} == {"date"}:
        return _detail(path, "invalid-date", "has an invalid date format")
    nouns = dict.fromkeys(TYPE_RULES[t][1] for t in _TYPE_ORDER if t in types)
    return _detail(path, "type", "must be " + (" or ".join(nouns) or "a valid value"))


def _validate(path: str, prop: Prop, value: Any, details: list[Detail]) -> None:
    """Type, then constraints in §3.4 order, then items / properties. A failed type skips the rest."""
    types = prop_types(prop)
    if types is not None and not type_ok(types, value):
        details.append(_type_detail(path, types))
        return
    if value is None:
        return
    for rule in CONSTRAINTS:
        if rule.keyword in prop and rule.applies(value) and not rule.holds(prop[rule.keyword], value, prop):
            details.append(_detail(path, rule.keyword, rule.message(prop[rule.keyword], prop)))
    items = prop.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        for index, element in enumerate(value):
            _validate(f"{path}[{index}]", items, element, details)
    if isinstance(value, dict) and types is not None and "object" in types:
        _validate_object(path, prop, value, details)


def _validate_object(path: str, schema: Prop, obj: Mapping[str, Any], details: list[Detail]) -> None:
    """Required (present and not null, unless nullable; D3), each declared key present, then unknown keys."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = schema.get("required") or []
    for name in dict.fromkeys([*properties, *required]):
        child, prop = _join(path, name), properties.get(name)
        if name in required and (name not in obj or (obj[name] is None and not nullable(prop))):
            details.append(_detail(child, "required", "is required"))
        elif name in obj and prop is not None:
            _validate(child, prop, obj[name], details)
    if schema.get("additionalProperties") is False:
        for key in obj:
            if key not in properties:
                details.append(_unknown(_join(path, key)))


def _unknown(path: str) -> Detail:
    return _detail(path, "unknown-field", "is not declared in the schema; declare it or leave it out")


def validate_value(path: str, prop: Prop, value: Any) -> tuple[Any, list[Detail]]:
    """Coerce and validate one value against one property: the coerced value and its failures."""
    coerced = coerce(prop, value)
    details: list[Detail] = []
    _validate(path, prop, coerced, details)
    return coerced, details


# --- the pipeline steps ----------------------------------------------------------------------------------------


def _default_value(prop: Prop) -> Any:
    if prop["default"] == NOW_DEFAULT and "date" in (prop_types(prop) or ()):
        return dates.now()
    return deepcopy(prop["default"])


def apply_defaults(schema: Prop, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Step 7: every property with a `default` whose key is absent or null gets a fresh copy of it; objects that
    are present (also inside arrays) get their nested defaults the same way."""
    out = dict(obj)
    for name, prop in (schema.get("properties") or {}).items():
        value = out.get(name)
        if "default" in prop and value is None:
            out[name] = _default_value(prop)
        elif isinstance(value, dict) and prop.get("properties"):
            out[name] = apply_defaults(prop, value)
        elif isinstance(value, list) and isinstance(prop.get("items"), Mapping) and prop["items"].get("properties"):
            out[name] = [apply_defaults(prop["items"], v) if isinstance(v, dict) else v for v in value]
    return out


def drop_nulls(schema: Prop, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Step 8: top-level nulls are "not provided" unless the property's type list contains null."""
    properties = schema.get("properties") or {}
    return {k: v for k, v in obj.items() if v is not None or nullable(properties.get(k))}


def coerce_fields(schema: Prop, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Step 9: declared fields are coerced; unknown fields are kept as sent."""
    properties = schema.get("properties") or {}
    return {k: coerce(properties[k], v) if k in properties else v for k, v in obj.items()}


def fit_numbers(value: Any, path: str, details: list[Detail]) -> Any:
    """Step 10, last: `value` with every integer beyond int64, at any depth, as a float, as a JavaScript client
    (bkend's own SDKs) or MongoDB (whose widest integer is int64) would keep it, so both engines store and return the
    same number; one beyond even a float's range is refused. Runs after validation: declared `int`/`long` fields
    were range-checked there, declared numbers coerced. `value` itself comes back when nothing needs to change."""
    if not _oversized(value):
        return value
    kind = type(value)
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            details.append(_detail(path, "range", "is a number too large to store"))
            return value
    if kind is dict:
        return {key: fit_numbers(element, _join(path, str(key)), details) for key, element in value.items()}
    return [fit_numbers(element, f"{path}[{index}]", details) for index, element in enumerate(value)]


def _oversized(value: Any) -> bool:
    """Whether an integer beyond int64 occurs in `value` (JSON: dicts, lists, scalars)."""
    kind = type(value)
    if kind is int:
        return not INT64[0] <= value <= INT64[1]
    if kind is dict:
        return any(map(_oversized, value.values()))
    if kind is list:
        return any(map(_oversized, value))
    return False


def prepare_insert(schema: Prop, body: Mapping[str, Any]) -> dict[str, Any]:
    """Insert steps 7–10 on a body without system fields: the document to store, or one validation error."""
    document = coerce_fields(schema, drop_nulls(schema, apply_defaults(schema, body)))
    details: list[Detail] = []
    _validate_object("", schema, document, details)
    if not details:
        document = fit_numbers(document, "", details)
    if details:
        raise validation_error(details)
    return document


def prepare_patch(schema: Prop, body: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """PATCH steps 8–10: `(fields to set, fields to unset)`. Only sent keys are checked; no defaults."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = schema.get("required") or []
    to_set: dict[str, Any] = {}
    to_unset: list[str] = []
    details: list[Detail] = []
    for key, value in body.items():
        prop = properties.get(key)
        if not PATH_SEGMENT.match(key):  # the store addresses a PATCHed field by its name
            details.append(_detail(key, "invalid-key", "cannot be set by PATCH: use letters, digits and '_' only"))
        elif value is None and not nullable(prop):
            if key in required:
                details.append(_detail(key, "required", "is required and cannot be set to null"))
            else:
                to_unset.append(key)
        elif prop is not None:
            to_set[key] = coerce(prop, value)
            _validate(key, prop, to_set[key], details)
        elif schema.get("additionalProperties") is False:
            details.append(_unknown(key))
        else:
            to_set[key] = value
    if not details:
        to_set = fit_numbers(to_set, "", details)
    if details:
        raise validation_error(details)
    return to_set, to_unset
