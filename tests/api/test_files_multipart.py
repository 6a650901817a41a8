"""Multipart uploads over the API (spec/storage.md §2.2.2-§2.2.5, §2.4, §2.8 aliases; compat C18)."""

from __future__ import annotations

import os

import pytest

from tests.api.files_helpers import who
from tests.api.scenario import assert_error
from tests.blobs_testing import MIB, multipart_etag

PARTS = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1024)]
SIZE = sum(len(p) for p in PARTS)


def init(client, headers, path="/v1/files/multipart/init", **body):
    body = {"filename": "clip.mp4", "contentType": "video/mp4", "fileSize": SIZE, **body}
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def part_url(client, headers, started, number, path="/v1/files/multipart/presigned-url"):
    body = {"key": started["key"], "uploadId": started["uploadId"], "partNumber": number}
    return client.post(path, json=body, headers=headers)


def put_parts(client, headers, started, order=(3, 1, 2), parts=PARTS):
    etags = {}
    for number in order:
        url = part_url(client, headers, started, number).json()["url"]
        response = client.put(url, content=parts[number - 1])
        assert response.status_code == 200, response.text
        etags[number] = response.headers["etag"]
    return [{"partNumber": n, "etag": etags[n]} for n in order]


def complete(client, headers, started, parts, path="/v1/files/multipart/complete"):
    return client.post(path, json={"key": started["key"], "uploadId": started["uploadId"], "parts": parts},
                       headers=headers)  # fmt: skip


def test_parts_out_of_order_complete_and_the_file_is_registered(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    assert (started["partSize"], started["maxParts"], started["minPartSize"]) == (10 * MIB, 10000, 5 * MIB)
    done = complete(client, owner, started, put_parts(client, owner, started))
    assert done.status_code == 200, done.text
    assert done.json()["key"] == started["key"]
    assert done.json()["location"].endswith(started["key"])
    file = client.get(f"/v1/files/{started['fileId']}", headers=owner).json()
    assert (file["size"], file["mimeType"], file["ownerId"]) == (SIZE, "video/mp4", "owner-1")
    assert env.backend.blobs.head(started["key"]).etag == multipart_etag(PARTS)


def test_completing_twice_answers_the_same(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    parts = put_parts(client, owner, started, (1, 2), PARTS[:2])
    first = complete(client, owner, started, parts).json()
    assert complete(client, owner, started, parts).json() == first


def test_init_needs_a_file_size(client, env):
    response = client.post("/v1/files/multipart/init", json={"filename": "a.mp4", "contentType": "video/mp4"},
                           headers=who(env, "owner"))  # fmt: skip
    assert_error(response.json(), 400, "common/invalid-parameters")


def test_init_refuses_a_declared_size_over_the_limit(client, env):
    response = client.post("/v1/files/multipart/init", headers=who(env, "owner"),
                           json={"filename": "a.mp4", "contentType": "video/mp4", "fileSize": 101 * MIB})  # fmt: skip
    assert_error(response.json(), 400, "file/file-too-large")


@pytest.mark.parametrize("number", [0, 10001, "1", 1.5], ids=["zero", "over", "string", "fraction"])
def test_part_numbers_outside_1_to_10000_are_refused(client, env, number):
    started = init(client, who(env, "owner"))
    response = part_url(client, who(env, "owner"), started, number)
    assert_error(response.json(), 400, "file/invalid-part-number-range")


@pytest.mark.parametrize(
    "parts",
    [None, [], [{"partNumber": 1}], [{"partNumber": 1, "etag": "a"}, {"partNumber": 1, "etag": "b"}], ["x"]],
    ids=["missing", "empty", "no-etag", "duplicate", "not-objects"],
)
def test_malformed_parts_arrays_are_refused(client, env, parts):
    started = init(client, who(env, "owner"))
    response = complete(client, who(env, "owner"), started, parts)
    assert_error(response.json(), 400, "file/invalid-parts-array")


def test_a_wrong_etag_is_an_invalid_parts_array(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    parts = put_parts(client, owner, started, (1,), PARTS[:1])
    parts[0]["etag"] = '"' + "0" * 32 + '"'
    assert_error(complete(client, owner, started, parts).json(), 400, "file/invalid-parts-array")
    assert env.count("files") == 0


def test_a_small_part_before_the_last_is_too_small(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    parts = put_parts(client, owner, started, (1, 2), [b"a" * 1024, b"b" * 1024])
    assert_error(complete(client, owner, started, parts).json(), 400, "file/file-too-small")


def test_another_user_may_not_continue_an_upload(client, env):
    started = init(client, who(env, "owner"))
    assert_error(part_url(client, who(env, "other"), started, 1).json(), 403, "file/access-denied")
    assert_error(complete(client, who(env, "other"), started, []).json(), 403, "file/access-denied")
    body = {"key": started["key"], "uploadId": started["uploadId"]}
    response = client.post("/v1/files/multipart/abort", json=body, headers=who(env, "other"))
    assert_error(response.json(), 403, "file/access-denied")


def test_an_admin_may_continue_anyones_upload(client, env):
    started = init(client, who(env, "owner"))
    assert part_url(client, who(env, "secret"), started, 1).status_code == 200


def test_guests_may_not_use_multipart(client, env):
    started = init(client, who(env, "owner"))
    assert_error(part_url(client, who(env, "guest"), started, 1).json(), 401, "common/authentication-required")


def test_an_unknown_upload_is_not_found(client, env):
    started = {"key": "x", "uploadId": "0" * 32}
    assert_error(part_url(client, who(env, "owner"), started, 1).json(), 404, "file/not-found")


def test_abort_is_idempotent_and_ends_the_upload(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    url = part_url(client, owner, started, 1).json()["url"]
    body = {"key": started["key"], "uploadId": started["uploadId"]}
    for _ in range(2):
        response = client.post("/v1/files/multipart/abort", json=body, headers=owner)
        assert response.json() == {"success": True, "key": started["key"]}
    assert "NoSuchUpload" in client.put(url, content=b"late").text
    assert_error(part_url(client, owner, started, 2).json(), 404, "file/not-found")


def test_abort_needs_key_and_upload_id(client, env):
    response = client.post("/v1/files/multipart/abort", json={"uploadId": "x"}, headers=who(env, "owner"))
    assert_error(response.json(), 400, "common/invalid-parameters")


def test_aborting_a_completed_upload_is_refused(client, env):
    owner = who(env, "owner")
    started = init(client, owner)
    complete(client, owner, started, put_parts(client, owner, started, (1,), PARTS[:1]))
    body = {"key": started["key"], "uploadId": started["uploadId"]}
    response = client.post("/v1/files/multipart/abort", json=body, headers=owner)
    assert_error(response.json(), 400, "common/invalid-parameters")


def test_the_mcp_docs_alias_paths_work(client, env):
    owner = who(env, "owner")
    started = init(client, owner, "/v1/files/multipart/initiate")
    base = f"/v1/files/multipart/{started['uploadId']}"
    url = client.post(f"{base}/part-url", json={"partNumber": 1}, headers=owner).json()["url"]
    etag = client.put(url, content=PARTS[2]).headers["etag"]
    done = client.post(f"{base}/complete", json={"parts": [{"partNumber": 1, "etag": etag}]}, headers=owner)
    assert done.status_code == 200, done.text
    assert client.get(f"/v1/files/{started['fileId']}", headers=owner).json()["size"] == len(PARTS[2])
    other = init(client, owner)
    aborted = client.post(f"/v1/files/multipart/{other['uploadId']}/abort", headers=owner)
    assert aborted.json() == {"success": True, "key": other["key"]}
