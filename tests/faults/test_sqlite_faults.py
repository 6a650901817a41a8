"""SQLite's file-level failures leave the embedded engine's connections as storage faults, on the real engine:
a database that cannot grow is `StorageFull`, one that refuses writes is `StorageReadOnly`, and the failed
transaction leaves nothing behind."""

from __future__ import annotations

import sqlite3

import pytest

from bkend_mcp.store.faults import StorageFull, StorageReadOnly
from bkend_mcp.store.sqlite_conn import Connections

ROW = "x" * 4000


@pytest.fixture
def db(tmp_path):
    connections = Connections(tmp_path / "faults.db", read_timeout=5.0, busy_timeout=1.0)
    connections.write("CREATE TABLE t (v TEXT)")
    yield connections
    connections.close()


def test_a_database_that_cannot_grow_raises_storage_full_and_keeps_what_was_written(db):
    (count,) = db.read("PRAGMA page_count")[0]
    db.write(f"PRAGMA max_page_count = {count + 4}")
    written = 0
    with pytest.raises(StorageFull, match="full"):
        for _ in range(50):
            db.write("INSERT INTO t VALUES (?)", (ROW,))
            written += 1
    assert db.read("SELECT count(*) FROM t") == [(written,)]


def test_a_transaction_past_the_limit_is_rolled_back_whole(db):
    (count,) = db.read("PRAGMA page_count")[0]
    db.write(f"PRAGMA max_page_count = {count + 4}")
    with pytest.raises(StorageFull):
        with db.transaction() as conn:
            for _ in range(50):
                conn.execute("INSERT INTO t VALUES (?)", (ROW,))
    assert db.read("SELECT count(*) FROM t") == [(0,)]


def test_a_database_that_refuses_writes_raises_storage_read_only(db):
    db.write("PRAGMA query_only = ON")
    with pytest.raises(StorageReadOnly, match="read-only"):
        db.write("INSERT INTO t VALUES (?)", ("a",))
    with pytest.raises(StorageReadOnly):
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (?)", ("a",))
    assert db.read("SELECT count(*) FROM t") == [(0,)]


def test_constraint_and_sql_errors_are_not_storage_faults(db):
    db.write("CREATE UNIQUE INDEX u ON t (v)")
    db.write("INSERT INTO t VALUES (?)", ("a",))
    with pytest.raises(sqlite3.IntegrityError):
        db.write("INSERT INTO t VALUES (?)", ("a",))
    with pytest.raises(sqlite3.OperationalError):
        db.write("INSERT INTO missing VALUES (1)")
