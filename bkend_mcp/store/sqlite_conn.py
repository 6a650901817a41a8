"""SQLite connections for the embedded store: one writer per process behind a lock, one reader per thread.

The file runs in WAL mode, so readers never wait for the writer and another process can share the file; the
busy timeout covers the moments two writers meet. Writes are single autocommit statements or short
`BEGIN IMMEDIATE` transactions. Reads run under a time limit enforced by a progress handler (datasette's
`sqlite_timelimit`), which turns a runaway query into `QueryTimeout` instead of a stuck worker.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any

from bkend_mcp.store.base import QueryTimeout
from bkend_mcp.store.sqlite_regex import regexp

PROGRESS_STEPS = 1000
"""SQLite VM instructions between two looks at the clock."""


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False, cached_statements=512
    )
    conn.create_function("bk_regexp", 3, regexp, deterministic=True)
    return conn


class _Reader:
    """A read connection and the deadline its progress handler enforces."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.deadline = float("inf")
        conn.set_progress_handler(self._expired, PROGRESS_STEPS)

    def _expired(self) -> bool:
        return monotonic() > self.deadline


class Connections:
    """The connections of one store object on one database file."""

    def __init__(self, path: Path, read_timeout: float, busy_timeout: float) -> None:
        self._path = path
        self._read_timeout = read_timeout
        self._busy_timeout = busy_timeout
        self._writer = _connect(path, busy_timeout)
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._writer.execute("PRAGMA synchronous = NORMAL")
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[_Reader] = []
        self._readers_lock = threading.Lock()
        self._closed = False

    @contextmanager
    def writer(self) -> Iterator[sqlite3.Connection]:
        """The write connection in autocommit mode, for one statement at a time."""
        with self._write_lock:
            self._check_open()
            yield self._writer

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The write connection inside `BEGIN IMMEDIATE`; committed on success, rolled back on any error."""
        with self._write_lock:
            self._check_open()
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[Any], int]:
        """Run one write statement; its returned rows and the number of rows it changed."""
        with self.writer() as conn:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchall()
            return rows, cursor.rowcount

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """All rows of one query on this thread's read connection, within the read time limit."""
        reader = self._reader()
        reader.deadline = monotonic() + self._read_timeout
        try:
            return reader.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if str(exc) == "interrupted" and monotonic() > reader.deadline:
                raise QueryTimeout(f"query ran longer than {self._read_timeout:g} s") from None
            raise
        finally:
            reader.deadline = float("inf")

    def close(self) -> None:
        with self._write_lock, self._readers_lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
            for reader in self._readers:
                reader.conn.close()
            self._readers.clear()

    def _reader(self) -> _Reader:
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is not None and not self._closed:
            return reader
        with self._readers_lock:
            self._check_open()
            conn = _connect(self._path, self._busy_timeout)
            conn.execute("PRAGMA query_only = ON")
            reader = _Reader(conn)
            self._readers.append(reader)
        self._local.reader = reader
        return reader

    def _check_open(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
