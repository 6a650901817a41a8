"""Every DocumentStore engine behind one contract suite, and every BlobStore adapter behind another.

`engine` is parametrised over the embedded SQLite store, the Mongo adapter on mongomock, and the Mongo adapter on
a real server when `BKEND_TEST_MONGODB_URI` is set. `engine.open()` gives a new store handle on the same data (for
reopen and multi-process tests); `store` is one such handle, closed after the test.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bkend_mcp.blobs.base import BlobStore
from bkend_mcp.config_storage import S3Settings
from bkend_mcp.store.base import Collection, DocumentStore
from tests.blobs_testing import moto_s3

MONGODB_URI_ENV = "BKEND_TEST_MONGODB_URI"


@dataclass(frozen=True)
class Engine:
    name: str
    open: Callable[[], DocumentStore]
    """A new handle on the same stored data; picklable for the SQLite engine."""


def _sqlite(tmp_path: Path) -> Iterator[Engine]:
    from bkend_mcp.store.sqlite import SqliteStore

    yield Engine("sqlite", functools.partial(SqliteStore, tmp_path / "store.db"))


def _mongo_store() -> type:
    try:
        from bkend_mcp.store.mongo import MongoStore
    except ImportError as exc:
        pytest.skip(f"bkend_mcp.store.mongo cannot be imported: {exc}")
    return MongoStore


def _mongomock(tmp_path: Path) -> Iterator[Engine]:
    mongo_store = _mongo_store()
    try:
        import mongomock
    except ImportError as exc:
        pytest.skip(f"mongomock is not installed: {exc}")
    client = mongomock.MongoClient()
    yield Engine("mongomock", lambda: mongo_store(client))


def _mongo(tmp_path: Path) -> Iterator[Engine]:
    uri = os.environ.get(MONGODB_URI_ENV)
    if not uri:
        pytest.skip(f"set {MONGODB_URI_ENV} to run the contract against a real MongoDB")
    mongo_store = _mongo_store()
    import pymongo

    prefix = f"bkt_{uuid.uuid4().hex[:10]}_"
    client: pymongo.MongoClient = pymongo.MongoClient(uri)
    try:
        yield Engine("mongo", lambda: mongo_store(client, db_prefix=prefix))
    finally:
        for name in client.list_database_names():
            if name.startswith(prefix):
                client.drop_database(name)
        client.close()


ENGINES: dict[str, Callable[[Path], Iterator[Engine]]] = {
    "sqlite": _sqlite,
    "mongomock": _mongomock,
    "mongo": _mongo,
}


@pytest.fixture(params=list(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from ENGINES[request.param](tmp_path)


@pytest.fixture
def engine_name(engine: Engine) -> str:
    return engine.name


@pytest.fixture
def open_store(engine: Engine) -> Callable[[], DocumentStore]:
    """Opens another handle on the test's data (picklable for SQLite, for multi-process tests)."""
    return engine.open


@pytest.fixture
def store(engine: Engine) -> Iterator[DocumentStore]:
    opened = engine.open()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def items(store: DocumentStore) -> Collection:
    """An empty collection `items` in namespace `app`."""
    return store.collection("app", "items")


# --- blob stores ---------------------------------------------------------------------------------------------------


@dataclass
class Blobs:
    """One BlobStore adapter and an HTTP client that reaches its presigned URLs the way a browser does."""

    name: str
    store: BlobStore
    http: Callable[..., httpx.Response]
    verifies_signatures: bool
    """moto serves presigned URLs without checking their signature or expiry; the local store checks both."""


@pytest.fixture(scope="session")
def moto_settings() -> Iterator[S3Settings]:
    with moto_s3() as settings:
        yield settings


def _local_blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Blobs]:
    from starlette.testclient import TestClient

    from bkend_mcp.config import Config
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.rest.app import create_app

    backend = open_backend(Config(data_dir=tmp_path / "data"))
    with TestClient(create_app(backend.config, backend)) as client:
        yield Blobs("local", backend.blobs, client.request, True)
    backend.close()


def _s3_blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Blobs]:
    from bkend_mcp.blobs.s3 import S3BlobStore

    settings = request.getfixturevalue("moto_settings")
    store = S3BlobStore(settings)
    with httpx.Client(timeout=30) as client:
        yield Blobs("s3", store, client.request, False)
    store.close()


BLOB_STORES = {"local": _local_blobs, "s3": _s3_blobs}


@pytest.fixture(params=list(BLOB_STORES))
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Blobs]:
    yield from BLOB_STORES[request.param](request, tmp_path)


@pytest.fixture
def blob_key() -> str:
    """A fresh key in the layout the domain builds (`{project}/{environment}/{bucket}/{fileId}/{name}`)."""
    return f"proj_contract/dev/images/file_{uuid.uuid4().hex}/photo.png"
