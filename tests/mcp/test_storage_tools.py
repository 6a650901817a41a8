"""The core storage tools over the SDK's in-memory client, on both engines: upload (content and presigned),
list, get, update, delete with confirm; acting as an app user; scopes; parity with the REST file API."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from bkend_mcp.mcp.listing import effective_annotations
from tests.api.files_helpers import who
from tests.blobs_testing import png
from tests.mcp.mcp_client import Tools

PNG64 = base64.b64encode(png()).decode()


@pytest.fixture
def tools(env) -> Tools:
    return Tools(env.backend)


def upload(tools: Tools, **arguments) -> dict:
    return tools.ok("upload_file", filename="cover.png", contentType="image/png", contentBase64=PNG64, **arguments)


def test_tools_are_listed_with_their_annotations(tools):
    listed = tools.list()
    names = ("list_files", "get_file", "upload_file", "update_file", "delete_file")
    hints = {name: effective_annotations(listed[name].annotations) for name in names}
    assert hints["list_files"].read_only_hint and hints["get_file"].read_only_hint
    assert hints["upload_file"].open_world_hint is True
    assert hints["update_file"].idempotent_hint and hints["delete_file"].destructive_hint


def test_content_upload_stores_registers_and_answers_a_url(tools, env, client: TestClient):
    result = upload(tools)
    file = result["file"]
    assert (file["originalName"], file["size"], file["visibility"], file["category"]) == (
        "cover.png", len(png()), "public", "attachments")  # fmt: skip
    assert (file["ownerType"], file["status"], file["tags"]) == ("service", "uploaded", [])
    assert result["url"] == file["url"]
    assert client.get(result["url"]).content == png()
    rest = client.get(f"/v1/files/{file['id']}", headers=who(env, "secret")).json()
    assert rest["s3Key"] == file["key"]


def test_presigned_mode_becomes_a_file_once_the_bytes_are_put(tools, client: TestClient):
    issued = tools.ok("upload_file", filename="a.png", contentType="image/png", visibility="private")
    assert (issued["method"], issued["headers"]) == ("PUT", {"Content-Type": "image/png"})
    assert tools.error("get_file", fileId=issued["fileId"])["code"] == "NOT_FOUND"
    assert client.put(issued["uploadUrl"], content=png(), headers=issued["headers"]).status_code == 200
    file = tools.ok("get_file", fileId=issued["fileId"])
    assert file["visibility"] == "private" and "publicUrl" not in file
    assert client.get(file["downloadUrl"]).content == png()


def test_get_file_gives_download_and_public_urls(tools, client: TestClient):
    file = upload(tools)["file"]
    got = tools.ok("get_file", fileId=file["id"], expiresIn=86400)
    assert got["publicUrl"] == file["url"]
    assert client.get(got["downloadUrl"]).status_code == 200
    bare = tools.ok("get_file", fileId=file["id"], includeDownloadUrl=False)
    assert "downloadUrl" not in bare


def test_list_files_filters(tools):
    upload(tools, category="images")
    tools.ok("upload_file", filename="r.pdf", contentType="application/pdf",
             contentBase64=base64.b64encode(b"%PDF").decode(), category="documents")  # fmt: skip
    assert [f["originalName"] for f in tools.ok("list_files", mimeType="image/")["items"]] == ["cover.png"]
    assert [f["originalName"] for f in tools.ok("list_files", category="documents")["items"]] == ["r.pdf"]
    assert tools.ok("list_files", sortBy="size", sortDirection="asc")["pagination"]["total"] == 2


def test_update_file_sets_tags_metadata_and_visibility(tools, client: TestClient):
    file = upload(tools)["file"]
    changed = tools.ok("update_file", fileId=file["id"], visibility="private", tags=["hero"], category="images",
                       metadata={"alt": "Cover"})  # fmt: skip
    assert (changed["visibility"], changed["tags"], changed["category"]) == ("private", ["hero"], "images")
    assert changed["metadata"] == {"alt": "Cover", "tags": ["hero"]}
    assert client.get(file["url"]).status_code == 404


def test_delete_file_needs_confirm(tools):
    file = upload(tools)["file"]
    assert tools.error("delete_file", fileId=file["id"])["code"] == "CONFIRMATION_REQUIRED"
    assert tools.ok("delete_file", fileId=file["id"], confirm=True) == {
        "deleted": True, "warning": "records referencing it are not changed"}  # fmt: skip
    assert tools.error("get_file", fileId=file["id"])["code"] == "NOT_FOUND"


def test_as_user_owns_the_upload_and_sees_by_the_rules(tools, env):
    env.user_token("owner-1")
    mine = upload(tools, asUser="owner-1", visibility="private")["file"]
    assert (mine["ownerId"], mine["ownerType"]) == ("owner-1", "user")


def test_link_stores_the_url_in_a_record(tools, env):
    env.create_table("posts", {"title": {"type": "string"}, "cover": {"type": "string"}})
    post = tools.ok("insert_data", table="posts", records={"title": "Hello"})["items"][0]
    result = upload(tools, link={"table": "posts", "id": post["id"], "field": "cover"})
    stored = tools.ok("query_data", table="posts", id=post["id"])
    assert stored["cover"] == result["file"]["url"]


@pytest.mark.parametrize(
    "arguments, code",
    [
        ({"sourceUrl": "https://example.com/a.png"}, "VALIDATION_ERROR"),
        ({"contentBase64": "!!not base64!!"}, "VALIDATION_ERROR"),
        ({"contentType": "application/x-msdownload"}, "VALIDATION_ERROR"),
        ({"contentBase64": ""}, "VALIDATION_ERROR"),
    ],
    ids=["source-url", "bad-base64", "type-not-allowed", "empty"],
)
def test_upload_refusals(tools, arguments, code):
    base = {"filename": "a.png", "contentType": "image/png", "contentBase64": PNG64}
    assert tools.error("upload_file", **{**base, **arguments})["code"] == code


def test_content_over_the_cap_is_refused(env):
    from dataclasses import replace

    env.backend.config = replace(env.backend.config, storage=replace(env.backend.config.storage,
                                                                     mcp_max_upload_bytes=100))  # fmt: skip
    error = Tools(env.backend).error("upload_file", filename="a.png", contentType="image/png", contentBase64=PNG64)
    assert (error["code"], error["restCode"]) == ("VALIDATION_ERROR", "common/invalid-parameters")


def test_scopes_are_checked(env):
    reader = Tools(env.backend, scopes=("file:read",))
    assert reader.ok("list_files")["items"] == []
    assert reader.error("upload_file", filename="a.png", contentType="image/png")["code"] == "FORBIDDEN"
    assert reader.error("delete_file", fileId="file_x", confirm=True)["code"] == "FORBIDDEN"
