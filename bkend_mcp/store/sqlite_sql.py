"""Compile the filter AST and sort keys of `store/base.py` to SQLite SQL over JSON documents.

A document is a row `(id TEXT, data TEXT)`: `_id` is the `id` column and every other path is
`json_extract(data, '$.a.b')`, written only by `field_expr`, so queries repeat the exact text of the expression
indexes built from it and SQLite can use them. A top-level path may also have mirror columns (`sqlite_mirror`)
holding exactly `json_extract` and `json_type` of it; a `Layout` names them, and every expression for that path
then reads the columns instead of parsing the JSON, in queries and index definitions alike.
Values are always bound parameters; identifiers go through `quote_ident` and JSON paths through `json_path`, which
accepts only `check_path`-valid paths.

MongoDB semantics over SQLite's types: `json_extract` gives NULL for null and missing, 1/0 for true/false and the
JSON text of objects and arrays. A comparison therefore carries a `json_type` guard whenever the operand's range
could meet a value of another JSON type (a bool among 0/1, an object among strings starting with `{`); guards are
added only when needed, so the common cases stay index-only.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from bkend_mcp.store.base import And, Cond, Filter, Op, Or, Query, Regex, SortKey, check_path
from bkend_mcp.store.sqlite_regex import compile_regex, regex_flags


@dataclass(frozen=True, slots=True)
class Fragment:
    """SQL text and the parameters its `?` placeholders take, in order."""

    sql: str
    params: tuple[Any, ...] = ()


TRUE = Fragment("1")
FALSE = Fragment("0")


# -- identifiers, paths and values ---------------------------------------------------------------------------------


def quote_ident(name: str) -> str:
    """The one way a table or index name enters SQL: double-quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=4096)
def json_path(path: str) -> str:
    """The SQL literal `'$.a.b'`. Segments are plain identifiers (`check_path`), so nothing needs escaping."""
    return "'$." + check_path(path) + "'"


@lru_cache(maxsize=4096)
def field_expr(path: str) -> str:
    """The value at `path`; the same text serves queries, sorts and index definitions."""
    return "id" if path == "_id" else f"json_extract(data, {json_path(path)})"


@lru_cache(maxsize=4096)
def type_expr(path: str) -> str:
    """The JSON type name at `path` (`'null'` for null, NULL when missing)."""
    return "'text'" if path == "_id" else f"json_type(data, {json_path(path)})"


def fold(name: str) -> str:
    """SQLite folds identifier case and MongoDB does not: upper-case letters are written `^` + lower case."""
    return re.sub(r"[A-Z]", lambda m: "^" + m.group().lower(), name)


@lru_cache(maxsize=4096)
def mirror_columns(path: str) -> tuple[str, str]:
    """The quoted names of the columns mirroring top-level `path`: its value and its JSON type."""
    name = "$" + fold(check_path(path))
    return quote_ident(name), quote_ident(name + ":type")


@dataclass(frozen=True, slots=True)
class Layout:
    """Which top-level paths of one table have mirror columns; every other path is read from the JSON."""

    mirrored: frozenset[str] = frozenset()

    def value(self, path: str) -> str:
        return mirror_columns(path)[0] if path in self.mirrored else field_expr(path)

    def type(self, path: str) -> str:
        return mirror_columns(path)[1] if path in self.mirrored else type_expr(path)


JSON_ONLY = Layout()


