"""Sorting (missing first ascending, numbers numerically, strings by code point), paging and counting."""

from __future__ import annotations

import pytest

from bkend_mcp.store.base import Collection, Cond, DocumentStore, Index, Query, SortKey

PEOPLE = [
    {"_id": "p1", "rank": 3, "group": "x"},
    {"_id": "p2", "rank": 1, "group": "y"},
    {"_id": "p3", "group": "x"},
    {"_id": "p4", "rank": 2, "group": "y"},
    {"_id": "p5", "rank": 1, "group": "x"},
]

SORTS: list[tuple[str, tuple[SortKey, ...], list[str]]] = [
    ("asc_missing_first", (SortKey("rank", 1), SortKey("_id", 1)), ["p3", "p2", "p5", "p4", "p1"]),
    ("desc_missing_last", (SortKey("rank", -1), SortKey("_id", 1)), ["p1", "p4", "p2", "p5", "p3"]),
    ("two_keys_asc_desc", (SortKey("group", 1), SortKey("rank", -1)), ["p1", "p5", "p3", "p4", "p2"]),
    ("two_keys_desc_asc", (SortKey("group", -1), SortKey("rank", 1)), ["p2", "p4", "p3", "p5", "p1"]),
    ("id_desc", (SortKey("_id", -1),), ["p5", "p4", "p3", "p2", "p1"]),
]


@pytest.fixture
def people(items: Collection) -> Collection:
    for doc in PEOPLE:
        items.insert(dict(doc))
    return items


@pytest.mark.parametrize(("sort", "expected"), [s[1:] for s in SORTS], ids=[s[0] for s in SORTS])
def test_sort_orders_documents(people: Collection, sort: tuple[SortKey, ...], expected: list[str]) -> None:
    assert [doc["_id"] for doc in people.find(Query(sort=sort))] == expected


@pytest.mark.parametrize(("sort", "expected"), [s[1:] for s in SORTS], ids=[s[0] for s in SORTS])
def test_sort_is_the_same_through_an_index(people: Collection, sort: tuple[SortKey, ...], expected: list[str]) -> None:
    people.create_index(Index("by_group_rank", (("group", 1), ("rank", -1))))
    people.create_index(Index("by_rank", (("rank", 1),)))
    assert [doc["_id"] for doc in people.find(Query(sort=sort))] == expected


def test_numbers_sort_numerically_and_strings_by_code_point(items: Collection) -> None:
    for i, (num, name) in enumerate([(10, "b"), (2, "B"), (1.5, "a"), (-3, "ab")]):
        items.insert({"_id": f"d{i}", "num": num, "name": name})
    by_num = items.find(Query(sort=(SortKey("num", 1),)))
    by_name = items.find(Query(sort=(SortKey("name", 1),)))
    assert [doc["num"] for doc in by_num] == [-3, 1.5, 2, 10]
    assert [doc["name"] for doc in by_name] == ["B", "a", "ab", "b"]


@pytest.fixture
def numbered(items: Collection) -> Collection:
    for i in range(25):
        items.insert({"_id": f"n{i:02d}", "i": i, "odd": i % 2 == 1})
    return items


def test_skip_and_limit_page_through_sorted_results(numbered: Collection) -> None:
    def page(skip: int) -> list[int]:
        docs = numbered.find(Query(sort=(SortKey("i", -1),), skip=skip, limit=10))
        return [doc["i"] for doc in docs]

    assert page(0) == list(range(24, 14, -1))
    assert page(10) == list(range(14, 4, -1))
    assert page(20) == [4, 3, 2, 1, 0]
    assert page(30) == []


def test_skip_without_limit_returns_the_rest(numbered: Collection) -> None:
    docs = numbered.find(Query(sort=(SortKey("i", 1),), skip=22))
    assert [doc["i"] for doc in docs] == [22, 23, 24]


def test_limit_applies_after_filter_and_sort(numbered: Collection) -> None:
    query = Query(filter=Cond("odd", "eq", True), sort=(SortKey("i", -1),), limit=3)
    assert [doc["i"] for doc in numbered.find(query)] == [23, 21, 19]


def test_count_with_filters(numbered: Collection) -> None:
    assert numbered.count() == 25
    assert numbered.count(Cond("odd", "eq", True)) == 12
    assert numbered.count(Cond("i", "gte", 20)) == 5
    assert numbered.count(Cond("i", "in", (1, 2, 99))) == 2


PAGES: list[tuple[str, Query, list[int], int]] = [
    ("first_page", Query(Cond("odd", "eq", True), sort=(SortKey("i", -1),), limit=3), [23, 21, 19], 12),
    ("middle_page", Query(Cond("i", "gte", 10), sort=(SortKey("i", 1),), skip=5, limit=4), [15, 16, 17, 18], 15),
    ("past_the_end", Query(Cond("i", "lt", 5), sort=(SortKey("i", 1),), skip=10, limit=5), [], 5),
    ("no_limit", Query(Cond("i", "in", (1, 2, 99)), sort=(SortKey("i", 1),)), [1, 2], 2),
    ("limit_zero", Query(Cond("odd", "eq", False), limit=0), [], 13),
    ("nothing_matches", Query(Cond("i", "gt", 100), limit=20), [], 0),
]


@pytest.fixture(params=["inline", "scan_threads"])
def counted(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, numbered: Collection) -> Collection:
    """`numbered`, with the SQLite engine reading a page and its total on its scan threads or on the caller's."""
    from bkend_mcp.store import sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "SCAN_MIN_ROWS", 0 if request.param == "scan_threads" else 10**9)
    return numbered


@pytest.mark.parametrize(("query", "expected", "total"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_gives_the_documents_and_the_total_of_the_filter(
    counted: Collection, query: Query, expected: list[int], total: int
) -> None:
    docs, counted_total = counted.page(query)
    assert [doc["i"] for doc in docs] == expected
    assert counted_total == total


def test_page_of_an_unwritten_collection_is_empty(store: DocumentStore) -> None:
    assert store.collection("app", "ghost").page(Query(limit=20)) == ([], 0)


def test_unwritten_collection_reads_as_empty(store: DocumentStore) -> None:
    ghost = store.collection("app", "ghost")
    assert ghost.find(Query()) == []
    assert ghost.count() == 0
    assert ghost.get("x") is None
    assert ghost.index_names() == []
