"""The filter language of spec/data.md §4.2: a user's filter JSON, checked and coerced, becomes the store's AST.

Everything a client can put in `andFilters`, `orFilters` or a table's `rowFilters` passes through `parse_filter`:
field paths are checked against an allow-list pattern, operators against `OPERATORS`, values are coerced by the
field's declared type (§3.3), and the size of the filter is capped, so an engine only ever sees a small, typed tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bkend_mcp.domain import dates, schema, validation
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, invalid_param, validation_error
from bkend_mcp.store.base import PATH_SEGMENT, Cond, Filter, Op, Regex, all_of

MAX_FILTER_BYTES = 16 * 1024
MAX_CONDITIONS = 50
MAX_IN_ELEMENTS = 1000
MAX_REGEX_LENGTH = 256
MAX_DEPTH = 16
REGEX_OPTIONS = {"i": "ignore_case", "m": "multiline", "s": "dotall", "x": "verbose"}
FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})
USER_ID_PLACEHOLDER = "$userId"

ID_FIELDS = frozenset({"id", "_id"})
TIMESTAMP_FIELDS = frozenset({"createdAt", "updatedAt"})
FieldKind = Literal["id", "timestamp", "declared", "undeclared"]
SYSTEM_PATHS = frozenset({"_id", "createdBy", "createdAt", "updatedAt"})
"""Store paths of the system fields (§2.6): always scalar, always readable."""


@dataclass(frozen=True, slots=True)
class Field:
    """The field a condition is about: where it is stored, how to name it in errors, how to coerce its values."""

    path: str
    name: str
    label: str
    prop: dict[str, Any] | None
    scalar: bool
    kind: FieldKind

    def coerce(self, value: Any) -> Any:
        """A filter value as the stored type (§3.3); an unparseable date for a date field is a 400."""
        if self.kind == "timestamp":
            return _as_date(self, value) if isinstance(value, str) else value
        if self.kind != "declared":
            return value
        prop = self.prop
        types = schema.prop_types(prop) or frozenset()
        if "array" in types and not isinstance(value, list) and isinstance(prop, dict):
            prop = prop.get("items") if isinstance(prop.get("items"), dict) else None
            types = schema.prop_types(prop) or frozenset()
        coerced = validation.coerce(prop, value)
        if isinstance(value, str) and isinstance(coerced, str) and "date" in types and "string" not in types:
            raise _fail(self, "invalid-date", f"'{self.name}' has an invalid date format: {value!r}")
        return coerced


@dataclass(frozen=True, slots=True)
class Operator:
    """One row of the operator table: the store op it becomes and how its operand is checked and converted."""

    op: Op
    operand: Callable[[Field, Any, Mapping[str, Any]], Any]
    on_id: bool


def _value(field: Field, operand: Any, _: Mapping[str, Any]) -> Any:
    _check_literal(operand, field, 0)
    if isinstance(operand, list):
        return [field.coerce(v) for v in operand] if field.kind == "declared" else operand
    if isinstance(operand, dict):
        return operand
    return field.coerce(operand)


def _ordered(field: Field, operand: Any, siblings: Mapping[str, Any]) -> Any:
    value = _value(field, operand, siblings)
    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime):
        raise _fail(field, "type", f"'{field.name}': comparison operators need a number, string or date")
    return value


def _members(field: Field, operand: Any, _: Mapping[str, Any]) -> tuple[Any, ...]:
    if not isinstance(operand, list):
        raise _fail(field, "type", f"'{field.name}': $in and $nin need an array")
    if len(operand) > MAX_IN_ELEMENTS:
        raise _fail(field, "too-large", f"'{field.name}': $in and $nin accept at most {MAX_IN_ELEMENTS} values")
    values = tuple(field.coerce(v) for v in operand)
    if any(isinstance(v, dict | list) for v in values):
        raise _fail(field, "type", f"'{field.name}': $in and $nin values must be strings, numbers, booleans or null")
    return values


def _regex(field: Field, operand: Any, siblings: Mapping[str, Any]) -> Regex:
    if not isinstance(operand, str):
        raise _fail(field, "type", f"'{field.name}': $regex needs a string")
    options = siblings.get("$options", "")
    if not isinstance(options, str) or set(options) - set(REGEX_OPTIONS):
        raise _fail(field, "invalid-regex", f"'{field.name}': $options may only contain the letters i, m, s, x")
    return _compiled(field, operand, {REGEX_OPTIONS[c]: True for c in options})


def _contains(field: Field, operand: Any, _: Mapping[str, Any]) -> Regex:
    if not isinstance(operand, str):
        raise _fail(field, "type", f"'{field.name}': $contains needs a string")
    if len(operand) > MAX_REGEX_LENGTH:
        raise _fail(field, "too-large", f"'{field.name}': $contains text is longer than {MAX_REGEX_LENGTH} characters")
    return Regex(re.escape(operand), ignore_case=True)


def _flag(field: Field, operand: Any, _: Mapping[str, Any]) -> bool:
    if isinstance(operand, bool):
        return operand
    if isinstance(operand, str) and operand.strip().lower() in ("true", "false"):
        return operand.strip().lower() == "true"
    raise _fail(field, "type", f"'{field.name}': $exists needs true or false")


OPERATORS: dict[str, Operator] = {
    "$eq": Operator("eq", _value, on_id=True),
    "$ne": Operator("ne", _value, on_id=True),
    "$gt": Operator("gt", _ordered, on_id=False),
    "$gte": Operator("gte", _ordered, on_id=False),
    "$lt": Operator("lt", _ordered, on_id=False),
    "$lte": Operator("lte", _ordered, on_id=False),
    "$in": Operator("in", _members, on_id=True),
    "$nin": Operator("nin", _members, on_id=True),
    "$regex": Operator("regex", _regex, on_id=False),
    "$exists": Operator("exists", _flag, on_id=True),
    "$contains": Operator("regex", _contains, on_id=False),
}
"""The allowed operators (§4.2, C14). Any other `$` key, anywhere, is rejected."""

COMPANIONS = {"$options": "$regex"}
"""Keys that are not operators themselves and are only valid beside their partner."""


def parse_filter(
    obj: Any, table_schema: Mapping[str, Any] | None, caller: Caller | None = None, *, param: str = "andFilters"
) -> Filter:
    """A filter object of §4.2 as the store AST; every failure is a 400 naming `param` and the field.

    `caller` is given for row filters: string values equal to `"$userId"` become the caller's uid (when it has one).
    """
    return FilterParser(table_schema, caller).parse(obj, param)


def parse_branches(obj: Any, table_schema: Mapping[str, Any] | None, *, param: str = "orFilters") -> tuple[Filter, ...]:
    """`orFilters`: an object (one branch per key) or an array of objects (keys ANDed within a branch)."""
    parser = FilterParser(table_schema, None)
    parser.check_size(obj, param)
    if isinstance(obj, dict):
        return tuple(parser.parse({key: cond}, param) for key, cond in obj.items())
    if isinstance(obj, list):
        return tuple(parser.parse(branch, f"{param}[{i}]") for i, branch in enumerate(obj))
    raise invalid_param(param, "invalid-filter", f"'{param}' must be a JSON object or an array of objects")


class FilterParser:
    """Parses one or more filters that share a budget of `MAX_CONDITIONS` leaf conditions."""

    def __init__(self, table_schema: Mapping[str, Any] | None, caller: Caller | None) -> None:
        self.schema = table_schema if isinstance(table_schema, Mapping) else {}
        self.uid = caller.uid if caller is not None else ""
        self.conditions = 0

    def parse(self, obj: Any, param: str) -> Filter:
        self.check_size(obj, param)
        if not isinstance(obj, dict):
            raise invalid_param(param, "invalid-filter", f"'{param}' must be a JSON object")
        details: list[validation.Detail] = []
        obj = validation.fit_numbers(obj, param, details)  # as records store them: beyond int64 as floats
        if details:
            raise validation_error(details)
        return all_of(self._condition(self._field(key, param), cond) for key, cond in obj.items())

    def check_size(self, obj: Any, param: str) -> None:
        try:
            size = len(json.dumps(obj, default=str, ensure_ascii=False).encode())
        except (RecursionError, ValueError, TypeError):
            raise invalid_param(param, "invalid-filter", f"'{param}' is not a valid filter") from None
        if size > MAX_FILTER_BYTES:
            raise invalid_param(param, "too-large", f"'{param}' is larger than {MAX_FILTER_BYTES // 1024} KiB")

    def _field(self, key: Any, param: str) -> Field:
        label = f"{param}.{key}"
        if not isinstance(key, str) or key.startswith("$"):
            raise invalid_param(label, "invalid-operator", f"Disallowed query operator: {key}")
        segments = key.split(".")
        if any(seg in FORBIDDEN_KEYS for seg in segments):
            raise invalid_param(label, "invalid-key", f"'{key}' is not an allowed field name")
        if not all(PATH_SEGMENT.match(seg) for seg in segments):
            raise invalid_param(label, "invalid-path", f"'{key}' is not a valid field path (letters, digits, _ and .)")
        if key in ID_FIELDS:
            return Field("_id", key, label, None, True, "id")
        if key in TIMESTAMP_FIELDS:
            return Field(key, key, label, None, True, "timestamp")
        if key == "createdBy":
            return Field(key, key, label, None, True, "undeclared")
        prop, scalar = prop_at(self.schema, key)
        return Field(key, key, label, prop, scalar, "declared" if prop is not None else "undeclared")

    def _condition(self, field: Field, cond: Any) -> Filter:
        cond = self._substitute(cond)
        if not (isinstance(cond, dict) and any(isinstance(k, str) and k.startswith("$") for k in cond)):
            return self._leaf(field, "$eq", cond, {})
        if not all(isinstance(k, str) and k.startswith("$") for k in cond):
            raise _fail(field, "invalid-filter", f"'{field.name}': a condition cannot mix $operators and field names")
        leaves = []
        for key, operand in cond.items():
            if key in COMPANIONS:
                if COMPANIONS[key] not in cond:
                    raise _fail(
                        field, "invalid-operator", f"'{field.name}': {key} is only valid beside {COMPANIONS[key]}"
                    )
                continue
            leaves.append(self._leaf(field, key, operand, cond))
        return all_of(leaves)

    def _leaf(self, field: Field, key: str, operand: Any, siblings: Mapping[str, Any]) -> Cond:
        operator = OPERATORS.get(key)
        if operator is None:
            raise _fail(field, "invalid-operator", f"Disallowed query operator: {key}")
        if field.kind == "id" and not operator.on_id:
            raise _fail(
                field,
                "invalid-operator",
                f"'{field.name}': {key} is not allowed on id (use $eq, $ne, $in, $nin or $exists)",
            )
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise _fail(field, "too-many-conditions", f"A filter may hold at most {MAX_CONDITIONS} conditions")
        return Cond(field.path, operator.op, operator.operand(field, operand, siblings), field.scalar)

    def _substitute(self, value: Any) -> Any:
        if not self.uid:
            return value
        if value == USER_ID_PLACEHOLDER:
            return self.uid
        if isinstance(value, dict):
            return {k: self._substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._substitute(v) for v in value]
        return value


def mentions_user_id(obj: Any) -> bool:
    """Whether a (row) filter uses the `"$userId"` placeholder anywhere in its values."""
    if isinstance(obj, dict):
        return any(mentions_user_id(v) for v in obj.values())
    if isinstance(obj, list):
        return any(mentions_user_id(v) for v in obj)
    return isinstance(obj, str) and obj == USER_ID_PLACEHOLDER


def prop_at(table_schema: Mapping[str, Any], path: str) -> tuple[dict[str, Any] | None, bool]:
    """The declared property at a dotted path (through object properties and array items), and whether the path
    can only ever hold one value (every step a declared non-array)."""
    node: Any = table_schema
    scalar = True
    for seg in path.split("."):
        if not _declares(node, seg):
            node, scalar = node.get("items") if isinstance(node, dict) else None, False
            if not _declares(node, seg):
                return None, False
        node = node["properties"][seg]
        types = schema.prop_types(node)
        if types is None or "array" in types:
            scalar = False
    return node, scalar and schema.is_scalar_prop(node)


def _declares(node: Any, seg: str) -> bool:
    props = node.get("properties") if isinstance(node, dict) else None
    return isinstance(props, dict) and isinstance(props.get(seg), dict)


def _check_literal(value: Any, field: Field, depth: int) -> None:
    """Literal values compared whole may not hide operators or prototype keys at any depth (§9.27)."""
    if depth > MAX_DEPTH:
        raise _fail(field, "too-deep", f"'{field.name}': value is nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$"):
                raise _fail(field, "invalid-operator", f"Disallowed query operator: {key}")
            if key in FORBIDDEN_KEYS or "." in key or "\x00" in key:  # no stored record has such a key
                raise _fail(field, "invalid-key", f"'{field.name}': '{key}' is not an allowed key")
            _check_literal(item, field, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_literal(item, field, depth + 1)


def _compiled(field: Field, pattern: str, flags: dict[str, bool]) -> Regex:
    if len(pattern) > MAX_REGEX_LENGTH:
        raise _fail(field, "too-large", f"'{field.name}': $regex is longer than {MAX_REGEX_LENGTH} characters")
    try:
        re.compile(pattern)
        nested = _nests_repeats(re._parser.parse(pattern))
    except (re.error, RecursionError, OverflowError):
        raise _fail(field, "invalid-regex", f"'{field.name}': $regex is not a valid regular expression") from None
    if nested:
        raise _fail(
            field,
            "invalid-regex",
            f"'{field.name}': $regex repeats a group that itself repeats, like (a+)+; write it without the nesting",
        )
    return Regex(pattern, **flags)


_REPEATS = (re._constants.MAX_REPEAT, re._constants.MIN_REPEAT)


def _nests_repeats(parsed: Any, inside_repeat: bool = False) -> bool:
    """True when a repeat (`+`, `*`, `{n,m}` with m > 1) contains another: the shape of catastrophic backtracking,
    which no time limit can interrupt inside one `re` match."""
    for op, arg in parsed:
        if op in _REPEATS:
            low, high, body = arg
            repeats = high is re._constants.MAXREPEAT or high > 1
            if repeats and inside_repeat:
                return True
            if _nests_repeats(body, inside_repeat or repeats):
                return True
        elif op is re._constants.SUBPATTERN and _nests_repeats(arg[-1], inside_repeat):
            return True
        elif op is re._constants.BRANCH and any(_nests_repeats(p, inside_repeat) for p in arg[1]):
            return True
        elif op in (re._constants.ASSERT, re._constants.ASSERT_NOT) and _nests_repeats(arg[1], inside_repeat):
            return True
    return False


def _as_date(field: Field, text: str) -> datetime:
    parsed = dates.parse(text)
    if parsed is None:
        raise _fail(field, "invalid-date", f"'{field.name}' has an invalid date format: {text!r}")
    return parsed


def _fail(field: Field, reason: str, message: str) -> BkendError:
    return invalid_param(field.label, reason, message)
