"""What a requester may not grant itself through a request body (issue #8): each row sends fields that would raise
its privileges or move ownership, and reads back that none of them stuck (spec/auth.md §1.4, §2.1, §2.10;
data.md §2.6 system fields; storage.md §2.2.6, §2.2.9). Both engines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import PASSWORD
from tests.api.files_helpers import OTHER, OWNER, stored_file, who


@dataclass(frozen=True)
class Attempt:
    send: Callable[[TestClient, Any], Any]
    status: int
    stuck: Callable[[TestClient, Any, Any], bool]
    """True when the privilege the request asked for was granted (the bug this row catches)."""


def _user(env: Any, uid: str = OWNER) -> dict[str, Any]:
    return users.get(env.backend, env.environment_id, uid) or {}


def _self_patch(body: dict[str, Any]) -> Callable[[TestClient, Any], Any]:
    return lambda client, env: client.patch(f"/v1/users/{OWNER}", json=body, headers=who(env, "owner"))


def _record(client: TestClient, env: Any, body: dict[str, Any]) -> Any:
    mine = {"user": {"create": True, "read": True}, "self": {"update": True}}
    env.create_table("posts", {"title": {"type": "string"}}, permissions=mine)
    return client.post("/v1/data/posts", json={"title": "t", **body}, headers=who(env, "owner"))


def _stored_record(env: Any, response: Any) -> dict[str, Any]:
    return env.backend.data(env.environment_id, "posts").get(response.json()["id"]) or {}


def _moved_record(client: TestClient, env: Any) -> Any:
    created = _record(client, env, {})
    url = f"/v1/data/posts/{created.json()['id']}"
    return client.patch(url, json={"createdBy": OTHER, "createdAt": "2001-01-01T00:00:00Z"}, headers=who(env, "owner"))


def _file_patch(client: TestClient, env: Any) -> Any:
    file = stored_file(client, env, "owner", visibility="private")
    body = {"ownerId": OTHER, "ownerType": "admin", "size": 1}
    return client.patch(f"/v1/files/{file['id']}", json=body, headers=who(env, "owner"))


def _signup(client: TestClient, env: Any) -> Any:
    body = {"email": "eve@example.com", "password": PASSWORD, "name": "Eve", "role": "admin", "emailVerified": True}
    return client.post("/v1/auth/email/signup", json=body, headers={"x-api-key": env.pk})


ATTEMPTS: dict[str, Attempt] = {
    "a user's own PATCH asking for role admin": Attempt(
        _self_patch({"role": "admin"}), 200, lambda c, e, r: _user(e).get("role") != "user"
    ),
    "a user's own PATCH asking for status active": Attempt(
        _self_patch({"status": "active"}), 403, lambda c, e, r: False
    ),
    "a user's own PATCH setting emailVerified, email or passwordHash": Attempt(
        _self_patch({"emailVerified": True, "email": "new@example.com", "passwordHash": "x"}),
        200,
        lambda c, e, r: bool(_user(e).get("emailVerified")) or _user(e).get("email") != f"{OWNER}@users.test",
    ),
    "a user changing its own role": Attempt(
        lambda c, e: c.patch(f"/v1/users/{OWNER}/role", json={"role": "admin"}, headers=who(e, "owner")),
        403,
        lambda c, e, r: _user(e).get("role") != "user",
    ),
    "a sign-up asking for role admin and a verified address": Attempt(
        _signup,
        201,
        lambda c, e, r: r.json()["user"]["role"] != "user" or r.json()["user"]["emailVerified"] is not None,
    ),
    "a record created with another user's createdBy": Attempt(
        lambda c, e: _record(c, e, {"createdBy": OTHER}),
        201,
        lambda c, e, r: _stored_record(e, r)["createdBy"] != OWNER,
    ),
    "a record moved to another user by PATCH": Attempt(
        _moved_record,
        200,
        lambda c, e, r: _stored_record(e, r)["createdBy"] != OWNER or "2001" in str(_stored_record(e, r)["createdAt"]),
    ),
    "a file given to another owner by PATCH": Attempt(
        _file_patch, 200, lambda c, e, r: (r.json().get("ownerId"), r.json().get("ownerType")) != (OWNER, "user")
    ),
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_a_request_cannot_grant_its_sender_privileges(client, env, attempt):
    tried = ATTEMPTS[attempt]
    who(env, "owner")  # the owner exists, with role `user`
    response = tried.send(client, env)
    assert response.status_code == tried.status, response.text
    assert not tried.stuck(client, env, response)
