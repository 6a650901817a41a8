"""Account deletion over HTTP: withdraw and `DELETE /v1/users/{own id}` (spec/auth.md §2.9 #36, compat C23), and
the admin's read of the built-in `users` table through the data API (spec/data.md §5.8)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import bearer, key, signin, signup
from tests.api.scenario import assert_error


def _withdraw(client, env, token, how):
    if how == "withdraw":
        return client.delete("/v1/auth/withdraw", headers=bearer(env, token))
    user_id = client.get("/v1/auth/me", headers=bearer(env, token)).json()["id"]
    return client.delete(f"/v1/users/{user_id}", headers={**bearer(env, token), "content-type": "application/json"})


@pytest.mark.parametrize("how", ["withdraw", "delete own user"])
def test_withdraw_frees_the_address_and_ends_every_session(client, env, how):
    env.create_table("notes", {"text": {"bsonType": "string"}})
    first = signup(client, env)
    other_session = signin(client, env).json()
    note = client.post("/v1/data/notes", json={"text": "mine"}, headers=bearer(env, first["accessToken"])).json()
    response = _withdraw(client, env, first["accessToken"], how)
    assert response.status_code == 200 and response.json()["message"]
    for token in (first["accessToken"], other_session["accessToken"]):
        assert client.get("/v1/auth/me", headers=bearer(env, token)).status_code == 401
    refresh = client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]}, headers=key(env))
    assert refresh.status_code == 401
    assert_error(signin(client, env).json(), 401, "auth/invalid-credentials")
    again = signup(client, env)
    assert again["user"]["id"] != first["user"]["id"]
    kept = client.get(f"/v1/data/notes/{note['id']}", headers={"x-api-key": env.sk}).json()
    assert kept["createdBy"] == first["user"]["id"], "records keep their creator"
    old = users.get(env.backend, env.environment_id, first["user"]["id"])
    assert old["status"] == "deleted" and "email" not in old and old["name"] is None and old["passwordHash"] is None
    assert users.accounts_of(env.backend, env.environment_id, first["user"]["id"]) == []


def test_withdraw_revokes_pending_invitations_sent(client, env):
    ada = signup(client, env)
    body = {"resourceType": "organization", "resourceId": "o1", "resourceRole": "member", "email": "bob@example.com"}
    invitation = client.post("/v1/auth/invitations", json=body, headers=bearer(env, ada["accessToken"])).json()
    client.delete("/v1/auth/withdraw", headers=bearer(env, ada["accessToken"]))
    shown = client.get(f"/v1/auth/invitations/{invitation['id']}", headers={"x-api-key": env.sk}).json()
    assert shown["status"] == "revoked"


def test_withdraw_needs_a_user_token(client, env):
    assert_error(client.delete("/v1/auth/withdraw", headers=key(env)).json(), 401, "auth/unauthorized")


# --- /v1/data/users ------------------------------------------------------------------------------------------


def test_admins_read_users_through_the_data_api_without_secrets(client, env):
    ada = signup(client, env)
    signup(client, env, "bob@example.com", name="Bob")
    listed = client.get("/v1/data/users?sortBy=email&sortDirection=asc", headers={"x-api-key": env.sk})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [u["email"] for u in body["items"]] == ["ada@example.com", "bob@example.com"]
    assert "passwordHash" not in listed.text and "argon2" not in listed.text
    one = client.get(f"/v1/data/users/{ada['user']['id']}", headers={"x-api-key": env.sk}).json()
    assert one["email"] == "ada@example.com" and "passwordHash" not in one
    found = client.get("/v1/users?limit=1", headers={"x-api-key": env.sk}).json()
    assert found["pagination"]["total"] == 2
    filtered = client.get('/v1/data/users?andFilters={"name":"Bob"}', headers={"x-api-key": env.sk}).json()
    assert [u["name"] for u in filtered["items"]] == ["Bob"]
    secret = client.get('/v1/data/users?andFilters={"passwordHash":{"$exists":true}}', headers={"x-api-key": env.sk})
    assert_error(secret.json(), 403, "data/permission-denied")


@pytest.mark.parametrize(
    "method, path, who",
    [("GET", "/v1/data/users", "pk"), ("GET", "/v1/data/users", "user"), ("POST", "/v1/data/users", "sk"),
     ("DELETE", "/v1/data/users/x", "sk"), ("GET", "/v1/users_table_does_not_exist", "sk")],
    ids=["guest list", "user list", "admin create", "admin delete", "shorthand other"],
)  # fmt: skip
def test_the_users_table_is_admin_read_only(client, env, method, path, who):
    headers = {"pk": key(env), "sk": {"x-api-key": env.sk}, "user": bearer(env, env.user_token("u1"))}[who]
    response = client.request(method, path, json={} if method == "POST" else None, headers=headers)
    if path.endswith("does_not_exist"):
        assert response.status_code == 404
        return
    assert_error(response.json(), 403, "data/system-table-access")
