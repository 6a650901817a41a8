"""The embedded DocumentStore: documents as JSON rows in one SQLite file.

Each collection is a table of `(id, data)` rows, filters and sorts compile to SQL over `json_extract`
(`sqlite_sql`), and declared indexes become expression indexes (`sqlite_schema`), so an indexed
filter + sort + limit runs at raw SQLite speed. Top-level fields that queries filter or sort on as declared
scalars, or that an index names, get typed mirror columns (`sqlite_mirror`), so a scan reads columns instead of
parsing every row's JSON. Connections and time limits live in `sqlite_conn`.

Dates are stored as `YYYY-MM-DDTHH:MM:SS.mmmZ` text and come back as that text. A collection's table is created
on its first write; reading a collection that does not exist yet gives nothing.

Where this engine differs from MongoDB (the domain never relies on these):
- dates are text, so they compare and sort among strings; a string operand on a date field compares as text;
- mixed-type sorts: null/missing < numbers < text; booleans sort as 0/1 among numbers, and objects and arrays
  as their JSON text among strings (MongoDB: numbers < strings < objects < arrays < bool < dates); an array
  sorts by its JSON text, not by its smallest or largest element;
- a dotted path does not descend into arrays (`a.b` does not reach `{"a": [{"b": 1}]}`);
- a unique index on an array field compares whole arrays, not each element (no multikey indexes);
- regexes are Python `re`, not PCRE.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any, TypeVar

import orjson

from bkend_mcp.store.base import MATCH_ALL, Cond, DuplicateKey, Filter, Index, Query, SortKey, all_of, check_path
from bkend_mcp.store.faults import StorageFault
from bkend_mcp.store.sqlite_conn import Connections
from bkend_mcp.store.sqlite_mirror import (
    COLUMNS,
    MAX_MIRRORS,
    SCHEMA_VERSION,
    add_mirrors,
    insert_sql,
    layout_of,
    mirrorable,
    wanted_paths,
)
from bkend_mcp.store.sqlite_schema import (
    CATALOGUE,
    ID_INDEX,
    Names,
    check_collection,
    check_index,
    check_namespace,
    create_index,
    create_table,
    drop_index,
    drop_table,
    index_from_spec,
    index_spec,
)
from bkend_mcp.store.sqlite_sql import (
    JSON_ONLY,
    Fragment,
    Layout,
    count_sql,
    delete_sql,
    dumps,
    select_sql,
    unset_everywhere_sql,
    update_sql,
)

Document = dict[str, Any]
T = TypeVar("T")

_NOTHING_WRITTEN: tuple[list[Any], int] = ([], 0)
_UNIQUE_INDEX = re.compile(r"index '(.+)'$")

_COLLECTIONS = "SELECT name FROM bk_collections WHERE namespace = ? ORDER BY name"
_ADD_COLLECTION = "INSERT OR IGNORE INTO bk_collections (namespace, name) VALUES (?, ?)"
_FORGET_COLLECTION = "DELETE FROM bk_collections WHERE namespace = ? AND name = ?"
_INDEXES = "SELECT name, spec FROM bk_indexes WHERE namespace = ? AND collection = ? ORDER BY name"
_INDEX_SPEC = "SELECT spec FROM bk_indexes WHERE namespace = ? AND collection = ? AND name = ?"
_PUT_INDEX = "INSERT OR REPLACE INTO bk_indexes (namespace, collection, name, spec) VALUES (?, ?, ?, ?)"
_FORGET_INDEX = "DELETE FROM bk_indexes WHERE namespace = ? AND collection = ? AND name = ?"
_FORGET_INDEXES = "DELETE FROM bk_indexes WHERE namespace = ? AND collection = ?"


MAX_CACHED_COLLECTIONS = 4096
MAX_CACHED_PLANS = 4096
EXPLAIN = "EXPLAIN QUERY PLAN "
_SCANS: dict[tuple[int, str], bool] = {}
"""(schema version, count statement) → whether SQLite's plan for it visits every row (`_counts_every_row`)."""
LAYOUT_RECHECK_SECONDS = 1.0
"""How long a collection trusts its cached view of the table's mirror columns before looking at the schema again."""
MIRROR_RETRY_SECONDS = 60.0
"""How long a collection waits before trying again to add mirror columns after the file refused the write."""
MIRROR_MIN_ROWS = 1000
"""Tables smaller than this (by their highest rowid, a free estimate) keep reading the JSON: a scan of a few
hundred rows costs well under a millisecond, while adding mirrors is DDL that every connection must re-read. The
first query past the size mirrors what it reads, and rebuilds the indexes on those fields with it."""
SCAN_MIN_ROWS = 5000
"""Tables at least this large (highest rowid) read a list page and its total on the scan threads, the two at once:
below it both reads together cost less than handing them to threads."""
_SIZE = "SELECT coalesce(max(rowid), 0) FROM {table}"


