"""Revocation takes effect on the next request (issue #8; spec/auth.md §2.3, §2.4, §2.10, §3.4; data.md §5.9):
each event, done the way an app or the console does it, × which credentials must stop at once and which must keep
working, checked on a data, a storage and a user route. Both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from bkend_mcp.domain import tokens
from tests.api.auth_helpers import PASSWORD, bearer, configure, mailed_token, signin, signup
from tests.api.console_helpers import Browser, make_owner

ROUTES = ("/v1/data/items", "/v1/files", "/v1/users")
NEW_PASSWORD = "N3w-passw0rd!"


class Sessions:
    """One signed-up user with two sessions (`first`, `second`) and a bystander, over HTTP."""

    def __init__(self, client: TestClient, env: Any) -> None:
        self.client, self.env = client, env
        self.first = signup(client, env, "ada@example.com")["accessToken"]
        self.second = signin(client, env, "ada@example.com").json()["accessToken"]
        self.bystander = env.user_token("bystander")
        self.user_id = client.get("/v1/auth/me", headers=bearer(env, self.first)).json()["id"]

    def works(self, token: str) -> bool:
        answers = {self.client.get(route, headers=bearer(self.env, token)).status_code for route in ROUTES}
        assert len(answers) == 1, f"routes disagree: {answers}"
        return answers == {200}

    def sid_of(self, token: str) -> str:
        return tokens.session_claims_ignoring_expiry(
            self.env.backend, token, project_id=self.env.project_id, environment_id=self.env.environment_id
        )["sid"]


def _sign_out(s: Sessions) -> Any:
    return s.client.post("/v1/auth/signout", headers=bearer(s.env, s.first))


def _end_second_session(s: Sessions) -> Any:
    return s.client.delete(f"/v1/auth/sessions/{s.sid_of(s.second)}", headers=bearer(s.env, s.first))


def _change_password(s: Sessions) -> Any:
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    return s.client.post("/v1/auth/password/change", json=body, headers=bearer(s.env, s.first))


def _change_password_strictly(s: Sessions) -> Any:
    configure(s.env, revokeAllSessionsOnPasswordChange=True)
    return _change_password(s)


def _reset_password(s: Sessions) -> Any:
    headers = {"x-api-key": s.env.pk}
    s.client.post("/v1/auth/password/reset/request", json={"email": "ada@example.com"}, headers=headers)
    body = {"email": "ada@example.com", "token": mailed_token(s.env, "ada@example.com"), "newPassword": NEW_PASSWORD}
    return s.client.post("/v1/auth/password/reset/confirm", json=body, headers=headers)


def _ban(s: Sessions) -> Any:
    return s.client.patch(f"/v1/users/{s.user_id}", json={"status": "banned"}, headers={"x-api-key": s.env.sk})


def _delete_by_admin(s: Sessions) -> Any:
    return s.client.delete(f"/v1/users/{s.user_id}", headers={"x-api-key": s.env.sk})


def _withdraw(s: Sessions) -> Any:
    return s.client.delete("/v1/auth/withdraw", headers=bearer(s.env, s.first))


# event → (does `first` still work, does `second` still work); the bystander always keeps working.
USER_EVENTS: dict[str, tuple[Callable[[Sessions], Any], bool, bool]] = {
    "signs out": (_sign_out, False, True),
    "ends its other session": (_end_second_session, True, False),
    "changes its password": (_change_password, True, False),
    "changes its password with revokeAllSessionsOnPasswordChange": (_change_password_strictly, False, False),
    "resets its password": (_reset_password, False, False),
    "is banned by an admin": (_ban, False, False),
    "is deleted by an admin": (_delete_by_admin, False, False),
    "withdraws": (_withdraw, False, False),
}


@pytest.mark.parametrize("event", USER_EVENTS, ids=list(USER_EVENTS))
def test_user_events_end_exactly_the_sessions_they_should(client, env, event):
    env.create_table("items", {"name": {"type": "string"}})
    s = Sessions(client, env)
    assert s.works(s.first) and s.works(s.second)
    act, first_lives, second_lives = USER_EVENTS[event]
    response = act(s)
    assert response.status_code == 200, response.text
    assert (s.works(s.first), s.works(s.second)) == (first_lives, second_lives)
    assert s.works(s.bystander)


def _console(client: TestClient, env: Any) -> Browser:
    make_owner(env.backend)
    owner = Browser(client)
    owner.sign_in()
    return owner


def _revoke_key_in_console(client: TestClient, env: Any, made: dict[str, Any]) -> Any:
    url = f"/v1/console/projects/{env.project_id}/environments/dev/api-keys/{made['id']}"
    return _console(client, env).delete(url)


def _delete_environment_in_console(client: TestClient, env: Any, made: dict[str, Any]) -> Any:
    url = f"/v1/console/projects/{env.project_id}/environments/{made['environmentId']}"
    return _console(client, env).delete(url, {"confirm": "staging"})


@pytest.mark.parametrize(
    ("event", "code"),
    [(_revoke_key_in_console, "auth/api-key-revoked"), (_delete_environment_in_console, "auth/unauthorized")],
    ids=["key revoked in the console", "its environment deleted in the console"],
)
def test_a_key_stops_on_the_next_request(client, env, event, code):
    made = _staging_key(env) if event is _delete_environment_in_console else env.make_key("secret")
    headers = {"x-api-key": made["key"]}
    assert client.get("/v1/users", headers=headers).status_code == 200
    response = event(client, env, made)
    assert response.status_code == 200, response.text
    for route in ("/v1/users", "/v1/files", "/v1/tables"):
        refused = client.get(route, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == code, refused.text
    assert client.get("/v1/users", headers={"x-api-key": env.sk}).status_code == 200, "other keys keep working"


def _staging_key(env: Any) -> dict[str, Any]:
    from bkend_mcp.domain import keys, tenancy

    staging = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="staging")
    return keys.create_key(
        env.backend,
        project_id=env.project_id,
        environment_id=staging["id"],
        organization_id=env.organization_id,
        key_type="secret",
        name="staging",
        created_by="test",
    )
