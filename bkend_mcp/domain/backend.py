"""The running backend: the store, the keyring and the settings every domain function works with.

Built once by `open_backend` (the app factory and the MCP lifespan call it) and passed down explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, TypeVar

from bkend_mcp.blobs import open_blobs
from bkend_mcp.blobs.base import BlobStore
from bkend_mcp.config import Config
from bkend_mcp.domain.secrets import Keyring, load_keyring
from bkend_mcp.store import open_store
from bkend_mcp.store.base import MATCH_ALL, Collection, DocumentStore, Filter, Index

Document = dict[str, Any]

CONTROL = "control"
"""The namespace of the control plane: organizations, projects, environments, keys and table metadata."""

CACHE_TTL_SECONDS = 1.0
"""How long a cached control-plane lookup (table metadata, API key, live environment) is trusted. A write made
through this process's `Backend` clears the cache at once; a write made by another worker process on the same
data dir is seen within this time (spec/data.md §9 item 38 allows up to 60 s for keys)."""
CACHED_COLLECTIONS = frozenset(
    {"tables", "api_keys", "projects", "environments", "organizations", "mcp_tokens", "oauth_grants"}
)
MAX_CACHE_ENTRIES = 10_000
T = TypeVar("T")


class ControlCache:
    """Read-mostly control-plane lookups on the hot path of every request, keyed by the caller's choice. Entries
    are shared between threads and must not be mutated. Any write to a watched control collection through this
    backend bumps `generation`, which retires every entry (including ones loaded while the write ran)."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS) -> None:
        self.ttl = ttl
        self.generation = 0
        self._entries: dict[Hashable, tuple[int, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        entry = self._entries.get(key)
        now = monotonic()
        if entry is not None and entry[0] == self.generation and now - entry[1] < self.ttl:
            return entry[2]
        generation = self.generation
        value = load()
        with self._lock:
            if len(self._entries) >= MAX_CACHE_ENTRIES:
                self._entries.clear()
            self._entries[key] = (generation, now, value)
        return value

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


class _Watched:
    """A control collection whose writes invalidate the `ControlCache` (reads pass straight through)."""

    def __init__(self, inner: Collection, cache: ControlCache) -> None:
        self._inner, self._cache = inner, cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def insert(self, doc: Document) -> None:
        try:
            self._inner.insert(doc)
        finally:
            self._cache.invalidate()

    def update(
        self, doc_id: str, set_fields: dict[str, Any], unset_fields: Sequence[str] = (), guard: Filter = MATCH_ALL
    ) -> Document | None:
        try:
            return self._inner.update(doc_id, set_fields, unset_fields, guard)
        finally:
            self._cache.invalidate()

    def delete(self, doc_id: str, guard: Filter = MATCH_ALL) -> bool:
        try:
            return self._inner.delete(doc_id, guard)
        finally:
            self._cache.invalidate()

    def unset_everywhere(self, path: str) -> int:
        try:
            return self._inner.unset_everywhere(path)
        finally:
            self._cache.invalidate()

    def create_index(self, index: Index) -> None:
        self._inner.create_index(index)

    def drop_index(self, name: str) -> None:
        self._inner.drop_index(name)


@dataclass(slots=True)
class Backend:
    config: Config
    store: DocumentStore
    keyring: Keyring
    blob_store: BlobStore | None = None
    """Opened on first use (see `blobs`), so a backend that never touches files never builds one."""
    cache: ControlCache = field(default_factory=ControlCache)

    @property
    def blobs(self) -> BlobStore:
        if self.blob_store is None:
            self.blob_store = open_blobs(self.config, self.keyring.storage_signing_key())
        return self.blob_store

    def control(self, name: str) -> Collection:
        collection = self.store.collection(CONTROL, name)
        if name in CACHED_COLLECTIONS:
            return _Watched(collection, self.cache)  # type: ignore[return-value]
        return collection

    def data(self, environment_id: str, table: str) -> Collection:
        return self.store.collection(environment_id, table)

    def close(self) -> None:
        self.store.close()
        if self.blob_store is not None:
            self.blob_store.close()


def open_backend(config: Config) -> Backend:
    """Open the configured store and keyring and make sure the control plane's indexes exist."""
    from bkend_mcp.domain import tenancy

    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(config.data_dir, config.mongodb_uri, config.mongodb_timeout_ms)
    backend = Backend(config, store, load_keyring(config.data_dir, config.master_key, config.jwt_secret))
    tenancy.prepare_control_plane(backend)
    return backend
