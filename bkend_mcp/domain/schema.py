"""Column definitions → the stored table schema (spec/data.md §2): MongoDB `$jsonSchema` vocabulary.

Two input forms normalise to one stored form: the abstract column of the console and FieldDef tools
(`{"name", "type": "number", "required": true, "min": 0, "defaultValue": 1}`) and the raw BSON property of the MCP
`schema` map (`{"bsonType": "int", "minimum": 0, "default": 1}`). Every failing field is reported in one error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.validation import (
    INT64,
    NOW_DEFAULT,
    NUMERIC_TYPES,
    coerce,
    fit_numbers,
    prop_types,
    type_ok,
    validate_value,
)

__all__ = [
    "ABSTRACT_TYPES",
    "COLUMN_TYPES",
    "FIELD_NAME",
    "SYSTEM_FIELDS",
    "abstract_type",
    "check_field_name",
    "fields_view",
    "is_scalar_prop",
    "normalize_property",
    "normalize_schema",
    "prop_types",
    "unique_fields",
]

SYSTEM_FIELDS = ("id", "_id", "createdBy", "createdAt", "updatedAt")
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MAX_FIELDS = 200
MAX_DEPTH = 5


@dataclass(frozen=True, slots=True)
class ColumnType:
    """What a type name stores: its bsonType (None = any value) and attributes it implies."""

    bson: str | None
    implies: Mapping[str, Any] = field(default_factory=dict)


ABSTRACT_TYPES = ("string", "number", "boolean", "date", "object", "array", "reference")
COLUMN_TYPES: dict[str, ColumnType] = {  # the 7 abstract types, then aliases; lookups are case-insensitive
    "string": ColumnType("string"),
    "number": ColumnType("double"),
    "boolean": ColumnType("bool"),
    "date": ColumnType("date"),
    "object": ColumnType("object"),
    "array": ColumnType("array"),
    "reference": ColumnType("string", {"x-ref": ""}),
    "integer": ColumnType("int"),
    "int": ColumnType("int"),
    "long": ColumnType("long"),
    "double": ColumnType("double"),
    "decimal": ColumnType("double"),
    "bool": ColumnType("bool"),
    "null": ColumnType("null"),
    "objectid": ColumnType("string", {"pattern": "^[0-9a-f]{24}$"}),
    "mixed": ColumnType(None),
    "any": ColumnType(None),
}
_ABSTRACT_OF = {
    "string": "string",
    "int": "number",
    "long": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "date": "date",
    "object": "object",
    "array": "array",
}

STORED_KEYS = (
    "bsonType",
    "x-ref",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "unique",
    "default",
    "description",
    "title",
)
ALIASES = {"defaultValue": "default", "min": "minimum", "max": "maximum", "ref": "x-ref"}
_INPUT_ONLY = frozenset({"type", "name", "itemType", "integer", *ALIASES})
UNSUPPORTED = frozenset({"$ref", "oneOf", "anyOf", "allOf", "not", "format", "patternProperties"})
_ROOT_KEYS = frozenset({"bsonType", "type", "properties", "required", "additionalProperties", "title", "description"})
_FALSE_IS_ABSENT = ("unique", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum")

_REASON_CODES = {
    reason: "table/" + reason
    for reason in (  # any other reason is table/invalid-schema
        "invalid-name",
        "system-field-protected",
        "invalid-column-type",
        "duplicate-column",
        "field-conflict",
        "required-conflict",
    )
}

Problems = list[dict[str, str]]


def problem(problems: Problems, path: str, reason: str, message: str) -> None:
    problems.append({"field": path, "reason": reason, "message": message})


def schema_error(problems: Problems) -> BkendError:
    """One error for all problems: their common code, or `table/invalid-schema` when kinds mix."""
    codes = {_REASON_CODES.get(p["reason"], "table/invalid-schema") for p in problems}
    code = codes.pop() if len(codes) == 1 else "table/invalid-schema"
    more = f" (and {len(problems) - 1} more problems, see details)" if len(problems) > 1 else ""
    return BkendError(code, problems[0]["message"] + more, problems)


# --- names -----------------------------------------------------------------------------------------------------


def _nameproblem(problems: Problems, name: Any, path: str, top: bool) -> bool:
    if top and name in SYSTEM_FIELDS:
        problem(problems, path, "system-field-protected", f"'{name}' is a system field and cannot be defined")
    elif not isinstance(name, str) or not FIELD_NAME.match(name):
        problem(
            problems,
            path,
            "invalid-name",
            f"'{path}' is not a valid field name: start with a letter, then "
            "letters, digits or '_' (at most 64 characters)",
        )
    else:
        return False
    return True


def check_field_name(name: str) -> None:
    """Raise `table/system-field-protected` or `table/invalid-name` unless `name` may name a top-level field."""
    problems: Problems = []
    if _nameproblem(problems, name, str(name), top=True):
        raise schema_error(problems)


# --- keyword rules (definition time) ---------------------------------------------------------------------------


def _rule(test: Callable[[Any], Any], message: str) -> Callable[[Any], str | None]:
    return lambda value: None if test(value) else message


def _regex(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be a string"
    try:
        re.compile(v)
    except re.error as exc:
        return f"is not a valid regular expression ({exc.msg}); use Python/PCRE syntax"
    return None


_count = _rule(lambda v: type(v) is int and 0 <= v <= INT64[1], "must be a non-negative integer (64-bit)")
_number = _rule(lambda v: type_ok(frozenset({"double"}), v), "must be a number")
_flag = _rule(lambda v: isinstance(v, bool), "must be true or false")
_text = _rule(lambda v: isinstance(v, str), "must be a string")
_table_ref = _rule(lambda v: isinstance(v, str) and (v == "" or TABLE_NAME.match(v)), "must be a table name")
_STRING, _ARRAY, _OBJECT = frozenset({"string"}), frozenset({"array"}), frozenset({"object"})
_NUMBER_NOUN = (NUMERIC_TYPES, "number")
KEYWORD_RULES: dict[str, tuple[Callable[[Any], str | None], tuple[frozenset[str], str] | None]] = {
    # keyword: (value check, (types it applies to, their name) or None for every type)
    "x-ref": (_table_ref, (_STRING, "reference")),
    "minLength": (_count, (_STRING, "string")),
    "maxLength": (_count, (_STRING, "string")),
    "minimum": (_number, _NUMBER_NOUN),
    "exclusiveMinimum": (_flag, _NUMBER_NOUN),
    "maximum": (_number, _NUMBER_NOUN),
    "exclusiveMaximum": (_flag, _NUMBER_NOUN),
    "pattern": (_regex, (_STRING, "string")),
    "minItems": (_count, (_ARRAY, "array")),
    "maxItems": (_count, (_ARRAY, "array")),
    "uniqueItems": (_flag, (_ARRAY, "array")),
    "additionalProperties": (_flag, (_OBJECT, "object")),
    "unique": (_flag, None),
    "description": (_text, None),
    "title": (_text, None),
}
_NESTED_APPLIES = {"items": (_ARRAY, "array"), "itemType": (_ARRAY, "array"), "properties": (_OBJECT, "object")}
APPLIES_TO = {**{k: rule[1] for k, rule in KEYWORD_RULES.items()}, **_NESTED_APPLIES, "required": (_OBJECT, "object")}
_BOUNDS = (("minLength", "maxLength"), ("minimum", "maximum"), ("minItems", "maxItems"))


def _applies(
    problems: Problems, path: str, keyword: str, types: frozenset[str] | None, scope: tuple[frozenset[str], str] | None
) -> bool:
    if scope is None or (types is not None and types & scope[0]):
        return True
    problem(problems, path, "invalid-constraint", f"'{path}': '{keyword}' applies to {scope[1]} columns only")
    return False


# --- one property ----------------------------------------------------------------------------------------------


def _canonical(definition: Mapping[str, Any], path: str, problems: Problems) -> dict[str, Any]:
    """Aliases renamed, nulls dropped (null = not given), unsupported and unknown keywords reported."""
    out: dict[str, Any] = {}
    for key, value in definition.items():
        if key in UNSUPPORTED:
            problem(problems, path, "unsupported-keyword", f"'{path}': '{key}' is not supported")
        elif key not in STORED_KEYS and key not in _INPUT_ONLY:
            problem(problems, path, "unknown-keyword", f"'{path}': unknown attribute '{key}'")
        elif value is not None and key != "name":
            target = ALIASES.get(key, key)
            if target in out and out[target] != value:
                problem(problems, path, "invalid-schema", f"'{path}': '{key}' conflicts with '{target}'")
            out[target] = value
    return out


def column_type(d: dict[str, Any], path: str, problems: Problems) -> ColumnType | None:
    """`type` or `bsonType` (a name or an any-of list; absent = mixed) and the `integer` flag → one ColumnType."""
    if "type" in d and "bsonType" in d:
        problem(problems, path, "invalid-schema", f"'{path}': give either 'type' or 'bsonType', not both")
        return None
    spec, integer = d.pop("type", d.pop("bsonType", "mixed")), d.pop("integer", False)
    names = spec if isinstance(spec, list) else [spec]
    kinds = [COLUMN_TYPES.get(n.lower()) if isinstance(n, str) else None for n in names]
    if not names or None in kinds or [k.bson for k in kinds if k] == ["null"]:
        known = ", ".join(ABSTRACT_TYPES)
        problem(problems, path, "invalid-column-type", f"'{path}' has an invalid type {spec!r}; use one of: {known}")
        return None
    bsons = list(dict.fromkeys(k.bson for k in kinds if k))
    if integer is not False and (integer is not True or bsons not in (["double"], ["int"])):
        problem(problems, path, "invalid-constraint", f"'{path}': 'integer' is true or false, for number columns")
        return None
    if None in bsons:
        return ColumnType(None)
    implies = {k: v for kind in kinds if kind for k, v in kind.implies.items()}
    return ColumnType("int" if integer else bsons[0] if len(bsons) == 1 else bsons, implies)  # type: ignore[arg-type]


def _nested(
    d: dict[str, Any], prop: dict[str, Any], required: list[str] | None, path: str, depth: int, problems: Problems
) -> None:
    """`items` / `itemType` and `properties` + nested `required`, normalised recursively."""
    if "itemType" in d:
        if "items" in d:
            problem(problems, path, "invalid-schema", f"'{path}': give either 'items' or 'itemType', not both")
        d["items"] = {"type": d.pop("itemType")}
    if "items" in d:
        items = d.pop("items")
        items = {"type": items} if isinstance(items, str) else items
        prop["items"] = _normalize(f"{path}[]", items, depth + 1, problems)[0]
    if "properties" not in d and required is None:
        return
    names = list(required or [])
    children: dict[str, Any] = {}
    for name, child in _entries_of(d.pop("properties", {}), path, problems):
        child_path = f"{path}.{name}"
        if not _nameproblem(problems, name, child_path, top=False):
            children[name], flag = _normalize(child_path, child, depth + 1, problems)
            names += [name] if flag else []
    prop["properties"] = children
    for name in dict.fromkeys(names):
        if name not in children:
            problem(problems, f"{path}.{name}", "invalid-schema", f"'{path}.{name}' is required but not declared")
    if names:
        prop["required"] = [n for n in dict.fromkeys(names) if n in children]


def _enum(values: Any, prop: dict[str, Any], path: str, problems: Problems) -> None:
    if not isinstance(values, list) or not values:
        problem(problems, path, "invalid-enum", f"'{path}': 'enum' must be a non-empty list of values")
        return
    types = prop_types(prop)
    stored = []
    for value in values:
        coerced = coerce(prop, value)
        scalar = not isinstance(value, (dict, list))
        if not scalar or (types is not None and not type_ok(types, coerced)):
            problem(problems, path, "invalid-enum", f"'{path}': enum value {value!r} does not fit the column type")
        stored.append(_as_json(coerced))
    prop["enum"] = stored


def _default(value: Any, prop: dict[str, Any], path: str, problems: Problems) -> None:
    if value == NOW_DEFAULT and "date" in (prop_types(prop) or ()):
        prop["default"] = NOW_DEFAULT
        return
    coerced, details = validate_value(path, prop, value)
    for detail in details:
        problem(problems, path, "invalid-default", f"'{path}': the default is invalid: {detail['message']}")
    prop["default"] = _as_json(coerced)


def _as_json(value: Any) -> Any:
    """The stored (JSON) form of a coerced value: dates as ISO text."""
    if isinstance(value, datetime):
        return dates.iso(value)
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _kept(keyword: str, value: Any) -> bool:
    """Flags at their default are not stored, so both input forms give the same stored property."""
    if keyword == "additionalProperties":
        return value is False
    return not (value is False and keyword in _FALSE_IS_ABSENT)


def _normalize(path: str, definition: Any, depth: int, problems: Problems) -> tuple[dict[str, Any], bool]:
    if depth > MAX_DEPTH:
        problem(problems, path, "too-deep", f"'{path}' is nested too deeply (at most {MAX_DEPTH} levels)")
        return {}, False
    if not isinstance(definition, Mapping):
        problem(problems, path, "invalid-schema", f"'{path}' must be an object describing the column")
        return {}, False
    d = _canonical(definition, path, problems)
    required = d.pop("required", False)
    nested_required: list[str] | None = None
    if isinstance(required, list) and all(isinstance(n, str) for n in required):
        nested_required, required = required or None, False
    elif not isinstance(required, bool):
        problem(problems, path, "invalid-schema", f"'{path}': 'required' must be true/false or a list of names")
    kind = column_type(d, path, problems)
    if kind is None:
        return {}, bool(required)
    prop: dict[str, Any] = {"bsonType": kind.bson} if kind.bson else {}
    prop.update({k: v for k, v in kind.implies.items() if k not in d})
    types = prop_types(prop)
    for keyword, scope in _NESTED_APPLIES.items():
        if keyword in d and not _applies(problems, path, keyword, types, scope):
            d.pop(keyword)
    if nested_required is not None and not _applies(problems, path, "required", types, APPLIES_TO["required"]):
        nested_required = None
    _nested(d, prop, nested_required, path, depth, problems)
    for keyword, (check, scope) in KEYWORD_RULES.items():
        if keyword in d and _applies(problems, path, keyword, types, scope):
            error = check(d[keyword])
            if error:
                reason = "invalid-pattern" if keyword == "pattern" else "invalid-constraint"
                problem(problems, path, reason, f"'{path}': '{keyword}' {error}")
            elif _kept(keyword, d[keyword]):
                prop[keyword] = d[keyword]
    for low, high in _BOUNDS:
        if _number(prop.get(low)) is None and _number(prop.get(high)) is None and prop[low] > prop[high]:
            problem(problems, path, "invalid-constraint", f"'{path}': '{low}' is greater than '{high}'")
    if prop.get("unique") and not is_scalar_prop(prop):
        problem(
            problems,
            path,
            "not-scalar",
            f"'{path}': 'unique' applies to string, number, boolean, date and reference columns only",
        )
    if "enum" in d:
        _enum(d["enum"], prop, path, problems)
    if "default" in d:
        _default(d["default"], prop, path, problems)
    return {k: prop[k] for k in STORED_KEYS if k in prop}, bool(required)


def normalize_property(name: str, definition: Mapping[str, Any], depth: int = 0) -> tuple[dict[str, Any], bool]:
    """One column definition (abstract or raw BSON) → `(stored property, required flag)`."""
    problems: Problems = []
    prop, flag = _normalize(name, definition, depth, problems)
    prop = _storable(prop, name, problems)
    if problems:
        raise schema_error(problems)
    return prop, flag


def _storable(value: Any, path: str, problems: Problems) -> Any:
    """A normalized definition with its integers beyond int64 (a bound, an enum value, a default) as floats, as
    records keep them (`validation.fit_numbers`); one beyond a float is a problem: no engine stores it."""
    details: list[dict[str, Any]] = []
    value = fit_numbers(value, path, details)
    for detail in details:
        problem(problems, detail["field"], "invalid-constraint", detail["message"])
    return value


# --- whole schemas ---------------------------------------------------------------------------------------------


def _entries_of(fields: Any, parent: str, problems: Problems) -> list[tuple[str, Any]]:
    """A property map `{name: definition}` or a list of columns with `name` → `[(name, definition)]`, each name
    once (a repeated name is a `duplicate-column` problem). `parent` is "" for the root or the object's path."""
    where = f"{parent}.properties" if parent else "schema"
    if isinstance(fields, Mapping):
        return [(str(name), definition) for name, definition in fields.items()]
    if not isinstance(fields, list):
        problem(problems, where, "invalid-schema", f"'{where}' must be a map of fields or a list of columns")
        return []
    entries: dict[str, Any] = {}
    for index, column in enumerate(fields):
        name = column.get("name") if isinstance(column, Mapping) else None
        if not isinstance(name, str):
            problem(problems, f"{where}[{index}]", "invalid-schema", f"'{where}[{index}]' needs a 'name'")
        elif name in entries:
            path = f"{parent}.{name}" if parent else name
            problem(problems, path, "duplicate-column", f"'{path}' is defined more than once")
        else:
            entries[name] = column
    return list(entries.items())


