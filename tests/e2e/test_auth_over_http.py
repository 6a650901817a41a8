"""App-user auth end to end against `bkend-mcp serve` on a real port: sign up, sign in, write a record with the
token, refresh (also concurrently with one token), me, sign out."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import jwt
import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start
from tests.mcp.live_server import live_server

PASSWORD = "Passw0rd!"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("e2e-auth") / "data"
    backend = open_backend(Config(data_dir=data_dir))
    info = first_start(backend)
    assert info is not None
    backend.close()
    with live_server(data_dir) as running:
        yield {"base": running.base, "pk": info["publishableKey"], "sk": info["secretKey"]}


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
