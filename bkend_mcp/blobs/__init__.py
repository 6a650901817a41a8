"""Object stores behind the BlobStore port (`base.py`), and the choice between them."""

from __future__ import annotations

from pathlib import Path

from bkend_mcp.blobs.base import BlobStore
from bkend_mcp.config import Config


def blob_root(config: Config) -> Path:
    """Where local objects (and, in every mode, the image cache) live: `BKEND_STORAGE_DIR` or `<data dir>/blobs`."""
    return config.storage.directory or config.data_dir / "blobs"


def storage_base_url(config: Config) -> str:
    return (config.storage.public_url or config.base_url).rstrip("/")


def open_blobs(config: Config, signing_key: bytes) -> BlobStore:
    """S3 when configured (`BKEND_S3_BUCKET`), else the local store with URLs signed by `signing_key`."""
    if config.storage.backend == "s3" and config.storage.s3 is not None:
        from bkend_mcp.blobs.s3 import S3BlobStore

        return S3BlobStore(config.storage.s3)
    from bkend_mcp.blobs.local import LocalBlobStore

    secret = config.storage.signing_secret.encode() if config.storage.signing_secret else signing_key
    return LocalBlobStore(blob_root(config), storage_base_url(config), secret)
