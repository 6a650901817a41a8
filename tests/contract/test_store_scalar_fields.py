"""Declared scalar fields (`Cond.scalar`, `SortKey.scalar`) give the same answers as undeclared ones, whatever an
engine does to make them fast (the SQLite engine mirrors them into typed columns): with every mixed type of the
filter table, whether the data was written before or after the engine first saw the field, after updates,
unsets and writes from another handle, and through indexes declared before or after."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bkend_mcp.store import sqlite as sqlite_store
from bkend_mcp.store.base import And, Collection, Cond, DocumentStore, DuplicateKey, Filter, Index, Or, Query, SortKey
from tests.contract.test_store_filters import CASES, DOCS, MONGOMOCK_BOOL_IS_INT


@pytest.fixture(autouse=True)
def mirror_every_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLite engine mirrors only tables past `MIRROR_MIN_ROWS`; these are small, so mirror them anyway."""
    monkeypatch.setattr(sqlite_store, "MIRROR_MIN_ROWS", 0)


SCALAR_PATHS = {"n", "s", "flag", "nil", "obj"}
"""Top-level fields of `DOCS` that never hold an array, so a schema may declare them scalar."""

EVERY_SCALAR = And(tuple(Cond(path, "exists", True, scalar=True) for path in sorted(SCALAR_PATHS)))


def declared(node: Filter) -> Filter:
    """`node` with every condition on a scalar path marked as a declared scalar field."""
    if isinstance(node, Cond):
        return Cond(node.path, node.op, node.value, scalar=True) if node.path in SCALAR_PATHS else node
    return type(node)(tuple(declared(item) for item in node.items))


def _paths(node: Filter) -> set[str]:
    if isinstance(node, Cond):
        return {node.path}
    return set().union(*(_paths(item) for item in node.items)) if node.items else set()


SCALAR_CASES = [case for case in CASES if _paths(case[1]) & SCALAR_PATHS]


def _ids(items: Collection, filter: Filter) -> str:
    found = sorted(doc["_id"] for doc in items.find(Query(filter=filter)))
    assert items.count(filter) == len(found)
    return "".join(found)


def _seed_after_first_look(items: Collection) -> None:
    """The engine sees every scalar field queried while the collection holds one unrelated document, then the
    documents arrive."""
    items.insert({"_id": "zz", "n": 1})
    assert items.count(EVERY_SCALAR) == 0
    assert items.delete("zz")
    for doc in DOCS:
        items.insert(dict(doc))


def _seed_before_first_look(items: Collection) -> None:
    for doc in DOCS:
        items.insert(dict(doc))


SEEDINGS: dict[str, Callable[[Collection], None]] = {
    "written_before_first_query": _seed_before_first_look,
    "written_after_first_query": _seed_after_first_look,
}


