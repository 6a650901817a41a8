"""The data API against the real app: every route's failure modes and successes as one scenario table."""

from __future__ import annotations

import pytest

from tests.api.scenario import Scenario, run

POSTS = {
    "title": {"type": "string", "required": True, "maxLength": 100},
    "age": {"type": "number"},
    "published": {"type": "boolean"},
    "email": {"type": "string", "unique": True},
    "due": {"type": "date"},
    "day": {"type": "string"},
    "tags": {"type": "array", "itemType": "string"},
}
NOTES_PERMISSIONS = {
    "user": {"create": True},
    "self": {"read": True, "list": True, "update": True, "delete": True},
}


@pytest.fixture
def seeded(env):
    env.create_table("posts", POSTS)
    env.create_table("notes", {"text": {"type": "string"}}, permissions=NOTES_PERMISSIONS)
    return env


def pk(env):
    return {"x-api-key": env.pk}


def sk(env):
    return {"x-api-key": env.sk}


def user(uid="u1", role="user"):
    return lambda env: {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token(uid, role)}"}


def seed(uid="u1"):
    return lambda env: {
        "x-project-id": env.project_id,
        "x-environment": "dev",
        "authorization": f"Bearer {env.user_token(uid)}",
    }


AUTH_FAILURES = [
    Scenario(
        "no key",
        "POST",
        "/v1/data/posts",
        body={"title": "x"},
        status=400,
        error_code="data/invalid-header",
        unchanged="posts",
    ),
    Scenario(
        "malformed key",
        "POST",
        "/v1/data/posts",
        lambda e: {"x-api-key": "pk_nothex"},
        body={"title": "x"},
        status=401,
        error_code="auth/invalid-token-format",
        unchanged="posts",
    ),
    Scenario(
        "unknown key",
        "POST",
        "/v1/data/posts",
        lambda e: {"x-api-key": "pk_" + "a" * 64},
        body={"title": "x"},
        status=401,
        error_code="auth/unauthorized",
        unchanged="posts",
    ),
    Scenario(
        "garbage bearer",
        "POST",
        "/v1/data/posts",
        lambda e: {"x-api-key": e.pk, "authorization": "Bearer abc"},
        body={"title": "x"},
        status=401,
        error_code="auth/invalid-token-format",
        unchanged="posts",
    ),
    Scenario(
        "basic auth scheme",
        "GET",
        "/v1/data/posts",
        lambda e: {"x-api-key": e.pk, "authorization": "Basic eA=="},
        status=401,
        error_code="auth/invalid-token-format",
    ),
    Scenario(
        "expired token",
        "POST",
        "/v1/data/posts",
        lambda e: {"x-api-key": e.pk, "authorization": f"Bearer {e.user_token('u1', ttl=-60)}"},
        body={"title": "x"},
        status=401,
        error_code="auth/access-token-expired",
        unchanged="posts",
    ),
    Scenario(
        "unknown project header",
        "GET",
        "/v1/data/posts",
        lambda e: {"x-project-id": "proj_nope"},
        status=404,
        error_code="data/project-not-found",
    ),
    Scenario(
        "unknown environment header",
        "GET",
        "/v1/data/posts",
        lambda e: {"x-project-id": e.project_id, "x-environment": "prod"},
        status=404,
        error_code="data/environment-not-found",
    ),
]

PERMISSION_FAILURES = [
    Scenario(
        "guest cannot create by default",
        "POST",
        "/v1/data/posts",
        pk,
        body={"title": "x"},
        status=403,
        error_code="data/permission-denied",
        unchanged="posts",
    ),
    Scenario(
        "unknown table", "POST", "/v1/data/nope", sk, body={"title": "x"}, status=404, error_code="data/table-not-found"
    ),
    Scenario("unknown table via shorthand", "GET", "/v1/nope", pk, status=404, error_code="data/table-not-found"),
    Scenario("malformed table name", "GET", "/v1/data/bad%20name", pk, status=404, error_code="data/table-not-found"),
    Scenario(
        "built-in users table is not writable",
        "POST",
        "/v1/data/users",
        sk,
        body={"a": 1},
        status=403,
        error_code="data/system-table-access",
    ),
    Scenario(
        "system table hidden from non-admin",
        "GET",
        "/v1/data/_secrets",
        pk,
        status=403,
        error_code="data/system-table-access",
    ),
    Scenario(
        "guest cannot list a self-only table",
        "GET",
        "/v1/data/notes",
        pk,
        status=403,
        error_code="data/permission-denied",
    ),
    Scenario(
        "PUT is not a data method",
        "PUT",
        "/v1/data/posts/data_x",
        sk,
        body={"title": "x"},
        status=405,
        error_code="data/method-not-allowed",
        response_headers={"allow": "GET, PATCH, DELETE"},
    ),
    Scenario(
        "bulk delete is not allowed",
        "DELETE",
        "/v1/data/posts",
        sk,
        status=405,
        error_code="data/method-not-allowed",
        unchanged="posts",
    ),
    Scenario("reserved namespace is not a table", "GET", "/v1/auth", pk, status=404, error_code="common/not-found"),
]

