"""File storage end to end against `bkend-mcp serve` on a real port, as a browser does it: preflight, plain PUTs
to the issued URLs (no credentials), registration, downloads — on the local store and on S3 (moto's server,
configured through the `BKEND_S3_*` variables the server reads)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start
from tests import auth_testing
from tests.blobs_testing import MIB, image_size, md5, moto_s3, multipart_etag, png
from tests.mcp.live_server import live_server

ORIGIN = "http://app.example.test"


@dataclass
class Server:
    adapter: str
    http: httpx.Client
    owner: dict[str, str]
    other: dict[str, str]
    guest: dict[str, str]


def _seed(data_dir: Path) -> tuple[str, dict[str, str]]:
    backend = open_backend(Config(data_dir=data_dir))
    try:
        info = first_start(backend)
        assert info is not None
        project, env = info["project"]["id"], info["environmentId"]
        tokens = {uid: auth_testing.user_token(backend, project, env, uid) for uid in ("owner-1", "other-1")}
        return info["publishableKey"], tokens
    finally:
        backend.close()


def _s3_env(settings) -> dict[str, str]:
    return {
        "BKEND_S3_BUCKET": settings.bucket,
        "BKEND_S3_ENDPOINT": settings.endpoint,
        "BKEND_S3_REGION": settings.region,
        "BKEND_S3_ACCESS_KEY_ID": settings.access_key_id,
        "BKEND_S3_SECRET_ACCESS_KEY": settings.secret_access_key,
        "BKEND_S3_FORCE_PATH_STYLE": "true",
    }


@pytest.fixture(scope="module", params=["local", "s3"])
def server(request, tmp_path_factory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"files-{request.param}") / "data"
    pk, tokens = _seed(data_dir)
    with moto_s3(f"bkend-e2e-{os.getpid()}") if request.param == "s3" else _nothing() as settings:
        extra = _s3_env(settings) if settings else {}
        with (
            live_server(data_dir, BKEND_RATE_LIMITS="off", **extra) as live,
            httpx.Client(base_url=live.base, timeout=60) as http,
        ):
            users = {uid: {"x-api-key": pk, "authorization": f"Bearer {t}"} for uid, t in tokens.items()}
            yield Server(request.param, http, users["owner-1"], users["other-1"], {"x-api-key": pk})


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def preflight(server: Server, url: str) -> None:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
    }
    response = server.http.options(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] in ("*", ORIGIN)
    assert "PUT" in response.headers["access-control-allow-methods"]


def browser_put(server: Server, url: str, data: bytes, content_type: str | None = None) -> httpx.Response:
    preflight(server, url)
    headers = {"Origin": ORIGIN, **({"Content-Type": content_type} if content_type else {})}
    response = httpx.put(url, content=data, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    assert "etag" in response.headers.get("access-control-expose-headers", "").lower()
    return response


def issue(server: Server, headers=None, **body) -> dict:
    body = {"filename": "photo.png", "contentType": "image/png", **body}
    response = server.http.post("/v1/files/presigned-url", json=body, headers=headers or server.owner)
    assert response.status_code == 200, response.text
    return response.json()


def test_single_upload_register_and_download(server):
    data = png()
    issued = issue(server)
    put = browser_put(server, issued["url"], data, "image/png")
    assert put.headers["etag"] == f'"{md5(data)}"'
    body = {"s3Key": issued["key"], "originalName": "photo.png", "mimeType": "image/png", "size": len(data)}
    registered = server.http.post("/v1/files", json=body, headers=server.owner)
    assert registered.status_code == 201, registered.text
    assert registered.json()["id"] == issued["fileId"]
    answer = server.http.post(f"/v1/files/{issued['fileId']}/download-url", headers=server.guest).json()
    assert answer["expiresAt"] is None
    assert server.http.get(answer["url"], follow_redirects=True).content == data


def test_c18_c19_an_unregistered_public_upload_is_a_file_and_its_bare_url_serves_it(server):
    data = png(64, 64, "blue")
    issued = issue(server)
    browser_put(server, issued["url"], data, "image/png")
    file = server.http.get(f"/v1/files/{issued['fileId']}", headers=server.owner)
    assert file.status_code == 200, file.text
    assert file.json()["visibility"] == "public"
    assert httpx.get(issued["url"].split("?")[0]).content == data


def test_multipart_upload_out_of_order_over_http(server):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1024)]
    body = {"filename": "clip.mp4", "contentType": "video/mp4", "fileSize": sum(map(len, parts))}
    started = server.http.post("/v1/files/multipart/init", json=body, headers=server.owner).json()
    etags = {}
    for number in (2, 3, 1):
        asked = {"key": started["key"], "uploadId": started["uploadId"], "partNumber": number}
        url = server.http.post("/v1/files/multipart/presigned-url", json=asked, headers=server.owner).json()["url"]
        etags[number] = browser_put(server, url, parts[number - 1]).headers["etag"]
    listed = [{"partNumber": n, "etag": etags[n]} for n in (3, 1, 2)]
    done = server.http.post("/v1/files/multipart/complete", headers=server.owner,
                            json={"key": started["key"], "uploadId": started["uploadId"], "parts": listed})  # fmt: skip
    assert done.status_code == 200, done.text
    file = server.http.get(f"/v1/files/{started['fileId']}", headers=server.owner).json()
    assert file["size"] == sum(map(len, parts))
    download = server.http.post(f"/v1/files/{started['fileId']}/download-url", headers=server.owner).json()
    fetched = server.http.get(download["url"], follow_redirects=True)
    assert fetched.content == b"".join(parts)
    assert fetched.headers["etag"].strip('"') == multipart_etag(parts)


def test_private_files_need_a_signed_url(server):
    data = png(10, 10)
    issued = issue(server, visibility="private")
    browser_put(server, issued["url"], data, "image/png")
    assert server.http.get(f"/cdn/{issued['key']}").status_code == 404
    assert server.http.get(f"/v1/files/{issued['fileId']}", headers=server.other).status_code == 403
    answer = server.http.post(f"/v1/files/{issued['fileId']}/download-url", headers=server.owner).json()
    assert answer["expiresAt"] is not None
    assert httpx.get(answer["url"]).content == data


def test_image_transforms_read_from_the_store(server):
    issued = issue(server)
    browser_put(server, issued["url"], png(), "image/png")
    response = server.http.get(f"/img/fit-in/100x0/{issued['key']}", headers={"Accept": "image/webp"})
    assert response.status_code == 200, response.text
    assert image_size(response.content) == ("WEBP", 100, 75)


def _changed(url: str, **params: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**dict(parse_qsl(parts.query)), **params})))


def test_tampered_and_expired_urls_are_refused(server):
    if server.adapter == "s3":
        pytest.skip("moto serves presigned URLs without verifying them; AWS and S3-compatibles do")
    issued = issue(server)
    tampered = _changed(issued["url"], max=str(10**12))
    assert httpx.put(tampered, content=b"x", headers={"Content-Type": "image/png"}).status_code == 403
    expired = _changed(issued["url"], exp="1000")
    response = httpx.put(expired, content=b"x", headers={"Content-Type": "image/png"})
    assert response.status_code == 403 and "expired" in response.text
    wrong_type = httpx.put(issued["url"], content=b"x", headers={"Content-Type": "image/jpeg"})
    assert wrong_type.status_code == 403 and "SignatureDoesNotMatch" in wrong_type.text