@pytest.mark.parametrize("seeding", list(SEEDINGS))
@pytest.mark.parametrize(("case", "filter", "expected"), SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_declared_scalar_filter_matches_like_undeclared(
    request: pytest.FixtureRequest,
    engine_name: str,
    items: Collection,
    seeding: str,
    case: str,
    filter: Filter,
    expected: str,
) -> None:
    if engine_name == "mongomock" and case in MONGOMOCK_BOOL_IS_INT:
        request.applymarker(pytest.mark.xfail(strict=True, reason="mongomock treats True as equal to 1"))
    SEEDINGS[seeding](items)
    assert _ids(items, declared(filter)) == expected


def test_sort_on_declared_scalar_orders_mixed_types_like_undeclared(items: Collection) -> None:
    _seed_before_first_look(items)
    for direction in (1, -1):
        plain = items.find(Query(sort=(SortKey("n", direction), SortKey("_id", 1))))
        fast = items.find(Query(sort=(SortKey("n", direction, scalar=True), SortKey("_id", 1, scalar=True))))
        assert [doc["_id"] for doc in fast] == [doc["_id"] for doc in plain]


def test_updates_and_unsets_change_what_declared_filters_match(items: Collection) -> None:
    _seed_before_first_look(items)
    for doc_id in "bd":  # no 1 or 0 beside true and false: mongomock would not tell them apart
        items.update(doc_id, {"flag": "number"})
    assert _ids(items, declared(Cond("flag", "eq", True))) == "a"
    assert items.update("a", {"n": "x", "nil": 5}, ["flag"]) is not None
    assert items.update("c", {"flag": True}, guard=Cond("s", "eq", "cherry", scalar=True)) is not None
    assert _ids(items, declared(Cond("flag", "eq", True))) == "c"
    assert _ids(items, declared(Cond("flag", "exists", False))) == "ae"
    assert _ids(items, declared(Cond("n", "eq", "x"))) == "a"
    assert _ids(items, declared(Cond("n", "gte", 0))) == "cd"
    assert _ids(items, declared(Cond("nil", "eq", None))) == "bcde"
    assert items.unset_everywhere("s") == 5
    assert _ids(items, declared(Cond("s", "exists", True))) == ""
    assert _ids(items, declared(Cond("s", "eq", None))) == "abcde"


def test_writes_from_another_handle_keep_declared_filters_exact(
    engine_name: str, store: DocumentStore, open_store: Callable[[], DocumentStore]
) -> None:
    other = open_store()
    try:
        theirs = other.collection("app", "items")
        ours = store.collection("app", "items")
        theirs.insert({"_id": "x0", "n": 1})
        assert theirs.count(Cond("n", "eq", 1)) == 1  # the other handle has looked at the collection first
        assert ours.count(declared(Or((Cond("n", "eq", 1), Cond("flag", "eq", True))))) == 1
        theirs.insert({"_id": "x1", "n": 2, "flag": True})
        theirs.update("x0", {"n": 3})
        assert _ids(ours, declared(Cond("n", "gte", 2))) == "x0x1"
        assert _ids(ours, declared(Cond("flag", "eq", True))) == "x1"
        assert _ids(theirs, declared(Cond("n", "eq", 3))) == "x0"
    finally:
        other.close()


@pytest.mark.parametrize("index_first", [True, False], ids=["index_then_query", "query_then_index"])
def test_indexes_keep_answers_and_uniqueness_when_fields_are_declared(
    engine_name: str, items: Collection, index_first: bool
) -> None:
    for i in range(30):
        items.insert({"_id": f"r{i:02d}", "status": ["open", "closed", True][i % 3], "score": (i * 7) % 11, "code": i})
    query = Query(
        filter=And((Cond("status", "eq", "open", scalar=True), Cond("score", "gte", 3, scalar=True))),
        sort=(SortKey("score", -1, scalar=True), SortKey("_id", 1, scalar=True)),
        limit=4,
    )
    by_code = Cond("code", "in", (1, 5, True), scalar=True)
    indexes = [Index("by_status_score", (("status", 1), ("score", -1))), Index("one_code", (("code", 1),), unique=True)]
    for index in indexes if index_first else ():
        items.create_index(index)
    found = ([doc["_id"] for doc in items.find(query)], items.count(query.filter), _ids(items, by_code))
    for index in () if index_first else indexes:
        items.create_index(index)
    assert found == (["r03", "r06", "r09", "r12"], 8, "r01r05")
    assert ([doc["_id"] for doc in items.find(query)], items.count(query.filter), _ids(items, by_code)) == found
    assert {"by_status_score", "one_code"} <= set(items.index_names())
    with pytest.raises(DuplicateKey) as raised:
        items.insert({"_id": "again", "code": 5})
    assert raised.value.index == "one_code"
    if engine_name != "mongomock":  # mongomock's unique indexes take True for 1
        items.insert({"_id": "true_is_not_one", "code": True})
        assert _ids(items, by_code) == "r01r05true_is_not_one"
