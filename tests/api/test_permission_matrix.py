"""Every requester kind × every operation × record ownership, over HTTP, for the default permissions and a
self-only table (spec/data.md §5.3-§5.4, compat C4, C14, C15). Expected statuses are written out, not derived."""

from __future__ import annotations

import pytest

DEFAULT = "items"  # no permissions given: the documented defaults
SELF_ONLY = "notes"  # user may create; only the owner may read/list/update/delete
SELF_ONLY_PERMISSIONS = {"user": {"create": True}, "self": {"read": True, "list": True, "update": True, "delete": True}}

ACTORS = {
    "guest": lambda env: {"x-api-key": env.pk},
    "owner": lambda env: {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('owner')}"},
    "other user": lambda env: {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('other')}"},
    "guest-role user": lambda env: {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('owner', 'guest')}"},
    "admin-role user": lambda env: {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('boss', 'admin')}"},
    "secret key": lambda env: {"x-api-key": env.sk},
}

# (table, actor) → status for create, read, list, update, delete of a record owned by "owner".
EXPECTED = {
    (DEFAULT, "guest"): (403, 200, 200, 403, 403),
    (DEFAULT, "owner"): (201, 200, 200, 403, 403),
    (DEFAULT, "other user"): (201, 200, 200, 403, 403),
    (DEFAULT, "guest-role user"): (403, 200, 200, 403, 403),
    (DEFAULT, "admin-role user"): (201, 200, 200, 200, 200),
    (DEFAULT, "secret key"): (201, 200, 200, 200, 200),
    (SELF_ONLY, "guest"): (403, 403, 403, 403, 403),
    (SELF_ONLY, "owner"): (201, 200, 200, 200, 200),
    (SELF_ONLY, "other user"): (201, 403, 200, 403, 403),
    (SELF_ONLY, "guest-role user"): (403, 200, 200, 200, 200),
    (SELF_ONLY, "admin-role user"): (201, 200, 200, 200, 200),
    (SELF_ONLY, "secret key"): (201, 200, 200, 200, 200),
}
OPERATIONS = ("create", "read", "list", "update", "delete")


@pytest.fixture
def tables(env):
    env.create_table(DEFAULT, {"name": {"type": "string"}})
    env.create_table(SELF_ONLY, {"name": {"type": "string"}}, permissions=SELF_ONLY_PERMISSIONS)
    return env


def _owned_record(client, env, table):
    body = {"name": "mine", "createdBy": "owner"}
    response = client.post(f"/v1/data/{table}", json=body, headers={"x-api-key": env.sk})
    assert response.status_code == 201
    return response.json()["id"]


def _call(client, env, table, op, record_id, headers):
    return {
        "create": lambda: client.post(f"/v1/data/{table}", json={"name": "new"}, headers=headers),
        "read": lambda: client.get(f"/v1/data/{table}/{record_id}", headers=headers),
        "list": lambda: client.get(f"/v1/data/{table}", headers=headers),
        "update": lambda: client.patch(f"/v1/data/{table}/{record_id}", json={"name": "changed"}, headers=headers),
        "delete": lambda: client.delete(f"/v1/data/{table}/{record_id}", headers=headers),
    }[op]()


@pytest.mark.parametrize(
    ("table", "actor", "op"), [(t, a, op) for (t, a) in EXPECTED for op in OPERATIONS], ids=lambda v: v
)
def test_permission_matrix(client, tables, table, actor, op):
    env = tables
    record_id = _owned_record(client, env, table)
    headers = ACTORS[actor](env)
    response = _call(client, env, table, op, record_id, headers)
    expected = EXPECTED[(table, actor)][OPERATIONS.index(op)]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.json()["error"]["code"] == "data/permission-denied"
        stored = env.backend.data(env.environment_id, table).get(record_id)
        assert stored is not None and stored["name"] == "mine", "a denied request changed the record"


def test_self_only_list_returns_only_the_callers_rows_without_a_filter(client, tables):
    env = tables
    _owned_record(client, env, SELF_ONLY)
    other = {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('other')}"}
    created = client.post(f"/v1/data/{SELF_ONLY}", json={"name": "theirs"}, headers=other)
    assert created.status_code == 201
    listed = client.get(f"/v1/data/{SELF_ONLY}", headers=other).json()
    assert [item["name"] for item in listed["items"]] == ["theirs"]
    assert listed["pagination"]["total"] == 1
    spoofed = client.get(f'/v1/data/{SELF_ONLY}?andFilters={{"createdBy":"owner"}}', headers=other).json()
    assert spoofed["items"] == [] and spoofed["pagination"]["total"] == 0


def test_guest_never_matches_ownerless_rows_through_self(client, tables):
    env = tables
    assert (
        client.post(f"/v1/data/{SELF_ONLY}", json={"name": "server"}, headers={"x-api-key": env.sk}).status_code == 201
    )
    guest_role = {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token('someone', 'guest')}"}
    listed = client.get(f"/v1/data/{SELF_ONLY}", headers=guest_role).json()
    assert listed["items"] == []
