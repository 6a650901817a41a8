"""What is asked: every REST operation family an app credential can reach (data, tables, auth, users, storage,
MCP access). Each operation makes its own fresh target, sends one request, and can photograph the state the
request could change, so a refused write is proven to have changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

from bkend_mcp.domain import ids, tables
from bkend_mcp.domain.auth import collections, sessions, settings
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.files import intents, records
from tests.api.access_matrix.world import BYSTANDER, ITEMS, NOTES, OWNER, PASSWORD, World
from tests.api.files_helpers import stored_file, upload, who
from tests.auth_testing import ensure_user

Send = Callable[[TestClient, World, Any, dict[str, str]], httpx.Response]


@dataclass(frozen=True)
class Operation:
    send: Send
    prepare: Callable[[World], Any] = lambda w: None
    """A fresh target (record, file, user, session...) owned by `OWNER` or a bystander."""
    state: Callable[[World, Any], Any] | None = None
    """What a refused request must leave as it was; None for reads."""
    cleanup: Callable[[World, Any], None] = lambda w, target: None


# --- targets and photographs -----------------------------------------------------------------------------------


def owned_record(w: World) -> str:
    response = w.client.post(
        f"/v1/data/{NOTES}", json={"name": "mine", "createdBy": OWNER}, headers={"x-api-key": w.env.sk}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def record(w: World, record_id: str) -> Any:
    return w.backend.data(w.env.environment_id, NOTES).get(record_id)


def row_counts(w: World, _: Any = None) -> tuple[int, int]:
    return w.env.count(NOTES), w.env.count(ITEMS)


def table_names(w: World, _: Any = None) -> list[str]:
    return sorted(t["tableName"] for t in tables.list_tables(w.backend, w.env.environment_id))


def scratch_table(w: World) -> str:
    name = f"scratch_{ids.short_id('t')[-8:]}"
    w.env.create_table(name, {"name": {"type": "string"}})
    return name


def victim(w: World) -> str:
    """A fresh app user of role `user`."""
    uid = f"victim-{ids.short_id('u')[-10:]}".lower()
    ensure_user(w.backend, w.env.environment_id, uid)
    return uid


def user_doc(w: World, uid: str) -> Any:
    doc = w.user(uid)
    return doc and {k: doc.get(k) for k in ("role", "name", "status", "deletedAt", "passwordHash")}


def user_count(w: World, _: Any = None) -> int:
    return w.env.count("users")


def bystander_session(w: World) -> str:
    env_id = w.env.environment_id
    current = settings.load(w.backend, env_id)
    return sessions.create(w.backend, env_id, BYSTANDER, method="password", client=Client(), settings=current)["_id"]


def session_state(w: World, session_id: str) -> Any:
    return sessions.is_alive(sessions.get(w.backend, w.env.environment_id, session_id))


def password_hashes(w: World, _: Any = None) -> list[Any]:
    return [user_doc(w, uid) for uid in sorted(w.password_hashes)]


def owners_file(visibility: str) -> Callable[[World], str]:
    return lambda w: stored_file(w.client, w.env, "owner", visibility=visibility)["id"]


def issued_upload(w: World) -> str:
    """An upload the owner made (auto-registered by the PUT, compat C18) but did not complete."""
    return upload(w.client, who(w.env, "owner"), visibility="private")["fileId"]


def file_doc(w: World, file_id: str) -> Any:
    return records.files(w.backend, w.env.environment_id).get(file_id)


def upload_counts(w: World, _: Any = None) -> tuple[int, int]:
    return w.env.count("files"), intents.intents(w.backend, w.env.environment_id).count()


def owners_multipart(w: World) -> dict[str, Any]:
    body = {"filename": "clip.mp4", "contentType": "video/mp4", "fileSize": 12 * 1024 * 1024}
    response = w.client.post("/v1/files/multipart/init", json=body, headers=who(w.env, "owner"))
    assert response.status_code == 200, response.text
    return response.json()


def intent_status(w: World, started: dict[str, Any]) -> Any:
    found = intents.by_key(w.backend, w.env.environment_id, started["key"])
    return found and found.get("status")


def mcp_access(w: World, _: Any = None) -> Any:
    return (w.backend.control("environments").get(w.env.environment_id) or {}).get("mcpAccess")


def reopen_mcp(w: World, _: Any) -> None:
    w.backend.control("environments").update(w.env.environment_id, {"mcpAccess": "write"})


# --- the operations --------------------------------------------------------------------------------------------

DATA: dict[str, Operation] = {
    "data list": Operation(lambda c, w, t, h: c.get(f"/v1/data/{NOTES}", headers=h)),
    "data get": Operation(lambda c, w, t, h: c.get(f"/v1/data/{NOTES}/{t}", headers=h), owned_record),
    "data spec": Operation(lambda c, w, t, h: c.get(f"/v1/data/{NOTES}/spec", headers=h)),
    "data create": Operation(
        lambda c, w, t, h: c.post(f"/v1/data/{NOTES}", json={"name": "new"}, headers=h), state=row_counts
    ),
    "data create in another table": Operation(
        lambda c, w, t, h: c.post(f"/v1/data/{ITEMS}", json={"name": "new"}, headers=h), state=row_counts
    ),
    "data bulk create": Operation(
        lambda c, w, t, h: c.post(f"/v1/data/{NOTES}", json=[{"name": "a"}, {"name": "b"}], headers=h),
        state=row_counts,
    ),
    "data update": Operation(
        lambda c, w, t, h: c.patch(f"/v1/data/{NOTES}/{t}", json={"name": "changed"}, headers=h),
        owned_record,
        record,
    ),
    "data delete": Operation(lambda c, w, t, h: c.delete(f"/v1/data/{NOTES}/{t}", headers=h), owned_record, record),
    "data list system table users": Operation(lambda c, w, t, h: c.get("/v1/data/users", headers=h)),
    "data create in system table users": Operation(
        lambda c, w, t, h: c.post("/v1/data/users", json={"email": "x@users.test"}, headers=h), state=user_count
    ),
    "tables list": Operation(lambda c, w, t, h: c.get("/v1/tables", headers=h)),
    "tables create": Operation(
        lambda c, w, t, h: c.post("/v1/tables", json={"tableName": f"made_{ids.short_id('t')[-8:]}"}, headers=h),
        state=table_names,
    ),
    "tables delete": Operation(lambda c, w, t, h: c.delete(f"/v1/tables/{t}", headers=h), scratch_table, table_names),
}

AUTH: dict[str, Operation] = {
    "auth me": Operation(lambda c, w, t, h: c.get("/v1/auth/me", headers=h)),
    "auth sessions list": Operation(lambda c, w, t, h: c.get("/v1/auth/sessions", headers=h)),
    "auth revoke another user's session": Operation(
        lambda c, w, t, h: c.delete(f"/v1/auth/sessions/{t}", headers=h), bystander_session, session_state
    ),
    "auth change password": Operation(
        lambda c, w, t, h: c.post(
            "/v1/auth/password/change", json={"currentPassword": PASSWORD, "newPassword": "N3w-passw0rd!"}, headers=h
        ),
        state=password_hashes,
        cleanup=lambda w, t: w.restore_passwords(),
    ),
    "auth invite to the project as admin": Operation(
        lambda c, w, t, h: c.post(
            "/v1/auth/invitations",
            json={
                "resourceType": "project",
                "resourceId": w.env.project_id,
                "resourceRole": "admin",
                "email": f"{ids.short_id('i')[-10:]}@example.com".lower(),
            },
            headers=h,
        ),
        state=lambda w, t: w.backend.data(w.env.environment_id, collections.INVITATIONS).count(),
    ),
    "auth providers get": Operation(lambda c, w, t, h: c.get("/v1/auth/providers", headers=h)),
    "auth email provider set": Operation(
        lambda c, w, t, h: c.put("/v1/auth/providers/email", json={"magicLinkEnabled": False}, headers=h),
        state=lambda w, t: settings.describe(w.backend, w.env.environment_id),
        cleanup=lambda w, t: settings.update(w.backend, w.env.environment_id, {"magicLinkEnabled": True}),
    ),
    "users list": Operation(lambda c, w, t, h: c.get("/v1/users", headers=h)),
    "users list sorted by role": Operation(lambda c, w, t, h: c.get("/v1/users?sortBy=role", headers=h)),
    "users create": Operation(
        lambda c, w, t, h: c.post(
            "/v1/users", json={"name": "New", "email": f"{ids.short_id('n')[-10:]}@users.test".lower()}, headers=h
        ),
        state=user_count,
    ),
    "users get owner": Operation(lambda c, w, t, h: c.get(f"/v1/users/{OWNER}", headers=h)),
    "users update owner": Operation(
        lambda c, w, t, h: c.patch(f"/v1/users/{OWNER}", json={"name": "Renamed"}, headers=h),
        state=lambda w, t: user_doc(w, OWNER),
        cleanup=lambda w, t: w.rename_owner(),
    ),
    "users update owner's preferences": Operation(
        lambda c, w, t, h: c.patch(f"/v1/users/{OWNER}/preferences", json={"theme": "dark"}, headers=h),
        state=lambda w, t: (w.user(OWNER) or {}).get("preferences"),
        cleanup=lambda w, t: w.reset_owner_preferences(),
    ),
    "users avatar upload url for owner": Operation(
        lambda c, w, t, h: c.post(
            f"/v1/users/{OWNER}/avatar/upload-url", json={"filename": "a.png", "contentType": "image/png"}, headers=h
        ),
        state=upload_counts,
    ),
    "users change role": Operation(
        lambda c, w, t, h: c.patch(f"/v1/users/{t}/role", json={"role": "admin"}, headers=h), victim, user_doc
    ),
    "users delete": Operation(lambda c, w, t, h: c.delete(f"/v1/users/{t}", headers=h), victim, user_doc),
}

STORAGE: dict[str, Operation] = {
    "files upload url": Operation(
        lambda c, w, t, h: c.post(
            "/v1/files/presigned-url", json={"filename": "a.png", "contentType": "image/png"}, headers=h
        ),
        state=upload_counts,
    ),
    "files complete owner's upload": Operation(
        lambda c, w, t, h: c.post(f"/v1/files/{t}/complete", json={"originalName": "done.png"}, headers=h),
        issued_upload,
        file_doc,
    ),
    "files multipart abort owner's upload": Operation(
        lambda c, w, t, h: c.post(
            "/v1/files/multipart/abort", json={"key": t["key"], "uploadId": t["uploadId"]}, headers=h
        ),
        owners_multipart,
        intent_status,
    ),
    "files list": Operation(lambda c, w, t, h: c.get("/v1/files", headers=h)),
    "files get owner's public": Operation(lambda c, w, t, h: c.get(f"/v1/files/{t}", headers=h), owners_file("public")),
    "files get owner's private": Operation(
        lambda c, w, t, h: c.get(f"/v1/files/{t}", headers=h), owners_file("private")
    ),
    "files download url owner's private": Operation(
        lambda c, w, t, h: c.post(f"/v1/files/{t}/download-url", headers=h), owners_file("private")
    ),
    "files make owner's private public": Operation(
        lambda c, w, t, h: c.patch(f"/v1/files/{t}/visibility", json={"visibility": "public"}, headers=h),
        owners_file("private"),
        file_doc,
    ),
    "files delete owner's": Operation(
        lambda c, w, t, h: c.delete(f"/v1/files/{t}", headers=h), owners_file("private"), file_doc
    ),
}

MANAGEMENT: dict[str, Operation] = {
    "mcp-access get": Operation(lambda c, w, t, h: c.get("/v1/mcp-access", headers=h)),
    "mcp-access set": Operation(
        lambda c, w, t, h: c.put("/v1/mcp-access", json={"mcpAccess": "read"}, headers=h),
        state=mcp_access,
        cleanup=reopen_mcp,
    ),
}

APP_OPERATIONS: dict[str, Operation] = {**DATA, **AUTH, **STORAGE, **MANAGEMENT}

PUBLIC: dict[str, Operation] = {
    "auth sign-in": Operation(
        lambda c, w, t, h: c.post(
            "/v1/auth/email/signin", json={"email": f"{OWNER}@users.test", "password": PASSWORD}, headers=h
        )
    ),
}
"""Public auth endpoints need only the key and ignore any `Authorization` header (spec/auth.md §2.0 R5)."""
