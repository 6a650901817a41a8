"""App-user auth end to end against `bkend-mcp serve` on a real port: sign up, sign in, write a record with the
token, refresh (also concurrently with one token), me, sign out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start

PASSWORD = "Passw0rd!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("e2e-auth") / "data"
    backend = open_backend(Config(data_dir=data_dir))
    info = first_start(backend)
    assert info is not None
    backend.close()
    port = _free_port()
    log_path = data_dir.parent / "server.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bkend_mcp", "serve", "--port", str(port), "--data-dir", str(data_dir),
         "--log-level", "warning"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"server did not start: {log_path.read_text()}")
        time.sleep(0.05)  # polling for readiness, not waiting for a result
    yield {"base": base, "pk": info["publishableKey"], "sk": info["secretKey"]}
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server["base"], timeout=20, headers={"x-api-key": server["pk"]}) as client:
        table = {"tableName": "posts", "schema": {"title": {"bsonType": "string"}}, "required": ["title"]}
        assert client.post("/v1/tables", json=table, headers={"x-api-key": server["sk"]}).status_code == 201
        yield client


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_signup_signin_write_refresh_me_signout(http):
    signup = http.post("/v1/auth/email/signup", json={"email": "Ada@Example.com", "password": PASSWORD, "name": "Ada"})
    assert signup.status_code == 201, signup.text
    signin = http.post("/v1/auth/email/signin", json={"email": "ada@example.com", "password": PASSWORD},
                       headers=_auth("stale-token-from-last-week"))  # fmt: skip
    assert signin.status_code == 200, signin.text
    pair = signin.json()
    record = http.post("/v1/data/posts", json={"title": "hello"}, headers=_auth(pair["accessToken"]))
    assert record.status_code == 201, record.text
    refreshed = http.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert isinstance(new["accessToken"], str) and isinstance(new["refreshToken"], str)
    me = http.get("/v1/auth/me", headers=_auth(new["accessToken"])).json()
    sub = jwt.decode(new["accessToken"], options={"verify_signature": False})["sub"]
    assert me["id"] == sub == record.json()["createdBy"] == signup.json()["user"]["id"]
    assert http.get("/v1/auth/me", headers=_auth(pair["accessToken"])).status_code == 200
    assert http.post("/v1/auth/signout", headers=_auth(new["accessToken"])).status_code == 200
    for token in (new["accessToken"], pair["accessToken"]):
        assert http.get("/v1/auth/me", headers=_auth(token)).status_code == 401


def test_concurrent_refreshes_with_one_token_all_succeed(http):
    body = {"email": "bob@example.com", "password": PASSWORD, "name": "Bob"}
    refresh_token = http.post("/v1/auth/email/signup", json=body).json()["refreshToken"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: http.post("/v1/auth/refresh", json={"refreshToken": refresh_token}),
                                  range(4)))  # fmt: skip
    assert [r.status_code for r in responses] == [200] * 4
    for response in responses:
        assert http.get("/v1/auth/me", headers=_auth(response.json()["accessToken"])).status_code == 200
