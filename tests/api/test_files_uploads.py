"""Single uploads and registration (spec/storage.md §2.2.1, §2.2.6, §2.3; compat C17-C19; decision D6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bkend_mcp.config_storage import DEFAULT_LIMITS
from tests.api.files_helpers import OWNER, issue, put, upload, who
from tests.api.scenario import Scenario, assert_error, run
from tests.blobs_testing import md5, png

OWNER_H = lambda env: who(env, "owner")  # noqa: E731

ISSUE_SCENARIOS = [
    Scenario("guest may not upload", "POST", "/v1/files/presigned-url", lambda env: who(env, "guest"),
             {"filename": "a.png", "contentType": "image/png"}, status=401,
             error_code="common/authentication-required", unchanged="_file_uploads"),
    Scenario("bad key", "POST", "/v1/files/presigned-url", lambda env: {"x-api-key": "pk_bad"},
             {"filename": "a.png", "contentType": "image/png"}, status=401, error_code="auth/invalid-token-format"),
    Scenario("missing filename", "POST", "/v1/files/presigned-url", OWNER_H, {"contentType": "image/png"},
             status=400, error_code="file/invalid-name", detail_fields=("filename",), unchanged="_file_uploads"),
    Scenario("filename with a slash", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "../etc/passwd", "contentType": "image/png"}, status=400, error_code="file/invalid-name"),
    Scenario("filename over 255", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a" * 256, "contentType": "image/png"}, status=400, error_code="file/invalid-name"),
    Scenario("empty content type", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.bin", "contentType": ""}, status=400, error_code="file/invalid-format"),
    Scenario("type not allowed", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.exe", "contentType": "application/x-msdownload"}, status=400,
             error_code="file/invalid-format"),
    Scenario("type over 100 chars", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/" + "p" * 100}, status=400,
             error_code="file/mime-type-too-long"),
    Scenario("declared size over the image limit", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "fileSize": 11 * 1024 * 1024}, status=400,
             error_code="file/file-too-large", detail_fields=("fileSize",)),
    Scenario("negative size", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "fileSize": -1}, status=400,
             error_code="file/size-negative"),
    Scenario("zero bytes", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "fileSize": 0}, status=400,
             error_code="file/file-too-small"),
    Scenario("fractional size", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "fileSize": 1.5}, status=400,
             error_code="common/invalid-parameters"),
    Scenario("unknown visibility", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "visibility": "secret"}, status=400,
             error_code="common/invalid-parameters", detail_fields=("visibility",)),
    Scenario("unknown category", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "a.png", "contentType": "image/png", "category": "music"}, status=400,
             error_code="common/invalid-parameters", detail_fields=("category",)),
    Scenario("body not an object", "POST", "/v1/files/presigned-url", OWNER_H, ["a.png"], status=400,
             error_code="common/invalid-parameters"),
    Scenario("C17: just filename and contentType", "POST", "/v1/files/presigned-url", OWNER_H,
             {"filename": "My Photo (1).JPG", "contentType": "image/jpg"},
             expect={"filename": "My Photo (1).JPG", "contentType": "image/jpg", "method": "PUT",
                     "headers": {"Content-Type": "image/jpg"}}),
]  # fmt: skip


@pytest.mark.parametrize("scenario", ISSUE_SCENARIOS, ids=lambda s: s.name)
def test_issue_upload_url(client, env, scenario):
    run(client, env, scenario)


def test_issued_key_is_scoped_sanitised_and_carries_the_file_id(client, env):
    issued = issue(client, who(env, "owner"), filename="My Photo (1).JPG", contentType="image/jpeg")
    assert issued["key"] == f"{env.project_id}/dev/attachments/{issued['fileId']}/My-Photo-1.jpg"
    assert issued["url"].split("?")[0].endswith(issued["key"])


def test_c18_an_upload_is_registered_when_its_bytes_arrive(client, env):
    data = png()
    issued = upload(client, who(env, "owner"), data)
    file = client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "owner")).json()
    assert file["id"] == issued["fileId"]
    assert (file["s3Key"], file["key"], file["size"], file["mimeType"]) == (issued["key"], issued["key"], len(data),
                                                                            "image/png")  # fmt: skip
    assert (file["ownerId"], file["ownerType"], file["bucket"]) == (OWNER, "user", "attachments")


def test_d6_no_visibility_means_public_with_a_permanent_url(client, env):
    issued = upload(client, who(env, "owner"))
    file = client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "owner")).json()
    assert file["visibility"] == "public"
    assert file["url"].endswith(f"/cdn/{issued['key']}")


def test_d6_the_default_visibility_is_a_per_environment_setting(client, env):
    sk = who(env, "secret")
    assert client.get("/v1/files/settings", headers=sk).json() == {"defaultVisibility": "public"}
    changed = client.patch("/v1/files/settings", json={"defaultVisibility": "private"}, headers=sk)
    assert changed.json() == {"defaultVisibility": "private"}
    issued = upload(client, who(env, "owner"))
    assert client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "owner")).json()["visibility"] == "private"
    denied = client.patch("/v1/files/settings", json={"defaultVisibility": "public"}, headers=who(env, "owner"))
    assert_error(denied.json(), 403, "file/access-denied")


def test_c19_the_upload_url_without_its_query_serves_a_public_upload(client, env):
    data = png()
    issued = upload(client, who(env, "owner"), data)
    response = client.get(issued["url"].split("?")[0])
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "image/png"
    assert response.headers["etag"] == f'"{md5(data)}"'


def test_c19_a_private_upload_is_not_served_without_a_signature(client, env):
    issued = upload(client, who(env, "owner"), visibility="private")
    response = client.get(issued["url"].split("?")[0])
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text


def register_body(issued, **changes):
    return {"s3Key": issued["key"], "originalName": "photo.png", "mimeType": "image/png", "size": 10, **changes}


def test_registering_an_uploaded_key_claims_it_once(client, env):
    issued = upload(client, who(env, "owner"))
    body = register_body(issued, originalName="Holiday.png", visibility="protected", metadata={"alt": "Beach"})
    first = client.post("/v1/files", json=body, headers=who(env, "owner"))
    assert first.status_code == 201, first.text
    assert first.json()["id"] == issued["fileId"]
    assert (first.json()["originalName"], first.json()["visibility"], first.json()["url"]) == (
        "Holiday.png", "protected", None)  # fmt: skip
    assert first.json()["metadata"] == {"alt": "Beach"}
    second = client.post("/v1/files", json=body, headers=who(env, "owner"))
    assert_error(second.json(), 409, "file/s3-key-already-exists")


def test_registering_before_the_bytes_arrive_is_not_found(client, env):
    issued = issue(client, who(env, "owner"))
    response = client.post("/v1/files", json=register_body(issued), headers=who(env, "owner"))
    assert_error(response.json(), 404, "file/not-found")
    assert env.count("files") == 0


def test_registering_another_users_pending_key_is_denied(client, env):
    issued = issue(client, who(env, "owner"))
    response = client.post("/v1/files", json=register_body(issued), headers=who(env, "other"))
    assert_error(response.json(), 403, "file/access-denied")


def test_registering_another_users_uploaded_key_is_a_conflict(client, env):
    issued = upload(client, who(env, "owner"))
    response = client.post("/v1/files", json=register_body(issued), headers=who(env, "other"))
    assert_error(response.json(), 409, "file/s3-key-already-exists")


@pytest.mark.parametrize(
    "key, code",
    [
        ("proj_other/dev/attachments/file_x/a.png", "file/invalid-path"),
        ("{project}/prod/attachments/file_x/a.png", "file/invalid-path"),
        ("{project}/dev/../dev/a.png", "file/invalid-path"),
        ("/{project}/dev/a.png", "file/invalid-path"),
        ("{project}/dev/" + "a" * 500, "file/s3-key-too-long"),
    ],
    ids=["other-project", "other-environment", "traversal", "leading-slash", "too-long"],
)
def test_registering_a_key_outside_the_environment_is_rejected(client, env, key, code):
    body = register_body({"key": key.replace("{project}", env.project_id)})
    response = client.post("/v1/files", json=body, headers=who(env, "owner"))
    assert_error(response.json(), 400, code)


def test_registration_checks_its_fields_in_order(client, env):
    issued = upload(client, who(env, "owner"))
    cases = [
        (register_body(issued, originalName="x" * 256), "file/original-name-too-long"),
        (register_body(issued, mimeType="nope"), "file/invalid-format"),
        (register_body(issued, size=-5), "file/size-negative"),
        (register_body(issued, size=None), "common/invalid-parameters"),
        (register_body(issued, width=0), "common/invalid-parameters"),
        (register_body(issued, metadata={"tags": ["x" * 51]}), "common/invalid-parameters"),
        (register_body(issued, mimeType="image/jpeg"), "file/invalid-format"),
    ]
    for body, code in cases:
        response = client.post("/v1/files", json=body, headers=who(env, "owner"))
        assert response.json()["error"]["code"] == code, (body, response.text)


def test_guest_may_not_register(client, env):
    issued = upload(client, who(env, "owner"))
    response = client.post("/v1/files", json=register_body(issued), headers=who(env, "guest"))
    assert_error(response.json(), 401, "common/authentication-required")


def test_secret_key_uploads_belong_to_the_service(client, env):
    issued = upload(client, who(env, "secret"))
    file = client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "secret")).json()
    assert (file["ownerId"], file["ownerType"]) == (None, "service")


def test_complete_alias_registers_from_the_intent_without_a_body(client, env):
    issued = upload(client, who(env, "owner"))
    first = client.post(f"/v1/files/{issued['fileId']}/complete", headers=who(env, "owner"))
    assert first.status_code == 201, first.text
    assert first.json()["id"] == issued["fileId"]
    again = client.post(f"/v1/files/{issued['fileId']}/complete", headers=who(env, "owner"))
    assert again.status_code == 200


def test_complete_alias_before_the_upload_is_not_found(client, env):
    issued = issue(client, who(env, "owner"))
    response = client.post(f"/v1/files/{issued['fileId']}/complete", headers=who(env, "owner"))
    assert_error(response.json(), 404, "file/not-found")


def test_a_put_with_another_content_type_is_refused_and_registers_nothing(client, env):
    issued = issue(client, who(env, "owner"))
    response = put(client, issued, png(), "image/jpeg")
    assert response.status_code == 403
    assert "SignatureDoesNotMatch" in response.text
    assert env.count("files") == 0


def test_a_zero_byte_upload_is_refused_at_completion(client, env):
    issued = issue(client, who(env, "owner"))
    response = put(client, issued, b"")
    assert response.status_code == 400
    assert "EntityTooSmall" in response.text
    assert env.count("files") == 0


@pytest.fixture
def small_limits(backend):
    """Type limits of 1000 bytes (`BKEND_STORAGE_LIMITS`), so limits are tested with small bodies."""
    storage = replace(backend.config.storage, limits=dict.fromkeys(DEFAULT_LIMITS, 1000))
    backend.config = replace(backend.config, storage=storage)


def test_an_upload_over_the_type_limit_is_cut_off(client, env, small_limits):
    issued = issue(client, who(env, "owner"), filename="notes.txt", contentType="text/plain")
    response = put(client, issued, b"x" * 1001)
    assert response.status_code == 413
    assert "EntityTooLarge" in response.text
    assert env.count("files") == 0
