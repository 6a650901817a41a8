"""Path traversal and key tricks on the storage routes (issue 8): `../`, encoded slashes and NUL bytes in object
keys and filenames are refused with a 4xx and never reach a file outside the storage root."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import who

OBJECT_URLS = [
    "/_storage/o/..%2F..%2F..%2Fetc%2Fpasswd",
    "/_storage/o/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/_storage/o/a%00b",
    "/_storage/o/%2Fetc%2Fpasswd",
    "/cdn/..%2F..%2F..%2Fetc%2Fpasswd",
    "/cdn/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/cdn/..%5C..%5Cetc%5Cpasswd",
    "/cdn/a%00.png",
    "/img/..%2F..%2Fetc%2Fpasswd",
    "/img/%2e%2e/%2e%2e/etc/passwd?w=10",
]


@pytest.mark.parametrize("url", OBJECT_URLS)
def test_object_routes_refuse_keys_that_climb_out(client, env, url):
    for method in ("GET", "PUT"):
        response = client.request(method, url, content=b"x" if method == "PUT" else None)
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
        assert b"root:" not in response.content


@pytest.mark.parametrize("filename", ["..", "a/../b.png", "a\x00.png", "..\\..\\a.png", "a\\b.png", "", "."])
def test_upload_filenames_with_path_tricks_are_refused(client, env, filename):
    before = env.count("_file_uploads")
    body = {"filename": filename, "contentType": "image/png"}
    response = client.post("/v1/files/presigned-url", json=body, headers=who(env, "owner"))
    assert response.status_code == 400, (filename, response.text)
    assert response.json()["error"]["code"] == "file/invalid-name"
    assert env.count("_file_uploads") == before
