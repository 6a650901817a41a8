"""Insert, update and delete over HTTP: what is stored, what is returned, and what a failure leaves behind
(spec/data.md §3)."""

from __future__ import annotations

import pytest

TASKS = {
    "title": {"type": "string", "required": True},
    "status": {"type": "string", "enum": ["todo", "doing", "done"], "default": "todo"},
    "estimate": {"type": "number", "integer": True, "min": 0},
    "code": {"type": "string", "unique": True},
    "notes": {"type": "string"},
    "meta": {"type": "object"},
}


@pytest.fixture
def tasks(env):
    env.create_table("tasks", TASKS)
    return env


def owner_headers(env, uid="u1"):
    return {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token(uid)}"}


def admin(env):
    return {"x-api-key": env.sk}


def create(client, env, body, headers=None):
    response = client.post("/v1/data/tasks", json=body, headers=headers or admin(env))
    assert response.status_code == 201, response.text
    return response.json()


def test_insert_applies_defaults_and_coerces(client, tasks):
    record = create(client, tasks, {"title": "a", "estimate": "3.0"})
    assert record["status"] == "todo" and record["estimate"] == 3
    assert list(record)[0] == "id" and list(record)[-3:] == ["createdBy", "createdAt", "updatedAt"]


def test_insert_rejects_fractional_integer(client, tasks):
    response = client.post("/v1/data/tasks", json={"title": "a", "estimate": "3.5"}, headers=admin(tasks))
    assert response.status_code == 400
    assert response.json()["error"]["details"][0] == {
        "field": "estimate",
        "reason": "type",
        "message": response.json()["error"]["details"][0]["message"],
    }


def test_insert_keeps_unknown_fields_raw(client, tasks):
    record = create(client, tasks, {"title": "a", "extra": "2026-01-01", "n": "5"})
    assert record["extra"] == "2026-01-01" and record["n"] == "5"


def test_integers_beyond_int64_are_kept_as_floats_on_every_engine(client, tasks):
    """10**19 parses as an integer (it fits 64 unsigned bits) but MongoDB's widest integer is int64: it is stored
    as the float a JavaScript client would have sent, on both engines, at any depth, on insert and on PATCH."""
    beyond = 10**19
    record = create(client, tasks, {"title": "a", "big": beyond, "meta": {"deep": [1, beyond]}})
    read = client.get(f"/v1/data/tasks/{record['id']}", headers=admin(tasks)).json()
    for shown in (record, read):
        assert type(shown["big"]) is float and shown["big"] == 1e19
        assert shown["meta"] == {"deep": [1, 1e19]} and type(shown["meta"]["deep"][1]) is float
    patched = client.patch(f"/v1/data/tasks/{record['id']}", json={"extra": beyond + 1}, headers=admin(tasks))
    assert patched.status_code == 200, patched.text
    assert type(patched.json()["extra"]) is float and patched.json()["extra"] == 1e19


def test_a_declared_integer_beyond_int64_is_refused_not_rounded(client, tasks):
    response = client.post("/v1/data/tasks", json={"title": "a", "estimate": 10**19}, headers=admin(tasks))
    assert response.status_code == 400
    assert [(d["field"], d["reason"]) for d in response.json()["error"]["details"]] == [("estimate", "type")]


