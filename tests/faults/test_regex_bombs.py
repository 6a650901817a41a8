"""Regex bombs built from alternation, which the nested-repeat guard lets through, against long stored values
over HTTP on a real server (two workers): the match is stopped per value and answered with a 400 naming the
field, and the worker is free for the next request (issue #8)."""

from __future__ import annotations

import json

import httpx
import pytest

TIMEOUT = 10.0
"""A request that hangs fails the test through this client timeout."""
TABLE = {"tableName": "notes", "schema": {"title": {"bsonType": "string"}, "body": {"bsonType": "string"}}}
LONG_VALUES = ("a" * 5000 + "!", "1" * 5000 + "!")


@pytest.fixture(scope="module")
def server(live):
    live.create_table(TABLE)
    for n, value in enumerate(LONG_VALUES):
        body = {"title": value, "body": f"foobar {n}"}
        created = httpx.post(f"{live.base}/v1/data/notes", json=body, headers=live.seeded.sk, timeout=TIMEOUT)
        assert created.status_code == 201, created.text
    return live.base, live.seeded


def _list(server, filters: dict) -> httpx.Response:
    base, seeded = server
    params = {"andFilters": json.dumps(filters)}
    return httpx.get(f"{base}/v1/data/notes", params=params, headers=seeded.pk, timeout=TIMEOUT)


@pytest.mark.parametrize("pattern", ["(a|aa)+$", "(a|a?)+$", r"(\w|\d)+$", r"(\d|1)+$", "(a|ab|b)*$"])
def test_alternation_bomb_is_stopped_and_names_the_field(server, pattern):
    response = _list(server, {"title": {"$regex": pattern}})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "data/validation-error"
    assert error["details"][0]["field"] == "title"
    assert error["details"][0]["reason"] == "invalid-regex"
    assert "took too long" in error["message"]
    assert "sqlite" not in response.text.lower() and "Traceback" not in response.text


def test_the_server_answers_the_next_query_after_a_bomb(server):
    assert _list(server, {"title": {"$regex": "(a|aa)+$"}}).status_code == 400
    response = _list(server, {"body": {"$regex": "^foo(bar|baz)"}})
    assert response.status_code == 200, response.text
    assert response.json()["pagination"]["total"] == 2


@pytest.mark.parametrize(("pattern", "total"), [("(a|b)+!$", 1), ("^(1|2)+!", 1), ("(a|1)+!", 2)])
def test_alternation_that_matches_linearly_still_works_on_long_values(server, pattern, total):
    response = _list(server, {"title": {"$regex": pattern}})
    assert response.status_code == 200, response.text
    assert response.json()["pagination"]["total"] == total
