"""Tables and rows over the management API: the schema editor's 7 types and constraints, schema history and
rollback, indexes, permissions, OpenAPI, and the data browser (filter, sort, paginate, add, edit, delete) with
the data API's own field errors; a rejected write leaves the table unchanged."""

from __future__ import annotations

import json

import pytest

from tests.api.console_helpers import Browser, error, make_owner, ok

SEVEN_TYPES = [
    {"name": "title", "type": "string", "required": True, "minLength": 3, "maxLength": 40, "unique": True},
    {"name": "price", "type": "number", "minimum": 0, "maximum": 1000},
    {"name": "inStock", "type": "boolean", "default": True},
    {"name": "releasedAt", "type": "date"},
    {"name": "meta", "type": "object"},
    {"name": "tags", "type": "array", "items": {"type": "string", "enum": ["new", "sale"]}},
    {"name": "author", "type": "reference", "ref": "authors"},
]


@pytest.fixture
def owner(client, env) -> Browser:
    make_owner(env.backend)
    browser = Browser(client)
    browser.sign_in()
    return browser


@pytest.fixture
def base(env) -> str:
    return f"/v1/console/projects/{env.project_id}/environments/dev/tables"


@pytest.fixture
def books(owner, base) -> str:
    made = ok(owner.post(base, {"table": "books", "fields": SEVEN_TYPES, "displayName": "Books"}), 201)
    assert made["schemaVersion"] == 1 and made["indexVersion"] == 1
    return f"{base}/books"


def test_create_with_the_seven_types_and_constraints(owner, base, books):
    table = ok(owner.get(books))
    fields = {f["name"]: f for f in table["fields"]}
    assert [fields[n["name"]]["type"] for n in SEVEN_TYPES] == [
        "string",
        "number",
        "boolean",
        "date",
        "object",
        "array",
        "reference",
    ]
    assert fields["title"]["required"] is True and fields["title"]["maxLength"] == 40
    assert any(ix.get("unique") and list(ix["fields"]) == ["title"] for ix in table["indexes"])
    listed = ok(owner.get(base))
    assert [t["tableName"] for t in listed["items"]] == ["books"] and listed["environment"] == "dev"
    system = ok(owner.get(f"{base}?includeSystem=true"))["items"]
    assert {"users", "files"} <= {t["tableName"] for t in system if t["isSystem"]}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"table": "1bad"}, "table/invalid-name", None),
        ({"table": "users"}, "table/already-exists", None),
        ({"table": "t", "fields": [{"name": "x", "type": "uuid"}]}, "table/invalid-column-type", None),
        ({"table": "t", "fields": "title"}, "common/invalid-parameters", "fields"),
        ({"table": "t", "indexes": [1]}, "common/invalid-parameters", "indexes"),
    ],
    ids=["bad name", "built-in name", "unknown type", "fields not a list", "index not an object"],
)
def test_table_definitions_are_checked(owner, base, body, code, field):
    response = owner.post(base, body)
    assert response.status_code in (400, 409), response.text
    failure = error(response, response.status_code, code)
    if field:
        assert failure["error"]["details"][0]["field"] == field
    assert ok(owner.get(base))["items"] == []


def test_schema_history_and_rollback(owner, books):
    changed = ok(owner.post(f"{books}/fields", {"add": [{"name": "isbn", "type": "string"}], "require": ["price"]}))
    assert changed["schemaVersion"] == 2
    dry = ok(owner.post(f"{books}/fields", {"remove": ["meta"], "dryRun": True}))
    assert dry["dryRun"] is True and "meta" not in {f["name"] for f in dry["fields"]}
    versions = ok(owner.get(f"{books}/schema-versions"))["items"]
    assert [(v["version"], v["isCurrent"]) for v in versions] == [(2, True), (1, False)]
    assert (
        "schema" not in versions[0]
        and "schema" in ok(owner.get(f"{books}/schema-versions?includeSchema=true"))["items"][0]
    )
    rolled = ok(owner.post(f"{books}/schema-versions/1/rollback"))
    assert rolled["schemaVersion"] == 3 and rolled["rolledBackFrom"] == 1
    assert "isbn" not in {f["name"] for f in rolled["fields"]}
    error(owner.post(f"{books}/schema-versions/9/rollback"), 404, "table/schema-version-not-found")
    error(owner.post(f"{books}/fields", {}), 400, "common/invalid-parameters")
    error(owner.post(f"{books}/fields", {"remove": "meta"}), 400, "common/invalid-parameters")


