"""The seed document's insert example end to end, against `bkend-mcp serve` on a real port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start
from tests import auth_testing
from tests.mcp.live_server import live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    backend = open_backend(Config(data_dir=data_dir))
    info = first_start(backend)
    assert info is not None
    token = auth_testing.user_token(backend, info["project"]["id"], info["environmentId"], "user-7")
    backend.close()
    with live_server(data_dir) as running:
        yield {"base": running.base, "info": info, "token": token}


@pytest.fixture(scope="module")
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server["base"], timeout=10) as client:
        sk = {"x-api-key": server["info"]["secretKey"]}
        table = {
            "tableName": "profiles",
            "schema": {
                "name": {"bsonType": "string"},
                "age": {"bsonType": "double"},
                "email": {"bsonType": "string", "unique": True},
            },
            "required": ["name"],
        }
        assert client.post("/v1/tables", json=table, headers=sk).status_code == 201
        yield client


def _seed_headers(server) -> dict[str, str]:
    return {
        "x-project-id": server["info"]["project"]["id"],
        "x-environment": "dev",
        "authorization": f"Bearer {server['token']}",
        "content-type": "application/json",
    }


def test_health_answers(http):
    body = http.get("/health").json()
    assert body["status"] == "ok" and body["store"] == "sqlite"


def test_seed_insert_returns_the_stored_record(http, server):
    body = {
        "name": "Ada",
        "age": "30",
        "email": "ada@example.com",
        "id": "spoofed",
        "createdBy": "mallory",
        "createdAt": "1999-01-01T00:00:00Z",
    }
    response = http.post("/v1/data/profiles", json=body, headers=_seed_headers(server))
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["id"].startswith("data_") and record["id"] != "spoofed"
    assert record["createdBy"] == "user-7"
    assert record["createdAt"] == record["updatedAt"] and record["createdAt"].endswith("Z")
    assert not record["createdAt"].startswith("1999")
    assert record["age"] == 30 and '"age":30,' in response.text
    fetched = http.get(f"/v1/data/profiles/{record['id']}", headers=_seed_headers(server)).json()
    assert fetched == record


def test_seed_insert_names_each_bad_field(http, server):
    response = http.post("/v1/data/profiles", json={"age": "old"}, headers=_seed_headers(server))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "data/validation-error"
    assert [d["field"] for d in error["details"]] == ["name", "age"]


def test_seed_insert_unique_clash_is_409(http, server):
    headers = _seed_headers(server)
    first = http.post("/v1/data/profiles", json={"name": "A", "email": "dup@example.com"}, headers=headers)
    assert first.status_code == 201
    second = http.post("/v1/data/profiles", json={"name": "B", "email": "dup@example.com"}, headers=headers)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "data/duplicate-value"
    assert second.json()["error"]["details"][0]["field"] == "email"


def test_seed_insert_without_create_permission_is_403(http, server):
    sk = {"x-api-key": server["info"]["secretKey"]}
    assert (
        http.patch("/v1/tables/profiles", json={"permissions": {"user": {"read": True}}}, headers=sk).status_code == 200
    )
    response = http.post("/v1/data/profiles", json={"name": "C"}, headers=_seed_headers(server))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "data/permission-denied"
    assert http.patch("/v1/tables/profiles", json={"permissions": None}, headers=sk).status_code == 200


def test_seed_insert_unknown_table_is_404(http, server):
    response = http.post("/v1/data/ghosts", json={"name": "x"}, headers=_seed_headers(server))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "data/table-not-found"


def test_request_without_project_header_is_400(http, server):
    headers = {"authorization": f"Bearer {server['token']}"}
    response = http.post("/v1/data/profiles", json={"name": "x"}, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "data/invalid-header" and body["message"] == body["error"]["message"]
