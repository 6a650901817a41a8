"""A `World` per engine for a test module: the same two engines as the `backend` fixture (tests/conftest.py), but
opened once per module so the matrix's hundreds of cells share one populated deployment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import Backend, open_backend
from bkend_mcp.rest.app import create_app
from tests.api.access_matrix.world import World, build
from tests.conftest import TEST_ARGON2


def _backend(engine: str, config: Config) -> Backend:
    if engine == "sqlite":
        return open_backend(config)
    mongomock = pytest.importorskip("mongomock")
    from bkend_mcp.domain import tenancy
    from bkend_mcp.domain.secrets import load_keyring
    from bkend_mcp.store.mongo import MongoStore

    config.data_dir.mkdir(parents=True)
    opened = Backend(config, MongoStore(mongomock.MongoClient()), load_keyring(config.data_dir, None, None))
    tenancy.prepare_control_plane(opened)
    return opened


def open_world(engine: str, tmp_path_factory: Any) -> Iterator[World]:
    config = Config(data_dir=tmp_path_factory.mktemp(engine) / "data", argon2=TEST_ARGON2)
    backend = _backend(engine, config)
    try:
        with TestClient(create_app(config, backend), raise_server_exceptions=False) as client:
            yield build(backend, client)
    finally:
        backend.close()
