"""Shared fixtures: a real backend on a fresh data dir, seeded through domain calls, and an HTTP client over the
real ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from bkend_mcp.config import Argon2Params, Config
from bkend_mcp.domain import keys, tables
from bkend_mcp.domain.backend import Backend, open_backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.rest.app import create_app
from tests import auth_testing
from tests.oauth_provider import oauth_provider, oauth_server  # noqa: F401  (fixtures: a local OAuth provider)

TEST_ARGON2 = Argon2Params(time_cost=2, memory_kib=19456, parallelism=1)
"""OWASP's minimum (the shipped default too), spelled out so the suite does not follow a stronger default."""


@dataclass
class Env:
    """The first-start project's `dev` environment and helpers to act in it."""

    backend: Backend
    project_id: str
    environment_id: str
    organization_id: str
    pk: str
    sk: str

    def user_token(self, uid: str, role: str = "user", **kw: Any) -> str:
        """An access token of a real user `uid` with a live session. The user is created on first use (address
        `<uid>@users.test`); asking for another role changes the stored role, which is what authorizes."""
        return auth_testing.user_token(self.backend, self.project_id, self.environment_id, uid, role, **kw)

    def create_table(self, name: str, fields: Any = None, **rules: Any) -> dict[str, Any]:
        return tables.create_table(
            self.backend,
            project_id=self.project_id,
            environment_id=self.environment_id,
            table_name=name,
            created_by="test",
            fields=fields,
            **rules,
        )

    def make_key(self, key_type: str = "publishable", scopes: list[str] | None = None, **kw: Any) -> dict[str, Any]:
        """A new key of this environment; the result carries the plaintext `key` and the key's `id`."""
        return keys.create_key(
            self.backend,
            project_id=self.project_id,
            environment_id=self.environment_id,
            organization_id=self.organization_id,
            key_type=key_type,
            name="test",
            created_by="test",
            scopes=scopes,
            **kw,
        )

    def new_key(self, key_type: str = "publishable", scopes: list[str] | None = None, **kw: Any) -> str:
        return self.make_key(key_type, scopes, **kw)["key"]

    def count(self, table: str) -> int:
        return self.backend.data(self.environment_id, table).count()


@pytest.fixture(params=["sqlite", "mongomock"])
def backend(request, tmp_path) -> Iterator[Backend]:
    """The whole product on each engine: the embedded SQLite store, and the MongoDB adapter over mongomock."""
    config = Config(data_dir=tmp_path / "data", argon2=TEST_ARGON2)
    if request.param == "sqlite":
        opened = open_backend(config)
    else:
        mongomock = pytest.importorskip("mongomock")
        from bkend_mcp.domain import tenancy
        from bkend_mcp.domain.secrets import load_keyring
        from bkend_mcp.store.mongo import MongoStore

        config.data_dir.mkdir(parents=True)
        opened = Backend(config, MongoStore(mongomock.MongoClient()), load_keyring(config.data_dir, None, None))
        tenancy.prepare_control_plane(opened)
    yield opened
    opened.close()


@pytest.fixture
def env(backend: Backend) -> Env:
    info = first_start(backend)
    assert info is not None
    return Env(
        backend,
        info["project"]["id"],
        info["environmentId"],
        info["project"]["organizationId"],
        info["publishableKey"],
        info["secretKey"],
    )


@pytest.fixture
def client(backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app(backend.config, backend), raise_server_exceptions=False) as test_client:
        yield test_client
