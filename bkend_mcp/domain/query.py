"""List queries (spec/data.md §4): the query-string parameters of `GET /v1/data/{table}` become one store `Query`.

`parse_list_params` reads the parameters (canonical §4.1 and the compatibility forms of §4.8) and rejects bad ones
with a 400 naming the parameter; `build_query` assembles the final filter of §4.3 with the caller's permission and
row filters, the sort with its `_id` tie-breaker and the projection; `pagination` renders the §4.7 block.
The filter grammar itself lives in `filters.py`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bkend_mcp.domain import schema
from bkend_mcp.domain.errors import BkendError, invalid_param
from bkend_mcp.domain.filters import (
    MAX_FILTER_BYTES,
    OPERATORS,
    SYSTEM_PATHS,
    FilterParser,
    parse_branches,
    parse_filter,
    prop_at,
)
from bkend_mcp.store.base import MATCH_ALL, PATH_SEGMENT, And, Cond, Filter, Or, Query, Regex, SortKey, all_of, any_of

__all__ = ["OPERATORS", "ListParams", "build_query", "pagination", "parse_filter", "parse_list_params"]

Direction = Literal[1, -1]

DEFAULT_LIMIT = 20
MAX_PAGE = 10**9
MAX_OFFSET = 10**12
MAX_SELECT = 100
MAX_SEARCH_LENGTH = 256
DEFAULT_SORT = "createdAt"
SORT_DIRECTIONS: dict[str, Direction] = {"asc": 1, "ascending": 1, "1": 1, "desc": -1, "descending": -1, "-1": -1}
ALWAYS_PROJECTED = ("createdBy", "createdAt", "updatedAt")
"""Returned with every `select` (§4.6); the store always returns `_id`."""

BRACKET_PARAM = re.compile(r"^(andFilters|filter|orFilters)((?:\[[^\[\]]*\])+)$")
BRACKET_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
BRACKET_ALIASES = {"andFilters": "andFilters", "filter": "andFilters", "orFilters": "orFilters"}
MAX_BRACKET_DEPTH = 4


@dataclass(frozen=True, slots=True)
class ListParams:
    """The list parameters after parsing: store paths, parsed filters, clamped limit."""

    page: int = 1
    limit: int = DEFAULT_LIMIT
    offset: int | None = None
    sort_by: str = DEFAULT_SORT
    sort_direction: Direction = -1
    search: str | None = None
    search_type: str | None = None
    and_filter: Filter = MATCH_ALL
    or_branches: tuple[Filter, ...] = ()
    select: tuple[str, ...] | None = None

    @property
    def skip(self) -> int:
        return self.offset if self.offset is not None else (self.page - 1) * self.limit

    @property
    def effective_page(self) -> int:
        """The page reported back: with `offset`, the page that offset falls in (§4.8)."""
        return self.offset // self.limit + 1 if self.offset is not None else self.page


def parse_list_params(
    params: Mapping[str, list[str]], table_schema: Mapping[str, Any] | None, *, max_limit: int = 100
) -> ListParams:
    """Parse a multi-valued query string (`{"page": ["2"], ...}`); the last value of a scalar parameter wins."""
    one = _last_values(params)
    limit = min(_integer(one, "limit", DEFAULT_LIMIT, minimum=1, maximum=None), max_limit)
    sort_by, direction = _sort(one)
    parser = FilterParser(table_schema, None)
    brackets = _bracket_filters(params)
    and_filter = all_of(
        [
            parser.parse(_json_param(one, "andFilters", (dict,)) or {}, "andFilters"),
            parser.parse(brackets.get("andFilters", {}), "andFilters"),
        ]
    )
    or_json = _json_param(one, "orFilters", (dict, list))
    or_branches = parse_branches(or_json, table_schema) if or_json else ()
    if "orFilters" in brackets:
        or_branches += parse_branches(brackets["orFilters"], table_schema)
    search = (one.get("search") or "").strip() or None
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise invalid_param("search", "too-large", f"'search' is longer than {MAX_SEARCH_LENGTH} characters")
    return ListParams(
        page=_integer(one, "page", 1, minimum=1, maximum=MAX_PAGE),
        limit=limit,
        offset=_integer(one, "offset", None, minimum=0, maximum=MAX_OFFSET),
        sort_by=sort_by,
        sort_direction=direction,
        search=search,
        search_type=_store_path(one["searchType"], "searchType") if search and one.get("searchType") else None,
        and_filter=and_filter,
        or_branches=or_branches,
        select=parse_select(params),
    )


def build_query(
    params: ListParams,
    table_schema: Mapping[str, Any] | None,
    *,
    permission_filter: Filter = MATCH_ALL,
    row_filter: Filter = MATCH_ALL,
    readable: Callable[[str], bool] = lambda field: True,
    selectable: Callable[[str], bool] | None = None,
) -> tuple[Query, int, int]:
    """The store query of §4.3 plus the page and limit to report.

    `readable` says whether the caller may read a field on every record (filters, sort and searchType on other
    fields are a 403); `selectable` (default: `readable`) whether it may read it on some record (`select` keeps
    those; per-record column filtering happens on output).
    """
    props = _properties(table_schema)
    for path in _paths(params.and_filter, *params.or_branches):
        _require_readable(path, readable, "filter on")
    final = all_of(
        [
            params.and_filter,
            any_of(params.or_branches) if params.or_branches else MATCH_ALL,
            _search_clause(params, table_schema, props, readable),
            permission_filter,
            row_filter,
        ]
    )
    _require_readable(params.sort_by, readable, "sort by")
    sort_scalar = params.sort_by in SYSTEM_PATHS or prop_at(table_schema or {}, params.sort_by)[1]
    sort: tuple[SortKey, ...] = (SortKey(params.sort_by, params.sort_direction, sort_scalar),)
    if params.sort_by != "_id":
        sort += (SortKey("_id", params.sort_direction, True),)
    query = Query(
        filter=final,
        sort=sort,
        skip=params.skip,
        limit=params.limit,
        projection=_projection(params.select, selectable or readable),
    )
    return query, params.effective_page, params.limit


def pagination(total: int, page: int, limit: int) -> dict[str, Any]:
    """The six fields of §4.7 (C10); `totalPages` is 0 when nothing matched."""
    total_pages = math.ceil(total / limit) if total > 0 else 0
    return {
        "total": int(total),
        "page": int(page),
        "limit": int(limit),
        "totalPages": int(total_pages),
        "hasNext": page < total_pages,
        "hasPrev": page > 1,
    }


# --- parameters ----------------------------------------------------------------------------------------------------


def _last_values(params: Mapping[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, values in params.items():
        if isinstance(values, str):
            out[key] = values
        elif values:
            out[key] = values[-1]
    return out


def _integer(one: Mapping[str, str], name: str, default: int | None, *, minimum: int, maximum: int | None) -> Any:
    text = one.get(name, "").strip()
    if not text:
        return default
    bound = f"an integer >= {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"
    if not re.fullmatch(r"[+-]?\d{1,30}", text):
        raise invalid_param(name, "type", f"'{name}' must be {bound}")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        raise invalid_param(name, "range", f"'{name}' must be {bound}")
    return value


def _sort(one: Mapping[str, str]) -> tuple[str, Direction]:
    """`sortBy`/`sortDirection` (canonical) or `sort=-createdAt` / `sort=createdAt:asc` (§4.8)."""
    key, direction = one.get("sortBy", "").strip(), None
    if not key and one.get("sort", "").strip():
        key, direction = _compat_sort(one["sort"])
    text = one.get("sortDirection", "").strip()
    if text:
        if text.lower() not in SORT_DIRECTIONS:
            raise invalid_param("sortDirection", "enum", "'sortDirection' must be 'asc' or 'desc'")
        direction = SORT_DIRECTIONS[text.lower()]
    path = _store_path(key, "sortBy") if key else DEFAULT_SORT
    return path, direction if direction is not None else -1


def _compat_sort(text: str) -> tuple[str, Direction]:
    term = text.split(",")[0].strip()
    if term.startswith(("-", "+")):
        return term[1:].strip(), -1 if term[0] == "-" else 1
    name, _, word = term.partition(":")
    if not word:
        return name.strip(), 1
    if word.strip().lower() not in SORT_DIRECTIONS:
        raise invalid_param("sort", "enum", "'sort' must look like 'field', '-field' or 'field:asc' / 'field:desc'")
    return name.strip(), SORT_DIRECTIONS[word.strip().lower()]


def _store_path(name: str, param: str) -> str:
    """A field path the client named, as stored (`id` → `_id`); a malformed path is a 400."""
    name = name.strip()
    if name in ("id", "_id"):
        return "_id"
    if not all(PATH_SEGMENT.match(seg) for seg in name.split(".")):
        raise invalid_param(param, "invalid-path", f"'{param}' must be a field name (letters, digits, _ and .)")
    return name


def parse_select(params: Mapping[str, list[str]]) -> tuple[str, ...] | None:
    """`select` and its alias `fields`: comma lists or repeated parameters; None when neither is sent."""
    sent = [v for key in ("select", "fields") for v in _values(params, key)]
    if not sent:
        return None
    names = list(dict.fromkeys(n.strip() for v in sent for n in v.split(",") if n.strip()))
    if len(names) > MAX_SELECT:
        raise invalid_param("select", "too-large", f"'select' may name at most {MAX_SELECT} fields")
    return tuple(_store_path(n, "select") for n in names)


def _values(params: Mapping[str, list[str]], key: str) -> list[str]:
    values = params.get(key) or []
    return [values] if isinstance(values, str) else list(values)


def _json_param(one: Mapping[str, str], name: str, kinds: tuple[type, ...]) -> Any:
    text = one.get(name, "").strip()
    if not text:
        return None
    if len(text.encode()) > MAX_FILTER_BYTES:
        raise invalid_param(name, "too-large", f"'{name}' is larger than {MAX_FILTER_BYTES // 1024} KiB")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, kinds):
        shape = "a JSON object" if kinds == (dict,) else "a JSON object or array"
        raise invalid_param(
            name, "invalid-json", f'\'{name}\' must be URL-encoded JSON ({shape}), e.g. {{"status":"active"}}'
        )
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bracket_filters(params: Mapping[str, list[str]]) -> dict[str, Any]:
    """`andFilters[status]=active`, `andFilters[age][$gte]=18`, `filter[x]=v`, `orFilters[0][x]=v` → objects."""
    roots: dict[str, dict[str, Any]] = {}
    for key, values in params.items():
        match = BRACKET_PARAM.match(key)
        values = [values] if isinstance(values, str) else list(values)
        if not match or not values:
            continue
        name = BRACKET_ALIASES[match.group(1)]
        segments = BRACKET_SEGMENT.findall(match.group(2))
        value: Any = values[-1]
        if segments[-1] == "" and len(segments) > 1:
            segments, value = segments[:-1], values
        if len(segments) > MAX_BRACKET_DEPTH or "" in segments:
            raise invalid_param(name, "invalid-filter", f"'{key}' is not a supported bracket filter")
        _place(roots.setdefault(name, {}), segments, value, key, name)
    return {name: _finish_bracket(tree) for name, tree in roots.items()}


def _place(node: dict[str, Any], segments: list[str], value: Any, key: str, param: str) -> None:
    for seg in segments[:-1]:
        node = node.setdefault(seg, {})
        if not isinstance(node, dict):
            raise invalid_param(param, "invalid-filter", f"'{key}' conflicts with another bracket filter")
    if isinstance(node.get(segments[-1]), dict):
        raise invalid_param(param, "invalid-filter", f"'{key}' conflicts with another bracket filter")
    node[segments[-1]] = value


def _finish_bracket(tree: Any, operator: str | None = None) -> Any:
    """Index-keyed objects become arrays; a comma list given to `$in`/`$nin` becomes an array."""
    if isinstance(tree, dict):
        items = {k: _finish_bracket(v, k) for k, v in tree.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items
    if operator in ("$in", "$nin") and isinstance(tree, str):
        return [part.strip() for part in tree.split(",")] if tree else []
    return tree


# --- assembly ------------------------------------------------------------------------------------------------------


def _properties(table_schema: Mapping[str, Any] | None) -> dict[str, Any]:
    props = table_schema.get("properties") if isinstance(table_schema, Mapping) else None
    return props if isinstance(props, dict) else {}


def _search_clause(
    params: ListParams, table_schema: Mapping[str, Any] | None, props: dict[str, Any], readable: Callable[[str], bool]
) -> Filter:
    """§4.4: an escaped, case-insensitive substring match on `searchType`, else on every readable string column."""
    if not params.search:
        return MATCH_ALL
    pattern = Regex(re.escape(params.search), ignore_case=True)
    if params.search_type:
        _require_readable(params.search_type, readable, "search")
        scalar = params.search_type in SYSTEM_PATHS or prop_at(table_schema or {}, params.search_type)[1]
        return Cond(params.search_type, "regex", pattern, scalar)
    fields = [name for name, prop in props.items() if "string" in (schema.prop_types(prop) or ()) and readable(name)]
    return any_of(Cond(name, "regex", pattern, schema.is_scalar_prop(props[name])) for name in fields)


def _projection(select: tuple[str, ...] | None, selectable: Callable[[str], bool]) -> tuple[str, ...] | None:
    if select is None:
        return None
    names = [n for n in select if n not in SYSTEM_PATHS and (_top(n) in SYSTEM_PATHS or selectable(n))]
    names += ALWAYS_PROJECTED
    # A path under another selected path would collide (MongoDB rejects `a` with `a.b`); the parent covers it.
    kept = [n for n in names if not any(n.startswith(other + ".") for other in names)]
    return tuple(dict.fromkeys(kept))


def _paths(*filters: Filter) -> Iterable[str]:
    for f in filters:
        if isinstance(f, Cond):
            yield f.path
        elif isinstance(f, And | Or):
            yield from _paths(*f.items)


def _top(path: str) -> str:
    return path.split(".", 1)[0]


def _require_readable(path: str, readable: Callable[[str], bool], action: str) -> None:
    if _top(path) in SYSTEM_PATHS or readable(_top(path)):
        return
    raise BkendError("data/permission-denied", f"Permission denied: cannot {action} field '{_top(path)}'")
