"""BlobStore contract, single objects: presigned PUT and GET as a browser does them, heads, ranged reads,
server-side writes, deletes and listing — the same on the local store and on S3 (moto)."""

from __future__ import annotations

import os

import pytest

from tests.blobs_testing import MIB, md5

BODY = os.urandom(200_000)


def put(blobs, key: str, body: bytes = BODY, content_type: str = "image/png"):
    url = blobs.store.presign_put(key, content_type, 900, 10 * MIB)
    return blobs.http("PUT", url, content=body, headers={"Content-Type": content_type})


def test_presigned_put_stores_the_bytes_and_answers_their_md5_as_etag(blobs, blob_key):
    response = put(blobs, blob_key)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{md5(BODY)}"'
    info = blobs.store.head(blob_key)
    assert (info.size, info.etag, info.content_type) == (len(BODY), md5(BODY), "image/png")


def test_head_of_a_missing_object_is_none(blobs, blob_key):
    assert blobs.store.head(blob_key) is None


def test_read_streams_the_whole_object_or_a_range(blobs, blob_key):
    put(blobs, blob_key)
    assert b"".join(blobs.store.read(blob_key)) == BODY
    assert b"".join(blobs.store.read(blob_key, 10, 19)) == BODY[10:20]
    assert b"".join(blobs.store.read(blob_key, 199_990)) == BODY[199_990:]


def test_presigned_get_downloads_with_the_signed_headers(blobs, blob_key):
    put(blobs, blob_key)
    disposition = "attachment; filename=\"photo.png\"; filename*=UTF-8''photo.png"
    url = blobs.store.presign_get(blob_key, 3600, content_type="image/png", disposition=disposition)
    response = blobs.http("GET", url)
    assert response.status_code == 200
    assert response.content == BODY
    if blobs.name == "s3":  # S3 applies the signed response-* overrides; moto ignores them
        assert "response-content-disposition=" in url and "response-content-type=" in url
    else:
        assert response.headers["content-type"] == "image/png"
        assert response.headers["content-disposition"] == disposition


def test_presigned_get_honours_range(blobs, blob_key):
    put(blobs, blob_key)
    url = blobs.store.presign_get(blob_key, 3600, content_type="image/png", disposition="inline")
    response = blobs.http("GET", url, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.content == BODY[100:200]
    assert response.headers["content-range"] == f"bytes 100-199/{len(BODY)}"


def test_a_second_put_to_the_same_url_overwrites(blobs, blob_key):
    put(blobs, blob_key)
    put(blobs, blob_key, b"second")
    assert b"".join(blobs.store.read(blob_key)) == b"second"


def test_object_url_is_the_upload_url_without_its_query(blobs, blob_key):
    url = blobs.store.presign_put(blob_key, "image/png", 900, MIB)
    assert blobs.store.object_url(blob_key) == url.split("?", 1)[0]


@pytest.mark.parametrize("size", [5, 9 * MIB], ids=["small", "over-one-part"])
def test_server_side_write_streams_chunks_into_one_object(blobs, blob_key, size):
    data = os.urandom(size)
    chunks = (data[i : i + MIB] for i in range(0, len(data), MIB))
    info = blobs.store.write(blob_key, chunks, "application/pdf")
    assert info.size == size
    assert blobs.store.head(blob_key).content_type == "application/pdf"
    assert b"".join(blobs.store.read(blob_key)) == data


def test_delete_removes_the_object_and_tolerates_a_missing_one(blobs, blob_key):
    put(blobs, blob_key)
    blobs.store.delete(blob_key)
    assert blobs.store.head(blob_key) is None
    blobs.store.delete(blob_key)


def test_list_keys_finds_objects_under_a_prefix(blobs, blob_key):
    put(blobs, blob_key)
    prefix = blob_key.rsplit("/", 1)[0] + "/"
    assert list(blobs.store.list_keys(prefix)) == [blob_key]
    assert list(blobs.store.list_keys(prefix + "nothing-here/")) == []


def test_read_of_a_missing_object_is_no_such_key(blobs, blob_key):
    from bkend_mcp.blobs.base import BlobError

    with pytest.raises(BlobError) as caught:
        b"".join(blobs.store.read(blob_key))
    assert caught.value.code == "NoSuchKey"


def test_browser_preflight_for_put_with_content_type_succeeds(blobs, blob_key):
    url = blobs.store.presign_put(blob_key, "image/png", 900, MIB)
    preflight = {
        "Origin": "http://app.example.test",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
    }
    response = blobs.http("OPTIONS", url, headers=preflight)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://app.example.test")
    assert "PUT" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"].lower() in ("*", "content-type")


def test_cross_origin_put_exposes_the_etag(blobs, blob_key):
    url = blobs.store.presign_put(blob_key, "image/png", 900, MIB)
    headers = {"Content-Type": "image/png", "Origin": "http://app.example.test"}
    response = blobs.http("PUT", url, content=b"x", headers=headers)
    assert response.status_code == 200
    assert "etag" in response.headers["access-control-expose-headers"].lower()
