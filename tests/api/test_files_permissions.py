"""The permission table of spec/storage.md §4.2: each visibility × each principal (owner, another user, guest,
admin user, secret key) for reading, download URLs, changes and deletes; the non-owner projection (§1.5); the
list filter of §4.3."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import OTHER, ROLES, stored_file, who
from tests.api.scenario import assert_error

READ = {  # visibility → roles that may read
    "public": {"owner", "other", "guest", "admin", "secret"},
    "protected": {"owner", "other", "admin", "secret"},
    "shared": {"owner", "admin", "secret"},  # "other" only once listed in sharedWith
    "private": {"owner", "admin", "secret"},
}
WRITE = {"owner", "admin", "secret"}
FAILURES = {"guest": (401, "common/authentication-required"), "other": (403, "file/access-denied")}


@pytest.mark.parametrize("visibility", list(READ))
@pytest.mark.parametrize("role", ROLES)
def test_reading_a_file(client, env, visibility, role):
    file = stored_file(client, env, visibility=visibility)
    response = client.get(f"/v1/files/{file['id']}", headers=who(env, role))
    download = client.post(f"/v1/files/{file['id']}/download-url", headers=who(env, role))
    if role in READ[visibility]:
        assert response.status_code == 200, response.text
        assert download.status_code == 200, download.text
    else:
        assert_error(response.json(), 403, "file/access-denied")
        assert_error(download.json(), 403, "file/access-denied")


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_changing_and_deleting_a_file(client, env, visibility, role):
    file = stored_file(client, env, visibility=visibility)
    patched = client.patch(f"/v1/files/{file['id']}", json={"originalName": "new.png"}, headers=who(env, role))
    deleted = client.delete(f"/v1/files/{file['id']}", headers=who(env, role))
    if role in WRITE:
        assert patched.status_code == 200 and patched.json()["originalName"] == "new.png"
        assert deleted.status_code == 200 and deleted.json() == {}
    else:
        status, code = FAILURES[role]
        assert_error(patched.json(), status, code)
        assert_error(deleted.json(), status, code)
        assert env.count("files") == 1


def test_a_shared_file_is_readable_by_the_users_it_names(client, env):
    file = stored_file(client, env, visibility="shared")
    owner = who(env, "owner")
    assert client.get(f"/v1/files/{file['id']}", headers=who(env, "other")).status_code == 403
    client.patch(f"/v1/files/{file['id']}", json={"sharedWith": [OTHER]}, headers=owner)
    assert client.get(f"/v1/files/{file['id']}", headers=who(env, "other")).status_code == 200
    listed = client.get("/v1/files", headers=who(env, "other")).json()
    assert [f["id"] for f in listed["items"]] == [file["id"]]


def test_non_owners_see_the_projection(client, env):
    file = stored_file(client, env, visibility="public")
    metadata = {"alt": "A", "custom": {"secret": 1}, "relatedEntityId": "order-1"}
    owner = who(env, "owner")
    client.patch(f"/v1/files/{file['id']}", json={"metadata": metadata, "sharedWith": [OTHER]}, headers=owner)
    full = client.get(f"/v1/files/{file['id']}", headers=owner).json()
    assert full["metadata"] == metadata and full["ownerType"] == "user" and full["sharedWith"] == [OTHER]
    for role in ("other", "guest"):
        seen = client.get(f"/v1/files/{file['id']}", headers=who(env, role)).json()
        assert seen["metadata"] == {"alt": "A"}
        assert "ownerType" not in seen and "sharedWith" not in seen
        assert seen["key"] == file["key"]


def test_unknown_and_malformed_ids_are_not_found(client, env):
    for file_id in ("file_0000", "presigned", "data_0192"):
        response = client.get(f"/v1/files/{file_id}", headers=who(env, "owner"))
        assert_error(response.json(), 404, "file/not-found")


def test_lists_show_each_principal_what_it_may_read(client, env):
    ids = {v: stored_file(client, env, visibility=v)["id"] for v in READ}
    theirs = stored_file(client, env, "other", visibility="private")["id"]
    expected = {
        "owner": {ids["public"], ids["protected"], ids["shared"], ids["private"]},
        "other": {ids["public"], ids["protected"], theirs},
        "guest": {ids["public"]},
        "admin": set(ids.values()) | {theirs},
        "secret": set(ids.values()) | {theirs},
    }
    for role, visible in expected.items():
        listed = client.get("/v1/files", headers=who(env, role)).json()
        assert {f["id"] for f in listed["items"]} == visible, role
        assert listed["pagination"]["total"] == len(visible), role
