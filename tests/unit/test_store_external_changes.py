"""`DocumentStore.external_changes`: on SQLite, a marker that moves when another process commits and stays put for
this store's own writes; MongoDB cannot tell (None), so nothing is trusted from an earlier read there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bkend_mcp.store.sqlite import SqliteStore
from tests.store_testing import writer_held


@pytest.fixture
def store(tmp_path: Path):
    opened = SqliteStore(tmp_path / "store.db")
    yield opened
    opened.close()


def test_own_writes_leave_the_marker_and_another_process_commit_moves_it(store, tmp_path):
    posts = store.collection("app", "posts")
    posts.insert({"_id": "a", "n": 1})
    marker = store.external_changes()
    posts.insert({"_id": "b", "n": 2})
    posts.update("a", {"n": 3})
    assert store.external_changes() == marker
    with sqlite3.connect(tmp_path / "store.db") as other:
        other.execute("UPDATE \"app.posts\" SET data = json_set(data, '$.n', 4) WHERE id = 'a'")
    assert store.external_changes() != marker


def test_while_a_write_holds_the_connection_the_marker_is_unknown(store):
    with writer_held(store):
        assert store.external_changes() is None
    assert store.external_changes() is not None


def test_mongo_cannot_tell():
    mongomock = pytest.importorskip("mongomock")
    from bkend_mcp.store.mongo import MongoStore

    assert MongoStore(mongomock.MongoClient()).external_changes() is None
