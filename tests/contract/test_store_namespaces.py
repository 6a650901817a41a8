"""Namespaces and collections: listing, dropping, isolation and name rules."""

from __future__ import annotations

import pytest

from bkend_mcp.store.base import Cond, DocumentStore, Index, Query


def test_collection_names_list_written_collections(store: DocumentStore) -> None:
    store.collection("app", "posts").insert({"_id": "1"})
    store.collection("app", "Authors").insert({"_id": "1"})
    store.collection("app", "never_written")
    assert store.collection_names("app") == ["Authors", "posts"]
    assert store.collection_names("other") == []


def test_collection_names_are_case_sensitive(store: DocumentStore) -> None:
    store.collection("app", "Users").insert({"_id": "1", "who": "upper"})
    store.collection("app", "users").insert({"_id": "1", "who": "lower"})
    assert store.collection_names("app") == ["Users", "users"]
    assert store.collection("app", "Users").get("1") == {"_id": "1", "who": "upper"}


def test_namespaces_are_isolated(store: DocumentStore) -> None:
    dev, prod = store.collection("env_dev", "posts"), store.collection("env_prod", "posts")
    dev.insert({"_id": "1", "title": "draft"})
    prod.insert({"_id": "1", "title": "live"})
    dev.create_index(Index("by_title", (("title", 1),), unique=True))
    prod.insert({"_id": "2", "title": "live"})  # dev's unique index does not apply here
    assert dev.get("1") == {"_id": "1", "title": "draft"}
    assert prod.count(Cond("title", "eq", "live")) == 2
    assert prod.index_names() == []


def test_namespace_with_underscores_does_not_clash_with_collection_names(store: DocumentStore) -> None:
    store.collection("a__b", "c").insert({"_id": "1", "from": "a__b"})
    store.collection("a", "b__c").insert({"_id": "1", "from": "a"})
    assert store.collection("a__b", "c").get("1") == {"_id": "1", "from": "a__b"}
    assert store.collection("a", "b__c").get("1") == {"_id": "1", "from": "a"}


def test_drop_collection_removes_its_documents_and_indexes(store: DocumentStore) -> None:
    posts = store.collection("app", "posts")
    posts.insert({"_id": "1", "slug": "x"})
    posts.create_index(Index("by_slug", (("slug", 1),), unique=True))
    store.collection("app", "tags").insert({"_id": "1"})
    store.drop_collection("app", "posts")
    assert store.collection_names("app") == ["tags"]
    again = store.collection("app", "posts")
    assert again.find(Query()) == []
    assert again.index_names() == []
    again.insert({"_id": "1", "slug": "x"})
    again.insert({"_id": "2", "slug": "x"})
    assert again.count() == 2


def test_drop_missing_collection_is_harmless(store: DocumentStore) -> None:
    store.drop_collection("app", "ghost")
    assert store.collection_names("app") == []


def test_drop_namespace_removes_only_that_namespace(store: DocumentStore) -> None:
    for namespace in ("env_dev", "env_prod"):
        for name in ("posts", "tags"):
            store.collection(namespace, name).insert({"_id": "1"})
    store.drop_namespace("env_dev")
    assert store.collection_names("env_dev") == []
    assert store.collection_names("env_prod") == ["posts", "tags"]
    assert store.collection("env_dev", "posts").get("1") is None
    assert store.collection("env_prod", "posts").get("1") == {"_id": "1"}


@pytest.mark.parametrize("namespace", ["", "App", "1app", "app-dev", "app.dev", "a" * 42, "app$"])
def test_invalid_namespace_is_rejected(store: DocumentStore, namespace: str) -> None:
    with pytest.raises(ValueError):
        store.collection(namespace, "posts")


@pytest.mark.parametrize("name", ["", "1posts", "posts.x", "po sts", "p" * 65, "$cmd", 'a"b'])
def test_invalid_collection_name_is_rejected(store: DocumentStore, name: str) -> None:
    with pytest.raises(ValueError):
        store.collection("app", name)
