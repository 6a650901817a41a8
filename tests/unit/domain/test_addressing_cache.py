"""What a tool call's project, environment and table names resolve to is remembered (domain/addressing.py): a
change made through this backend is seen by the next call, another process's within the cache TTL, and a pinned
connection never receives what an unpinned one resolved."""

from __future__ import annotations

import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain import addressing, guardrails, tables, tenancy
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_access import local_owner_principal
from bkend_mcp.domain.principal import ConnectionPolicy
from bkend_mcp.domain.read_only import read_only_view


@pytest.fixture
def owner(env):
    return local_owner_principal(env.backend).with_policy(ConnectionPolicy())


def _code(call) -> str:
    with pytest.raises(BkendError) as caught:
        call()
    return caught.value.code


def test_a_second_call_reads_no_organization_project_or_environment(env, owner, monkeypatch):
    env.create_table("posts", {"title": {"type": "string"}})
    addressing.resolve_table(env.backend, owner, "posts", None, None)
    reads: list[str] = []
    for name in ("list_organizations", "list_projects", "find_environment", "get_environment"):
        original = getattr(tenancy, name)
        monkeypatch.setattr(tenancy, name, lambda *a, _n=name, _f=original, **k: reads.append(_n) or _f(*a, **k))
    monkeypatch.setattr(tables, "require_table", lambda *a, **k: reads.append("require_table"))
    found_env, table = addressing.resolve_table(env.backend, owner, "posts", None, None)
    assert (found_env["id"], table["tableName"], reads) == (env.environment_id, "posts", [])


def test_a_table_created_renamed_or_dropped_here_is_seen_by_the_next_call(env, owner):
    assert _code(lambda: addressing.resolve_table(env.backend, owner, "posts", None, None)) == "table/not-found"
    env.create_table("posts", {"title": {"type": "string"}})
    assert addressing.resolve_table(env.backend, owner, "posts", None, None)[1]["tableName"] == "posts"
    tables.delete_table(env.backend, env.environment_id, "posts")
    assert _code(lambda: addressing.resolve_table(env.backend, owner, "posts", None, None)) == "table/not-found"


def test_closing_an_environment_to_mcp_refuses_the_next_call(env, owner):
    env.create_table("posts", {"title": {"type": "string"}})
    addressing.resolve_table(env.backend, owner, "posts", None, None)
    guardrails._save_access(env.backend, env.environment_id, "none", "test")
    assert _code(lambda: addressing.resolve_table(env.backend, owner, "posts", None, None)) == "mcp/environment-closed"


def test_a_read_only_environment_still_refuses_a_writing_tool_after_a_reading_one(env, owner):
    guardrails._save_access(env.backend, env.environment_id, "read", "test")
    env.create_table("posts", {"title": {"type": "string"}})
    reader = owner.with_policy(ConnectionPolicy(tool_writes=False))
    writer = owner.with_policy(ConnectionPolicy(tool_writes=True))
    assert addressing.resolve_table(env.backend, reader, "posts", None, None)[1]["tableName"] == "posts"
    assert _code(lambda: addressing.resolve_table(env.backend, writer, "posts", None, None)) == "mcp/read-only"


def test_a_pinned_connection_does_not_see_what_an_unpinned_one_resolved(env, owner):
    other = tenancy.create_project(
        env.backend, owner.tenant_id, organization_id=env.organization_id, name="Other", slug="other"
    )
    assert addressing.resolve_project(env.backend, owner, "other")["id"] == other["id"]
    pinned = owner.with_policy(ConnectionPolicy(project=env.project_id))
    assert _code(lambda: addressing.resolve_project(env.backend, pinned, "other")) == "common/not-found"
    assert _code(lambda: addressing.resolve_environment(env.backend, pinned, "other", None)) == "common/not-found"


def test_another_process_change_is_seen_once_the_ttl_passes(env, owner):
    """A second backend on the same data dir stands in for another worker process (SQLite: a shared file)."""
    if type(env.backend.store).__name__ != "SqliteStore":
        pytest.skip("the in-memory Mongo stand-in is not shared between backends")
    env.create_table("posts", {"title": {"type": "string"}})
    other = open_backend(Config(data_dir=env.backend.config.data_dir))
    try:
        assert addressing.resolve_table(other, owner, "posts", None, None)[1]["tableName"] == "posts"
        tables.delete_table(env.backend, env.environment_id, "posts")
        assert addressing.resolve_table(other, owner, "posts", None, None)[1]["tableName"] == "posts"  # within TTL
        other.cache.ttl = 0
        assert _code(lambda: addressing.resolve_table(other, owner, "posts", None, None)) == "table/not-found"
    finally:
        other.close()


def test_a_read_only_connection_shares_what_was_resolved(env, owner, monkeypatch):
    """Each read-only call works on a fresh read-only view of the backend; the views share the real cache."""
    env.create_table("posts", {"title": {"type": "string"}})
    reader = owner.with_policy(ConnectionPolicy(read_only=True))
    addressing.resolve_table(read_only_view(env.backend), reader, "posts", None, None)
    reads: list[str] = []
    original = tenancy.list_organizations
    monkeypatch.setattr(tenancy, "list_organizations", lambda *a: reads.append("orgs") or original(*a))
    assert addressing.resolve_table(read_only_view(env.backend), reader, "posts", None, None)[1]["tableName"] == "posts"
    assert reads == []
