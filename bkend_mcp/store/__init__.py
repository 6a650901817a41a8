"""Storage engines behind the DocumentStore port (`base.py`), and the choice between them."""

from __future__ import annotations

from pathlib import Path

from bkend_mcp.store.base import DocumentStore


def open_store(data_dir: Path, mongodb_uri: str | None, mongodb_timeout_ms: int = 10_000) -> DocumentStore:
    """MongoDB when a URI is configured, else the embedded SQLite store in `data_dir/bkend.db`."""
    if mongodb_uri:
        from bkend_mcp.store.mongo import MongoStore

        return MongoStore.from_uri(mongodb_uri, timeout_ms=mongodb_timeout_ms)
    from bkend_mcp.store.sqlite import SqliteStore

    return SqliteStore(data_dir / "bkend.db")