def _is_root(fields: Any) -> bool:
    """A full `{"bsonType": "object", "properties": ...}` root (a field's definition is never a plain string)."""
    return (
        isinstance(fields, Mapping)
        and "properties" in fields
        and (fields.get("bsonType") == "object" or fields.get("type") == "object")
    )


def names_list(value: Any, path: str, problems: Problems) -> list[str]:
    if value is None or (isinstance(value, (list, tuple)) and all(isinstance(n, str) for n in value)):
        return list(value or [])
    problem(problems, path, "invalid-schema", f"'{path}' must be a list of field names")
    return []


def normalize_schema(fields: Any, required: list[str] | None = None) -> dict[str, Any]:
    """Field definitions (map, column list, or a full root schema) → the stored root schema, or one error."""
    problems: Problems = []
    if isinstance(fields, Mapping) and set(fields) == {"$jsonSchema"}:
        fields = fields["$jsonSchema"]
    root: Mapping[str, Any] = fields if _is_root(fields) else {"properties": fields}
    for key in set(root) - _ROOT_KEYS:
        problem(problems, "schema", "unknown-keyword", f"'schema': unknown attribute '{key}'")
    wanted = names_list(root.get("required"), "required", problems) + names_list(required, "required", problems)
    entries = _entries_of(root["properties"], "", problems)
    if len(entries) > MAX_FIELDS:
        raise BkendError("table/limit-exceeded", f"A table has at most {MAX_FIELDS} fields ({len(entries)} given)")
    properties: dict[str, Any] = {}
    for name, definition in entries:
        if not _nameproblem(problems, name, name, top=True):
            prop, flag = _normalize(name, definition, 0, problems)
            properties[name] = _storable(prop, name, problems)
            wanted += [name] if flag else []
    for name in dict.fromkeys(wanted):
        if name in SYSTEM_FIELDS:
            problem(problems, name, "system-field-protected", f"'{name}' is a system field and cannot be required")
        elif name not in dict(entries):
            problem(problems, name, "invalid-schema", f"'{name}' is required but not declared; add the field first")
    additional = root.get("additionalProperties", True)
    if not isinstance(additional, bool):
        problem(problems, "additionalProperties", "invalid-constraint", "'additionalProperties' must be true or false")
    if problems:
        raise schema_error(problems)
    schema: dict[str, Any] = {"bsonType": "object", "required": list(dict.fromkeys(wanted)), "properties": properties}
    if additional is False:
        schema["additionalProperties"] = False
    return schema


