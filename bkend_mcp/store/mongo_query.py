"""Compile the filter AST of `store/base.py` to MongoDB query documents.

Every field path goes through `check_path` and every operand through `_operand`, so no user key that starts with
`$` or contains `.` reaches the server: the only operator keys in a compiled query come from the tables below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bkend_mcp.store.base import And, Cond, Filter, Op, Or, Regex, SortKey, check_path

MongoQuery = dict[str, Any]


def match_nothing() -> MongoQuery:
    """`$or: []` is a server error, so the empty disjunction becomes a condition no document meets."""
    return {"_id": {"$in": []}}


REGEX_FLAGS: tuple[tuple[str, str], ...] = (
    ("ignore_case", "i"),
    ("multiline", "m"),
    ("dotall", "s"),
    ("verbose", "x"),
)


def _operand(value: Any) -> Any:
    """A plain value as Mongo should see it: tuples become lists, and nested keys are checked."""
    if isinstance(value, Mapping):
        return {_plain_key(k): _operand(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_operand(v) for v in value]
    return value


def _plain_key(key: Any) -> str:
    if not isinstance(key, str) or key.startswith("$") or "." in key or "\0" in key:
        raise ValueError(f"invalid key in filter value: {key!r}")
    return key


def _regex(value: Regex) -> dict[str, str]:
    if not isinstance(value, Regex):
        raise ValueError("regex condition needs a Regex value")
    options = "".join(flag for attr, flag in REGEX_FLAGS if getattr(value, attr))
    return {"$regex": value.pattern, "$options": options}


def _many(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError("in/nin condition needs a sequence of values")
    return [_operand(v) for v in value]


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("exists condition needs a bool")
    return value


def _mongo_op(name: str) -> Callable[[Any], MongoQuery]:
    return lambda value: {name: _operand(value)}


OPERATORS: dict[Op, Callable[[Any], MongoQuery]] = {
    "eq": _mongo_op("$eq"),
    "ne": _mongo_op("$ne"),
    "gt": _mongo_op("$gt"),
    "gte": _mongo_op("$gte"),
    "lt": _mongo_op("$lt"),
    "lte": _mongo_op("$lte"),
    "in": lambda value: {"$in": _many(value)},
    "nin": lambda value: {"$nin": _many(value)},
    "exists": lambda value: {"$exists": _flag(value)},
    "regex": _regex,
}


def compile_filter(node: Filter) -> MongoQuery:
    """The Mongo query document for a filter tree. `Cond.scalar` needs nothing here: Mongo's indexes cope."""
    if isinstance(node, Cond):
        build = OPERATORS.get(node.op)
        if build is None:
            raise ValueError(f"unknown operator: {node.op!r}")
        return {check_path(node.path): build(node.value)}
    if isinstance(node, And):
        parts = [compile_filter(item) for item in node.items]
        return {} if not parts else parts[0] if len(parts) == 1 else {"$and": parts}
    if isinstance(node, Or):
        parts = [compile_filter(item) for item in node.items]
        return match_nothing() if not parts else parts[0] if len(parts) == 1 else {"$or": parts}
    raise ValueError(f"not a filter: {node!r}")


def compile_sort(keys: Sequence[SortKey]) -> list[tuple[str, int]]:
    return [(check_path(key.path), _direction(key.direction)) for key in keys]


def compile_projection(paths: Sequence[str]) -> dict[str, int]:
    """`{"_id": 1, path: 1, ...}`, leaving out paths already covered by a parent (Mongo calls that a collision)."""
    wanted = {check_path(path) for path in paths}
    kept = [p for p in wanted if not any(p.startswith(other + ".") for other in wanted)]
    return {"_id": 1, **{path: 1 for path in sorted(kept)}}


def compile_index_keys(fields: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    if not fields:
        raise ValueError("an index needs at least one field")
    return [(check_path(path), _direction(direction)) for path, direction in fields]


def _direction(direction: Any) -> int:
    if direction not in (1, -1) or isinstance(direction, bool):
        raise ValueError(f"invalid direction: {direction!r}")
    return int(direction)
