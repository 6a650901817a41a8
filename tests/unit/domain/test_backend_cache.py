"""The control cache of `domain/backend.py`: hot lookups are cached, and a write through the backend retires them
at once; another process's write is seen within the TTL (spec/data.md §9 item 38)."""

from __future__ import annotations

import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain import keys, tables
from bkend_mcp.domain.backend import ControlCache, open_backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.identity import resolve_caller


def test_cache_reuses_a_value_until_invalidated():
    cache, loads = ControlCache(ttl=60), []
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert cache.get("k", load) == 1 and cache.get("k", load) == 1
    cache.invalidate()
    assert cache.get("k", load) == 2


def test_cache_expires_after_its_ttl():
    cache, loads = ControlCache(ttl=0), []
    cache.get("k", lambda: loads.append(1))
    cache.get("k", lambda: loads.append(1))
    assert len(loads) == 2


def test_revoked_key_is_refused_on_the_next_request(env):
    resolve_caller(env.backend, {"x-api-key": env.pk})
    key_id = next(k["id"] for k in keys.list_keys(env.backend, env.environment_id) if k["type"] == "publishable")
    keys.revoke_key(env.backend, env.environment_id, key_id)
    with pytest.raises(BkendError) as caught:
        resolve_caller(env.backend, {"x-api-key": env.pk})
    assert caught.value.code == "auth/api-key-revoked"


def test_table_change_is_seen_on_the_next_lookup(env):
    env.create_table("posts", {"title": {"type": "string"}})
    assert tables.cached_table(env.backend, env.environment_id, "posts")["description"] == ""
    tables.update_table(env.backend, env.environment_id, "posts", {"description": "changed"})
    assert tables.cached_table(env.backend, env.environment_id, "posts")["description"] == "changed"


def test_another_process_write_is_seen_once_the_ttl_passes(env):
    """A second backend on the same data dir stands in for another worker process (SQLite: a shared file)."""
    if type(env.backend.store).__name__ != "SqliteStore":
        pytest.skip("the in-memory Mongo stand-in is not shared between backends")
    other = open_backend(Config(data_dir=env.backend.config.data_dir))
    try:
        env.create_table("posts", {"title": {"type": "string"}})
        assert tables.cached_table(other, env.environment_id, "posts") is not None
        tables.delete_table(env.backend, env.environment_id, "posts")
        assert tables.cached_table(other, env.environment_id, "posts") is not None  # within the TTL
        other.cache.ttl = 0
        assert tables.cached_table(other, env.environment_id, "posts") is None
    finally:
        other.close()