# --- views -----------------------------------------------------------------------------------------------------


def is_scalar_prop(prop: Mapping[str, Any] | None) -> bool:
    """Declared with a type, and never an array, an object or only null: the columns that may be `unique`."""
    types = prop_types(prop)
    return bool(types) and not types & {"array", "object"} and types != {"null"}  # type: ignore[operator]


def abstract_type(prop: Mapping[str, Any] | None) -> str:
    """The console's type name: string, number, boolean, date, object, array, reference or mixed."""
    declared = (prop or {}).get("bsonType")
    first = next((t for t in ([declared] if isinstance(declared, str) else declared or []) if t in _ABSTRACT_OF), None)
    if first is None:
        return "mixed"
    return "reference" if first == "string" and "x-ref" in (prop or {}) else _ABSTRACT_OF[first]


def fields_view(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per top-level field: name, type, bsonType, required, unique, default, then its constraints."""
    required = schema.get("required") or []
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        row = {
            "name": name,
            "type": abstract_type(prop),
            "bsonType": prop.get("bsonType"),
            "required": name in required,
            "unique": bool(prop.get("unique")),
            "default": prop.get("default"),
        }
        row.update({k: v for k, v in prop.items() if k not in ("bsonType", "unique", "default")})
        rows.append(row)
    return rows


def unique_fields(schema: Mapping[str, Any]) -> list[str]:
    return [name for name, prop in (schema.get("properties") or {}).items() if prop.get("unique")]
