"""Writes: insert/get, guarded update and delete, unset, unset_everywhere, and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bkend_mcp.domain.dates import iso
from bkend_mcp.store.base import Collection, Cond, Query, SortKey

T0 = datetime(2026, 1, 15, 10, 30, 0, 123000, tzinfo=UTC)


@pytest.fixture
def post(items: Collection) -> Collection:
    items.insert({"_id": "p1", "title": "Hello", "version": 1, "tags": ["a"], "draft": True})
    return items


def test_get_returns_the_inserted_document(post: Collection) -> None:
    assert post.get("p1") == {"_id": "p1", "title": "Hello", "version": 1, "tags": ["a"], "draft": True}
    assert post.get("nope") is None


def test_insert_needs_an_id(items: Collection) -> None:
    with pytest.raises((ValueError, KeyError)):
        items.insert({"title": "no id"})


def test_update_sets_and_unsets_fields_and_returns_the_new_document(post: Collection) -> None:
    updated = post.update("p1", {"title": "Bye", "version": 2, "meta": {"k": [1, None]}}, unset_fields=("draft",))
    expected = {"_id": "p1", "title": "Bye", "version": 2, "tags": ["a"], "meta": {"k": [1, None]}}
    assert updated == expected
    assert post.get("p1") == expected


def test_update_with_unmet_guard_returns_none_and_changes_nothing(post: Collection) -> None:
    assert post.update("p1", {"title": "Bye"}, guard=Cond("version", "eq", 7)) is None
    assert post.get("p1")["title"] == "Hello"  # type: ignore[index]


def test_update_with_met_guard_applies(post: Collection) -> None:
    updated = post.update("p1", {"version": 2}, guard=Cond("version", "eq", 1))
    assert updated is not None and updated["version"] == 2
    assert post.update("p1", {"version": 3}, guard=Cond("version", "eq", 1)) is None


def test_update_of_missing_document_returns_none(post: Collection) -> None:
    assert post.update("nope", {"title": "x"}) is None
    assert post.count() == 1


def test_update_with_nothing_to_change_returns_the_document_if_guard_matches(post: Collection) -> None:
    assert post.update("p1", {})["title"] == "Hello"  # type: ignore[index]
    assert post.update("p1", {}, guard=Cond("draft", "eq", False)) is None


def test_update_can_store_null(post: Collection) -> None:
    updated = post.update("p1", {"title": None})
    assert updated is not None and "title" in updated and updated["title"] is None
    assert post.count(Cond("title", "exists", True)) == 1


def test_delete_with_unmet_guard_keeps_the_document(post: Collection) -> None:
    assert post.delete("p1", guard=Cond("draft", "eq", False)) is False
    assert post.get("p1") is not None
    assert post.delete("p1", guard=Cond("draft", "eq", True)) is True
    assert post.get("p1") is None
    assert post.delete("p1") is False


def test_unset_everywhere_removes_a_field_from_every_document(items: Collection) -> None:
    items.insert({"_id": "a", "color": "red", "size": 1})
    items.insert({"_id": "b", "color": None, "size": 2})
    items.insert({"_id": "c", "size": 3})
    assert items.unset_everywhere("color") == 2
    assert items.count(Cond("color", "exists", True)) == 0
    assert [doc["size"] for doc in items.find(Query(sort=(SortKey("size", 1),)))] == [1, 2, 3]
    assert items.get("a") == {"_id": "a", "size": 1}


def test_unset_everywhere_refuses_the_id(items: Collection) -> None:
    items.insert({"_id": "a"})
    with pytest.raises(ValueError):
        items.unset_everywhere("_id")


@pytest.fixture
def events(items: Collection) -> Collection:
    for i in range(5):
        items.insert({"_id": f"e{i}", "at": T0 + timedelta(days=i, milliseconds=i)})
    items.insert({"_id": "e_none"})
    return items


def test_dates_come_back_equal_at_millisecond_precision(events: Collection) -> None:
    doc = events.get("e3")
    assert doc is not None
    assert iso(doc["at"]) == "2026-01-18T10:30:00.126Z"


def test_dates_compare_as_dates(events: Collection) -> None:
    after = events.find(Query(filter=Cond("at", "gte", T0 + timedelta(days=3)), sort=(SortKey("_id", 1),)))
    assert [doc["_id"] for doc in after] == ["e3", "e4"]
    assert events.count(Cond("at", "lt", T0 + timedelta(days=1))) == 1
    assert events.count(Cond("at", "eq", T0 + timedelta(days=2, milliseconds=2))) == 1


def test_dates_sort_chronologically_with_missing_first(events: Collection) -> None:
    docs = events.find(Query(sort=(SortKey("at", 1),)))
    assert [doc["_id"] for doc in docs] == ["e_none", "e0", "e1", "e2", "e3", "e4"]
    newest = events.find(Query(sort=(SortKey("at", -1),), limit=2))
    assert [iso(doc["at"]) for doc in newest] == ["2026-01-19T10:30:00.127Z", "2026-01-18T10:30:00.126Z"]


def test_dates_written_by_update_round_trip(events: Collection) -> None:
    updated = events.update("e_none", {"at": T0 - timedelta(days=1)})
    assert updated is not None and iso(updated["at"]) == "2026-01-14T10:30:00.123Z"
    assert [doc["_id"] for doc in events.find(Query(sort=(SortKey("at", 1),), limit=1))] == ["e_none"]