def encode_date(value: datetime) -> str:
    """`2026-01-15T10:30:00.000Z`: UTC, milliseconds, so stored dates compare as text."""
    value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return encode_date(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(value: Any) -> str:
    """JSON text of a document or value, dates as text."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


# -- operand kinds -------------------------------------------------------------------------------------------------

_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "bool"),  # before int: bool is an int subclass
    (int, "number"),
    (float, "number"),
    (str, "text"),
    (datetime, "text"),
    (list, "json"),
    (tuple, "json"),
    (dict, "json"),
    (type(None), "null"),
)


_KIND_OF_TYPE = dict(_KINDS)


def _kind(value: Any) -> str:
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    for cls, kind in _KINDS:
        if isinstance(value, cls):
            return kind
    raise ValueError(f"unsupported filter value: {value!r}")


def _text(value: str | datetime) -> str:
    return encode_date(value) if isinstance(value, datetime) else value


@dataclass(frozen=True, slots=True)
class Target:
    """What a condition tests: a value expression, its JSON type expression, and whether it is the `id` column
    (whose TEXT affinity would turn a number operand into text)."""

    value: str
    type: str
    column: bool = False


ELEMENT = Target("e.value", "e.type")
"""An array element, inside `json_each(...) AS e`."""


def _target(path: str, layout: Layout) -> Target:
    return Target(layout.value(path), layout.type(path), column=path == "_id")


def _plain_param(target: Target, value: Any) -> tuple[bool, Any]:
    """(True, parameter) when `target = ?` alone is exact Mongo equality for `value`."""
    kind = _kind(value)
    if kind == "text":
        text = _text(value)
        return not text.startswith(("[", "{")), text
    if kind == "number":
        return value not in (0, 1) and not target.column, value
    return False, None


# -- operators -----------------------------------------------------------------------------------------------------


def _eq_null(target: Target, value: None) -> Fragment:
    return Fragment(f"{target.value} IS NULL")


def _eq_bool(target: Target, value: bool) -> Fragment:
    return Fragment(f"({target.value} = ? AND {target.type} = '{'true' if value else 'false'}')", (int(value),))


def _eq_number(target: Target, value: float) -> Fragment:
    return Fragment(f"({target.value} = ? AND {target.type} IN ('integer', 'real'))", (value,))


def _eq_text(target: Target, value: str | datetime) -> Fragment:
    return Fragment(f"({target.value} = ? AND {target.type} = 'text')", (_text(value),))


def _eq_json(target: Target, value: Any) -> Fragment:
    kind = "object" if isinstance(value, dict) else "array"
    return Fragment(f"({target.value} = json(?) AND {target.type} = '{kind}')", (dumps(value),))


_GUARDED_EQ: dict[str, Callable[[Target, Any], Fragment]] = {
    "null": _eq_null,
    "bool": _eq_bool,
    "number": _eq_number,
    "text": _eq_text,
    "json": _eq_json,
}


def _eq(target: Target, value: Any) -> Fragment:
    plain, param = _plain_param(target, value)
    if plain:
        return Fragment(f"{target.value} = ?", (param,))
    return _GUARDED_EQ[_kind(value)](target, value)


def _in(target: Target, values: Any) -> Fragment:
    if not isinstance(values, tuple | list):
        raise ValueError("in/nin condition needs a tuple of values")
    plain: list[Any] = []
    guarded: list[Fragment] = []
    for value in values:
        ok, param = _plain_param(target, value)
        if ok:
            plain.append(param)
        else:
            guarded.append(_eq(target, value))
    head = [Fragment(f"{target.value} IN ({', '.join('?' * len(plain))})", tuple(plain))] if plain else []
    return _join(" OR ", head + guarded, FALSE)


_COMPARE: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "gt": (">", operator.gt),
    "gte": (">=", operator.ge),
    "lt": ("<", operator.lt),
    "lte": ("<=", operator.le),
}


def _range(op: str) -> Callable[[Target, Any], Fragment]:
    symbol, test = _COMPARE[op]
    upward = op in ("gt", "gte")

    def number(target: Target, value: float) -> Fragment:
        parts = [f"{target.value} {symbol} ?"]
        if upward:
            parts.append(f"{target.value} < ''")  # every number sorts below every text
        if target.column or any(test(b, value) for b in (0, 1)):
            parts.append(f"{target.type} IN ('integer', 'real')")  # true/false extract as 1/0
        return Fragment("(" + " AND ".join(parts) + ")", (value,))

    def text(target: Target, value: str | datetime) -> Fragment:
        bound = _text(value)
        parts = [f"{target.value} {symbol} ?"]
        if not upward:
            parts.append(f"{target.value} >= ''")
        if (upward and bound < "|") or (not upward and bound > "["):
            parts.append(f"{target.type} = 'text'")  # objects and arrays extract as text starting with { or [
        return Fragment("(" + " AND ".join(parts) + ")", (bound,))

    def boolean(target: Target, value: bool) -> Fragment:
        names = [f"'{name}'" for b, name in ((False, "false"), (True, "true")) if test(b, value)]
        return Fragment(f"{target.type} IN ({', '.join(names)})") if names else FALSE

    def null(target: Target, value: None) -> Fragment:
        return _eq_null(target, value) if op in ("gte", "lte") else FALSE

    def json(target: Target, value: Any) -> Fragment:
        raise ValueError(f"{op} needs a scalar value")

    by_kind: dict[str, Callable[[Target, Any], Fragment]] = {
        "number": number,
        "text": text,
        "bool": boolean,
        "null": null,
        "json": json,
    }
    return lambda target, value: by_kind[_kind(value)](target, value)


def _exists(target: Target, value: Any) -> Fragment:
    if not isinstance(value, bool):
        raise ValueError("exists condition needs a bool")
    return Fragment(f"{target.type} IS NOT NULL" if value else f"{target.type} IS NULL")


def _regex(target: Target, value: Any) -> Fragment:
    if not isinstance(value, Regex):
        raise ValueError("regex condition needs a Regex value")
    flags = regex_flags(value)
    compile_regex(value.pattern, flags)  # reject a bad pattern here, not halfway through a scan
    return Fragment(f"({target.type} = 'text' AND bk_regexp(?, ?, {target.value}))", (value.pattern, flags))


@dataclass(frozen=True, slots=True)
class Rule:
    """How one operator compiles. `per_element`: an array matches when any element does (Mongo).
    `negated`: true exactly when the positive form is not (so missing and NULL count as 'not equal')."""

    build: Callable[[Target, Any], Fragment]
    per_element: bool = True
    negated: bool = False


OPERATORS: dict[Op, Rule] = {
    "eq": Rule(_eq),
    "ne": Rule(_eq, negated=True),
    "gt": Rule(_range("gt")),
    "gte": Rule(_range("gte")),
    "lt": Rule(_range("lt")),
    "lte": Rule(_range("lte")),
    "in": Rule(_in),
    "nin": Rule(_in, negated=True),
    "exists": Rule(_exists, per_element=False),
    "regex": Rule(_regex),
}


# -- filters, sorts, statements ------------------------------------------------------------------------------------


def _join(separator: str, parts: Sequence[Fragment], empty: Fragment) -> Fragment:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    return Fragment("(" + separator.join(p.sql for p in parts) + ")", tuple(v for p in parts for v in p.params))


def _cond(cond: Cond, layout: Layout) -> Fragment:
    rule = OPERATORS.get(cond.op)
    if rule is None:
        raise ValueError(f"unknown operator: {cond.op!r}")
    path = cond.path
    target = _target(path, layout)  # checks the path
    whole = rule.build(target, cond.value)
    if rule.per_element and not cond.scalar and not target.column:
        each = rule.build(ELEMENT, cond.value)
        whole = Fragment(
            f"({whole.sql} OR ({target.type} = 'array' AND EXISTS "
            f"(SELECT 1 FROM json_each(data, {json_path(path)}) AS e WHERE {each.sql})))",
            whole.params + each.params,
        )
    return Fragment(f"({whole.sql}) IS NOT 1", whole.params) if rule.negated else whole


_NODES: dict[type, Callable[[Any, Layout], Fragment]] = {
    Cond: _cond,
    And: lambda node, layout: _join(" AND ", [compile_filter(item, layout) for item in node.items], TRUE),
    Or: lambda node, layout: _join(" OR ", [compile_filter(item, layout) for item in node.items], FALSE),
}


def compile_filter(node: Filter, layout: Layout = JSON_ONLY) -> Fragment:
    """A boolean SQL expression over the table's columns; TRUE for match-all."""
    compile_node = _NODES.get(type(node))
    if compile_node is None:
        raise ValueError(f"not a filter: {node!r}")
    return compile_node(node, layout)


DIRECTIONS: dict[int, str] = {1: "ASC", -1: "DESC"}


def order_terms(fields: Sequence[tuple[str, int]], layout: Layout = JSON_ONLY) -> str:
    """`expr ASC, expr DESC`: the ORDER BY of a sort and the column list of an index alike."""
    terms = []
    for path, direction in fields:
        if direction not in DIRECTIONS or isinstance(direction, bool):
            raise ValueError(f"invalid direction: {direction!r}")
        terms.append(f"{layout.value(path)} {DIRECTIONS[direction]}")
    return ", ".join(terms)


def compile_sort(keys: Sequence[SortKey], layout: Layout = JSON_ONLY) -> str:
    return order_terms([(key.path, key.direction) for key in keys], layout)


def where(condition: Fragment) -> str:
    return "" if condition == TRUE else f" WHERE {condition.sql}"


def select_sql(table: str, query: Query, layout: Layout = JSON_ONLY) -> Fragment:
    """`SELECT id, data` for a query; `table` is already quoted."""
    if query.skip < 0 or (query.limit is not None and query.limit < 0):
        raise ValueError("skip and limit must not be negative")
    condition = compile_filter(query.filter, layout)
    sql = f"SELECT id, data FROM {table}{where(condition)}"
    if query.sort:
        sql += " ORDER BY " + compile_sort(query.sort, layout)
    params = condition.params
    if query.limit is not None or query.skip:
        sql += " LIMIT ? OFFSET ?"
        params += (-1 if query.limit is None else query.limit, query.skip)
    return Fragment(sql, params)


def count_sql(table: str, filter: Filter, layout: Layout = JSON_ONLY) -> Fragment:
    condition = compile_filter(filter, layout)
    return Fragment(f"SELECT count(*) FROM {table}{where(condition)}", condition.params)


def update_sql(
    table: str, doc_id: str, sets: dict[str, Any], unsets: Sequence[str], guard: Filter, layout: Layout = JSON_ONLY
) -> Fragment:
    """Set and remove paths of one document if it matches `guard`, returning the new JSON."""
    expr = "data"
    if sets:
        expr = f"json_set({expr}, " + ", ".join(f"{json_path(path)}, json(?)" for path in sets) + ")"
    if unsets:
        expr = f"json_remove({expr}, " + ", ".join(json_path(path) for path in unsets) + ")"
    condition = compile_filter(guard, layout)
    extra = "" if condition == TRUE else f" AND {condition.sql}"
    return Fragment(
        f"UPDATE {table} SET data = {expr} WHERE id = ?{extra} RETURNING data",
        tuple(dumps(value) for value in sets.values()) + (doc_id,) + condition.params,
    )


def unset_everywhere_sql(table: str, path: str) -> Fragment:
    removed = f"json_remove(data, {json_path(path)})"
    return Fragment(f"UPDATE {table} SET data = {removed} WHERE {type_expr(path)} IS NOT NULL")


def delete_sql(table: str, doc_id: str, guard: Filter, layout: Layout = JSON_ONLY) -> Fragment:
    condition = compile_filter(guard, layout)
    extra = "" if condition == TRUE else f" AND {condition.sql}"
    return Fragment(f"DELETE FROM {table} WHERE id = ?{extra}", (doc_id,) + condition.params)
