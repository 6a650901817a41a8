"""Managing tables over `/v1/tables` with a secret key: schema and index versions, rollback, protections
(spec/data.md §1.5, §2, §8.2)."""

from __future__ import annotations

import pytest

from tests.api.scenario import Scenario, run


def sk(env):
    return {"x-api-key": env.sk}


def pk(env):
    return {"x-api-key": env.pk}


@pytest.fixture
def books(client, env):
    body = {
        "tableName": "books",
        "schema": {"title": {"bsonType": "string"}, "year": {"bsonType": "int"}},
        "required": ["title"],
    }
    response = client.post("/v1/tables", json=body, headers=sk(env))
    assert response.status_code == 201, response.text
    return response.json()


FAILURES = [
    Scenario(
        "publishable key cannot manage tables",
        "POST",
        "/v1/tables",
        pk,
        body={"tableName": "x"},
        status=403,
        error_code="table/permission-denied",
    ),
    Scenario(
        "user token cannot manage tables",
        "GET",
        "/v1/tables",
        lambda e: {"x-api-key": e.pk, "authorization": f"Bearer {e.user_token('u', 'admin')}"},
        status=403,
        error_code="table/permission-denied",
    ),
    Scenario(
        "name must start with a letter",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "1books"},
        status=400,
        error_code="table/invalid-name",
    ),
    Scenario(
        "system-looking names are refused",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "_hidden"},
        status=400,
        error_code="table/invalid-name",
    ),
    Scenario(
        "built-in names are reserved",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "users"},
        status=409,
        error_code="table/already-exists",
    ),
    Scenario(
        "existing name",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "books"},
        status=409,
        error_code="table/already-exists",
    ),
    Scenario(
        "unknown column type",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "t", "schema": {"a": {"bsonType": "uuid"}}},
        status=400,
        error_code="table/invalid-column-type",
    ),
    Scenario(
        "system field as a column",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "t", "schema": {"createdAt": {"bsonType": "date"}}},
        status=400,
        error_code="table/system-field-protected",
    ),
    Scenario(
        "bad permissions",
        "POST",
        "/v1/tables",
        sk,
        body={"tableName": "t", "permissions": {"robot": {"read": True}}},
        status=400,
        error_code="table/invalid-permissions",
    ),
    Scenario(
        "bad expression",
        "PATCH",
        "/v1/tables/books",
        sk,
        body={"expressionPermissions": {"read": "user | wizard"}},
        status=400,
        error_code="table/invalid-permissions",
    ),
    Scenario("unknown table", "GET", "/v1/tables/nope", sk, status=404, error_code="table/not-found"),
    Scenario(
        "field both added and removed",
        "POST",
        "/v1/tables/books/fields",
        sk,
        body={"fieldsToAddOrUpdate": {"isbn": {"bsonType": "string"}}, "fieldsToRemove": ["isbn"]},
        status=400,
        error_code="table/field-conflict",
    ),
    Scenario(
        "required both added and removed",
        "POST",
        "/v1/tables/books/fields",
        sk,
        body={"requiredFieldsToAdd": ["year"], "requiredFieldsToRemove": ["year"]},
        status=400,
        error_code="table/required-conflict",
    ),
    Scenario(
        "default index is protected",
        "POST",
        "/v1/tables/books/indexes",
        sk,
        body={"indexesToRemove": ["idx_createdAt_desc"]},
        status=400,
        error_code="table/system-index-protected",
    ),
    Scenario(
        "rollback to a missing version",
        "POST",
        "/v1/tables/books/schema-versions/9/rollback",
        sk,
        status=404,
        error_code="table/schema-version-not-found",
    ),
]


@pytest.mark.parametrize("scenario", FAILURES, ids=lambda s: s.name)
def test_table_management_failures(client, env, books, scenario):
    run(client, env, scenario)
    assert [t["tableName"] for t in client.get("/v1/tables", headers=sk(env)).json()["items"]] == ["books"]


def test_created_table_shows_defaults(client, env, books):
    assert books["schemaVersion"] == 1 and books["indexVersion"] == 1 and books["status"] == "deployed"
    assert books["permissions"]["guest"] == {
        "create": False,
        "read": True,
        "list": True,
        "update": False,
        "delete": False,
    }
    assert [ix["name"] for ix in books["indexes"]] == [
        "_id_",
        "idx_createdAt_desc",
        "idx_updatedAt_desc",
        "idx_createdBy",
    ]
    assert books["schema"] == {
        "bsonType": "object",
        "required": ["title"],
        "properties": {"title": {"bsonType": "string"}, "year": {"bsonType": "int"}},
    }