class SqliteStore:
    """Namespaces and collections in one SQLite database file, shareable by threads and processes."""

    def __init__(self, path: str | Path, *, read_timeout: float = 5.0, busy_timeout: float = 10.0) -> None:
        self._db = Connections(Path(path), read_timeout, busy_timeout)
        self._collections: dict[tuple[str, str], SqliteCollection] = {}
        with self._db.transaction() as conn:
            for statement in CATALOGUE:
                conn.execute(statement)

    def collection(self, namespace: str, name: str) -> SqliteCollection:
        """Collections hold no state beyond their (checked) names, so one object per name is reused."""
        found = self._collections.get((namespace, name))
        if found is None:
            found = SqliteCollection(self._db, Names(check_namespace(namespace), check_collection(name)))
            if len(self._collections) >= MAX_CACHED_COLLECTIONS:
                self._collections.clear()
            self._collections[(namespace, name)] = found
        return found

    def drop_collection(self, namespace: str, name: str) -> None:
        names = Names(check_namespace(namespace), check_collection(name))
        with self._db.transaction() as conn:
            _drop(conn, names)
        self._forget_layouts(namespace)

    def drop_namespace(self, namespace: str) -> None:
        with self._db.transaction() as conn:
            for (name,) in conn.execute(_COLLECTIONS, (check_namespace(namespace),)).fetchall():
                _drop(conn, Names(namespace, name))
        self._forget_layouts(namespace)

    def _forget_layouts(self, namespace: str) -> None:
        for (space, _), found in list(self._collections.items()):
            if space == namespace:
                found.forget_layout()

    def external_changes(self) -> int | None:
        return self._db.data_version()

    def collection_names(self, namespace: str) -> list[str]:
        return [name for (name,) in self._db.read(_COLLECTIONS, (check_namespace(namespace),))]

    def close(self) -> None:
        self._db.close()


def _drop(conn: sqlite3.Connection, names: Names) -> None:
    conn.execute(drop_table(names))
    conn.execute(_FORGET_COLLECTION, (names.namespace, names.collection))
    conn.execute(_FORGET_INDEXES, (names.namespace, names.collection))


def _missing_table(exc: sqlite3.OperationalError) -> bool:
    return str(exc).startswith("no such table:")


def _missing_column(exc: sqlite3.OperationalError) -> bool:
    return str(exc).startswith("no such column:") or " has no column named " in str(exc)


