"""A list page and its total on the embedded engine: on a large table both are read at once on the store's scan
threads (two scans on two CPUs, through connections that map the file), and nothing about the answer or its errors
changes with that."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bkend_mcp.store import sqlite as sqlite_store
from bkend_mcp.store import sqlite_conn
from bkend_mcp.store.base import Cond, Index, Query, Regex, SortKey
from bkend_mcp.store.sqlite import SqliteStore
from bkend_mcp.store.sqlite_regex import RegexTimeout

QUERY = Query(Cond("odd", "eq", True, scalar=True), sort=(SortKey("i", -1, True),), limit=3)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sqlite_store, "SCAN_MIN_ROWS", 0)
    opened = SqliteStore(tmp_path / "page.db")
    items = opened.collection("app", "items")
    for i in range(40):
        items.insert({"_id": f"n{i:02d}", "i": i, "odd": i % 2 == 1, "text": "a" * 3000 + "!"})
    yield opened
    opened.close()


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """(thread name, first word after SELECT, the connection's mmap_size) for every read the store makes from now."""
    seen: list[tuple[str, str, int]] = []
    read = sqlite_conn.Connections.read

    def recording(self, sql, params=()):
        mapped = self._reader().conn.execute("PRAGMA mmap_size").fetchone()[0]
        seen.append((threading.current_thread().name, sql.split()[1], mapped))
        return read(self, sql, params)

    monkeypatch.setattr(sqlite_conn.Connections, "read", recording)
    return seen


def test_page_and_total_are_read_at_once_on_scan_threads_that_map_the_file(store, monkeypatch):
    seen = _reads(monkeypatch)
    docs, total = store.collection("app", "items").page(QUERY)
    assert [doc["i"] for doc in docs] == [39, 37, 35]
    assert total == 20
    scans = [(thread, mapped) for thread, what, mapped in seen if what in ("count(*)", "id,")]
    assert len(scans) == 2
    assert all(thread.startswith("bkend-sqlite-scan") and mapped > 0 for thread, mapped in scans)


def test_other_reads_stay_on_the_callers_thread_without_a_map(store, monkeypatch):
    seen = _reads(monkeypatch)
    items = store.collection("app", "items")
    assert items.get("n07")["i"] == 7
    assert [doc["i"] for doc in items.find(QUERY)] == [39, 37, 35]
    assert {(thread, mapped) for thread, _, mapped in seen} == {(threading.current_thread().name, 0)}


def test_an_indexed_count_stays_on_the_callers_thread(store, monkeypatch):
    items = store.collection("app", "items")
    items.create_index(Index("by_i", (("i", 1),)))
    seen = _reads(monkeypatch)
    docs, total = items.page(Query(Cond("i", "gte", 30, scalar=True), sort=(SortKey("i", 1, True),), limit=2))
    assert ([doc["i"] for doc in docs], total) == ([30, 31], 10)
    assert {thread for thread, _, _ in seen} == {threading.current_thread().name}
    seen.clear()
    assert items.page(QUERY)[1] == 20  # the same table, a filter no index serves: scan threads again
    assert any(thread.startswith("bkend-sqlite-scan") for thread, _, _ in seen)


def test_a_small_table_reads_its_page_on_the_callers_thread(store, monkeypatch):
    monkeypatch.setattr(sqlite_store, "SCAN_MIN_ROWS", 1000)
    seen = _reads(monkeypatch)
    assert store.collection("app", "items").page(QUERY)[1] == 20
    assert {thread for thread, _, _ in seen} == {threading.current_thread().name}


def test_pages_asked_by_more_callers_than_scan_threads_all_get_their_answer(store):
    items = store.collection("app", "items")
    answers: list[int] = []
    callers = [threading.Thread(target=lambda: answers.append(items.page(QUERY)[1])) for _ in range(12)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=30)
    assert answers == [20] * 12


def test_a_regex_that_runs_away_reaches_the_caller_and_frees_the_threads(store):
    bomb = Query(Cond("text", "regex", Regex("(a|aa)+$"), scalar=True), limit=5)
    with pytest.raises(RegexTimeout):
        store.collection("app", "items").page(bomb)
    assert store.collection("app", "items").page(QUERY)[1] == 20


def test_a_closed_store_refuses_a_page_instead_of_hanging(store):
    items = store.collection("app", "items")
    store.close()
    with pytest.raises(Exception, match="closed"):
        items.page(QUERY)
