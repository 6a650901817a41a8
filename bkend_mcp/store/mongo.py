"""The production DocumentStore: MongoDB through pymongo.

A namespace is a database (`bk_<namespace>`), a collection is a collection, and `_id` is the record's string id.
Filters are compiled by `mongo_query`. Unique violations (E11000) become `DuplicateKey` naming the index: taken
from the server's error text when it carries one, otherwise worked out by looking for the clashing document
(mongomock's errors carry no details).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from bson.codec_options import CodecOptions
from pymongo import MongoClient, ReturnDocument
from pymongo.collection import Collection as PyCollection
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure

from bkend_mcp.store.base import MATCH_ALL, DuplicateKey, Filter, Index, Query, QueryTimeout, check_path
from bkend_mcp.store.faults import StorageUnavailable
from bkend_mcp.store.mongo_query import (
    MongoQuery,
    compile_filter,
    compile_index_keys,
    compile_projection,
    compile_sort,
)

Document = dict[str, Any]

NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
COLLECTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
ID_INDEX = "_id_"
DUPLICATE_CODES = frozenset({11000, 11001, 12582})
_INDEX_IN_MESSAGE = re.compile(r"index: (.+?) dup key")

CODEC: CodecOptions[Document] = CodecOptions(tz_aware=True)
"""Dates come back aware, in UTC (pymongo's `utc`; mongomock refuses an explicit `tzinfo`)."""

_MISSING = object()
T = TypeVar("T")
DEFAULT_TIMEOUT_MS = 10_000
SOCKET_TIMEOUT_FACTOR = 6
"""An established connection may wait this many times the connect timeout for an answer (index builds are slow);
finds and counts are bounded sooner by `maxTimeMS`."""


def _reachable(method: Callable[..., T]) -> Callable[..., T]:
    """A deployment that cannot be reached in time (no server, a connection refused, reset or silent past its
    timeout) fails the call as `StorageUnavailable`, with a message that names no host."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except ConnectionFailure:
            raise StorageUnavailable("MongoDB did not answer in time; retry, or check that it is running") from None

    return call


class MongoStore:
    """Namespaces as databases on one MongoDB deployment."""

    def __init__(self, client: MongoClient[Document], db_prefix: str = "bk_", *, read_timeout: float = 5.0) -> None:
        """`read_timeout` (seconds) bounds every find and count on the server (`maxTimeMS`)."""
        self._client = client
        self._prefix = db_prefix
        self._read_timeout_ms = max(1, round(read_timeout * 1000))
        self._owns_client = False

    @classmethod
    def from_uri(
        cls, uri: str, db_prefix: str = "bk_", *, read_timeout: float = 5.0, timeout_ms: int = DEFAULT_TIMEOUT_MS
    ) -> MongoStore:
        """A store with its own client, closed by `close()`. `timeout_ms` bounds finding a server and opening a
        connection (`BKEND_MONGODB_TIMEOUT_MS`); a slow or dead deployment then fails as `StorageUnavailable`
        instead of hanging a worker."""
        client: MongoClient[Document] = MongoClient(
            uri,
            tz_aware=True,
            appname="bkend-mcp",
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms * SOCKET_TIMEOUT_FACTOR,
        )
        store = cls(client, db_prefix, read_timeout=read_timeout)
        store._owns_client = True
        return store

    def collection(self, namespace: str, name: str) -> MongoCollection:
        return MongoCollection(self._database(namespace)[_collection_name(name)], self._read_timeout_ms)

    @_reachable
    def drop_collection(self, namespace: str, name: str) -> None:
        self._database(namespace).drop_collection(_collection_name(name))

    @_reachable
    def drop_namespace(self, namespace: str) -> None:
        self._client.drop_database(self._database(namespace).name)

    @_reachable
    def collection_names(self, namespace: str) -> list[str]:
        return sorted(n for n in self._database(namespace).list_collection_names() if COLLECTION.match(n))

    def external_changes(self) -> int | None:
        """MongoDB keeps no such counter: nothing is trusted from an earlier read."""
        return None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def _database(self, namespace: str) -> Database[Document]:
        if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
            raise ValueError(f"invalid namespace: {namespace!r}")
        return self._client.get_database(self._prefix + namespace, codec_options=CODEC)


class MongoCollection:
    """One MongoDB collection behind the `Collection` port."""

    def __init__(self, coll: PyCollection[Document], read_timeout_ms: int) -> None:
        self._coll = coll
        self._read_timeout_ms = read_timeout_ms

    @_reachable
    def insert(self, doc: Document) -> None:
        if "_id" not in doc:
            raise ValueError("a document needs an _id")
        with self._naming_duplicates(lambda: self._clash_on_insert(doc)):
            self._coll.insert_one(dict(doc))

    @_reachable
    def get(self, doc_id: str) -> Document | None:
        return self._coll.find_one({"_id": doc_id})

    @_reachable
    def find(self, query: Query) -> list[Document]:
        if query.limit == 0:  # pymongo reads limit(0) as "no limit"
            return []
        projection = None if query.projection is None else compile_projection(query.projection)
        cursor = self._coll.find(compile_filter(query.filter), projection, max_time_ms=self._read_timeout_ms)
        if query.sort:
            cursor = cursor.sort(compile_sort(query.sort))
        if query.skip:
            cursor = cursor.skip(query.skip)
        if query.limit is not None:
            cursor = cursor.limit(query.limit)
        with _time_limited():
            return list(cursor)

    @_reachable
    def count(self, filter: Filter = MATCH_ALL) -> int:
        with _time_limited():
            return self._coll.count_documents(compile_filter(filter), maxTimeMS=self._read_timeout_ms)

    def page(self, query: Query) -> tuple[list[Document], int]:
        return self.find(query), self.count(query.filter)

    @_reachable
    def update(
        self, doc_id: str, set_fields: dict[str, Any], unset_fields: Sequence[str] = (), guard: Filter = MATCH_ALL
    ) -> Document | None:
        selector = _selector(doc_id, guard)
        changes = _changes(doc_id, set_fields, unset_fields)
        if not changes:
            return self._coll.find_one(selector)
        with self._naming_duplicates(lambda: self._clash_on_update(doc_id, changes)):
            return self._coll.find_one_and_update(selector, changes, return_document=ReturnDocument.AFTER)

    @_reachable
    def delete(self, doc_id: str, guard: Filter = MATCH_ALL) -> bool:
        return self._coll.delete_one(_selector(doc_id, guard)).deleted_count == 1

    @_reachable
    def unset_everywhere(self, path: str) -> int:
        path = check_path(path)
        if path == "_id":
            raise ValueError("_id cannot be removed")
        return self._coll.update_many({path: {"$exists": True}}, {"$unset": {path: ""}}).modified_count

    @_reachable
    def create_index(self, index: Index) -> None:
        keys = compile_index_keys(index.fields)
        if index.name == ID_INDEX:
            raise ValueError("the _id index cannot be replaced")
        existing = self._coll.index_information().get(index.name)
        if existing is not None:
            if _spec(existing) == _spec({"key": keys, "unique": index.unique, "sparse": index.sparse}):
                return
            self._coll.drop_index(index.name)
        try:
            self._build(index.name, keys, index.unique, index.sparse)
        except DuplicateKey:
            if existing is not None:  # put back what was there: a failed replace changes nothing
                old = _spec(existing)
                self._build(index.name, list(old["key"]), old["unique"], old["sparse"])
            raise

    @_reachable
    def drop_index(self, name: str) -> None:
        if name != ID_INDEX and name in self._coll.index_information():
            self._coll.drop_index(name)

    @_reachable
    def index_names(self) -> list[str]:
        return sorted(name for name in self._coll.index_information() if name != ID_INDEX)

    def _build(self, name: str, keys: list[tuple[str, int]], unique: bool, sparse: bool) -> None:
        try:
            self._coll.create_index(keys, name=name, unique=unique, sparse=sparse)
        except OperationFailure as exc:
            if exc.code not in DUPLICATE_CODES:
                raise
            raise DuplicateKey(name, tuple(path for path, _ in keys)) from exc

    @contextmanager
    def _naming_duplicates(self, find_clash: Callable[[], str | None]) -> Iterator[None]:
        """Turn E11000 into DuplicateKey. `find_clash` names the index when the server's error does not."""
        try:
            yield
        except OperationFailure as exc:
            if exc.code not in DUPLICATE_CODES:
                raise
            raise self._duplicate_key(exc, find_clash) from exc

    def _duplicate_key(self, exc: OperationFailure, find_clash: Callable[[], str | None]) -> DuplicateKey:
        uniques = self._unique_indexes()
        name = _index_from_error(exc) or find_clash() or next(iter(uniques))
        fields = uniques[name].fields if name in uniques else _fields_from_error(exc)
        return DuplicateKey(name, fields)

    def _unique_indexes(self) -> dict[str, _Unique]:
        """Unique indexes by name, `_id_` first."""
        found = {ID_INDEX: _Unique(("_id",), sparse=False)}
        for name, info in self._coll.index_information().items():
            if info.get("unique") and name != ID_INDEX:
                found[name] = _Unique(tuple(path for path, _ in info["key"]), bool(info.get("sparse")))
        return found

    def _clash_on_insert(self, doc: Mapping[str, Any]) -> str | None:
        if self._coll.find_one({"_id": doc["_id"]}, {"_id": 1}) is not None:
            return ID_INDEX
        return self._clash_with_others(doc)

    def _clash_on_update(self, doc_id: str, changes: MongoQuery) -> str | None:
        doc = self._coll.find_one({"_id": doc_id})
        if doc is None:
            return None
        for path, value in changes.get("$set", {}).items():
            _put(doc, path, value)
        for path in changes.get("$unset", {}):
            _drop(doc, path)
        return self._clash_with_others(doc)

    def _clash_with_others(self, doc: Mapping[str, Any]) -> str | None:
        """The unique index under which another stored document has the same key as `doc`."""
        for name, unique in self._unique_indexes().items():
            values = [_value_at(doc, path) for path in unique.fields]
            if name == ID_INDEX or (unique.sparse and all(v is _MISSING for v in values)):
                continue
            same_key = [{path: _key_match(value)} for path, value in zip(unique.fields, values, strict=True)]
            if self._coll.find_one({"$and": [{"_id": {"$ne": doc["_id"]}}, *same_key]}, {"_id": 1}) is not None:
                return name
        return None


@dataclass(frozen=True, slots=True)
class _Unique:
    fields: tuple[str, ...]
    sparse: bool


@contextmanager
def _time_limited() -> Iterator[None]:
    """The server stopped a read at `maxTimeMS` (MaxTimeMSExpired): the port's QueryTimeout."""
    try:
        yield
    except ExecutionTimeout as exc:
        raise QueryTimeout("query ran past the read time limit") from exc


def _collection_name(name: str) -> str:
    if not isinstance(name, str) or not COLLECTION.match(name):
        raise ValueError(f"invalid collection name: {name!r}")
    return name


def _selector(doc_id: str, guard: Filter) -> MongoQuery:
    condition = compile_filter(guard)
    return {"_id": doc_id} if not condition else {"$and": [{"_id": doc_id}, condition]}


def _changes(doc_id: str, set_fields: Mapping[str, Any], unset_fields: Sequence[str]) -> MongoQuery:
    sets = {check_path(path): value for path, value in set_fields.items()}
    if sets.pop("_id", doc_id) != doc_id:
        raise ValueError("_id cannot change")
    unsets = {check_path(path): "" for path in unset_fields if path not in sets and path != "_id"}
    return {op: fields for op, fields in (("$set", sets), ("$unset", unsets)) if fields}


def _spec(info: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of an index description we set, normalised so a server's answer compares with a request."""
    return {
        "key": tuple((path, int(direction)) for path, direction in info["key"]),
        "unique": bool(info.get("unique", False)),
        "sparse": bool(info.get("sparse", False)),
    }


def _index_from_error(exc: OperationFailure) -> str | None:
    details = exc.details or {}
    for text in (details.get("errmsg"), str(exc)):
        match = _INDEX_IN_MESSAGE.search(text or "")
        if match:
            return match.group(1)
    return None


def _fields_from_error(exc: OperationFailure) -> tuple[str, ...]:
    pattern = (exc.details or {}).get("keyPattern") or {}
    return tuple(pattern)


def _value_at(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for segment in path.split("."):
        if not isinstance(value, Mapping) or segment not in value:
            return _MISSING
        value = value[segment]
    return value


def _key_match(value: Any) -> MongoQuery:
    """What another document holds under a unique index when its key equals `value` (arrays index each element)."""
    if value is _MISSING:
        return {"$eq": None}
    if isinstance(value, list):
        return {"$in": value}
    return {"$eq": value}


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for segment in parents:
        if not isinstance(doc.get(segment), dict):
            doc[segment] = {}
        doc = doc[segment]
    doc[last] = value


def _drop(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for segment in parents:
        doc = doc.get(segment, {})
    if isinstance(doc, dict):
        doc.pop(last, None)
