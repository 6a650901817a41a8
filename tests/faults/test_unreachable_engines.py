"""A slow (accepts, never answers) or dead (connection refused) MongoDB or S3 with short configured timeouts
(issue #8): the real pymongo and boto3 clients give up within a small multiple of the timeout, with a clear error
that names no host, instead of hanging a worker. Over HTTP, the app on such a MongoDB answers 503
`storage/unavailable`, a server on such an S3 answers 503 `file/storage-unavailable`, and `bkend-mcp serve` on a
dead MongoDB exits with one clear line."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.testclient import TestClient

from bkend_mcp.blobs.base import BlobError
from bkend_mcp.blobs.s3 import S3_ATTEMPTS, S3BlobStore
from bkend_mcp.config import Config
from bkend_mcp.config_storage import S3Settings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.secrets import load_keyring
from bkend_mcp.rest.app import create_app
from bkend_mcp.store.faults import StorageUnavailable
from bkend_mcp.store.mongo import MongoStore
from tests.faults.serving import ROOT, free_port, seed, serve_command, server_env, serving
from tests.faults.silent_peers import closed_port, silent

MONGO_TIMEOUT_MS = 300
S3_TIMEOUT_S = 0.3
HANG_FACTOR = 10
"""A call that takes this many times its whole timeout budget is hanging, not timing out."""
TIMEOUT = 10.0


@contextmanager
def peer(kind: str) -> Iterator[int]:
    if kind == "silent":
        with silent() as port:
            yield port
    else:
        yield closed_port()


def gives_up(call: Callable[[], object], error: type[Exception], budget: float) -> Exception:
    """Run `call`, expect `error`, and that it came well within HANG_FACTOR × `budget` seconds."""
    started = time.monotonic()
    with pytest.raises(error) as raised:
        call()
    assert time.monotonic() - started < HANG_FACTOR * budget
    return raised.value


@pytest.mark.parametrize("kind", ["silent", "dead"])
def test_mongo_store_gives_up_on_an_unreachable_server(kind):
    with peer(kind) as port:
        store = MongoStore.from_uri(f"mongodb://127.0.0.1:{port}/?directConnection=true", timeout_ms=MONGO_TIMEOUT_MS)
        try:
            collection = store.collection("faults", "items")
            fault = gives_up(lambda: collection.insert({"_id": "a"}), StorageUnavailable, MONGO_TIMEOUT_MS / 1000)
            gives_up(lambda: collection.count(), StorageUnavailable, MONGO_TIMEOUT_MS / 1000)
        finally:
            store.close()
    assert "MongoDB did not answer" in str(fault) and str(port) not in str(fault)


def _s3(port: int) -> S3BlobStore:
    return S3BlobStore(
        S3Settings(
            bucket="bucket",
            endpoint=f"http://127.0.0.1:{port}",
            access_key_id="test",
            secret_access_key="test",
            force_path_style=True,
            timeout_s=S3_TIMEOUT_S,
        )
    )


@pytest.mark.parametrize("kind", ["silent", "dead"])
def test_s3_store_gives_up_on_an_unreachable_endpoint(kind):
    with peer(kind) as port:
        store = _s3(port)
        try:
            budget = S3_ATTEMPTS * (2 * S3_TIMEOUT_S + 1)  # connect + read per try, and up to ~1 s of backoff
            error = gives_up(lambda: store.head("some/key"), BlobError, budget)
        finally:
            store.close()
    assert error.code == "ServiceUnavailable"
    assert "did not answer" in error.message and str(port) not in error.message


def test_a_server_on_a_silent_s3_answers_storage_unavailable(tmp_path):
    seeded = seed(tmp_path / "data")
    with silent() as port:
        env = {
            "BKEND_S3_BUCKET": "bucket",
            "BKEND_S3_ENDPOINT": f"http://127.0.0.1:{port}",
            "BKEND_S3_ACCESS_KEY_ID": "test",
            "BKEND_S3_SECRET_ACCESS_KEY": "test",
            "BKEND_S3_FORCE_PATH_STYLE": "true",
            "BKEND_S3_TIMEOUT_S": str(S3_TIMEOUT_S),
        }
        with serving(seeded.data_dir, env=env) as base:
            body = {"filename": "a.txt", "contentType": "text/plain"}
            issued = httpx.post(f"{base}/v1/files/presigned-url", json=body, headers=seeded.sk, timeout=TIMEOUT)
            assert issued.status_code == 200, issued.text
            register = {"s3Key": issued.json()["key"], "originalName": "a.txt", "mimeType": "text/plain", "size": 5}
            answer = httpx.post(f"{base}/v1/files", json=register, headers=seeded.sk, timeout=TIMEOUT)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "file/storage-unavailable"
    assert answer.headers["retry-after"]
    assert "did not answer" in answer.json()["error"]["message"] and str(port) not in answer.text


@pytest.mark.parametrize("kind", ["silent", "dead"])
def test_a_request_on_an_unreachable_mongodb_answers_storage_unavailable(tmp_path, kind):
    with peer(kind) as port:
        config = Config(
            data_dir=tmp_path, mongodb_uri=f"mongodb://127.0.0.1:{port}/", mongodb_timeout_ms=MONGO_TIMEOUT_MS
        )
        store = MongoStore.from_uri(config.mongodb_uri, timeout_ms=config.mongodb_timeout_ms)
        backend = Backend(config, store, load_keyring(tmp_path, None, None))
        try:
            with TestClient(create_app(config, backend), raise_server_exceptions=False) as client:
                answer = client.get("/v1/data/notes", headers={"x-api-key": "pk_" + "0" * 64})
        finally:
            backend.close()
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage/unavailable"
    assert answer.headers["retry-after"]
    assert "MongoDB did not answer" in answer.text and str(port) not in answer.text


def test_serve_on_a_dead_mongodb_exits_with_one_clear_line(tmp_path):
    env = server_env(BKEND_MONGODB_URI=f"mongodb://127.0.0.1:{closed_port()}/", BKEND_MONGODB_TIMEOUT_MS="300")
    ran = subprocess.run(
        serve_command(tmp_path / "data", free_port()), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr
    assert ran.stderr.strip().splitlines() == [
        "bkend-mcp: cannot start: MongoDB did not answer in time; retry, or check that it is running"
    ]