INPUT_FAILURES = [
    Scenario(
        "every failing field is named",
        "POST",
        "/v1/data/posts",
        sk,
        body={"age": "abc", "published": "yes", "due": "01/20/2025"},
        status=400,
        error_code="data/validation-error",
        detail_fields=("title", "age", "published", "due"),
        unchanged="posts",
    ),
    Scenario(
        "string column refuses a number",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": 123},
        status=400,
        error_code="data/validation-error",
        detail_fields=("title",),
        unchanged="posts",
    ),
    Scenario(
        "operator key in body",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "x", "meta": {"$where": "1"}},
        status=400,
        error_code="data/validation-error",
        unchanged="posts",
    ),
    Scenario(
        "dotted key in body",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "x", "a.b": 1},
        status=400,
        error_code="data/validation-error",
        unchanged="posts",
    ),
    Scenario(
        "prototype key in body",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "x", "__proto__": {"a": 1}},
        status=400,
        error_code="data/validation-error",
        unchanged="posts",
    ),
    Scenario(
        "array body",
        "POST",
        "/v1/data/posts",
        sk,
        body=[{"title": "x"}],
        status=400,
        error_code="data/validation-error",
        unchanged="posts",
    ),
    Scenario(
        "invalid JSON",
        "POST",
        "/v1/data/posts",
        sk,
        raw_body=b"{title:",
        status=400,
        error_code="data/validation-error",
        unchanged="posts",
    ),
    Scenario(
        "oversized body",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "x", "blob": "a" * (1024 * 1024 + 10)},
        status=413,
        error_code="data/payload-too-large",
        unchanged="posts",
    ),
    Scenario(
        "$where in a filter",
        "GET",
        "/v1/data/posts?andFilters=%7B%22%24where%22%3A%221%22%7D",
        sk,
        status=400,
        error_code="data/validation-error",
        forbidden=("sqlite", "SELECT"),
    ),
    Scenario(
        "$function in a nested filter",
        "GET",
        '/v1/data/posts?andFilters={"title":{"$function":{"body":"x"}}}',
        sk,
        status=400,
        error_code="data/validation-error",
    ),
    Scenario(
        "filter that is not JSON",
        "GET",
        "/v1/data/posts?andFilters={status:'a'}",
        sk,
        status=400,
        error_code="data/validation-error",
    ),
    Scenario("limit 0", "GET", "/v1/data/posts?limit=0", pk, status=400, error_code="data/validation-error"),
    Scenario(
        "page is not a number", "GET", "/v1/data/posts?page=two", pk, status=400, error_code="data/validation-error"
    ),
    Scenario(
        "bad sort direction",
        "GET",
        "/v1/data/posts?sortDirection=up",
        pk,
        status=400,
        error_code="data/validation-error",
    ),
    Scenario("unknown record id", "GET", "/v1/data/posts/data_missing", pk, status=404, error_code="data/not-found"),
    Scenario("overlong record id", "GET", "/v1/data/posts/" + "x" * 80, pk, status=404, error_code="data/not-found"),
    Scenario(
        "patch unknown record",
        "PATCH",
        "/v1/data/posts/data_missing",
        sk,
        body={"title": "y"},
        status=404,
        error_code="data/not-found",
    ),
    Scenario(
        "delete unknown record", "DELETE", "/v1/data/posts/data_missing", sk, status=404, error_code="data/not-found"
    ),
]

SUCCESSES = [
    Scenario(
        "guest lists a public table",
        "GET",
        "/v1/data/posts",
        pk,
        expect={
            "items": [],
            "pagination": {"total": 0, "page": 1, "limit": 20, "totalPages": 0, "hasNext": False, "hasPrev": False},
        },
    ),
    Scenario(
        "limit above 100 is clamped", "GET", "/v1/data/posts?limit=200", pk, expect={"pagination": {"limit": 100}}
    ),
    Scenario(
        "user creates a record",
        "POST",
        "/v1/data/posts",
        user("u1"),
        body={"title": "hello", "age": "30"},
        status=201,
        expect={"title": "hello", "age": 30, "createdBy": "u1"},
        forbidden=('"age":30.0', "_id"),  # an int stays an int (a timestamp may hold "30.0")
    ),
    Scenario(
        "seed headers create a record",
        "POST",
        "/v1/data/posts",
        seed("u9"),
        body={"title": "seeded"},
        status=201,
        expect={"title": "seeded", "createdBy": "u9"},
    ),
    Scenario(
        "secret key creates an ownerless record",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "srv"},
        status=201,
        expect={"createdBy": ""},
    ),
    Scenario(
        "secret key may name the owner",
        "POST",
        "/v1/data/posts",
        sk,
        body={"title": "srv", "createdBy": "u5"},
        status=201,
        expect={"createdBy": "u5"},
    ),
    Scenario("empty JSON body on GET is accepted", "GET", "/v1/data/posts", pk, raw_body=b""),
    Scenario(
        "spec of a table",
        "GET",
        "/v1/data/posts/spec",
        pk,
        expect={"tableName": "posts", "schema": {"bsonType": "object", "required": ["title"]}},
    ),
    Scenario(
        "openapi of a table",
        "GET",
        "/v1/data/posts/openapi",
        pk,
        expect={"openapi": "3.0.0", "info": {"title": "posts API"}},
    ),
    Scenario("trailing slash tolerated", "GET", "/v1/data/posts/", pk, expect={"items": []}),
]


@pytest.mark.parametrize(
    "scenario", AUTH_FAILURES + PERMISSION_FAILURES + INPUT_FAILURES + SUCCESSES, ids=lambda s: s.name
)
def test_data_api(client, seeded, scenario):
    run(client, seeded, scenario)
