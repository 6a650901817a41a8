"""The running backend: the store, the keyring and the settings every domain function works with.

Built once by `open_backend` (the app factory and the MCP lifespan call it) and passed down explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from bkend_mcp.blobs import open_blobs
from bkend_mcp.blobs.base import BlobStore
from bkend_mcp.config import Config
from bkend_mcp.domain.secrets import Keyring, load_keyring
from bkend_mcp.store import open_store
from bkend_mcp.store.base import Collection, DocumentStore

CONTROL = "control"
"""The namespace of the control plane: organizations, projects, environments, keys and table metadata."""


@dataclass(slots=True)
class Backend:
    config: Config
    store: DocumentStore
    keyring: Keyring
    blob_store: BlobStore | None = None
    """Opened on first use (see `blobs`), so a backend that never touches files never builds one."""

    @property
    def blobs(self) -> BlobStore:
        if self.blob_store is None:
            self.blob_store = open_blobs(self.config, self.keyring.storage_signing_key())
        return self.blob_store

    def control(self, name: str) -> Collection:
        return self.store.collection(CONTROL, name)

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
    store = open_store(config.data_dir, config.mongodb_uri)
    backend = Backend(config, store, load_keyring(config.data_dir, config.master_key, config.jwt_secret))
    tenancy.prepare_control_plane(backend)
    return backend
