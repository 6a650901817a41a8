"""Reports over a table: group the records a caller may list and compute metrics (spec/mcp-and-console.md §6.3
`aggregate_data`).

The store port has no aggregation, so this reads the matching records through the same list query as
`GET /v1/data/{table}` (permission filter, row filters, column rules) in id-ordered batches and computes in Python.
That keeps every engine identical; the price is a cap on the rows read (`MAX_SCAN`), reported when reached.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bkend_mcp.domain import dates, permissions, query, records, serialize
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.bulk import scan
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError, invalid_param
from bkend_mcp.domain.filters import parse_branches, parse_filter
from bkend_mcp.store.base import PATH_SEGMENT

MAX_GROUP_FIELDS = 3
MAX_METRICS = 10
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_SCAN = 100_000
MISSING = object()


def _numbers(values: list[Any]) -> list[int | float]:
    return [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _sum(values: list[Any]) -> int | float:
    numbers = _numbers(values)
    return sum(numbers) if all(isinstance(n, int) for n in numbers) else math.fsum(numbers)


def _avg(values: list[Any]) -> float | None:
    numbers = _numbers(values)
    return math.fsum(numbers) / len(numbers) if numbers else None


def _comparable(values: list[Any]) -> list[Any]:
    """The values min/max compare: numbers if there are any, else dates, else strings (ISO dates sort as text)."""
    return (
        _numbers(values) or [v for v in values if isinstance(v, datetime)] or [v for v in values if isinstance(v, str)]
    )


def _extreme(pick: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    return lambda values: pick(_comparable(values)) if _comparable(values) else None


OPERATIONS: dict[str, Callable[[list[Any]], Any]] = {
    "count": len,
    "sum": _sum,
    "avg": _avg,
    "min": _extreme(min),
    "max": _extreme(max),
    "distinct_count": lambda values: len({_canonical(v) for v in values}),
}
"""Metric → how it folds the group's values. `count` without a field counts rows; every other metric (and
`count` with a field) sees the field's present, non-null values. Non-numbers are ignored by sum and avg."""


def _day(moment: datetime) -> str:
    return f"{moment.year:04d}" + moment.strftime("-%m-%d")  # %Y does not pad years before 1000


def _week(moment: datetime) -> str:
    """The Monday the ISO week starts on, so keys sort in time order and read as dates."""
    return _day(moment - timedelta(days=moment.weekday()))


def _month(moment: datetime) -> str:
    return _day(moment)[:7]


UNITS: dict[str, Callable[[datetime], str]] = {"day": _day, "week": _week, "month": _month}


@dataclass(frozen=True, slots=True)
class GroupField:
    path: str
    unit: str | None = None

    def key(self, row: Mapping[str, Any]) -> Any:
        value = row.get(self.path)
        if self.unit is None:
            return value
        moment = value if isinstance(value, datetime) else dates.parse(value) if isinstance(value, str) else None
        return UNITS[self.unit](moment) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Metric:
    op: str
    path: str | None
    alias: str


@dataclass(slots=True)
class Bucket:
    key: dict[str, Any]
    values: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, row: Mapping[str, Any], metrics: Sequence[Metric]) -> None:
        for metric in metrics:
            value = True if metric.path is None else row.get(metric.path)
            if value is not None:
                self.values.setdefault(metric.alias, []).append(value)

    def result(self, metrics: Sequence[Metric]) -> dict[str, Any]:
        return {m.alias: OPERATIONS[m.op](self.values.get(m.alias, [])) for m in metrics}


