"""Metadata changes, visibility flips, downloads and deletes (spec/storage.md §2.2.9-§2.2.11, §2.7, §3.4)."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import stored_file, upload, who
from tests.api.scenario import assert_error
from tests.blobs_testing import png


def patch(client, env, file, body, role="owner"):
    return client.patch(f"/v1/files/{file['id']}", json=body, headers=who(env, role))


def test_metadata_merges_at_the_first_level_and_null_removes(client, env):
    file = stored_file(client, env)
    patch(client, env, file, {"metadata": {"alt": "A", "tags": ["x"], "custom": {"a": 1, "b": 2}}})
    changed = patch(client, env, file, {"metadata": {"alt": None, "description": "D", "custom": {"c": 3}}}).json()
    assert changed["metadata"] == {"tags": ["x"], "description": "D", "custom": {"c": 3}}
    assert changed["updatedAt"] >= file["updatedAt"]


def test_other_keys_are_ignored_and_an_empty_patch_changes_nothing(client, env):
    file = stored_file(client, env)
    changed = patch(client, env, file, {"s3Key": "x", "size": 1, "ownerId": "thief", "mimeType": "text/plain"})
    assert changed.status_code == 200
    assert (changed.json()["s3Key"], changed.json()["size"], changed.json()["ownerId"]) == (
        file["s3Key"], file["size"], file["ownerId"])  # fmt: skip


@pytest.mark.parametrize(
    "body, code",
    [
        ({"visibility": "everyone"}, "common/invalid-parameters"),
        ({"originalName": ""}, "file/invalid-name"),
        ({"originalName": "x" * 256}, "file/original-name-too-long"),
        ({"metadata": "text"}, "common/invalid-parameters"),
        ({"sharedWith": "u1"}, "common/invalid-parameters"),
    ],
)
def test_bad_changes_are_refused(client, env, body, code):
    file = stored_file(client, env)
    assert_error(patch(client, env, file, body).json(), 400, code)


def test_the_visibility_alias_path(client, env):
    file = stored_file(client, env)
    changed = client.patch(f"/v1/files/{file['id']}/visibility", json={"visibility": "private"},
                           headers=who(env, "owner"))  # fmt: skip
    assert (changed.json()["visibility"], changed.json()["url"]) == ("private", None)


def test_making_a_file_private_stops_its_public_urls_at_once(client, env):
    file = stored_file(client, env)
    assert client.get(f"/cdn/{file['key']}").status_code == 200
    assert client.get(f"/img/fit-in/50x50/{file['key']}").status_code == 200
    patch(client, env, file, {"visibility": "private"})
    assert_error(client.get(f"/cdn/{file['key']}").json(), 404, "file/not-found")
    assert_error(client.get(f"/img/fit-in/50x50/{file['key']}").json(), 404, "file/not-found")
    assert client.get(file["url"] or f"/_storage/o/{file['key']}").status_code in (403, 404)
    patch(client, env, file, {"visibility": "public"})
    assert client.get(f"/cdn/{file['key']}").status_code == 200


def test_public_download_url_is_permanent(client, env):
    file = stored_file(client, env)
    url = client.post(f"/v1/files/{file['id']}/download-url", headers=who(env, "guest")).json()
    assert url == {"url": file["url"], "filename": "photo.png", "contentType": "image/png", "size": file["size"],
                   "expiresAt": None}  # fmt: skip
    assert client.get(url["url"]).content == png()


def test_private_download_url_is_signed_and_expires(client, env):
    file = stored_file(client, env, visibility="private", filename='Résumé "final".png')
    answer = client.get(f"/v1/files/{file['id']}/download-url", headers=who(env, "owner")).json()
    assert answer["expiresAt"] is not None
    response = client.get(answer["url"])
    assert response.status_code == 200 and response.content == png()
    assert response.headers["content-disposition"].startswith('inline; filename="Rsum final.png"')
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.png" in response.headers["content-disposition"]
    assert response.headers["cache-control"].startswith("private, max-age=")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_download_url_options(client, env):
    file = stored_file(client, env, visibility="private")
    short = client.post(f"/v1/files/{file['id']}/download-url", json={"expiresIn": 60, "disposition": "attachment"},
                        headers=who(env, "owner")).json()  # fmt: skip
    assert client.get(short["url"]).headers["content-disposition"].startswith("attachment;")
    too_long = client.post(f"/v1/files/{file['id']}/download-url", json={"expiresIn": 7200}, headers=who(env, "owner"))
    assert_error(too_long.json(), 400, "common/invalid-parameters")


def test_download_redirects_to_the_url(client, env):
    file = stored_file(client, env, visibility="private")
    response = client.get(f"/v1/files/{file['id']}/download", headers=who(env, "owner"), follow_redirects=False)
    assert response.status_code == 302
    assert "sig=" in response.headers["location"]


def test_ranges_and_conditional_requests_on_downloads(client, env):
    data = png()
    file = stored_file(client, env)
    partial = client.get(f"/cdn/{file['key']}", headers={"Range": "bytes=0-9"})
    assert (partial.status_code, partial.content) == (206, data[:10])
    assert client.get(f"/cdn/{file['key']}", headers={"Range": "bytes=99999-"}).status_code == 416
    etag = client.get(f"/cdn/{file['key']}").headers["etag"]
    assert client.get(f"/cdn/{file['key']}", headers={"If-None-Match": etag}).status_code == 304
    head = client.head(f"/cdn/{file['key']}")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(data)), b"")


def test_svg_is_never_served_as_an_active_page(client, env):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    issued = upload(client, who(env, "owner"), svg, filename="x.svg", contentType="image/svg+xml",
                    visibility="private")  # fmt: skip
    answer = client.post(f"/v1/files/{issued['fileId']}/download-url", headers=who(env, "owner")).json()
    response = client.get(answer["url"])
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-security-policy"] == "sandbox"


def test_delete_removes_record_object_and_urls(client, env):
    file = stored_file(client, env)
    assert client.delete(f"/v1/files/{file['id']}", headers=who(env, "owner")).json() == {}
    assert env.backend.blobs.head(file["key"]) is None
    assert_error(client.get(f"/v1/files/{file['id']}", headers=who(env, "owner")).json(), 404, "file/not-found")
    assert client.get(f"/cdn/{file['key']}").status_code == 404
    assert_error(client.delete(f"/v1/files/{file['id']}", headers=who(env, "owner")).json(), 404, "file/not-found")


def test_data_api_cannot_touch_the_files_table(client, env):
    stored_file(client, env)
    response = client.post("/v1/data/files", json={"s3Key": "x"}, headers=who(env, "secret"))
    assert response.status_code in (403, 404)
    assert client.get("/v1/files/presigned-url", headers=who(env, "owner")).status_code == 404
