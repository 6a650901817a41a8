"""The user API over HTTP: list, create, get, update, ban, role, delete (spec/auth.md §2.10 #37-#42)."""

from __future__ import annotations

import pytest

from tests.api.auth_helpers import PASSWORD, bearer, key, signin, signup
from tests.api.scenario import Scenario, assert_error, run


def _sk(env):
    return {"x-api-key": env.sk}


def _seed(client, env):
    """Three users, created in this order: ada, bob (nickname 'builder'), carol."""
    return [
        signup(client, env, "ada@example.com", name="Ada Lovelace"),
        signup(client, env, "bob@example.com", name="Bob", nickname="builder"),
        signup(client, env, "carol@example.com", name="Carol"),
    ]


def test_admin_lists_full_users_newest_first(client, env):
    _seed(client, env)
    body = client.get("/v1/users", headers=_sk(env)).json()
    assert [u["email"] for u in body["items"]] == ["carol@example.com", "bob@example.com", "ada@example.com"]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "totalPages": 1, "hasNext": False,
                                  "hasPrev": False}  # fmt: skip
    assert all("passwordHash" not in u and "mfa" not in u for u in body["items"])


@pytest.mark.parametrize(
    "query, emails",
    [
        ("?search=LOVE", ["ada@example.com"]),
        ("?search=build&searchType=nickname", ["bob@example.com"]),
        ("?search=carol@&searchType=email", ["carol@example.com"]),
        (
            "?search=example.com&sortBy=email&sortDirection=asc",
            ["ada@example.com", "bob@example.com", "carol@example.com"],
        ),
        ("?sortBy=name&sortDirection=desc&limit=2", ["carol@example.com", "bob@example.com"]),
        ("?sortBy=name&sortDirection=asc&limit=2&page=2", ["carol@example.com"]),
        ("?search=.*", []),
    ],
    ids=["name search", "nickname", "email", "sort by email", "limit", "page 2", "regex is literal"],
)
def test_admin_search_sort_page(client, env, query, emails):
    _seed(client, env)
    assert [u["email"] for u in client.get(f"/v1/users{query}", headers=_sk(env)).json()["items"]] == emails


def test_limit_is_clamped(client, env):
    _seed(client, env)
    assert client.get("/v1/users?limit=200", headers=_sk(env)).json()["pagination"]["limit"] == 100


def test_include_accounts(client, env):
    _seed(client, env)
    item = client.get("/v1/users?includeAccounts=true&limit=1", headers=_sk(env)).json()["items"][0]
    assert item["accounts"][0]["provider"] == "email" and item["providers"] == ["email"]


def test_users_see_public_views_and_cannot_search_by_email(client, env):
    ada, *_ = _seed(client, env)
    headers = bearer(env, ada["accessToken"])
    items = client.get("/v1/users?search=o", headers=headers).json()["items"]
    assert {u["name"] for u in items} == {"Ada Lovelace", "Bob", "Carol"}
    assert all(set(u) == {"id", "name", "nickname", "image", "createdAt"} for u in items)
    assert client.get("/v1/users?search=example.com", headers=headers).json()["items"] == []
    denied = client.get("/v1/users?search=bob@&searchType=email", headers=headers)
    assert_error(denied.json(), 403, "user/forbidden")


LIST_ERRORS = [
    Scenario("publishable key alone", "GET", "/v1/users", key, status=401, error_code="user/unauthorized"),
    Scenario("bad sortBy", "GET", "/v1/users?sortBy=password", _sk, status=400, error_code="user/validation-error"),
    Scenario("bad direction", "GET", "/v1/users?sortDirection=up", _sk, status=400, error_code="user/validation-error"),
    Scenario("bad page", "GET", "/v1/users?page=x", _sk, status=400, error_code="user/validation-error"),
    Scenario("no key", "GET", "/v1/users", status=400, error_code="data/invalid-header"),
]


@pytest.mark.parametrize("scenario", LIST_ERRORS, ids=lambda s: s.name)
def test_list_errors(client, env, scenario):
    run(client, env, scenario)