def test_patch_changes_only_sent_fields_and_bumps_updated_at(client, tasks):
    record = create(client, tasks, {"title": "a", "notes": "keep", "meta": {"a": 1, "b": 2}})
    response = client.patch(
        f"/v1/data/tasks/{record['id']}", json={"status": "done", "meta": {"c": 3}}, headers=admin(tasks)
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["status"] == "done" and updated["notes"] == "keep" and updated["meta"] == {"c": 3}
    assert updated["createdAt"] == record["createdAt"] and updated["updatedAt"] >= record["updatedAt"]


def test_patch_ignores_system_fields_even_for_admin(client, tasks):
    record = create(client, tasks, {"title": "a", "createdBy": "u1"})
    sent = {**record, "title": "b", "id": "data_other", "createdBy": "mallory", "createdAt": "2000-01-01T00:00:00Z"}
    updated = client.patch(f"/v1/data/tasks/{record['id']}", json=sent, headers=admin(tasks)).json()
    assert updated["id"] == record["id"] and updated["createdBy"] == "u1"
    assert updated["createdAt"] == record["createdAt"] and updated["title"] == "b"


def test_patch_with_nothing_to_change_keeps_updated_at(client, tasks):
    record = create(client, tasks, {"title": "a"})
    same = client.patch(f"/v1/data/tasks/{record['id']}", json={"id": "x"}, headers=admin(tasks)).json()
    assert same == record


def test_patch_null_removes_a_field(client, tasks):
    record = create(client, tasks, {"title": "a", "notes": "x"})
    updated = client.patch(f"/v1/data/tasks/{record['id']}", json={"notes": None}, headers=admin(tasks)).json()
    assert "notes" not in updated


def test_patch_cannot_null_a_required_field(client, tasks):
    record = create(client, tasks, {"title": "a"})
    response = client.patch(f"/v1/data/tasks/{record['id']}", json={"title": None}, headers=admin(tasks))
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "title"
    assert client.get(f"/v1/data/tasks/{record['id']}", headers=admin(tasks)).json()["title"] == "a"


def test_patch_validates_only_sent_fields(client, tasks):
    record = create(client, tasks, {"title": "a"})
    response = client.patch(f"/v1/data/tasks/{record['id']}", json={"status": "later"}, headers=admin(tasks))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Validation failed: 'status' must be one of: todo, doing, done"


def test_unique_clash_on_update_is_409_and_changes_nothing(client, tasks):
    create(client, tasks, {"title": "a", "code": "A1"})
    second = create(client, tasks, {"title": "b", "code": "B1"})
    response = client.patch(f"/v1/data/tasks/{second['id']}", json={"code": "A1"}, headers=admin(tasks))
    assert response.status_code == 409 and response.json()["error"]["code"] == "data/duplicate-value"
    assert client.get(f"/v1/data/tasks/{second['id']}", headers=admin(tasks)).json()["code"] == "B1"


def test_records_without_a_unique_field_never_clash(client, tasks):
    create(client, tasks, {"title": "a"})
    create(client, tasks, {"title": "b"})
    assert tasks.count("tasks") == 2


def test_delete_returns_success_then_404(client, tasks):
    record = create(client, tasks, {"title": "a"})
    first = client.delete(
        f"/v1/data/tasks/{record['id']}", headers={**admin(tasks), "content-type": "application/json"}
    )
    assert first.status_code == 200 and first.json() == {"success": True}
    again = client.delete(f"/v1/data/tasks/{record['id']}", headers=admin(tasks))
    assert again.status_code == 404 and again.json()["error"]["code"] == "data/not-found"


def test_imported_ids_are_kept(client, tasks):
    doc = {
        "_id": "507f1f77bcf86cd799439011",
        "title": "imported",
        "createdBy": "",
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-01-01T00:00:00.000Z",
    }
    tasks.backend.data(tasks.environment_id, "tasks").insert(doc)
    fetched = client.get("/v1/data/tasks/507f1f77bcf86cd799439011", headers={"x-api-key": tasks.pk}).json()
    assert fetched["id"] == "507f1f77bcf86cd799439011" and fetched["title"] == "imported"


def test_shorthand_paths_behave_like_data_paths(client, tasks):
    created = client.post("/v1/tasks", json={"title": "short"}, headers=admin(tasks))
    assert created.status_code == 201
    record_id = created.json()["id"]
    assert client.get(f"/v1/tasks/{record_id}", headers=admin(tasks)).json()["title"] == "short"
    assert client.patch(f"/v1/tasks/{record_id}", json={"title": "s2"}, headers=admin(tasks)).json()["title"] == "s2"
    assert client.get("/v1/tasks/spec", headers=admin(tasks)).json()["tableName"] == "tasks"
    assert client.delete(f"/v1/tasks/{record_id}", headers=admin(tasks)).json() == {"success": True}


def test_column_permissions_hide_and_guard_fields(client, env):
    env.create_table(
        "profiles",
        {"name": {"type": "string"}, "email": {"type": "string"}},
        permissions={"user": {"create": True, "read": True, "list": True}, "self": {"update": True}},
        columnPermissions={"email": {"read": "self", "write": "self"}},
    )
    mine = client.post("/v1/data/profiles", json={"name": "me", "email": "me@x.io"}, headers=owner_headers(env)).json()
    assert mine["email"] == "me@x.io"
    seen_by_other = client.get(f"/v1/data/profiles/{mine['id']}", headers=owner_headers(env, "u2")).json()
    assert "email" not in seen_by_other and seen_by_other["name"] == "me"
    listed = client.get("/v1/data/profiles", headers=owner_headers(env, "u2")).json()
    assert "email" not in listed["items"][0]
    filtered = client.get('/v1/data/profiles?andFilters={"email":"me@x.io"}', headers=owner_headers(env, "u2"))
    assert filtered.status_code == 403


def test_row_filters_narrow_lists(client, env):
    env.create_table(
        "posts",
        {"title": {"type": "string"}, "status": {"type": "string"}},
        rowFilters=[
            {"expression": "guest", "filter": {"status": "published"}},
            {"expression": "user", "filter": {"createdBy": "$userId"}},
        ],
    )
    for status in ("published", "draft"):
        client.post("/v1/data/posts", json={"title": status, "status": status}, headers=owner_headers(env))
    guest = client.get("/v1/data/posts", headers={"x-api-key": env.pk}).json()
    assert [p["status"] for p in guest["items"]] == ["published"]
    author = client.get("/v1/data/posts", headers=owner_headers(env)).json()
    assert author["pagination"]["total"] == 2
