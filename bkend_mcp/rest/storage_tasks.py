"""The storage sweep as a background task of the server (spec/storage.md §7.4): every `BKEND_STORAGE_SWEEP_SECONDS`
one bounded pass of `domain.files.cleanup.sweep`, in a worker thread, never overlapping itself."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.files import cleanup

log = logging.getLogger("bkend_mcp.files")


async def _sweep_forever(backend: Backend, every: int) -> None:
    limiter = anyio.CapacityLimiter(1)
    while True:
        await anyio.sleep(every)
        try:
            report = await anyio.to_thread.run_sync(cleanup.sweep, backend, limiter=limiter)
        except Exception:
            log.exception("storage sweep failed")
            continue
        if report:
            log.info("storage sweep: %s", report)


@contextlib.asynccontextmanager
async def storage_sweeper(backend: Backend) -> AsyncIterator[None]:
    """Enter inside the app lifespan; `BKEND_STORAGE_SWEEP_SECONDS=0` runs no task."""
    every = backend.config.storage.sweep_seconds
    if every <= 0:
        yield
        return
    async with anyio.create_task_group() as task_group:
        task_group.start_soon(_sweep_forever, backend, every)
        try:
            yield
        finally:
            task_group.cancel_scope.cancel()