def test_indexes_and_their_history(owner, books):
    added = ok(owner.post(f"{books}/indexes", {"add": [{"fields": {"price": -1, "title": 1}}]}))
    assert added["indexVersion"] == 2 and any(ix["name"] == "idx_price_desc_title_asc" for ix in added["indexes"])
    assert [v["version"] for v in ok(owner.get(f"{books}/index-versions"))["items"]] == [2, 1]
    back = ok(owner.post(f"{books}/index-versions/1/rollback"))
    assert back["indexVersion"] == 3 and all(ix["name"] != "idx_price_desc_title_asc" for ix in back["indexes"])
    error(owner.post(f"{books}/indexes", {}), 400, "common/invalid-parameters")


def test_permissions_and_delete(owner, base, books):
    rules = {"permissions": {"user": {"read": True, "list": True, "create": False}}}
    updated = ok(owner.patch(books, rules))
    assert updated["permissions"]["user"]["read"] is True
    error(owner.patch(books, {"permissions": {"nobody": {"read": True}}}), 400, "table/invalid-permissions")
    error(owner.delete(books, {"confirm": "Books"}), 400, "common/confirmation-required")
    assert ok(owner.delete(books, {"confirm": "books"}))["deleted"] is True
    error(owner.get(books), 404, "table/not-found")
    error(owner.delete(f"{base}/users", {"confirm": "users"}), 403, "data/system-table-access")


def test_openapi_document(owner, books):
    doc = ok(owner.get(f"{books}/openapi"))
    assert doc["openapi"].startswith("3.") and any(path.endswith("/books") for path in doc["paths"])


def test_rows_are_validated_like_the_data_api(owner, books, env):
    rejected = error(
        owner.post(f"{books}/rows", {"title": "ab", "price": -5, "tags": ["old"]}), 400, "data/validation-error"
    )
    assert sorted(d["field"] for d in rejected["error"]["details"]) == ["price", "tags[0]", "title"]
    assert env.count("books") == 0
    made = ok(owner.post(f"{books}/rows", {"title": "Dune", "price": 9.5}), 201)
    assert made["inStock"] is True and made["id"].startswith("data_")
    error(owner.post(f"{books}/rows", {"title": "Dune"}), 409, "data/duplicate-value")
    row = f"{books}/rows/{made['id']}"
    assert ok(owner.get(row))["title"] == "Dune"
    error(owner.patch(row, {"price": "cheap"}), 400, "data/validation-error")
    assert ok(owner.patch(row, {"price": 12}))["price"] == 12
    assert ok(owner.delete(row)) == {"success": True}
    error(owner.get(row), 404, "data/not-found")
    assert env.count("books") == 0


def test_rows_filter_sort_and_paginate(owner, books):
    for n, title in enumerate(["Alpha", "Bravo", "Charlie", "Delta", "Echo"]):
        ok(owner.post(f"{books}/rows", {"title": title, "price": n * 10}), 201)
    page = ok(owner.get(f"{books}/rows?sortBy=price&sortDirection=desc&limit=2&page=2"))
    assert [r["title"] for r in page["items"]] == ["Charlie", "Bravo"]
    assert page["pagination"]["total"] == 5 and page["pagination"]["hasNext"] is True
    cheap = json.dumps({"price": {"$lte": 10}})
    assert {r["title"] for r in ok(owner.get(f"{books}/rows?andFilters={cheap}"))["items"]} == {"Alpha", "Bravo"}
    assert [r["title"] for r in ok(owner.get(f"{books}/rows?search=char"))["items"]] == ["Charlie"]
    error(owner.get(f"{books}/rows?andFilters=not-json"), 400, "data/validation-error")


def test_rows_of_an_unknown_table(owner, base):
    error(owner.get(f"{base}/ghosts/rows"), 404, "table/not-found")
