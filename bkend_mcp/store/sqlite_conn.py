"""SQLite connections for the embedded store: one writer per process behind a lock, one reader per thread.

The file runs in WAL mode, so readers never wait for the writer and another process can share the file; the
busy timeout covers the moments two writers meet. Writes are single autocommit statements or short
`BEGIN IMMEDIATE` transactions. Reads run under a time limit enforced by a progress handler (datasette's
`sqlite_timelimit`), which turns a runaway query into `QueryTimeout` instead of a stuck worker.

Failures of the file underneath (full disk, read-only data dir, I/O error, a file that cannot be opened) leave
here as the `store.faults` classes, with a message a caller can act on; `FAULTS` is the table.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any, TypeVar

from bkend_mcp.store.base import QueryTimeout
from bkend_mcp.store.faults import StorageFault, StorageFull, StorageReadOnly, StorageUnavailable
from bkend_mcp.store.sqlite_regex import RegexTimeout, regexp

PROGRESS_STEPS = 1000
"""SQLite VM instructions between two looks at the clock."""
SCAN_THREADS = os.cpu_count() or 2
"""Threads per store for reads that scan a large table (`Connections.scan`): one per CPU."""
SCAN_MMAP_BYTES = 1 << 30
"""How much of the file a scan thread's read connection maps (SQLite's `mmap_size`) instead of copying every page
through its 2 MB page cache: a scan of 100k records takes ~25% less. Only the scan threads map it: RSS counts a
mapped page once per mapping (and the OOM killer reads RSS), so a map on every worker thread's reader showed the
file ~30 times over; the physical pages are the OS page cache, shared, whoever maps them."""

T = TypeVar("T")

# The faults as this engine raises them: still `sqlite3.OperationalError`s too, so the store's own fallbacks (a
# read that cannot add a mirror column on a full or read-only disk reads the JSON instead) keep catching them.


class SqliteFull(StorageFull, sqlite3.OperationalError):
    pass


class SqliteReadOnly(StorageReadOnly, sqlite3.OperationalError):
    pass


class SqliteUnavailable(StorageUnavailable, sqlite3.OperationalError):
    pass


FAULTS: dict[int, tuple[type[StorageFault], str]] = {
    sqlite3.SQLITE_FULL: (SqliteFull, "The disk holding the data is full; nothing was written. Free space and retry."),
    sqlite3.SQLITE_READONLY: (
        SqliteReadOnly,
        "The data directory is read-only; nothing was written. Make it writable by the server's user.",
    ),
    sqlite3.SQLITE_IOERR: (SqliteUnavailable, "The database file could not be read or written (I/O error); retry."),
    sqlite3.SQLITE_CANTOPEN: (
        SqliteUnavailable,
        "The database file could not be opened or created; check that the data directory exists and is writable.",
    ),
    sqlite3.SQLITE_BUSY: (SqliteUnavailable, "The database stayed locked by another writer; retry."),
}
"""SQLite's primary result code → the fault it becomes and its public message."""
UDF_FAILED = "user-defined function raised exception"
"""What sqlite3 says when a Python SQL function (here only `bk_regexp`) raised."""


def _file_size_limited() -> bool:
    """True when this process runs under a finite `RLIMIT_FSIZE`: a write past it fails with EFBIG, which SQLite
    reports as an I/O error, but for the caller it is a full disk."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return soft != resource.RLIM_INFINITY


def fault_of(exc: sqlite3.Error) -> StorageFault | None:
    """The storage fault `exc` stands for, or None when it is not one (constraints, SQL errors, interrupts)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    if code == sqlite3.SQLITE_IOERR_WRITE and _file_size_limited():
        code = sqlite3.SQLITE_FULL
    found = FAULTS.get(code & 0xFF)
    return found[0](found[1]) if found else None


def raise_fault(exc: sqlite3.Error) -> None:
    """Raise what `exc` stands for when it is a storage fault (or a `$regex` stopped mid-match, as its
    `RegexTimeout`); return when it is anything else, for the caller to re-raise unchanged."""
    timed_out = RegexTimeout.pop() if str(exc) == UDF_FAILED else None
    fault: Exception | None = timed_out or fault_of(exc)
    if fault is not None:
        raise fault from None


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
        try:
            self._writer = _connect(path, busy_timeout)
            self._writer.execute("PRAGMA journal_mode = WAL")
            self._writer.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise_fault(exc)
            raise
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[_Reader] = []
        self._readers_lock = threading.Lock()
        self._scans = ThreadPoolExecutor(SCAN_THREADS, "bkend-sqlite-scan", initializer=self._mark_scan_thread)
        self._closed = False

    @contextmanager
    def writer(self) -> Iterator[sqlite3.Connection]:
        """The write connection in autocommit mode, for one statement at a time."""
        with self._write_lock:
            self._check_open()
            try:
                yield self._writer
            except sqlite3.Error as exc:
                raise_fault(exc)
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The write connection inside `BEGIN IMMEDIATE`; committed on success, rolled back on any error."""
        with self._write_lock:
            self._check_open()
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise_fault(exc)
                raise

    def data_version(self) -> int | None:
        """SQLite's `data_version` of the write connection: it changes when another connection commits, and only
        this process writes through this one, so it changes exactly when another process has written. None when a
        write holds the connection right now (the caller then reads afresh instead of waiting)."""
        if not self._write_lock.acquire(blocking=False):
            return None
        try:
            self._check_open()
            return int(self._writer.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise_fault(exc)
            raise
        finally:
            self._write_lock.release()

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
        except sqlite3.Error as exc:
            if str(exc) == "interrupted" and monotonic() > reader.deadline:
                raise QueryTimeout(f"query ran longer than {self._read_timeout:g} s") from None
            raise_fault(exc)
            raise
        finally:
            reader.deadline = float("inf")

    def scan(self, read: Callable[[], T]) -> Future[T]:
        """Run `read` on a scan thread, whose read connection maps the file: for reads that visit every row of a
        large table. They queue for the threads (one per CPU), which is what a CPU-bound read would do anyway."""
        return self._scans.submit(read)

    def on_scan_thread(self) -> bool:
        return getattr(self._local, "scans", False)

    def _mark_scan_thread(self) -> None:
        self._local.scans = True

    def close(self) -> None:
        self._scans.shutdown(wait=False, cancel_futures=True)
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
            try:
                conn = _connect(self._path, self._busy_timeout)
                conn.execute("PRAGMA query_only = ON")
                if self.on_scan_thread():
                    conn.execute(f"PRAGMA mmap_size = {SCAN_MMAP_BYTES}")
            except sqlite3.Error as exc:
                raise_fault(exc)
                raise
            reader = _Reader(conn)
            self._readers.append(reader)
        self._local.reader = reader
        return reader

    def _check_open(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
