"""Helpers for tests that need the SQLite store in a particular state."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bkend_mcp.store.sqlite import SqliteStore


@contextmanager
def writer_held(store: SqliteStore) -> Iterator[None]:
    """While inside, another thread holds the store's write connection in a transaction (a large import does that
    for a while)."""
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with store._db.transaction():
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        holding.wait(10)
        yield
    finally:
        release.set()
        writer.join()
