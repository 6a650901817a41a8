"""The backstop of read-only mode: a `Backend` whose document store refuses every write with `mcp/read-only`.

Every write path first resolves through `addressing.writable_*`, which refuses a read-only connection with a clear
message before any work. A read-only connection's calls also run against this view, so a write that skipped those
resolvers (a tool added later, a read that writes as a side effect) still changes nothing. Creating an index that
already exists is a no-op, not a write, so "ensure the index" code keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bkend_mcp.blobs.base import BlobStore
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.guardrails import READ_ONLY_MESSAGE
from bkend_mcp.store.base import MATCH_ALL, Collection, DocumentStore, Filter, Index, Query


def _refused() -> BkendError:
    return BkendError("mcp/read-only", READ_ONLY_MESSAGE)


class ReadOnlyCollection:
    def __init__(self, inner: Collection):
        self._inner = inner

    def get(self, doc_id: str) -> dict[str, Any] | None:
        return self._inner.get(doc_id)

    def find(self, query: Query) -> list[dict[str, Any]]:
        return self._inner.find(query)

    def count(self, filter: Filter = MATCH_ALL) -> int:
        return self._inner.count(filter)

    def page(self, query: Query) -> tuple[list[dict[str, Any]], int]:
        return self._inner.page(query)

    def index_names(self) -> list[str]:
        return self._inner.index_names()

    def create_index(self, index: Index) -> None:
        if index.name not in self._inner.index_names():
            raise _refused()

    def insert(self, doc: dict[str, Any]) -> None:
        raise _refused()

    def update(
        self, doc_id: str, set_fields: dict[str, Any], unset_fields: Sequence[str] = (), guard: Filter = MATCH_ALL
    ) -> dict[str, Any] | None:
        raise _refused()

    def delete(self, doc_id: str, guard: Filter = MATCH_ALL) -> bool:
        raise _refused()

    def unset_everywhere(self, path: str) -> int:
        raise _refused()

    def drop_index(self, name: str) -> None:
        raise _refused()


class ReadOnlyStore:
    def __init__(self, inner: DocumentStore):
        self._inner = inner

    def collection(self, namespace: str, name: str) -> ReadOnlyCollection:
        return ReadOnlyCollection(self._inner.collection(namespace, name))

    def collection_names(self, namespace: str) -> list[str]:
        return self._inner.collection_names(namespace)

    def external_changes(self) -> int | None:
        return self._inner.external_changes()

    def drop_collection(self, namespace: str, name: str) -> None:
        raise _refused()

    def drop_namespace(self, namespace: str) -> None:
        raise _refused()

    def close(self) -> None:
        """The view owns nothing; the real store stays open."""


@dataclass(slots=True)
class ReadOnlyBackend(Backend):
    """The backend seen by a read-only connection's calls. Blobs are the real backend's (opened once, shared);
    file records, which say a blob exists, go through the refusing store."""

    origin: Backend | None = None

    @property
    def blobs(self) -> BlobStore:
        assert self.origin is not None
        return self.origin.blobs

    def close(self) -> None:
        """The view owns nothing."""


def read_only_view(backend: Backend) -> Backend:
    """The backend a read-only connection's call works on. It shares the real backend's control cache (what names
    resolve to; the view cannot write, so it never has to clear it)."""
    store = ReadOnlyStore(backend.store)
    return ReadOnlyBackend(backend.config, store, backend.keyring, cache=backend.cache, origin=backend)  # type: ignore[arg-type]
