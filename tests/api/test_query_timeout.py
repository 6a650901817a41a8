"""A read that runs past the store's time limit is stopped and answered with a clear 503 that says what to do,
never a bare 500."""

from __future__ import annotations

import pytest

from bkend_mcp.store import sqlite_conn
from bkend_mcp.store.base import QueryTimeout

FIELDS = {"title": {"type": "string"}, "views": {"type": "number"}}


@pytest.fixture
def slow_reads(backend, env, monkeypatch):
    """Every read of the `posts` table exceeds the limit (the engine raises what a 5 s scan would raise)."""
    env.create_table("posts", FIELDS)
    if type(backend.store).__name__ != "SqliteStore":
        pytest.skip("the Mongo adapter's timeout is MaxTimeMSExpired from a real server")
    read = sqlite_conn.Connections.read

    def timing_out(self, sql, params=()):
        if ".posts" in sql:
            raise QueryTimeout("query ran longer than 5 s")
        return read(self, sql, params)

    monkeypatch.setattr(sqlite_conn.Connections, "read", timing_out)
    return env


def test_a_list_that_runs_past_the_time_limit_answers_503_saying_what_to_do(client, slow_reads):
    response = client.get("/v1/data/posts", params={"sortBy": "views"}, headers={"X-API-Key": slow_reads.sk})
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "storage/query-timeout"
    assert "index" in error["message"] and "nothing was changed" in error["message"]
    assert "sqlite" not in response.text.lower() and "Traceback" not in response.text
