"""What the storage API tests share: who is calling (owner, another user, a guest, an admin user, the secret
key), and uploads done the way a browser does them (issue a URL, PUT the bytes to it, no credentials)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.blobs_testing import png

OWNER, OTHER, ADMIN = "owner-1", "other-1", "admin-1"
ROLES = ("owner", "other", "guest", "admin", "secret")


def who(env: Any, role: str) -> dict[str, str]:
    """Headers of one principal of storage.md §4.2."""
    users = {"owner": (OWNER, "user"), "other": (OTHER, "user"), "admin": (ADMIN, "admin")}
    if role == "guest":
        return {"x-api-key": env.pk}
    if role == "secret":
        return {"x-api-key": env.sk}
    uid, user_role = users[role]
    return {"x-api-key": env.pk, "authorization": f"Bearer {env.user_token(uid, user_role)}"}


def issue(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body = {"filename": "photo.png", "contentType": "image/png", **body}
    response = client.post("/v1/files/presigned-url", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def put(client: TestClient, issued: dict[str, Any], data: bytes, content_type: str | None = None) -> Any:
    return client.put(issued["url"], content=data, headers={"Content-Type": content_type or issued["contentType"]})


def upload(client: TestClient, headers: dict[str, str], data: bytes | None = None, **body: Any) -> dict[str, Any]:
    """Issue + PUT; the issuance answer (the file is registered by the upload itself, compat C18)."""
    issued = issue(client, headers, **body)
    response = put(client, issued, png() if data is None else data)
    assert response.status_code == 200, response.text
    return issued


def stored_file(client: TestClient, env: Any, role: str = "owner", **body: Any) -> dict[str, Any]:
    """A registered file uploaded by `role`, as its owner sees it."""
    headers = who(env, role)
    issued = upload(client, headers, **body)
    response = client.get(f"/v1/files/{issued['fileId']}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
