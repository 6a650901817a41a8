"""The DocumentStore port: what the domain may ask of a storage engine, and the filter AST it speaks.

Documents are plain dicts. The key `_id` is the document's string id. Values are JSON types plus `datetime`
(always timezone-aware UTC, millisecond precision). An engine may hand a stored date back either as a `datetime`
or as its ISO-8601 text (`2026-01-15T10:30:00.000Z`); `bkend_mcp.domain.dates.iso` renders both the same.

Paths are dotted field names (`author.name`) whose segments match `PATH_SEGMENT`; the domain validates them
before they reach an engine, and engines check them again before using them in a query.

Semantics follow MongoDB: equality on an array field matches any element; `eq None` matches null or missing;
`ne` is true when the field is missing; ordered comparisons only match values of the operand's type
(numbers with numbers, strings with strings, dates with dates); missing values sort first ascending.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

PATH_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "exists", "regex"]
OPS: tuple[Op, ...] = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "exists", "regex")


def check_path(path: str) -> str:
    """Return `path` if every dotted segment is a plain identifier, else raise ValueError."""
    if not path or not all(PATH_SEGMENT.match(seg) for seg in path.split(".")):
        raise ValueError(f"invalid field path: {path!r}")
    return path


@dataclass(frozen=True, slots=True)
class Cond:
    """`path op value`.

    - eq/ne/gt/gte/lt/lte: `value` is a scalar (str, int, float, bool, None, datetime) or, for eq/ne, a list/dict
      compared whole.
    - in/nin: `value` is a tuple of scalars.
    - exists: `value` is a bool.
    - regex: `value` is a `Regex`.
    `scalar=True` promises that the field never holds an array (a declared non-array column or a system field),
    so an engine may skip array-element matching and use a plain expression index.
    """

    path: str
    op: Op
    value: Any
    scalar: bool = False


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: str
    ignore_case: bool = False
    multiline: bool = False
    dotall: bool = False
    verbose: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Filter, ...]


Filter = Cond | And | Or
"""A filter is a tree of conditions. `And(())` matches every document, `Or(())` matches none."""

MATCH_ALL: Filter = And(())
MATCH_NONE: Filter = Or(())


@dataclass(frozen=True, slots=True)
class SortKey:
    path: str
    direction: Literal[1, -1] = 1
    scalar: bool = False


@dataclass(frozen=True, slots=True)
class Index:
    """A secondary index. `fields` keeps the declared order (compound indexes care)."""

    name: str
    fields: tuple[tuple[str, Literal[1, -1]], ...]
    unique: bool = False
    sparse: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    filter: Filter = MATCH_ALL
    sort: tuple[SortKey, ...] = ()
    skip: int = 0
    limit: int | None = None
    projection: tuple[str, ...] | None = None
    """Top-level or dotted paths to return besides `_id`; None returns whole documents."""


@dataclass(slots=True)
class DuplicateKey(Exception):
    """A write would break a unique index. Every engine raises exactly this, naming the index."""

    index: str
    fields: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"duplicate key for index {self.index} ({', '.join(self.fields)})"


class QueryTimeout(Exception):
    """A read ran past the engine's time limit and was stopped; the caller may narrow the query and retry."""


class Collection(Protocol):
    """One table's documents."""

    def insert(self, doc: dict[str, Any]) -> None:
        """Store a new document; `doc['_id']` must be set. Raises DuplicateKey."""

    def get(self, doc_id: str) -> dict[str, Any] | None: ...

    def find(self, query: Query) -> list[dict[str, Any]]: ...

    def count(self, filter: Filter = MATCH_ALL) -> int: ...

    def page(self, query: Query) -> tuple[list[dict[str, Any]], int]:
        """`find(query)` and how many documents match `query.filter` in all (a list page and its total)."""

    def update(
        self, doc_id: str, set_fields: dict[str, Any], unset_fields: Sequence[str] = (), guard: Filter = MATCH_ALL
    ) -> dict[str, Any] | None:
        """Set and unset top-level fields of the document `doc_id` if it also matches `guard`.

        Returns the document after the change, or None when nothing matched. Raises DuplicateKey.
        """

    def delete(self, doc_id: str, guard: Filter = MATCH_ALL) -> bool:
        """Delete `doc_id` if it matches `guard`; True when a document was deleted."""

    def unset_everywhere(self, path: str) -> int:
        """Remove a field from every document (a dropped column); returns how many changed."""

    def create_index(self, index: Index) -> None:
        """Create (or replace, by name) an index. Raises DuplicateKey if existing data breaks uniqueness."""

    def drop_index(self, name: str) -> None: ...

    def index_names(self) -> list[str]: ...


class DocumentStore(Protocol):
    """A set of namespaces (the control plane, one per environment), each holding named collections."""

    def collection(self, namespace: str, name: str) -> Collection:
        """The collection `name` in `namespace`; created empty on first write if absent."""

    def drop_collection(self, namespace: str, name: str) -> None: ...

    def drop_namespace(self, namespace: str) -> None: ...

    def collection_names(self, namespace: str) -> list[str]: ...

    def external_changes(self) -> int | None:
        """A number that changes whenever another process commits to the store, read now; None when the engine
        cannot tell (or cannot ask right now), and then nothing may be trusted from an earlier read."""

    def close(self) -> None: ...


def all_of(filters: Iterable[Filter]) -> Filter:
    """AND the given filters, dropping match-all terms."""
    items = tuple(f for f in filters if f != MATCH_ALL)
    if any(f == MATCH_NONE for f in items):
        return MATCH_NONE
    return items[0] if len(items) == 1 else And(items)


def any_of(filters: Iterable[Filter]) -> Filter:
    """OR the given filters, dropping match-none terms."""
    items = tuple(f for f in filters if f != MATCH_NONE)
    if any(f == MATCH_ALL for f in items):
        return MATCH_ALL
    return items[0] if len(items) == 1 else Or(items)
