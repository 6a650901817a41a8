"""BlobStore contract, the credential in the URL: expired and tampered URLs, a second credential, a different
Content-Type and oversized bodies are refused with S3's error codes. moto does not verify presigned signatures,
so these run where the adapter verifies them (the local store); AWS and S3-compatibles enforce the same rules."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.blobs_testing import MIB


@pytest.fixture
def signing(blobs):
    if not blobs.verifies_signatures:
        pytest.skip("moto serves presigned URLs without verifying them")
    return blobs


def with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update(changes)
    return urlunsplit(parts._replace(query=urlencode(params)))


def s3_code(response) -> str:
    return response.text.split("<Code>")[1].split("</Code>")[0]


def test_an_expired_upload_url_is_access_denied(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", -1, MIB)
    response = signing.http("PUT", url, content=b"x", headers={"Content-Type": "image/png"})
    assert (response.status_code, s3_code(response)) == (403, "AccessDenied")
    assert "expired" in response.text
    assert signing.store.head(blob_key) is None


def test_an_expired_download_url_is_access_denied(signing, blob_key):
    signing.store.write(blob_key, [b"data"], "image/png")
    url = signing.store.presign_get(blob_key, -1, content_type="image/png", disposition="inline")
    response = signing.http("GET", url)
    assert (response.status_code, s3_code(response)) == (403, "AccessDenied")


@pytest.mark.parametrize(
    "change",
    [{"exp": "9999999999"}, {"ct": "text/plain"}, {"max": str(100 * MIB)}, {"sig": "AAAA"}, {"op": "get"}],
    ids=["later-expiry", "other-type", "larger-limit", "forged-signature", "other-operation"],
)
def test_a_tampered_upload_url_is_refused(signing, blob_key, change):
    url = with_params(signing.store.presign_put(blob_key, "image/png", 900, MIB), **change)
    headers = {"Content-Type": change.get("ct", "image/png")}
    response = signing.http("PUT", url, content=b"x", headers=headers)
    assert response.status_code == 403
    assert s3_code(response) in ("SignatureDoesNotMatch", "AccessDenied")
    assert signing.store.head(blob_key) is None


def test_a_url_moved_to_another_key_is_refused(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", 900, MIB)
    moved = url.replace("/photo.png?", "/other.png?")
    response = signing.http("PUT", moved, content=b"x", headers={"Content-Type": "image/png"})
    assert (response.status_code, s3_code(response)) == (403, "SignatureDoesNotMatch")


def test_a_put_with_another_content_type_is_signature_does_not_match(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", 900, MIB)
    response = signing.http("PUT", url, content=b"x", headers={"Content-Type": "image/jpeg"})
    assert (response.status_code, s3_code(response)) == (403, "SignatureDoesNotMatch")


def test_a_put_carrying_authorization_is_invalid_argument(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", 900, MIB)
    headers = {"Content-Type": "image/png", "Authorization": "Bearer token"}
    response = signing.http("PUT", url, content=b"x", headers=headers)
    assert (response.status_code, s3_code(response)) == (400, "InvalidArgument")


def test_a_body_over_the_signed_limit_is_entity_too_large(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", 900, 1000)
    response = signing.http("PUT", url, content=b"x" * 1001, headers={"Content-Type": "image/png"})
    assert (response.status_code, s3_code(response)) == (413, "EntityTooLarge")
    assert signing.store.head(blob_key) is None


def test_a_chunked_body_over_the_limit_is_cut_off(signing, blob_key):
    url = signing.store.presign_put(blob_key, "image/png", 900, 1000)
    body = (b"x" * 600 for _ in range(3))
    response = signing.http("PUT", url, content=body, headers={"Content-Type": "image/png"})
    assert (response.status_code, s3_code(response)) == (413, "EntityTooLarge")
    assert signing.store.head(blob_key) is None


def test_an_unsigned_get_of_an_unknown_object_is_access_denied(signing, blob_key):
    signing.store.write(blob_key, [b"data"], "image/png")
    response = signing.http("GET", signing.store.object_url(blob_key))
    assert (response.status_code, s3_code(response)) == (403, "AccessDenied")


def test_a_part_over_the_signed_limit_is_entity_too_large(signing, blob_key):
    upload_id = signing.store.create_multipart(blob_key, "video/mp4")
    url = signing.store.presign_part(blob_key, upload_id, 1, 900, 1000)
    response = signing.http("PUT", url, content=b"x" * 1001)
    assert (response.status_code, s3_code(response)) == (413, "EntityTooLarge")
