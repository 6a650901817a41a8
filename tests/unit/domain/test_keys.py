"""API keys: stored as hashes, verified in order, scoped by `{table}:{op}` (spec/data.md §5.9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bkend_mcp.domain import dates, keys
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex


def _key(env, key_type="publishable", **kw):
    return env.make_key(key_type, **kw)


def test_keys_are_stored_as_sha256_never_as_plaintext(env):
    made = _key(env, "secret")
    assert made["key"].startswith("sk_") and len(made["key"]) == 67
    stored = env.backend.control("api_keys").get(made["id"])
    assert stored["keyHash"] == sha256_hex(made["key"])
    assert made["key"] not in repr(stored)


def test_publishable_key_plaintext_is_encrypted_and_shown_again(env):
    made = _key(env)
    stored = env.backend.control("api_keys").get(made["id"])
    assert made["key"] not in repr(stored) and "keyEncrypted" in stored
    listed = {k["id"]: k for k in keys.list_keys(env.backend, env.environment_id)}
    assert listed[made["id"]]["key"] == made["key"]


def test_secret_key_is_never_shown_after_creation(env):
    made = _key(env, "secret")
    listed = {k["id"]: k for k in keys.list_keys(env.backend, env.environment_id)}
    assert "key" not in listed[made["id"]] and listed[made["id"]]["keyPreview"].startswith("sk_")
    assert "keyHash" not in listed[made["id"]]


@pytest.mark.parametrize(
    ("plaintext", "code"),
    [
        ("pk_123", "auth/invalid-token-format"),
        ("ak_" + "a" * 64, "auth/invalid-token-format"),
        ("pk_" + "0" * 64, "auth/unauthorized"),
    ],
)
def test_bad_keys_are_refused(env, plaintext, code):
    with pytest.raises(BkendError) as caught:
        keys.verify_key(env.backend, plaintext)
    assert caught.value.code == code and caught.value.status == 401


def test_revoked_key_is_refused(env):
    made = _key(env)
    keys.revoke_key(env.backend, env.environment_id, made["id"])
    with pytest.raises(BkendError) as caught:
        keys.verify_key(env.backend, made["key"])
    assert caught.value.code == "auth/api-key-revoked"


def test_expired_key_is_refused(env):
    made = _key(env, expires_at=dates.now() - timedelta(seconds=1))
    with pytest.raises(BkendError) as caught:
        keys.verify_key(env.backend, made["key"])
    assert caught.value.code == "auth/api-key-expired"


def test_deleted_key_stops_working_at_once(env):
    made = _key(env)
    assert keys.verify_key(env.backend, made["key"])["_id"] == made["id"]
    keys.delete_key(env.backend, env.environment_id, made["id"])
    with pytest.raises(BkendError) as caught:
        keys.verify_key(env.backend, made["key"])
    assert caught.value.code == "auth/unauthorized"


def test_uppercase_hex_is_the_same_key(env):
    made = _key(env)
    upper = made["key"][:3] + made["key"][3:].upper()
    assert keys.verify_key(env.backend, upper)["_id"] == made["id"]


def test_verification_records_last_use(env):
    made = _key(env)
    keys.verify_key(env.backend, made["key"])
    assert env.backend.control("api_keys").get(made["id"])["lastUsedAt"] is not None


@pytest.mark.parametrize(
    ("scopes", "table", "op", "allowed"),
    [
        (None, "posts", "delete", True),
        ([], "posts", "read", False),
        (["posts:read"], "posts", "read", True),
        (["posts:read"], "posts", "list", True),
        (["posts:list"], "posts", "read", False),
        (["posts:read"], "Posts", "read", False),
        (["posts:*"], "posts", "delete", True),
        (["*:create"], "orders", "create", True),
        (["*:create"], "orders", "update", False),
        (["*:*"], "anything", "delete", True),
        (["comments:*"], "posts", "read", False),
    ],
)
def test_scope_matching(scopes, table, op, allowed):
    assert keys.scope_allows(tuple(scopes) if scopes is not None else None, table, op) is allowed


@pytest.mark.parametrize("scopes", [["posts"], ["posts:write"], ["po sts:read"], "posts:read", [1]])
def test_bad_scopes_are_refused_at_creation(env, scopes):
    with pytest.raises(BkendError) as caught:
        _key(env, scopes=scopes)
    assert caught.value.code == "common/invalid-parameters"
    assert env.backend.control("api_keys").count() == 2  # only the first-start pair


def test_scoped_key_is_enforced_before_table_lookup(client, env):
    key = env.new_key("secret", scopes=["posts:read"])
    response = client.get("/v1/data/secret_table", headers={"x-api-key": key})
    assert response.status_code == 403 and response.json()["error"]["code"] == "data/scope-insufficient"
    assert "secret_table:list" in response.json()["message"]