# --- create ------------------------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_sign_in(client, env):
    body = {"name": "Dora", "email": "Dora@Example.com", "role": "editor", "password": PASSWORD, "emailVerified": True}
    response = client.post("/v1/users", json=body, headers=_sk(env))
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == "dora@example.com" and user["role"] == "editor" and user["emailVerified"] is not None
    assert signin(client, env, "dora@example.com").status_code == 200


def test_a_user_without_password_is_password_less(client, env):
    user = client.post("/v1/users", json={"name": "Eli", "email": "eli@example.com"}, headers=_sk(env)).json()
    assert user["hasPassword"] is False and user["role"] == "user" and user["emailVerified"] is None


CREATE_ERRORS = [
    Scenario("not admin", "POST", "/v1/users", lambda env: bearer(env, env.user_token("u1")),
             {"name": "X", "email": "x@example.com"}, status=403, error_code="user/forbidden", unchanged="users"),
    Scenario("no name", "POST", "/v1/users", _sk, {"email": "x@example.com"}, status=400,
             error_code="user/invalid-name", unchanged="users"),
    Scenario("bad email", "POST", "/v1/users", _sk, {"name": "X", "email": "x@"}, status=400,
             error_code="auth/invalid-email", unchanged="users"),
    Scenario("bad role", "POST", "/v1/users", _sk, {"name": "X", "email": "x@example.com", "role": "root!"},
             status=400, error_code="user/invalid-role", unchanged="users"),
    Scenario("weak password", "POST", "/v1/users", _sk, {"name": "X", "email": "x@example.com", "password": "short"},
             status=400, error_code="auth/invalid-password-format", unchanged="users"),
    Scenario("taken email", "POST", "/v1/users", _sk, {"name": "X", "email": "u1@users.test"}, status=409,
             error_code="auth/email-already-exists"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", CREATE_ERRORS, ids=lambda s: s.name)
def test_create_errors(client, env, scenario):
    env.user_token("u1")
    run(client, env, scenario)


# --- get / update ------------------------------------------------------------------------------------------


def test_get_self_full_others_public(client, env):
    ada, bob, _ = _seed(client, env)
    mine = client.get(f"/v1/users/{ada['user']['id']}", headers=bearer(env, ada["accessToken"])).json()
    assert mine["email"] == "ada@example.com" and mine["role"] == "user"
    theirs = client.get(f"/v1/users/{bob['user']['id']}", headers=bearer(env, ada["accessToken"])).json()
    assert theirs == {"id": bob["user"]["id"], "name": "Bob", "nickname": "builder", "image": None,
                      "createdAt": bob["user"]["createdAt"]}  # fmt: skip
    assert client.get(f"/v1/users/{bob['user']['id']}", headers=_sk(env)).json()["email"] == "bob@example.com"
    missing = client.get("/v1/users/nope", headers=_sk(env))
    assert_error(missing.json(), 404, "user/not-found")


def test_patch_self(client, env):
    ada, bob, _ = _seed(client, env)
    url = f"/v1/users/{ada['user']['id']}"
    updated = client.patch(url, json={"name": "Countess", "bio": "Notes"}, headers=bearer(env, ada["accessToken"]))
    assert updated.status_code == 200 and updated.json()["name"] == "Countess" and updated.json()["bio"] == "Notes"
    other = client.patch(url, json={"name": "Mallory"}, headers=bearer(env, bob["accessToken"]))
    assert_error(other.json(), 403, "user/forbidden")
    status = client.patch(url, json={"status": "banned"}, headers=bearer(env, ada["accessToken"]))
    assert_error(status.json(), 403, "user/forbidden")
    bad = client.patch(url, json={"name": ""}, headers=bearer(env, ada["accessToken"]))
    assert_error(bad.json(), 400, "user/invalid-name")


def test_a_ban_takes_effect_on_the_next_request(client, env):
    ada, *_ = _seed(client, env)
    url = f"/v1/users/{ada['user']['id']}"
    assert client.get("/v1/auth/me", headers=bearer(env, ada["accessToken"])).status_code == 200
    banned = client.patch(url, json={"status": "banned"}, headers=_sk(env))
    assert banned.status_code == 200 and banned.json()["status"] == "banned"
    assert client.get("/v1/auth/me", headers=bearer(env, ada["accessToken"])).status_code == 401
    assert_error(signin(client, env).json(), 403, "auth/account-banned")
    refreshed = client.post("/v1/auth/refresh", json={"refreshToken": ada["refreshToken"]}, headers=key(env))
    assert refreshed.status_code == 401
    assert client.patch(url, json={"status": "active"}, headers=_sk(env)).json()["status"] == "active"
    assert signin(client, env).status_code == 200
    assert_error(client.patch(url, json={"status": "deleted"}, headers=_sk(env)).json(), 400, "user/validation-error")


# --- role ----------------------------------------------------------------------------------------------------


def test_a_role_change_is_effective_immediately(client, env):
    ada, bob, _ = _seed(client, env)
    ada_headers = bearer(env, ada["accessToken"])
    assert_error(client.post("/v1/users", json={"name": "Z", "email": "z@example.com"}, headers=ada_headers).json(),
                 403, "user/forbidden")  # fmt: skip
    response = client.patch(f"/v1/users/{ada['user']['id']}/role", json={"role": "admin"}, headers=_sk(env))
    assert response.status_code == 200 and response.json()["role"] == "admin"
    created = client.post("/v1/users", json={"name": "Z", "email": "z@example.com"}, headers=ada_headers)
    assert created.status_code == 201, "the same token now carries admin rights"
    assert client.get("/v1/users", headers=ada_headers).json()["items"][0]["email"] == "z@example.com"
    custom = client.patch(f"/v1/users/{bob['user']['id']}/role", json={"role": "moderator"}, headers=ada_headers)
    assert custom.json()["role"] == "moderator"


@pytest.mark.parametrize(
    "body, status, code",
    [({"role": "super user"}, 400, "user/invalid-role"), ({}, 400, "user/invalid-role")],
    ids=["pattern", "missing"],
)
def test_role_errors(client, env, body, status, code):
    ada, *_ = _seed(client, env)
    assert_error(client.patch(f"/v1/users/{ada['user']['id']}/role", json=body, headers=_sk(env)).json(), status, code)


def test_only_admins_change_roles_and_the_last_admin_stays(client, env):
    ada, bob, _ = _seed(client, env)
    url = f"/v1/users/{ada['user']['id']}/role"
    assert_error(client.patch(url, json={"role": "admin"}, headers=bearer(env, ada["accessToken"])).json(), 403,
                 "user/forbidden")  # fmt: skip
    client.patch(url, json={"role": "admin"}, headers=_sk(env))
    demote = client.patch(url, json={"role": "user"}, headers=bearer(env, ada["accessToken"]))
    assert_error(demote.json(), 400, "user/invalid-role")
    delete = client.delete(f"/v1/users/{ada['user']['id']}", headers=bearer(env, ada["accessToken"]))
    assert_error(delete.json(), 400, "user/invalid-role")
    client.patch(f"/v1/users/{bob['user']['id']}/role", json={"role": "admin"}, headers=_sk(env))
    assert client.patch(url, json={"role": "user"}, headers=bearer(env, ada["accessToken"])).status_code == 200


# --- delete --------------------------------------------------------------------------------------------------


def test_admin_deletes_a_user(client, env):
    ada, bob, _ = _seed(client, env)
    url = f"/v1/users/{bob['user']['id']}"
    assert_error(client.delete(url, headers=bearer(env, ada["accessToken"])).json(), 403, "user/forbidden")
    response = client.delete(url, headers={**_sk(env), "content-type": "application/json"})
    assert response.status_code == 200 and response.json()["message"]
    assert client.get("/v1/auth/me", headers=bearer(env, bob["accessToken"])).status_code == 401
    assert_error(client.get(url, headers=_sk(env)).json(), 404, "user/not-found")
    assert "bob@example.com" not in client.get("/v1/users", headers=_sk(env)).text
    assert_error(client.delete(url, headers=_sk(env)).json(), 404, "user/not-found")
