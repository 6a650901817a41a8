"""Mirror columns: typed copies of top-level fields beside the JSON document, so a scan reads columns, not JSON.

For a mirrored path `p` a collection's table has two extra columns, `"$p"` holding exactly
`json_extract(data, '$.p')` and `"$p:type"` holding exactly `json_type(data, '$.p')`. Because they hold the very
values the compiler's expressions would compute, the MongoDB semantics of `sqlite_sql` (null vs missing, true vs 1,
type guards, mixed types) carry over unchanged: a `Layout` just swaps the expression text for the column name.

SQLite keeps the copies itself: two triggers (after insert, after an update of `data`) refresh every mirror of the
row from its JSON, so every writer (another process, an older build, a bulk `UPDATE`) keeps them exact. The
store's own inserts fill the mirrors in the `INSERT` itself (`insert_sql`), and the insert trigger fires only
when a type column disagrees with the JSON, which is what a writer unaware of a mirror leaves behind. A path
gains its mirror with `ALTER TABLE ... ADD COLUMN` and one backfilling `UPDATE`, the first time a query filters or
sorts on it as a declared scalar field or an index names it; the table itself (`PRAGMA table_info`) is the record
of which paths are mirrored, so every process and every reopen sees the same layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bkend_mcp.store.base import And, Cond, Filter, Or, SortKey, check_path
from bkend_mcp.store.sqlite_schema import Names
from bkend_mcp.store.sqlite_sql import JSON_ONLY, Layout, json_path, mirror_columns, quote_ident, type_expr

MAX_MIRRORS = 64
"""Mirrored paths per table at most; further paths are read from the JSON (slower, same answers)."""

COLUMNS = "SELECT name FROM pragma_table_info(?)"
SCHEMA_VERSION = "PRAGMA schema_version"

_MIRROR_VALUE = re.compile(r"^\$([A-Za-z0-9_^]+)$")


def layout_of(columns: Iterable[str]) -> Layout:
    """The layout a table's column names describe."""
    paths = set()
    for column in columns:
        match = _MIRROR_VALUE.match(column)
        if match:
            paths.add(re.sub(r"\^([a-z])", lambda m: m.group(1).upper(), match.group(1)))
    return Layout(frozenset(paths)) if paths else JSON_ONLY


def mirrorable(path: str) -> bool:
    return "." not in path and path != "_id"


def wanted_paths(node: Filter, sort: Iterable[SortKey] = ()) -> set[str]:
    """The top-level declared scalar fields a query filters or sorts on: the ones worth a mirror."""
    found = {key.path for key in sort if key.scalar and mirrorable(key.path)}
    stack: list[Filter] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Cond):
            if item.scalar and mirrorable(item.path):
                found.add(item.path)
        elif isinstance(item, And | Or):
            stack.extend(item.items)
    return found


def _refresh(paths: Iterable[str], source: str) -> str:
    """`"$p" = json_extract(<source>, '$.p'), "$p:type" = json_type(...)` for each path."""
    terms = []
    for path in sorted(paths):
        value, kind = mirror_columns(path)
        terms.append(f"{value} = json_extract({source}, {json_path(path)})")
        terms.append(f"{kind} = json_type({source}, {json_path(path)})")
    return ", ".join(terms)


@lru_cache(maxsize=1024)
def insert_sql(table: str, layout: Layout) -> str:
    """`INSERT (id, data, mirrors...)` taking `(id, data)`: the mirrors are computed from the bound JSON."""
    paths = sorted(layout.mirrored)
    columns = "".join(f", {value}, {kind}" for value, kind in map(mirror_columns, paths))
    values = "".join(f", json_extract(?2, {json_path(p)}), json_type(?2, {json_path(p)})" for p in paths)
    return f"INSERT INTO {table} (id, data{columns}) VALUES (?1, ?2{values})"


def add_mirrors(names: Names, current: frozenset[str], new: Iterable[str]) -> tuple[Layout, list[str]]:
    """The layout after mirroring `new` paths too, and the statements that get there (run in one transaction)."""
    added = sorted({check_path(path) for path in new if mirrorable(path)} - current)
    added = added[: max(0, MAX_MIRRORS - len(current))]
    if not added:
        return Layout(current) if current else JSON_ONLY, []
    table = names.table
    statements = [f"ALTER TABLE {table} ADD COLUMN {column}" for path in added for column in mirror_columns(path)]
    present = " OR ".join(f"{type_expr(path)} IS NOT NULL" for path in added)
    statements.append(f"UPDATE {table} SET {_refresh(added, 'data')} WHERE {present}")
    everything = current | set(added)
    refresh = _refresh(everything, "NEW.data")
    stale = " OR ".join(
        f"NEW.{mirror_columns(path)[1]} IS NOT json_type(NEW.data, {json_path(path)})" for path in sorted(everything)
    )
    insert_trigger = quote_ident(names.raw_table + ":mirror:insert")
    update_trigger = quote_ident(names.raw_table + ":mirror:update")
    statements += [
        f"DROP TRIGGER IF EXISTS {insert_trigger}",
        f"DROP TRIGGER IF EXISTS {update_trigger}",
        f"CREATE TRIGGER {insert_trigger} AFTER INSERT ON {table} WHEN {stale} "
        f"BEGIN UPDATE {table} SET {refresh} WHERE rowid = NEW.rowid; END",
        f"CREATE TRIGGER {update_trigger} AFTER UPDATE OF data ON {table} "
        f"BEGIN UPDATE {table} SET {refresh} WHERE rowid = NEW.rowid; END",
    ]
    return Layout(frozenset(everything)), statements
