"""The disk cache of transformed images (spec/storage.md §5.6): `<blob root>/img-cache/<sha256(key)>/<variant>`.

One folder per source key, so a visibility change or a delete purges every variant of the file at once. Entries are
written atomically; a hit refreshes the entry's time, and a write evicts the least recently used entries while the
cache is over `BKEND_IMAGE_CACHE_MAX_BYTES`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from pathlib import Path

from bkend_mcp.blobs import blob_root
from bkend_mcp.domain.backend import Backend


def cache_root(backend: Backend) -> Path:
    return blob_root(backend.config) / "img-cache"


def _folder(backend: Backend, key: str) -> Path:
    return cache_root(backend) / hashlib.sha256(key.encode()).hexdigest()


def lookup(backend: Backend, key: str, variant: str) -> Path | None:
    path = _folder(backend, key) / variant
    try:
        os.utime(path)
    except FileNotFoundError:
        return None
    return path


def store(backend: Backend, key: str, variant: str, data: bytes) -> Path:
    folder = _folder(backend, key)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{variant}.{secrets.token_hex(4)}"
    tmp.write_bytes(data)
    os.replace(tmp, folder / variant)
    evict(backend, backend.config.storage.image_cache_max_bytes)
    return folder / variant


def purge(backend: Backend, key: str) -> None:
    shutil.rmtree(_folder(backend, key), ignore_errors=True)


def evict(backend: Backend, max_bytes: int) -> int:
    """Remove the least recently used entries until the cache fits; returns how many were removed."""
    root = cache_root(backend)
    if not root.exists():
        return 0
    entries = []
    for path in root.glob("*/*"):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
