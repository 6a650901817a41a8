"""rest/data.py `TableRoutes`: one regex stands for the eight data paths under each prefix; every shape of path
must still reach the same handler, with the same parameters and the same 404/405 answers as separate routes."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import records
from bkend_mcp.domain.identity import resolve_caller
from tests.api.scenario import Scenario, run

RECORD_ID = "data_0123456789"


@pytest.fixture
def seeded(env):
    env.create_table("posts", {"title": {"type": "string"}})
    caller = resolve_caller(env.backend, {"x-api-key": env.sk})
    table = records.resolve_table(env.backend, caller, "posts", "create")
    doc = {**records.new_document(table, caller, {"title": "hello"}), "_id": RECORD_ID}
    records.insert_document(env.backend.data(env.environment_id, "posts"), doc)
    return env


def sk(env):
    return {"x-api-key": env.sk}


def one(**expect):
    return {"id": RECORD_ID, "title": "hello", **expect}


SHAPES = [
    Scenario("list", "GET", "/v1/data/posts", sk, expect={"pagination": {"total": 1}}),
    Scenario("list, trailing slash", "GET", "/v1/data/posts/", sk, expect={"pagination": {"total": 1}}),
    Scenario("list via shorthand, trailing slash", "GET", "/v1/posts/", sk, expect={"pagination": {"total": 1}}),
    Scenario("one record", "GET", f"/v1/data/posts/{RECORD_ID}", sk, expect=one()),
    Scenario("one record, trailing slash", "GET", f"/v1/data/posts/{RECORD_ID}/", sk, expect=one()),
    Scenario("one record via shorthand", "GET", f"/v1/posts/{RECORD_ID}", sk, expect=one()),
    Scenario("one record with a query", "GET", f"/v1/data/posts/{RECORD_ID}?select=title", sk, expect=one()),
    Scenario(
        "update, trailing slash",
        "PATCH",
        f"/v1/data/posts/{RECORD_ID}/",
        sk,
        body={"title": "hi"},
        expect=one(title="hi"),
    ),
    Scenario("spec, trailing slash", "GET", "/v1/data/posts/spec/", sk, expect={"tableName": "posts"}),
    Scenario("openapi via shorthand", "GET", "/v1/posts/openapi", sk, expect={"openapi": "3.0.0"}),
    Scenario(
        "a third segment is no data route",
        "GET",
        f"/v1/data/posts/{RECORD_ID}/x",
        sk,
        status=404,
        error_code="common/not-found",
    ),
    Scenario("no table is no data route", "GET", "/v1/data/", sk, status=404, error_code="common/not-found"),
    Scenario("shorthand refuses reserved names", "GET", "/v1/console/x", sk, status=404, error_code="common/not-found"),
    Scenario(
        "a method of another route",
        "POST",
        f"/v1/data/posts/{RECORD_ID}",
        sk,
        body={},
        status=405,
        error_code="data/method-not-allowed",
        response_headers={"allow": "GET, PATCH, DELETE"},
    ),
    Scenario(
        "a method no data route has", "OPTIONS", "/v1/data/posts", sk, status=405, error_code="data/method-not-allowed"
    ),
    Scenario(
        "updating a record named spec finds none",
        "PATCH",
        "/v1/data/posts/spec",
        sk,
        body={"title": "x"},
        status=404,
        error_code="data/not-found",
        unchanged="posts",
    ),
    Scenario(
        "deleting a record named openapi finds none",
        "DELETE",
        "/v1/posts/openapi",
        sk,
        status=404,
        error_code="data/not-found",
        unchanged="posts",
    ),
    Scenario("deleting, trailing slash", "DELETE", f"/v1/data/posts/{RECORD_ID}/", sk, expect={"success": True}),
]


@pytest.mark.parametrize("scenario", SHAPES, ids=lambda s: s.name)
def test_every_data_path_shape_reaches_its_handler(client, seeded, scenario):
    run(client, seeded, scenario)