class SqliteCollection:
    """One collection's table behind the `Collection` port."""

    def __init__(self, db: Connections, names: Names) -> None:
        self._db = db
        self._names = names
        self._table = names.table
        self._key = (names.namespace, names.collection)
        self._get = f"SELECT data FROM {self._table} WHERE id = ?"
        self._seen: tuple[int, bool, Layout] = (-1, False, JSON_ONLY)
        """The schema version last looked at, whether the table existed then, and its mirror columns (one tuple,
        so threads never see half of an update)."""
        self._recheck_at = 0.0
        self._mirror_again_at = 0.0
        """After adding mirrors failed (a read-only, full or locked file), when to try again."""
        self._sized = (0, 0.0)
        """The table's size as last read (`_size`) and until when to believe it without asking again."""

    def insert(self, doc: Document) -> None:
        doc_id = doc.get("_id")
        if not isinstance(doc_id, str):
            raise ValueError("a document needs a string _id")
        self._sized = (0, 0.0)
        body = dumps({key: value for key, value in doc.items() if key != "_id"})
        self._creating(
            lambda: self._laid_out(lambda layout: self._db.write(insert_sql(self._table, layout), (doc_id, body)))
        )

    def get(self, doc_id: str) -> Document | None:
        rows = self._read(Fragment(self._get, (doc_id,)))
        return {"_id": doc_id, **orjson.loads(rows[0][0])} if rows else None

    def find(self, query: Query) -> list[Document]:
        if query.limit == 0:
            return []
        rows = self._laid_out(
            lambda layout: self._read(select_sql(self._table, query, layout)),
            lambda: self._layout_for(query.filter, query.sort),
        )
        docs = [{"_id": doc_id, **orjson.loads(data)} for doc_id, data in rows]
        if query.projection is None:
            return docs
        paths = [check_path(path) for path in query.projection]
        return [_project(doc, paths) for doc in docs]

    def count(self, filter: Filter = MATCH_ALL) -> int:
        rows = self._laid_out(
            lambda layout: self._read(count_sql(self._table, filter, layout)), lambda: self._layout_for(filter)
        )
        return int(rows[0][0]) if rows else 0

    def page(self, query: Query) -> tuple[list[Document], int]:
        """The page and its total. When counting means visiting every row of a large table (no index narrows the
        filter), both run on the store's scan threads at the same time, and two CPUs finish them in the time of the
        slower one; an indexed count is quick, and the caller's thread reads both."""
        if query.limit == 0 or self._db.on_scan_thread() or self._size() < SCAN_MIN_ROWS:
            return self.find(query), self.count(query.filter)
        layout = self._layout_for(query.filter, query.sort)  # mirror what the two reads need once, before they start
        if not self._counts_every_row(count_sql(self._table, query.filter, layout)):
            return self.find(query), self.count(query.filter)
        total = self._db.scan(lambda: self.count(query.filter))
        try:
            docs = self._db.scan(lambda: self.find(query)).result()
        except BaseException:
            total.cancel()
            raise
        return docs, total.result()

    def update(
        self, doc_id: str, set_fields: dict[str, Any], unset_fields: Sequence[str] = (), guard: Filter = MATCH_ALL
    ) -> Document | None:
        sets = {check_path(path): value for path, value in set_fields.items()}
        if sets.pop("_id", doc_id) != doc_id:
            raise ValueError("_id cannot change")
        unsets = [check_path(path) for path in unset_fields if path not in sets and path != "_id"]
        if not sets and not unsets:
            found = self.find(Query(filter=_with_id(doc_id, guard), limit=1))
            return found[0] if found else None

        def write(layout: Layout) -> tuple[list[Any], int]:
            statement = update_sql(self._table, doc_id, sets, unsets, guard, layout)
            return self._existing(lambda: self._db.write(statement.sql, statement.params), _NOTHING_WRITTEN)

        with self._naming_duplicates():
            rows, _ = self._laid_out(write)
        return {"_id": doc_id, **orjson.loads(rows[0][0])} if rows else None

    def delete(self, doc_id: str, guard: Filter = MATCH_ALL) -> bool:
        def write(layout: Layout) -> tuple[list[Any], int]:
            statement = delete_sql(self._table, doc_id, guard, layout)
            return self._existing(lambda: self._db.write(statement.sql, statement.params), _NOTHING_WRITTEN)

        _, changed = self._laid_out(write)
        return changed > 0

    def unset_everywhere(self, path: str) -> int:
        if check_path(path) == "_id":
            raise ValueError("_id cannot be removed")
        statement = unset_everywhere_sql(self._table, path)
        _, changed = self._existing(lambda: self._db.write(statement.sql, statement.params), _NOTHING_WRITTEN)
        return changed

    def create_index(self, index: Index) -> None:
        check_index(index)
        spec = index_spec(index)
        with self._db.transaction() as conn:
            self._create_table(conn)
            row = conn.execute(_INDEX_SPEC, (*self._key, index.name)).fetchone()
            if row is not None and row[0] == spec:
                return
            wanted = {path for path, _ in index.fields if mirrorable(path)}
            layout = self._mirror(conn, wanted if self._big_enough(lambda sql: conn.execute(sql).fetchall()) else set())
            for statement in drop_index(self._names, index.name):
                conn.execute(statement)
            try:
                for statement in create_index(self._names, index, layout):
                    conn.execute(statement)
            except sqlite3.IntegrityError:
                raise DuplicateKey(index.name, tuple(path for path, _ in index.fields)) from None
            finally:
                self.forget_layout()
            conn.execute(_PUT_INDEX, (*self._key, index.name, spec))

    def drop_index(self, name: str) -> None:
        if name == ID_INDEX:
            return
        with self._db.transaction() as conn:
            for statement in drop_index(self._names, name):
                conn.execute(statement)
            conn.execute(_FORGET_INDEX, (*self._key, name))

    def index_names(self) -> list[str]:
        return [name for name, _ in self._db.read(_INDEXES, self._key)]

    # -- mirror columns --------------------------------------------------------------------------------------------

    def _laid_out(self, run: Callable[[Layout], T], layout: Callable[[], Layout] | None = None) -> T:
        """`run(layout)`, again with a re-read layout if the table lost columns the cached one names (it was
        dropped and created again by another handle)."""
        try:
            return run((layout or self._layout)())
        except sqlite3.OperationalError as exc:
            if not _missing_column(exc):
                raise
            self.forget_layout()
            return run((layout or self._layout)())

    def forget_layout(self) -> None:
        """Look at the table's columns again on next use (after DDL through this handle)."""
        self._recheck_at = 0.0

    def _layout(self) -> Layout:
        return self._current_layout()[1]

    def _current_layout(self) -> tuple[bool, Layout]:
        """Whether the table exists and its mirrored paths. Changes made through this handle are seen at once;
        another handle's (new mirrors, a dropped table) within `LAYOUT_RECHECK_SECONDS`, when the schema version
        is looked at again: until then a query may read the JSON where a column exists (same answers)."""
        now = monotonic()
        seen = self._seen
        if now < self._recheck_at:
            return seen[1], seen[2]
        version = self._db.read(SCHEMA_VERSION)[0][0]
        if version != seen[0]:
            columns = [name for (name,) in self._db.read(COLUMNS, (self._names.raw_table,))]
            seen = self._seen = (version, bool(columns), layout_of(columns))
        self._recheck_at = now + LAYOUT_RECHECK_SECONDS
        return seen[1], seen[2]

    def _layout_for(self, filter: Filter, sort: Sequence[SortKey] = ()) -> Layout:
        """The layout to compile a query with, first mirroring the declared scalar fields it reads, if missing."""
        exists, layout = self._current_layout()
        missing = wanted_paths(filter, sort) - layout.mirrored
        if not exists or not missing or len(layout.mirrored) >= MAX_MIRRORS or monotonic() < self._mirror_again_at:
            return layout
        if self._size() < MIRROR_MIN_ROWS:
            return layout
        try:
            with self._db.transaction() as conn:
                return self._mirror(conn, missing)
        except (sqlite3.Error, StorageFault):  # read-only, full or locked: read the JSON (same answers) for now
            self._mirror_again_at = monotonic() + MIRROR_RETRY_SECONDS
            return layout
        finally:
            self.forget_layout()

    def _big_enough(self, read: Callable[[str], list[Any]]) -> bool:
        """Whether the table is large enough to be worth mirror columns (`MIRROR_MIN_ROWS`)."""
        return MIRROR_MIN_ROWS <= 0 or read(_SIZE.format(table=self._table))[0][0] >= MIRROR_MIN_ROWS

    def _counts_every_row(self, statement: Fragment) -> bool:
        """Whether SQLite's plan for this count scans the table or a whole index (rather than searching an index),
        asked once per statement text and schema version (values are bound, so one text is one query shape)."""
        key = (self._seen[0], statement.sql)
        found = _SCANS.get(key)
        if found is None:
            plan = self._read(Fragment(EXPLAIN + statement.sql, statement.params))
            found = any(str(row[-1]).startswith("SCAN ") for row in plan)
            if len(_SCANS) >= MAX_CACHED_PLANS:
                _SCANS.clear()
            _SCANS[key] = found
        return found

    def _size(self) -> int:
        """The table's highest rowid: its row count, give or take deletions, in one b-tree descent. Believed for
        `LAYOUT_RECHECK_SECONDS`: an insert through this handle asks again at the next query, and rows another
        process adds are seen within that time (it decides only how a query runs, never what it answers)."""
        size, until = self._sized
        now = monotonic()
        if now < until:
            return size
        rows = self._read(Fragment(_SIZE.format(table=self._table)))
        size = int(rows[0][0]) if rows else 0
        self._sized = (size, now + LAYOUT_RECHECK_SECONDS)
        return size

    def _mirror(self, conn: sqlite3.Connection, paths: set[str]) -> Layout:
        """Inside a write transaction: mirror `paths` (those not yet mirrored) and rebuild the declared indexes that
        read them, so queries and indexes keep sharing their expressions. A table not created yet is left alone."""
        columns = [name for (name,) in conn.execute(COLUMNS, (self._names.raw_table,))]
        current = layout_of(columns).mirrored
        layout, statements = add_mirrors(self._names, current, paths)
        if not columns or not statements:
            return layout_of(columns)
        for statement in statements:
            conn.execute(statement)
        added = layout.mirrored - current
        for name, spec in conn.execute(_INDEXES, self._key).fetchall():
            index = index_from_spec(name, spec)
            if any(path in added for path, _ in index.fields):
                for statement in [*drop_index(self._names, name), *create_index(self._names, index, layout)]:
                    conn.execute(statement)
        return layout

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _read(self, statement: Fragment) -> list[Any]:
        return self._existing(lambda: self._db.read(statement.sql, statement.params), [])

    def _existing(self, run: Callable[[], T], absent: T) -> T:
        """`run()`, or `absent` when the collection has no table (never written, or dropped)."""
        try:
            return run()
        except sqlite3.OperationalError as exc:
            if _missing_table(exc):
                return absent
            raise

    def _creating(self, run: Callable[[], T]) -> T:
        """`run()` a write that needs the table, creating it on the first write."""
        with self._naming_duplicates():
            try:
                return run()
            except sqlite3.OperationalError as exc:
                if not _missing_table(exc):
                    raise
            with self._db.transaction() as conn:
                self._create_table(conn)
            return run()

    def _create_table(self, conn: sqlite3.Connection) -> None:
        conn.execute(create_table(self._names))
        conn.execute(_ADD_COLLECTION, self._key)
        self.forget_layout()

    @contextmanager
    def _naming_duplicates(self) -> Iterator[None]:
        """Turn SQLite's unique-constraint errors into `DuplicateKey` naming the declared index."""
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise self._duplicate_key(exc) from None

    def _duplicate_key(self, exc: sqlite3.IntegrityError) -> Exception:
        if exc.sqlite_errorname == "SQLITE_CONSTRAINT_PRIMARYKEY":
            return DuplicateKey(ID_INDEX, ("_id",))
        match = _UNIQUE_INDEX.search(str(exc))
        for name, spec in self._db.read(_INDEXES, self._key):
            if match and match.group(1) == self._names.raw_unique(name):
                return DuplicateKey(name, tuple(path for path, _ in index_from_spec(name, spec).fields))
        return exc


def _with_id(doc_id: str, guard: Filter) -> Filter:
    return all_of([Cond("_id", "eq", doc_id), guard])


def _project(doc: Document, paths: Sequence[str]) -> Document:
    """`_id` plus the values at `paths`, nested as in the document (Mongo's inclusion projection)."""
    out: Document = {"_id": doc["_id"]}
    for path in paths:
        *parents, last = path.split(".")
        source: Any = doc
        target = out
        for segment in parents:
            source = source.get(segment) if isinstance(source, dict) else None
            if not isinstance(source, dict):
                break
            target = target.setdefault(segment, {})
        else:
            if isinstance(source, dict) and last in source:
                target[last] = source[last]
    return out
