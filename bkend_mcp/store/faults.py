"""Faults of the storage underneath a request: a full disk, a read-only data dir, an engine that does not answer.

Engines and object stores raise these instead of their driver's errors, so the renderers can name the cause
(`storage/disk-full`, `storage/read-only`, `storage/unavailable`, see `domain/errors.py`) without knowing the
driver. Messages are safe to show a caller: no paths, no SQL, no driver text.
"""

from __future__ import annotations


class StorageFault(Exception):
    """Storage failed for a reason outside the request; nothing was written by the failing call."""


class StorageFull(StorageFault):
    """The disk (or the process's file-size limit) has no room for the write."""


class StorageReadOnly(StorageFault):
    """The data directory or its files cannot be written."""


class StorageUnavailable(StorageFault):
    """The engine did not answer in time, refused the connection, or failed with an I/O error."""
