"""E-mail + password sign-up and sign-in over HTTP (spec/auth.md §2.1 #1-#2; compat C3, C5, C6)."""

from __future__ import annotations

import jwt
import pytest

from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import PASSWORD, bearer, configure, key, signin, signup
from tests.api.scenario import Scenario, assert_error, run

GARBAGE = {"authorization": "Bearer not-a-token"}


def _signup(body, status=201, code=None, expect=None, headers=key, details=()):
    return Scenario(
        body.pop("_name"), "POST", "/v1/auth/email/signup", headers, body, status=status, error_code=code,
        expect=expect or {}, unchanged="users", detail_fields=details,
    )  # fmt: skip


SIGNUP_ERRORS = [
    _signup({"_name": "no key", "email": "a@b.co", "password": PASSWORD, "name": "A"}, 400, "data/invalid-header",
            headers=lambda e: {}),
    _signup({"_name": "unknown key", "email": "a@b.co", "password": PASSWORD, "name": "A"}, 401, "auth/unauthorized",
            headers=lambda e: {"x-api-key": "pk_" + "0" * 64}),
    _signup({"_name": "missing email", "password": PASSWORD, "name": "A"}, 400, "auth/validation-error",
            details=("email",)),
    _signup({"_name": "bad email", "email": "not-an-email", "password": PASSWORD, "name": "A"}, 400,
            "auth/invalid-email", details=("email",)),
    _signup({"_name": "missing name", "email": "a@b.co", "password": PASSWORD}, 400, "auth/invalid-name-format"),
    _signup({"_name": "name too long", "email": "a@b.co", "password": PASSWORD, "name": "x" * 101}, 400,
            "auth/invalid-name-format"),
    _signup({"_name": "password too short", "email": "a@b.co", "password": "Short1!", "name": "A"}, 400,
            "auth/invalid-password-format", details=("password",)),
    _signup({"_name": "password too long", "email": "a@b.co", "password": "x" * 129, "name": "A"}, 400,
            "auth/invalid-password-format"),
    _signup({"_name": "common password", "email": "a@b.co", "password": "password123", "name": "A"}, 400,
            "auth/weak-password"),
    _signup({"_name": "missing password", "email": "a@b.co", "name": "A"}, 400, "auth/validation-error"),
    _signup({"_name": "unknown method", "method": "sms", "email": "a@b.co", "password": PASSWORD, "name": "A"}, 400,
            "auth/validation-error", details=("method",)),
]  # fmt: skip


@pytest.mark.parametrize("scenario", SIGNUP_ERRORS, ids=lambda s: s.name)
def test_signup_rejects(client, env, scenario):
    run(client, env, scenario)


def test_signup_returns_201_with_a_token_pair_and_the_user(client, env):
    pair = signup(client, env, "  Ada@Example.COM ")
    assert pair["tokenType"] == "Bearer" and pair["expiresIn"] == 3600
    assert isinstance(pair["accessToken"], str) and isinstance(pair["refreshToken"], str)
    assert pair["user"]["email"] == "ada@example.com" and pair["user"]["role"] == "user"
    assert pair["user"]["emailVerified"] is None
    assert "passwordHash" not in str(pair) and "$argon2id$" not in str(pair)
    stored = users.find_by_email(env.backend, env.environment_id, "ada@example.com")
    assert stored["passwordHash"].startswith("$argon2id$")


def test_signup_with_a_taken_address_is_409_case_insensitively(client, env):
    signup(client, env, "ada@example.com")
    body = {"email": "ADA@example.com", "password": PASSWORD, "name": "Other"}
    response = client.post("/v1/auth/email/signup", json=body, headers=key(env))
    assert response.status_code == 409
    assert_error(response.json(), 409, "auth/email-already-exists")
    assert env.count("users") == 1


def test_signup_uses_the_environment_default_role_and_optional_fields(client, env):
    configure(env, defaultRole="guest")
    pair = signup(client, env, nickname="ada", agreements={"terms": True, "privacy": True})
    assert pair["user"]["role"] == "guest" and pair["user"]["nickname"] == "ada"
    stored = users.get(env.backend, env.environment_id, pair["user"]["id"])
    assert stored["agreements"]["terms"] is True and stored["agreements"]["marketing"] is False


def test_access_token_sub_is_me_id_and_created_by(client, env):
    """compat C3."""
    env.create_table("notes", {"title": {"bsonType": "string"}})
    pair = signup(client, env)
    sub = jwt.decode(pair["accessToken"], options={"verify_signature": False})["sub"]
    me = client.get("/v1/auth/me", headers=bearer(env, pair["accessToken"])).json()
    record = client.post("/v1/data/notes", json={"title": "hi"}, headers=bearer(env, pair["accessToken"])).json()
    assert sub == me["id"] == record["createdBy"] == pair["user"]["id"]


