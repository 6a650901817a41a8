"""domain/bulk.py on both engines: batch checks before writes, undo on a late clash, owner scoping, selections."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import bulk
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import MATCH_ALL, Query

FIELDS = {
    "title": {"type": "string", "required": True},
    "email": {"type": "string", "unique": True},
    "n": {"type": "number"},
    "secret": {"type": "string"},
}
OWN_ROWS = {"user": {"create": True}, "self": {"read": True, "list": True, "update": True, "delete": True}}


@pytest.fixture
def admin(env) -> Caller:
    env.create_table("items", FIELDS, permissions=OWN_ROWS, columnPermissions={"secret": {"write": "admin"}})
    return Caller(project_id=env.project_id, environment_id=env.environment_id, group="admin")


def user(env, uid: str) -> Caller:
    return Caller(project_id=env.project_id, environment_id=env.environment_id, group="user", uid=uid, role="user")


def insert(env, caller, *records):
    return bulk.insert_many(env.backend, caller, "items", list(records))["items"]


def stored(env):
    docs = env.backend.data(env.environment_id, "items").find(Query())
    return sorted((d["title"], d.get("email"), d.get("n")) for d in docs)


def test_insert_many_refuses_more_than_100_or_none(env, admin):
    for batch in ([], [{"title": "t"}] * 101):
        with pytest.raises(BkendError) as caught:
            bulk.insert_many(env.backend, admin, "items", batch)
        assert caught.value.details[0]["field"] == "records"


def test_insert_many_reports_a_forbidden_column_with_its_index(env, admin):
    with pytest.raises(BkendError) as caught:
        insert(env, user(env, "u1"), {"title": "a"}, {"title": "b", "secret": "s"})
    assert caught.value.code == "data/permission-denied"
    assert caught.value.details[0]["index"] == 1 and "(record 1)" in caught.value.message
    assert env.count("items") == 0


def test_admin_may_name_the_owner_without_a_warning(env, admin):
    result = bulk.insert_many(env.backend, admin, "items", [{"title": "t", "createdBy": "u9"}])
    assert result["items"][0]["createdBy"] == "u9" and "warnings" not in result
    ignored = bulk.insert_many(env.backend, user(env, "u1"), "items", [{"title": "t", "createdBy": "u9"}])
    assert ignored["items"][0]["createdBy"] == "u1" and ignored["warnings"][0]["field"] == "createdBy"


def test_update_many_undoes_earlier_writes_when_a_later_record_clashes(env, admin):
    insert(env, admin, {"title": "a", "n": 1}, {"title": "b", "n": 2})
    before = stored(env)
    with pytest.raises(BkendError) as caught:
        bulk.update_many(env.backend, admin, "items", bulk.Selection(filter={"n": {"$gte": 1}}), {"email": "same@x"})
    assert caught.value.code == "data/duplicate-value"
    assert stored(env) == before


def test_update_many_restores_fields_it_removed(env, admin):
    insert(env, admin, {"title": "a", "n": 1, "email": "a@x"}, {"title": "b", "n": 2, "email": "b@x"})
    before = stored(env)
    with pytest.raises(BkendError):
        bulk.update_many(env.backend, admin, "items", bulk.Selection(all=True), {"email": "c@x"}, ["n"])
    assert stored(env) == before


def test_a_user_updates_and_deletes_by_filter_only_their_rows(env, admin):
    insert(env, user(env, "u1"), {"title": "mine", "n": 1})
    insert(env, user(env, "u2"), {"title": "theirs", "n": 1})
    result = bulk.update_many(env.backend, user(env, "u1"), "items", bulk.Selection(filter={"n": 1}), {"n": 5})
    assert result["matched"] == 1 and result["items"][0]["title"] == "mine"
    deleted = bulk.delete_many(env.backend, user(env, "u2"), "items", bulk.Selection(all=True), confirm=True)
    assert deleted["deleted"] == 1
    assert stored(env) == [("mine", None, 5)]


def test_a_guest_can_never_update(env, admin):
    guest = Caller(project_id=env.project_id, environment_id=env.environment_id, group="guest")
    with pytest.raises(BkendError) as caught:
        bulk.update_many(env.backend, guest, "items", bulk.Selection(all=True), {"n": 1})
    assert caught.value.code == "data/permission-denied"


def test_scan_reads_every_match_across_batches(env, admin, monkeypatch):
    monkeypatch.setattr(bulk, "SCAN_BATCH", 2)
    insert(env, admin, *({"title": f"t{i}", "n": i} for i in range(7)))
    collection = env.backend.data(env.environment_id, "items")
    seen = [doc["n"] for doc in bulk.scan(collection, MATCH_ALL)]
    assert sorted(seen) == list(range(7)) and len(set(seen)) == 7
    assert len(list(bulk.scan(collection, MATCH_ALL, cap=3))) == 3


def test_ids_beyond_the_listing_cap_are_marked_truncated(env, admin, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_LISTED_IDS", 2)
    insert(env, admin, *({"title": f"t{i}"} for i in range(3)))
    result = bulk.delete_many(env.backend, admin, "items", bulk.Selection(all=True), confirm=True)
    assert result["deleted"] == 3 and len(result["ids"]) == 2 and result["idsTruncated"] is True


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({}, id="nothing chosen"),
        pytest.param({"record_id": "a", "ids": ["b"]}, id="id and ids"),
        pytest.param({"ids": ["a"], "or_filters": [{"n": 1}]}, id="ids and orFilters"),
        pytest.param({"filter": {"n": 1}, "limit": 0}, id="limit too small"),
        pytest.param({"filter": {"n": 1}, "limit": 1001}, id="limit too large"),
    ],
)
def test_selection_rejects_ambiguous_or_out_of_range_choices(arguments):
    with pytest.raises(BkendError) as caught:
        bulk.Selection(**arguments)
    assert caught.value.code == "data/validation-error"


def test_update_without_changes_is_refused(env, admin):
    with pytest.raises(BkendError) as caught:
        bulk.update_many(env.backend, admin, "items", bulk.Selection(all=True), {}, [])
    assert caught.value.details[0]["field"] == "data"
    with pytest.raises(BkendError) as caught:
        bulk.update_many(env.backend, admin, "items", bulk.Selection(all=True), {"n": 1}, ["n"])
    assert caught.value.details[0]["reason"] == "conflict"


def test_find_by_id_refuses_a_filter_too(env, admin):
    with pytest.raises(BkendError) as caught:
        bulk.find(env.backend, admin, "items", record_id="data_x", filter={"n": 1})
    assert caught.value.details[0]["field"] == "id"


def test_deleting_ids_one_of_which_is_not_yours_names_it_and_deletes_nothing(env, admin):
    mine = insert(env, user(env, "u1"), {"title": "mine"})[0]
    theirs = insert(env, user(env, "u2"), {"title": "theirs"})[0]
    with pytest.raises(BkendError) as caught:
        bulk.delete_many(env.backend, user(env, "u1"), "items", bulk.Selection(ids=[mine["id"], theirs["id"]]))
    assert caught.value.code == "data/permission-denied" and caught.value.details[0]["id"] == theirs["id"]
    assert env.count("items") == 2
