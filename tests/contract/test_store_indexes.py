"""Indexes: unique and sparse unique enforcement, DuplicateKey naming the index, index lifecycle."""

from __future__ import annotations

import pytest

from bkend_mcp.store.base import Collection, Cond, DuplicateKey, Index, Query, SortKey

BY_EMAIL = Index("by_email", (("email", 1),), unique=True)
UNIQ_HANDLE = Index("uniq_handle", (("handle", 1),), unique=True, sparse=True)


def test_duplicate_insert_names_the_unique_index(items: Collection) -> None:
    items.create_index(BY_EMAIL)
    items.insert({"_id": "u1", "email": "ann@example.com"})
    with pytest.raises(DuplicateKey) as caught:
        items.insert({"_id": "u2", "email": "ann@example.com"})
    assert (caught.value.index, caught.value.fields) == ("by_email", ("email",))
    assert items.count() == 1
    assert items.get("u2") is None


def test_duplicate_id_names_the_primary_index(items: Collection) -> None:
    items.insert({"_id": "u1", "n": 1})
    with pytest.raises(DuplicateKey) as caught:
        items.insert({"_id": "u1", "n": 2})
    assert (caught.value.index, caught.value.fields) == ("_id_", ("_id",))
    assert items.get("u1") == {"_id": "u1", "n": 1}


def test_unique_index_allows_distinct_values(items: Collection) -> None:
    items.create_index(BY_EMAIL)
    for i in range(3):
        items.insert({"_id": f"u{i}", "email": f"user{i}@example.com"})
    assert items.count() == 3


def test_unique_index_keeps_types_apart(items: Collection) -> None:
    items.create_index(Index("by_code", (("code", 1),), unique=True))
    items.insert({"_id": "u1", "code": "1"})
    items.insert({"_id": "u2", "code": 1})
    with pytest.raises(DuplicateKey):
        items.insert({"_id": "u3", "code": 1.0})
    assert items.count() == 2


def test_sparse_unique_ignores_documents_without_the_field(items: Collection) -> None:
    items.create_index(UNIQ_HANDLE)
    items.insert({"_id": "u1"})
    items.insert({"_id": "u2"})
    items.insert({"_id": "u3", "handle": "ann"})
    with pytest.raises(DuplicateKey) as caught:
        items.insert({"_id": "u4", "handle": "ann"})
    assert caught.value.index == "uniq_handle"
    assert items.count() == 3


def test_non_sparse_unique_treats_two_missing_values_as_duplicates(items: Collection) -> None:
    items.create_index(BY_EMAIL)
    items.insert({"_id": "u1"})
    with pytest.raises(DuplicateKey) as caught:
        items.insert({"_id": "u2"})
    assert caught.value.index == "by_email"


def test_compound_unique_index_compares_all_fields(items: Collection) -> None:
    items.create_index(Index("by_pair", (("a", 1), ("b", -1)), unique=True))
    items.insert({"_id": "x1", "a": 1, "b": 1})
    items.insert({"_id": "x2", "a": 1, "b": 2})
    items.insert({"_id": "x3", "a": 2, "b": 1})
    with pytest.raises(DuplicateKey) as caught:
        items.insert({"_id": "x4", "a": 1, "b": 2})
    assert (caught.value.index, caught.value.fields) == ("by_pair", ("a", "b"))


def test_compound_sparse_unique_indexes_documents_with_any_field(items: Collection) -> None:
    items.create_index(Index("by_pair", (("a", 1), ("b", 1)), unique=True, sparse=True))
    items.insert({"_id": "x1"})
    items.insert({"_id": "x2"})
    items.insert({"_id": "x3", "a": 1})
    with pytest.raises(DuplicateKey):
        items.insert({"_id": "x4", "a": 1})
    assert items.count() == 3


def test_update_into_a_duplicate_fails_and_changes_nothing(items: Collection) -> None:
    items.create_index(UNIQ_HANDLE)
    items.insert({"_id": "u1", "handle": "ann"})
    items.insert({"_id": "u2", "handle": "bob"})
    with pytest.raises(DuplicateKey) as caught:
        items.update("u2", {"handle": "ann"})
    assert caught.value.index == "uniq_handle"
    assert items.get("u2") == {"_id": "u2", "handle": "bob"}


def test_unique_index_over_duplicate_data_fails_and_leaves_no_index(items: Collection) -> None:
    items.insert({"_id": "u1", "email": "same@example.com"})
    items.insert({"_id": "u2", "email": "same@example.com"})
    with pytest.raises(DuplicateKey) as caught:
        items.create_index(BY_EMAIL)
    assert caught.value.index == "by_email"
    assert items.index_names() == []
    items.insert({"_id": "u3", "email": "same@example.com"})
    assert items.count() == 3


def test_failed_replacement_keeps_the_previous_index(items: Collection) -> None:
    items.create_index(Index("by_email", (("email", 1),)))
    items.insert({"_id": "u1", "email": "same@example.com"})
    items.insert({"_id": "u2", "email": "same@example.com"})
    with pytest.raises(DuplicateKey):
        items.create_index(BY_EMAIL)
    assert items.index_names() == ["by_email"]


def test_index_names_list_created_indexes_until_dropped(items: Collection) -> None:
    items.create_index(BY_EMAIL)
    items.create_index(Index("idx_createdAt_desc", (("createdAt", -1),)))
    assert sorted(items.index_names()) == ["by_email", "idx_createdAt_desc"]
    items.drop_index("by_email")
    assert items.index_names() == ["idx_createdAt_desc"]
    items.insert({"_id": "u1"})
    items.insert({"_id": "u2"})  # no longer unique
    assert items.count() == 2


def test_index_names_are_case_sensitive(items: Collection) -> None:
    items.create_index(Index("byName", (("name", 1),)))
    items.create_index(Index("byname", (("name", -1),), unique=True))
    assert sorted(items.index_names()) == ["byName", "byname"]


def test_recreating_an_index_by_name_replaces_it(items: Collection) -> None:
    items.create_index(Index("by_email", (("email", 1),)))
    items.insert({"_id": "u1", "email": "a@example.com"})
    items.create_index(BY_EMAIL)
    with pytest.raises(DuplicateKey):
        items.insert({"_id": "u2", "email": "a@example.com"})
    assert items.index_names() == ["by_email"]


def test_indexed_query_returns_the_same_results(items: Collection) -> None:
    for i in range(40):
        items.insert({"_id": f"r{i:02d}", "status": ["open", "closed"][i % 2], "score": (i * 7) % 13})
    query = Query(
        filter=Cond("status", "eq", "open", scalar=True),
        sort=(SortKey("score", -1), SortKey("_id", 1)),
        limit=5,
    )
    before = items.find(query)
    items.create_index(Index("by_status_score", (("status", 1), ("score", -1))))
    assert items.find(query) == before
    assert [doc["score"] for doc in before] == [12, 11, 10, 9, 8]
    assert items.count(Cond("status", "eq", "open", scalar=True)) == 20
