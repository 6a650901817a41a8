"""Avatar routes (spec/storage.md Appendix C, spec/auth.md §2.11 #45-#47; compat C20, C22)."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import OTHER, OWNER, who
from tests.api.scenario import assert_error
from tests.blobs_testing import png


def avatar_url(client, env, body, role="owner", user=OWNER):
    who(env, "owner")  # the owner exists before anyone asks about them
    return client.post(f"/v1/users/{user}/avatar/upload-url", json=body, headers=who(env, role))


def new_avatar(client, env, role="owner") -> dict:
    issued = avatar_url(client, env, {"filename": "me.png"}, role).json()
    assert client.put(issued["url"], content=png(), headers={"Content-Type": "image/png"}).status_code == 200
    return issued


def test_c20_content_type_may_be_missing_and_both_url_names_are_returned(client, env):
    response = avatar_url(client, env, {"filename": "me.JPG"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["url"] == body["uploadUrl"] and "ct=image%2Fjpeg" in body["url"]
    assert body["key"].startswith(f"{env.project_id}/dev/avatars/")
    assert body["expiresAt"]


@pytest.mark.parametrize("body", [{"filename": "me.txt"}, {"filename": "me.png", "contentType": "image/svg+xml"}])
def test_only_raster_images_are_avatars(client, env, body):
    assert_error(avatar_url(client, env, body).json(), 400, "file/invalid-format")


def test_c22_setting_the_avatar_returns_the_full_user_with_its_public_image(client, env):
    issued = new_avatar(client, env)
    response = client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": issued["key"]}, headers=who(env, "owner"))
    assert response.status_code == 200, response.text
    user = response.json()
    assert user["id"] == OWNER and user["email"] == f"{OWNER}@users.test"
    assert user["image"].endswith(f"/cdn/{issued['key']}")
    assert client.get(user["image"]).content == png()
    assert client.get(f"/img/fit-in/32x32/{issued['key']}").status_code == 200


def test_replacing_the_avatar_deletes_the_previous_file(client, env):
    first = new_avatar(client, env)
    client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": first["key"]}, headers=who(env, "owner"))
    second = new_avatar(client, env)
    client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": second["key"]}, headers=who(env, "owner"))
    assert env.backend.blobs.head(first["key"]) is None
    assert env.count("files") == 1


def test_deleting_the_avatar_clears_the_image_and_the_file(client, env):
    issued = new_avatar(client, env)
    client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": issued["key"]}, headers=who(env, "owner"))
    response = client.delete(f"/v1/users/{OWNER}/avatar", headers=who(env, "owner"))
    assert response.json() == {"message": "Avatar deleted"}
    assert client.get("/v1/auth/me", headers=who(env, "owner")).json()["image"] is None
    assert env.count("files") == 0 and client.get(f"/cdn/{issued['key']}").status_code == 404


def test_only_the_user_or_an_admin_may_change_an_avatar(client, env):
    who(env, "other")
    assert_error(avatar_url(client, env, {"filename": "me.png"}, "other").json(), 403, "user/forbidden")
    assert avatar_url(client, env, {"filename": "me.png"}, "secret").status_code == 200
    issued = new_avatar(client, env)
    response = client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": issued["key"]}, headers=who(env, "other"))
    assert_error(response.json(), 403, "user/forbidden")


def test_a_file_that_is_not_the_users_avatar_is_refused(client, env):
    issued = new_avatar(client, env)
    theirs = avatar_url(client, env, {"filename": "x.png"}, "other", OTHER).json()
    client.put(theirs["url"], content=png(), headers={"Content-Type": "image/png"})
    response = client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": theirs["key"]}, headers=who(env, "owner"))
    assert_error(response.json(), 403, "file/access-denied")
    missing = client.patch(f"/v1/users/{OWNER}/avatar", json={"s3Key": issued["key"] + "x"}, headers=who(env, "owner"))
    assert_error(missing.json(), 404, "file/not-found")


def test_an_unknown_user_has_no_avatar(client, env):
    response = client.post("/v1/users/nobody/avatar/upload-url", json={"filename": "a.png"}, headers=who(env, "secret"))
    assert_error(response.json(), 404, "user/not-found")