def test_access_token_claims(client, env):
    claims = jwt.decode(signup(client, env)["accessToken"], options={"verify_signature": False})
    assert claims["typ"] == "access" and claims["aud"] == "bkend:app" and claims["role"] == "user"
    assert claims["pid"] == env.project_id and claims["eid"] == env.environment_id
    assert claims["sid"] == claims["jti"] and claims["exp"] - claims["iat"] == 3600


def test_signin_returns_a_token_pair(client, env):
    signup(client, env)
    response = signin(client, env, "ADA@example.com")
    assert response.status_code == 200
    assert {"accessToken", "refreshToken", "tokenType", "expiresIn", "user"} <= set(response.json())
    assert response.json()["user"]["lastLoginAt"] is not None


def test_signin_without_method_means_password_and_ignores_authorization(client, env):
    """compat C5, C6: a stale bearer token on a public endpoint changes nothing."""
    signup(client, env)
    body = {"email": "ada@example.com", "password": PASSWORD}
    response = client.post("/v1/auth/email/signin", json=body, headers={**key(env), **GARBAGE})
    assert response.status_code == 200
    with_method = client.post("/v1/auth/email/signin", json={**body, "method": "password"}, headers=key(env))
    assert with_method.status_code == 200


def test_signup_ignores_a_garbage_authorization_header(client, env):
    body = {"email": "bob@example.com", "password": PASSWORD, "name": "Bob"}
    response = client.post("/v1/auth/email/signup", json=body, headers={**key(env), **GARBAGE})
    assert response.status_code == 201


def test_wrong_password_and_unknown_email_get_the_same_answer(client, env):
    """No user enumeration (spec §6 rule 5)."""
    signup(client, env)
    wrong = signin(client, env, "ada@example.com", "Wrong-pass-1")
    unknown = signin(client, env, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert_error(wrong.json(), 401, "auth/invalid-credentials")


def test_passwordless_user_gets_the_same_401(client, env):
    users.create_user(env.backend, env.environment_id, email="magic@example.com", name="M")
    response = signin(client, env, "magic@example.com", PASSWORD)
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth/invalid-credentials"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "bad", "password": PASSWORD}, 400, "auth/invalid-email"),
        ({"email": "ada@example.com"}, 400, "auth/validation-error"),
        ({"email": "ada@example.com", "password": 12345678}, 400, "auth/validation-error"),
        ({"method": "otp", "email": "ada@example.com", "password": PASSWORD}, 400, "auth/validation-error"),
    ],
    ids=["bad email", "missing password", "password not a string", "unknown method"],
)
def test_signin_rejects_bad_bodies(client, env, body, status, code):
    response = client.post("/v1/auth/email/signin", json=body, headers=key(env))
    assert response.status_code == status
    assert_error(response.json(), status, code)


def test_banned_user_cannot_sign_in(client, env):
    user = signup(client, env)["user"]
    users.update(env.backend, env.environment_id, user["id"], {"status": "banned"})
    response = signin(client, env)
    assert response.status_code == 403 and response.json()["error"]["code"] == "auth/account-banned"


def test_unverified_user_cannot_sign_in_when_verification_is_required(client, env):
    signup(client, env)
    configure(env, requireEmailVerification=True)
    response = signin(client, env)
    assert response.status_code == 403 and response.json()["error"]["code"] == "auth/email-not-verified"


def test_signup_without_tokens_when_verification_is_required(client, env):
    configure(env, requireEmailVerification=True)
    body = signup(client, env, "eve@example.com")
    assert body == {
        "message": body["message"],
        "email": "eve@example.com",
        "emailVerificationRequired": True,
    }


def test_signin_rehashes_a_hash_made_with_other_parameters(client, env):
    from bkend_mcp.config import Argon2Params
    from bkend_mcp.domain.auth import passwords

    signup(client, env)
    old = passwords.hash_password(Argon2Params(time_cost=1, memory_kib=47104, parallelism=1), PASSWORD)
    user = users.find_by_email(env.backend, env.environment_id, "ada@example.com")
    users.update(env.backend, env.environment_id, user["_id"], {"passwordHash": old})
    assert signin(client, env).status_code == 200
    stored = users.get(env.backend, env.environment_id, user["_id"])["passwordHash"]
    assert stored != old and not passwords.needs_rehash(env.backend.config.argon2, stored)


def test_the_seed_request_style_works_for_auth(client, env):
    """Decision D4 / compat C27: `x-project-id` + `x-environment` instead of `X-API-Key`."""
    legacy = {"x-project-id": env.project_id, "x-environment": "development"}
    body = {"email": "seed@example.com", "password": PASSWORD, "name": "Seed"}
    pair = client.post("/v1/auth/email/signup", json=body, headers=legacy).json()
    me = client.get("/v1/auth/me", headers={**legacy, "authorization": f"Bearer {pair['accessToken']}"})
    assert me.status_code == 200 and me.json()["email"] == "seed@example.com"