def test_field_changes_make_versions_and_rollback_copies_one(client, env, books):
    changed = client.post(
        "/v1/tables/books/fields",
        headers=sk(env),
        json={
            "fieldsToAddOrUpdate": {"isbn": {"bsonType": "string", "unique": True}, "year": {"minimum": 1450}},
            "requiredFieldsToAdd": ["isbn"],
        },
    ).json()
    assert changed["schemaVersion"] == 2
    assert changed["schema"]["properties"]["year"] == {"bsonType": "int", "minimum": 1450}
    assert "uniq_isbn" in [ix["name"] for ix in changed["indexes"]]
    response = client.post("/v1/data/books", json={"title": "x", "year": 1200}, headers=sk(env))
    assert [d["field"] for d in response.json()["error"]["details"]] == ["year", "isbn"]

    rolled = client.post("/v1/tables/books/schema-versions/1/rollback", headers=sk(env)).json()
    assert rolled["schemaVersion"] == 3 and rolled["schema"]["properties"].keys() == {"title", "year"}
    assert "uniq_isbn" not in [ix["name"] for ix in rolled["indexes"]]
    versions = client.get("/v1/tables/books/schema-versions", headers=sk(env)).json()
    assert [(v["version"], v["change"], v["isCurrent"]) for v in versions["items"]] == [
        (3, "rollback", True),
        (2, "fields", False),
        (1, "create", False),
    ]
    assert versions["pagination"]["total"] == 3


def test_removing_a_field_erases_its_values(client, env, books):
    record = client.post("/v1/data/books", json={"title": "x", "year": 2001}, headers=sk(env)).json()
    client.post("/v1/tables/books/fields", json={"fieldsToRemove": ["year"]}, headers=sk(env))
    assert "year" not in client.get(f"/v1/data/books/{record['id']}", headers=sk(env)).json()


def test_index_changes_make_versions(client, env, books):
    added = client.post(
        "/v1/tables/books/indexes",
        headers=sk(env),
        json={"indexesToAddOrUpdate": [{"name": "by_year", "fields": {"year": -1, "title": 1}}]},
    ).json()
    assert added["indexVersion"] == 2
    assert {
        "name": "by_year",
        "fields": {"year": -1, "title": 1},
        "key": {"year": -1, "title": 1},
        "unique": False,
        "sparse": False,
        "system": False,
    } in added["indexes"]
    removed = client.post("/v1/tables/books/indexes", json={"indexesToRemove": ["by_year"]}, headers=sk(env)).json()
    assert removed["indexVersion"] == 3 and "by_year" not in [ix["name"] for ix in removed["indexes"]]
    restored = client.post("/v1/tables/books/index-versions/2/rollback", headers=sk(env)).json()
    assert restored["indexVersion"] == 4 and "by_year" in [ix["name"] for ix in restored["indexes"]]
    listed = client.get("/v1/tables/books/index-versions?limit=2", headers=sk(env)).json()
    assert [v["version"] for v in listed["items"]] == [4, 3] and listed["pagination"]["hasNext"] is True


def test_unique_index_over_duplicates_is_refused_without_a_version(client, env, books):
    for _ in range(2):
        client.post("/v1/data/books", json={"title": "same"}, headers=sk(env))
    response = client.post(
        "/v1/tables/books/indexes",
        headers=sk(env),
        json={"indexesToAddOrUpdate": [{"name": "title_unique", "fields": {"title": 1}, "unique": True}]},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "table/duplicate-data"
    after = client.get("/v1/tables/books", headers=sk(env)).json()
    assert after["indexVersion"] == 1 and "title_unique" not in [ix["name"] for ix in after["indexes"]]
    assert client.post("/v1/data/books", json={"title": "same"}, headers=sk(env)).status_code == 201


def test_permissions_are_replaced_whole(client, env, books):
    updated = client.patch("/v1/tables/books", json={"permissions": {"guest": {"read": True}}}, headers=sk(env))
    assert updated.json()["permissions"] == {"guest": {"read": True}}
    user = {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('u1')}"}
    assert client.post("/v1/data/books", json={"title": "x"}, headers=user).status_code == 403
    assert client.get("/v1/data/books", headers=pk(env)).status_code == 200


def test_deleting_a_table_drops_its_data(client, env, books):
    client.post("/v1/data/books", json={"title": "x"}, headers=sk(env))
    assert client.delete("/v1/tables/books", headers=sk(env)).json()["success"] is True
    assert client.get("/v1/data/books", headers=sk(env)).status_code == 404
    recreated = client.post("/v1/tables", json={"tableName": "books"}, headers=sk(env)).json()
    assert recreated["documentCount"] == 0 and recreated["schemaVersion"] == 1


def test_abstract_columns_create_the_same_schema(client, env):
    body = {
        "tableName": "cols",
        "fields": [
            {"name": "title", "type": "String", "required": True, "maxLength": 20},
            {"name": "price", "type": "number", "min": 0},
            {"name": "done", "type": "boolean", "default": False},
        ],
    }
    created = client.post("/v1/tables", json=body, headers=sk(env)).json()
    assert created["schema"]["properties"] == {
        "title": {"bsonType": "string", "maxLength": 20},
        "price": {"bsonType": "double", "minimum": 0},
        "done": {"bsonType": "bool", "default": False},
    }
    assert created["schema"]["required"] == ["title"]
