"""API scenario tables (STYLE.md rule 14): each row a named request and what must come back; a rejected write
must leave the table unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.testclient import TestClient

Headers = Callable[[Any], dict[str, str]]


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    url: str
    headers: Headers = lambda env: {}
    body: Any = None
    raw_body: bytes | None = None
    status: int = 200
    expect: dict[str, Any] = field(default_factory=dict)
    """A subset the JSON body must contain (nested dicts compared as subsets)."""
    error_code: str | None = None
    detail_fields: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    unchanged: str | None = None
    """A table whose row count must not change."""
    response_headers: dict[str, str] = field(default_factory=dict)


def assert_subset(expected: Any, actual: Any, path: str = "$") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing in {actual!r}"
            assert_subset(value, actual[key], f"{path}.{key}")
    else:
        assert actual == expected, f"{path}: expected {expected!r}, got {actual!r}"


def assert_error(body: dict[str, Any], status: int, code: str) -> None:
    """The one error shape (decision D1, compat C24)."""
    assert body["success"] is False
    assert body["statusCode"] == status
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["message"] == body["error"]["message"]


def run(client: TestClient, env: Any, scenario: Scenario) -> dict[str, Any]:
    before = env.count(scenario.unchanged) if scenario.unchanged else None
    content = (
        scenario.raw_body
        if scenario.raw_body is not None
        else (orjson.dumps(scenario.body) if scenario.body is not None else None)
    )
    headers = {"content-type": "application/json", **scenario.headers(env)}
    response = client.request(scenario.method, scenario.url, content=content, headers=headers)
    assert response.status_code == scenario.status, response.text
    body = response.json()
    if scenario.error_code:
        assert_error(body, scenario.status, scenario.error_code)
    if scenario.detail_fields:
        assert [d["field"] for d in body["error"]["details"]] == list(scenario.detail_fields)
    assert_subset(scenario.expect, body)
    for text in scenario.forbidden:
        assert text not in response.text
    for name, value in scenario.response_headers.items():
        assert response.headers.get(name) == value
    if scenario.unchanged:
        assert env.count(scenario.unchanged) == before, "a rejected request changed the table"
    return body
