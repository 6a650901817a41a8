"""Names and DDL of the SQLite store: one table per collection, expression indexes, and the catalogue tables.

Layout of one database file:

- `"<namespace>.<collection>"` (id TEXT PRIMARY KEY, data TEXT): the documents, `data` being the JSON without
  `_id`. The dot cannot occur in either name, so names never clash across namespaces.
- `"<table>:<index>"`: the query index of a declared index, over the same `json_extract` expressions as queries.
- `"<table>:<index>:unique"`: for unique indexes, the index that enforces uniqueness the MongoDB way (null and
  missing are one value and collide; true is not 1; an object is not its JSON text). Sparse indexes are partial:
  a document is indexed when any indexed field is present.
- `bk_collections`, `bk_indexes`: the catalogue, so names and index definitions survive a reopen.

SQLite folds identifier case and MongoDB does not, so upper-case letters in names are written `^` + lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from bkend_mcp.store.base import Index, check_path
from bkend_mcp.store.sqlite_sql import JSON_ONLY, Layout, fold, order_terms, quote_ident

NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
COLLECTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
INDEX_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
ID_INDEX = "_id_"

CATALOGUE: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS bk_collections ("
    " namespace TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (namespace, name)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS bk_indexes ("
    " namespace TEXT NOT NULL, collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL,"
    " PRIMARY KEY (namespace, collection, name)) WITHOUT ROWID",
)

_DISTINCT_TYPES = "('true', 'false', 'object', 'array')"
"""JSON types whose extracted value would otherwise equal a value of another type (1, 0, a string)."""


def check_namespace(namespace: str) -> str:
    if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
        raise ValueError(f"invalid namespace: {namespace!r}")
    return namespace


def check_collection(name: str) -> str:
    if not isinstance(name, str) or not COLLECTION.match(name):
        raise ValueError(f"invalid collection name: {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class Names:
    """The quoted SQL names of one collection's table and indexes."""

    namespace: str
    collection: str

    @property
    def raw_table(self) -> str:
        return f"{check_namespace(self.namespace)}.{fold(check_collection(self.collection))}"

    @property
    def table(self) -> str:
        return quote_ident(self.raw_table)

    def raw_index(self, name: str) -> str:
        return f"{self.raw_table}:{fold(name)}"

    def raw_unique(self, name: str) -> str:
        return f"{self.raw_index(name)}:unique"


def create_table(names: Names) -> str:
    return f"CREATE TABLE IF NOT EXISTS {names.table} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)"


def drop_table(names: Names) -> str:
    return f"DROP TABLE IF EXISTS {names.table}"


def check_index(index: Index) -> Index:
    if not isinstance(index.name, str) or not INDEX_NAME.match(index.name) or index.name == ID_INDEX:
        raise ValueError(f"invalid index name: {index.name!r}")
    if not index.fields:
        raise ValueError("an index needs at least one field")
    for path, _direction in index.fields:
        check_path(path)
    order_terms(index.fields)  # checks the directions
    return index


def _any_present(paths: list[str], present: str) -> str:
    return " OR ".join(present.format(expr) for expr in paths)


def create_index(names: Names, index: Index, layout: Layout = JSON_ONLY) -> list[str]:
    """The statements that build `index` over the table's `layout`: a query index, plus the uniqueness index when
    unique. Queries compiled with the same layout repeat its expressions, so SQLite can use it."""
    paths = [path for path, _ in index.fields]
    value, kind = layout.value, layout.type
    sparse = " WHERE " + _any_present([value(p) for p in paths], "{} IS NOT NULL") if index.sparse else ""
    # The type of each field follows the fields themselves: a comparison's `json_type` guard is then answered
    # from the index, so a filtered count walks the index alone instead of reading every matching row.
    guards = "".join(f", {kind(p)}" for p in paths if p != "_id")
    statements = [
        f"CREATE INDEX {quote_ident(names.raw_index(index.name))} ON {names.table} "
        f"({order_terms(index.fields, layout)}{guards}){sparse}"
    ]
    if index.unique:
        keys = ", ".join(f"coalesce({value(p)}, x'00'), ({kind(p)} IN {_DISTINCT_TYPES}) IS 1" for p in paths)
        present = " WHERE " + _any_present([kind(p) for p in paths], "{} IS NOT NULL") if index.sparse else ""
        statements.append(
            f"CREATE UNIQUE INDEX {quote_ident(names.raw_unique(index.name))} ON {names.table} ({keys}){present}"
        )
    return statements


def drop_index(names: Names, name: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {quote_ident(names.raw_index(name))}",
        f"DROP INDEX IF EXISTS {quote_ident(names.raw_unique(name))}",
    ]


def index_spec(index: Index) -> str:
    """How an index is kept in `bk_indexes`."""
    return orjson.dumps(
        {"fields": [list(f) for f in index.fields], "unique": index.unique, "sparse": index.sparse}
    ).decode()


def index_from_spec(name: str, spec: str) -> Index:
    data = orjson.loads(spec)
    fields = tuple((path, direction) for path, direction in data["fields"])
    return Index(name, fields, unique=data["unique"], sparse=data["sparse"])
