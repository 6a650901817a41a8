"""A bearer token's check is remembered only while nothing can have changed its answer (domain/mcp_access.py):
a revocation, a deletion or a membership change made here or by another process on the same data dir, and the
token's expiry, all apply to the very next request; refusals are never remembered."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain import dates, mcp_access, tenancy
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import pats
from tests.store_testing import writer_held


def _pat(env, **options) -> dict:
    return pats.create_pat(
        env.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id, **options
    )


def _refusal(backend, token: str) -> str:
    with pytest.raises(BkendError) as caught:
        mcp_access.authenticate_bearer(backend, f"Bearer {token}")
    return caught.value.message


def _remembered(env, token: str, counted: list[str]) -> None:
    """Check `token` until its answer is remembered (the first check stamps `lastUsedAt`, a write), and show that
    the next check reads nothing (on SQLite)."""
    for _ in range(2):
        mcp_access.authenticate_bearer(env.backend, f"Bearer {token}")
    before = len(counted)
    mcp_access.authenticate_bearer(env.backend, f"Bearer {token}")
    sqlite = type(env.backend.store).__name__ == "SqliteStore"
    assert len(counted) == before + (0 if sqlite else 1)


def _in_another_process(env, change) -> None:
    """`change(backend)` through a second backend on the same data dir, standing in for another process (the CLI,
    another worker)."""
    other = open_backend(Config(data_dir=env.backend.config.data_dir))
    try:
        change(other)
    finally:
        other.close()


def _sqlite_only(env) -> None:
    if type(env.backend.store).__name__ != "SqliteStore":
        pytest.skip("the in-memory Mongo stand-in is not shared between backends")


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Each time a token is read from the store."""
    reads: list[str] = []
    original = pats.verify_pat
    monkeypatch.setattr(pats, "verify_pat", lambda backend, token: reads.append(token) or original(backend, token))
    return reads


def test_a_token_is_read_again_only_after_a_change_on_sqlite_and_every_time_on_mongo(env, counted):
    """The first check stamps the token's `lastUsedAt` (a write to tokens), so the second reads it again; from then
    on nothing changes and it is not read."""
    made = _pat(env)
    for _ in range(5):
        assert mcp_access.authenticate_bearer(env.backend, f"Bearer {made['token']}").client_id == f"pat:{made['id']}"
    sqlite = type(env.backend.store).__name__ == "SqliteStore"
    assert len(counted) == (2 if sqlite else 5)


def test_a_token_revoked_here_is_refused_on_the_next_request(env, counted):
    made = _pat(env)
    _remembered(env, made["token"], counted)
    pats.revoke_pat(env.backend, tenancy.LOCAL_OWNER_ID, made["id"])
    assert "revoked" in _refusal(env.backend, made["token"])


def test_a_token_revoked_by_another_process_is_refused_on_the_next_request(env, counted):
    """A second backend on the same data dir stands in for `bkend-mcp tokens revoke` or another worker."""
    _sqlite_only(env)
    made = _pat(env)
    _remembered(env, made["token"], counted)
    _in_another_process(env, lambda other: pats.revoke_pat(other, tenancy.LOCAL_OWNER_ID, made["id"]))
    assert "revoked" in _refusal(env.backend, made["token"])


def test_a_token_deleted_by_another_process_is_refused_on_the_next_request(env, counted):
    _sqlite_only(env)
    made = _pat(env)
    _remembered(env, made["token"], counted)
    _in_another_process(env, lambda other: other.control(pats.COLLECTION).delete(made["id"]))
    assert "Unknown" in _refusal(env.backend, made["token"])


def test_a_member_removed_elsewhere_keeps_no_scopes_on_the_next_request(env, counted):
    _sqlite_only(env)
    made = _pat(env)
    _remembered(env, made["token"], counted)
    assert mcp_access.authenticate_bearer(env.backend, f"Bearer {made['token']}").scopes

    def remove_owner(other) -> None:
        org = other.control("organizations").get(env.organization_id)
        kept = [m for m in org["members"] if m["tenantId"] != tenancy.LOCAL_OWNER_ID]
        other.control("organizations").update(env.organization_id, {"members": kept})

    _in_another_process(env, remove_owner)
    assert mcp_access.authenticate_bearer(env.backend, f"Bearer {made['token']}").scopes == ()


def test_a_remembered_token_is_refused_once_it_expires(env, monkeypatch, counted):
    made = _pat(env, expires_days=1)
    _remembered(env, made["token"], counted)
    later = time.time() + 2 * 86400
    monkeypatch.setattr(mcp_access.time, "time", lambda: later)
    monkeypatch.setattr(dates, "now", lambda: dates.truncate(datetime.fromtimestamp(later, UTC)))
    assert "expired" in _refusal(env.backend, made["token"])


def test_a_refusal_is_not_remembered(env, counted):
    made = _pat(env)
    wrong = made["token"][:-4] + ("0000" if not made["token"].endswith("0000") else "1111")
    for _ in range(2):
        assert "Unknown" in _refusal(env.backend, wrong)
    assert len(counted) == 2


def test_while_a_write_holds_the_store_every_request_is_checked(env, counted):
    _sqlite_only(env)
    made = _pat(env)
    _remembered(env, made["token"], counted)
    before = len(counted)
    with writer_held(env.backend.store):
        mcp_access.authenticate_bearer(env.backend, f"Bearer {made['token']}")
    assert len(counted) == before + 1