def aggregate(
    backend: Backend,
    caller: Caller,
    table_name: str,
    *,
    metrics: Any,
    filter: Any = None,
    or_filters: Any = None,
    unwind: str | None = None,
    group_by: Any = None,
    sort_by: str | None = None,
    sort_direction: str = "desc",
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """`{groups: [{key: {field: value}, <alias>: number}], totals: {<alias>: number}, groupCount, scanned}`
    (+ `capped: true` and a `warning` when more than `MAX_SCAN` rows matched)."""
    table, decision = records.open_list(backend, caller, table_name)
    group_fields = _group_fields(group_by)
    metric_list = _metrics(metrics)
    unwind_path = _path(unwind, "unwind") if unwind else None
    paths = {g.path for g in group_fields} | {m.path for m in metric_list if m.path}
    paths |= {unwind_path} if unwind_path else set()
    readable = permissions.readable_fields(table, caller)
    for path in paths:
        if path.split(".")[0] not in ("_id", *serialize.SYSTEM_TAIL) and not readable(path.split(".")[0]):
            raise BkendError("data/permission-denied", f"Permission denied: cannot aggregate field '{path}'")
    limit = _bounded(limit, "limit", MAX_LIMIT)
    direction = _direction(sort_direction)
    parsed = query.ListParams(
        and_filter=parse_filter(filter if filter is not None else {}, table["schema"], param="filter"),
        or_branches=parse_branches(or_filters, table["schema"]) if or_filters else (),
    )
    store_query, _, _ = records.list_query(table, caller, decision, parsed)
    collection = backend.data(caller.environment_id, table_name)
    projection = tuple(sorted({p.split(".")[0] for p in paths if p != "_id"})) or ("createdAt",)
    docs = list(scan(collection, store_query.filter, projection=projection, cap=MAX_SCAN + 1))
    capped = len(docs) > MAX_SCAN
    rows = [_row(view, paths) for doc in docs[:MAX_SCAN] for view in _unwound(doc, unwind_path)]
    buckets: dict[str, Bucket] = {}
    totals = Bucket({})
    for row in rows:
        key = {_name(g): g.key(row) for g in group_fields}
        bucket = buckets.setdefault(_canonical(key), Bucket(key))
        bucket.add(row, metric_list)
        totals.add(row, metric_list)
    groups = [{"key": b.key, **b.result(metric_list)} for b in buckets.values()]
    groups = _sorted(groups, sort_by or metric_list[0].alias, direction, group_fields, metric_list)
    result: dict[str, Any] = {
        "groups": serialize.plain(groups[:limit]),
        "totals": serialize.plain(totals.result(metric_list)),
        "groupCount": len(groups),
        "scanned": min(len(docs), MAX_SCAN),
    }
    if capped:
        result["capped"] = True
        result["warning"] = f"Only the first {MAX_SCAN} matching records were read; narrow the filter for exact results"
    return result


# --- arguments ----------------------------------------------------------------------------------------------------


def _path(value: Any, param: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_param(param, "type", f"'{param}' must be a field name")
    name = value.strip()
    if name in ("id", "_id"):
        return "_id"
    if not all(PATH_SEGMENT.match(seg) for seg in name.split(".")):
        raise invalid_param(param, "invalid-path", f"'{param}' must be a field name (letters, digits, _ and .)")
    return name


def _group_fields(group_by: Any) -> list[GroupField]:
    if group_by is None:
        return []
    if not isinstance(group_by, list) or len(group_by) > MAX_GROUP_FIELDS:
        raise invalid_param("groupBy", "range", f"'groupBy' must be a list of at most {MAX_GROUP_FIELDS} fields")
    out = []
    for i, entry in enumerate(group_by):
        where = f"groupBy[{i}]"
        if isinstance(entry, str):
            out.append(GroupField(_path(entry, where)))
            continue
        if not isinstance(entry, dict) or set(entry) - {"field", "unit"} or "field" not in entry:
            raise invalid_param(where, "type", f"'{where}' must be a field name or {{field, unit}}")
        unit = entry.get("unit")
        if unit is not None and unit not in UNITS:
            raise invalid_param(f"{where}.unit", "enum", f"'{where}.unit' must be one of: {', '.join(UNITS)}")
        out.append(GroupField(_path(entry["field"], f"{where}.field"), unit))
    names = [_name(g) for g in out]
    if len(set(names)) != len(names):
        raise invalid_param("groupBy", "duplicate", "'groupBy' names a field twice")
    return out


def _metrics(metrics: Any) -> list[Metric]:
    if not isinstance(metrics, list) or not 1 <= len(metrics) <= MAX_METRICS:
        raise invalid_param("metrics", "range", f"'metrics' must be a list of 1 to {MAX_METRICS} metrics")
    out = []
    for i, entry in enumerate(metrics):
        where = f"metrics[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"op", "field", "as"}:
            raise invalid_param(where, "type", f"'{where}' must be an object {{op, field, as}}")
        op = entry.get("op")
        if op not in OPERATIONS:
            raise invalid_param(f"{where}.op", "enum", f"'{where}.op' must be one of: {', '.join(OPERATIONS)}")
        path = _path(entry["field"], f"{where}.field") if entry.get("field") is not None else None
        if path is None and op != "count":
            raise invalid_param(f"{where}.field", "required", f"'{where}.field' is required for {op}")
        alias = entry.get("as") or (op if path is None else f"{op}_{path.replace('.', '_')}")
        if not isinstance(alias, str) or not PATH_SEGMENT.match(alias) or alias == "key":
            raise invalid_param(f"{where}.as", "pattern", f"'{where}.as' must be a plain name other than 'key'")
        out.append(Metric(op, path, alias))
    aliases = [m.alias for m in out]
    if len(set(aliases)) != len(aliases):
        raise invalid_param("metrics", "duplicate", "Two metrics have the same name; set 'as' to tell them apart")
    return out


def _bounded(value: Any, param: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise invalid_param(param, "range", f"'{param}' must be an integer from 1 to {maximum}")
    return value


def _direction(text: Any) -> int:
    if not isinstance(text, str) or text.lower() not in query.SORT_DIRECTIONS:
        raise invalid_param("sortDirection", "enum", "'sortDirection' must be 'asc' or 'desc'")
    return query.SORT_DIRECTIONS[text.lower()]


def _name(group: GroupField) -> str:
    return "id" if group.path == "_id" else group.path


# --- rows ---------------------------------------------------------------------------------------------------------


def _value_at(doc: Any, path: str) -> Any:
    node = doc
    for seg in path.split("."):
        if not isinstance(node, dict) or seg not in node:
            return None
        node = node[seg]
    return node


def _with_value(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    inner = doc.get(head)
    return {**doc, head: _with_value(inner if isinstance(inner, dict) else {}, rest, value) if rest else value}


def _unwound(doc: dict[str, Any], path: str | None) -> Iterable[dict[str, Any]]:
    """MongoDB `$unwind`: one view per element; a missing, null or empty array yields none, a scalar itself."""
    if path is None:
        return [doc]
    value = _value_at(doc, path)
    if value is None or value == []:
        return []
    return [_with_value(doc, path, element) for element in (value if isinstance(value, list) else [value])]


def _row(doc: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    return {path: _value_at(doc, path) for path in paths}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=lambda v: dates.iso(v) if isinstance(v, datetime) else str(v))


# --- ordering -----------------------------------------------------------------------------------------------------


def _rank(value: Any) -> tuple[int, Any]:
    """MongoDB's cross-type order, enough for sorting groups: null < numbers < strings < objects < bools < dates."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (4, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, datetime):
        return (5, value)
    return (3, _canonical(value))


def _sorted(
    groups: list[dict[str, Any]], sort_by: str, direction: int, fields: list[GroupField], metrics: list[Metric]
) -> list[dict[str, Any]]:
    aliases = {m.alias for m in metrics}
    names = [_name(g) for g in fields]
    if sort_by not in aliases and sort_by not in names:
        choices = ", ".join([*aliases, *names])
        raise invalid_param("sortBy", "enum", f"'sortBy' must be a metric name or a groupBy field ({choices})")
    by_key = sorted(groups, key=lambda g: [_rank(g["key"][n]) for n in names])
    primary = (lambda g: _rank(g[sort_by])) if sort_by in aliases else (lambda g: _rank(g["key"][sort_by]))
    return sorted(by_key, key=primary, reverse=direction < 0)
