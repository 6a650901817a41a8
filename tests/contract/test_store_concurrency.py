"""Concurrency and persistence: many threads, two processes on one SQLite file, reopening a closed store."""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bkend_mcp.store.base import Collection, Cond, DocumentStore, DuplicateKey, Index, QueryTimeout, Regex

THREADS = 8
PER_THREAD = 40
BUMPS = 10


def _bump(coll: Collection, doc_id: str) -> None:
    """Add 1 to `n` with a compare-and-set loop; a lost race retries, so no increment is ever lost."""
    while True:
        current = coll.get(doc_id)
        assert current is not None
        if coll.update(doc_id, {"n": current["n"] + 1}, guard=Cond("n", "eq", current["n"])) is not None:
            return


def test_inserts_from_eight_threads_all_land(store: DocumentStore) -> None:
    coll = store.collection("app", "items")

    def work(thread: int) -> None:
        for i in range(PER_THREAD):
            coll.insert({"_id": f"t{thread}-{i:03d}", "thread": thread})

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    assert coll.count() == THREADS * PER_THREAD
    assert coll.count(Cond("thread", "eq", 3)) == PER_THREAD


def test_guarded_updates_from_eight_threads_lose_no_increment(engine_name: str, store: DocumentStore) -> None:
    if engine_name == "mongomock":
        pytest.skip("mongomock's find_one_and_update is not atomic across threads (MongoDB's is)")
    coll = store.collection("app", "items")
    coll.insert({"_id": "counter", "n": 0})

    def work(_: int) -> None:
        for _ in range(BUMPS):
            _bump(coll, "counter")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    assert coll.get("counter") == {"_id": "counter", "n": THREADS * BUMPS}


def _write_from_process(open_store: Callable[[], DocumentStore], worker: int, count: int) -> None:
    store = open_store()
    try:
        coll = store.collection("app", "items")
        for i in range(count):
            coll.insert({"_id": f"w{worker}-{i:03d}", "worker": worker})
            _bump(coll, "counter")
    finally:
        store.close()


def test_two_processes_write_to_one_sqlite_file(
    engine_name: str, open_store: Callable[[], DocumentStore], store: DocumentStore
) -> None:
    if engine_name != "sqlite":
        pytest.skip("only the SQLite engine shares one file between processes")
    coll = store.collection("app", "items")
    coll.insert({"_id": "counter", "n": 0})
    per_process = 300
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_from_process, args=(open_store, w, per_process)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        if worker.is_alive():
            worker.kill()
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert coll.count(Cond("worker", "in", (0, 1))) == 2 * per_process
    assert coll.get("counter") == {"_id": "counter", "n": 2 * per_process}


def test_data_and_indexes_survive_reopen(open_store: Callable[[], DocumentStore]) -> None:
    first = open_store()
    coll = first.collection("app", "items")
    coll.insert({"_id": "u1", "email": "ann@example.com"})
    coll.create_index(Index("by_email", (("email", 1),), unique=True))
    first.close()

    second = open_store()
    try:
        again = second.collection("app", "items")
        assert again.get("u1") == {"_id": "u1", "email": "ann@example.com"}
        assert second.collection_names("app") == ["items"]
        assert again.index_names() == ["by_email"]
        with pytest.raises(DuplicateKey) as caught:
            again.insert({"_id": "u2", "email": "ann@example.com"})
        assert caught.value.index == "by_email"
    finally:
        second.close()


def test_slow_read_stops_at_the_time_limit(engine_name: str, open_store: Callable[[], DocumentStore]) -> None:
    if engine_name != "sqlite":
        pytest.skip("the read time limit is the SQLite engine's own setting")
    impatient = functools.partial(open_store, read_timeout=0.0)()
    try:
        coll = impatient.collection("app", "items")
        for i in range(2000):
            coll.insert({"_id": f"r{i:04d}", "text": "x" * 50})
        with pytest.raises(QueryTimeout):
            coll.count(Cond("text", "regex", Regex("y$")))
    finally:
        impatient.close()
