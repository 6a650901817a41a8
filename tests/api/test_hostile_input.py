"""Hostile input against the data API (issue 8): injection in filters, sort, select, search and bodies, oversized
and deeply nested input, regex bombs. Each is a clear 4xx and changes nothing. The plainer cases live in
test_data_api.py; this table adds the ones an attacker would try next."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from tests.api.scenario import Scenario, run

POSTS = {"title": {"type": "string", "required": True}, "views": {"type": "number"}, "tags": {"type": "array"}}


@pytest.fixture
def seeded(env, client):
    env.create_table("posts", POSTS)
    for n in range(3):
        client.post("/v1/data/posts", json={"title": f"post {n}", "views": n}, headers={"x-api-key": env.sk})
    return env


def sk(env):
    return {"x-api-key": env.sk}


def pk(env):
    return {"x-api-key": env.pk}


def q(name: str, value: object) -> str:
    return f"{name}={quote(value if isinstance(value, str) else json.dumps(value))}"


def nested(depth: int) -> dict:
    value: dict = {"title": "x"}
    for _ in range(depth):
        value = {"a": value}
    return value


def listing(name: str, query: str, headers=pk, status: int = 400) -> Scenario:
    return Scenario(
        name,
        "GET",
        f"/v1/data/posts?{query}",
        headers,
        status=status,
        error_code="data/validation-error",
        forbidden=("sqlite", "SELECT", "Traceback"),
    )


def write(
    name: str,
    method: str,
    body: object = None,
    raw: bytes | None = None,
    status: int = 400,
    code: str = "data/validation-error",
) -> Scenario:
    url = "/v1/data/posts" if method == "POST" else "/v1/data/posts/{id}"
    return Scenario(
        name,
        method,
        url,
        sk,
        body=body,
        raw_body=raw,
        status=status,
        error_code=code,
        unchanged="posts",
        forbidden=("sqlite", "Traceback"),
    )


LISTINGS = [
    listing("$expr at the top of a filter", q("andFilters", {"$expr": {"$gt": ["$views", 0]}})),
    listing("$where in orFilters", q("orFilters", [{"$where": "sleep(100)"}])),
    listing("$function under a field", q("andFilters", {"views": {"$function": {"body": "1", "args": []}}})),
    listing("$or smuggled inside andFilters", q("andFilters", {"$or": [{"title": "a"}, {"views": 1}]})),
    listing("unknown operator", q("andFilters", {"views": {"$mod": [2, 0]}})),
    listing("prototype key in a filter", q("andFilters", {"__proto__": {"title": "x"}})),
    listing("constructor path in a filter", q("andFilters", {"title.constructor": 1})),
    listing("$in with more than 1000 values", q("andFilters", {"views": {"$in": list(range(1001))}})),
    listing("more than 50 conditions", q("andFilters", {f"f{n}": n for n in range(51)})),
    listing("filter over 16 KiB", q("andFilters", {"title": "x" * 17000})),
    listing("regex over 256 characters", q("andFilters", {"title": {"$regex": "a" * 257}})),
    listing("regex that does not compile", q("andFilters", {"title": {"$regex": "(a+"}})),
    listing("unknown regex option", q("andFilters", {"title": {"$regex": "a", "$options": "e"}})),
    listing("filter nested 100 levels", q("andFilters", nested(100))),
    listing("sortBy with an operator", q("sortBy", "$where")),
    listing("sortBy with SQL", q("sortBy", "title; DROP TABLE posts")),
    listing("select with an operator", q("select", "title,$where")),
    listing("select with SQL", q("select", "title) FROM posts; --")),
    listing("select of more than 100 names", q("select", ",".join(f"f{n}" for n in range(101)))),
    listing("search over 256 characters", q("search", "x" * 257)),
    listing("searchType with an operator", q("search", "a") + "&" + q("searchType", "$where")),
    listing("limit is a SQL fragment", q("limit", "1; DELETE FROM posts")),
    listing("page is negative", q("page", "-1")),
    listing("compat bracket filter with $where", "andFilters%5Btitle%5D%5B%24where%5D=1"),
]

WRITES = [
    write("$set operator body", "POST", {"$set": {"title": "x"}}),
    write("nested operator key deep in an array", "POST", {"title": "x", "tags": [[{"$expr": 1}]]}),
    write("dotted key nested", "POST", {"title": "x", "meta": {"a.b": 1}}),
    write("constructor key", "POST", {"title": "x", "constructor": {"prototype": {}}}),
    write("body nested 64 levels", "POST", nested(64)),
    write(
        "body of 1 MB+ in many fields",
        "POST",
        {"title": "x", **{f"f{n}": "y" * 1024 for n in range(1100)}},
        status=413,
        code="data/payload-too-large",
    ),
    write("JSON nested 100000 levels", "POST", raw=b"[" * 100_000 + b"]" * 100_000),
    write("NaN literal", "POST", raw=b'{"title": "x", "views": NaN}'),
    write("body is a string", "POST", "title"),
    write("non-UTF-8 body", "POST", raw=b'{"title": "\xff\xfe"}'),
    write("PATCH with an operator key", "PATCH", {"$set": {"title": "hacked"}}),
    write("PATCH with a prototype key", "PATCH", {"__proto__": {"admin": True}}),
    write("PATCH with a dotted key", "PATCH", {"title.length": 1}),
    write(
        "PATCH body of 1 MB+", "PATCH", {"title": "y" * (1024 * 1024 + 10)}, status=413, code="data/payload-too-large"
    ),
]


@pytest.mark.parametrize("scenario", LISTINGS, ids=[s.name for s in LISTINGS])
def test_hostile_listing_is_a_clear_400(client, seeded, scenario):
    before = seeded.count("posts")
    run(client, seeded, scenario)
    assert seeded.count("posts") == before


@pytest.mark.parametrize("scenario", WRITES, ids=[s.name for s in WRITES])
def test_hostile_write_is_refused_and_changes_nothing(client, seeded, scenario):
    target = client.get("/v1/data/posts?limit=1&sortBy=views&sortDirection=asc", headers=sk(seeded)).json()["items"][0]
    url = scenario.url.replace("{id}", target["id"])
    run(client, seeded, Scenario(**{**scenario.__dict__, "url": url}))
    assert client.get(f"/v1/data/posts/{target['id']}", headers=sk(seeded)).json() == target


@pytest.mark.parametrize("pattern", ["(a+)+$", "(.*a){20}$", "^(([a-z])+.)+[A-Z]([a-z])+$", "(?:a*)*b", "(?=(a+)+)"])
def test_regex_bomb_is_refused_before_it_runs(client, seeded, pattern):
    client.post("/v1/data/posts", json={"title": "a" * 5000 + "!"}, headers=sk(seeded))
    started = time.monotonic()
    response = client.get("/v1/data/posts?" + q("andFilters", {"title": {"$regex": pattern}}), headers=pk(seeded))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["reason"] == "invalid-regex"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("pattern", ["^a+b*$", "(foo|bar)+", "(ab){2,3}", "^[a-z]+!$"])
def test_plain_repeats_still_match_long_input(client, seeded, pattern):
    client.post("/v1/data/posts", json={"title": "a" * 5000 + "!"}, headers=sk(seeded))
    response = client.get("/v1/data/posts?" + q("andFilters", {"title": {"$regex": pattern}}), headers=pk(seeded))
    assert response.status_code == 200, response.text


def test_search_text_is_a_literal_not_a_pattern(client, seeded):
    for text in ["%", "_", "'", '"', "\\", "(a+)+$", ".*"]:
        response = client.get("/v1/data/posts?" + q("search", text), headers=pk(seeded))
        assert response.status_code == 200, (text, response.text)
        assert response.json()["pagination"]["total"] == 0, text
