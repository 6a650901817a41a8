"""Who a request is: API keys, user tokens and the seed's project headers (spec/data.md §3.1, §5.1, D4)."""

from __future__ import annotations

import jwt
import pytest

from bkend_mcp.domain import tenancy, tokens
from bkend_mcp.domain.auth import users
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.identity import resolve_caller, resolve_key_caller, resolve_optional_user


def _resolve(env, **headers):
    return resolve_caller(env.backend, {k.replace("_", "-"): v for k, v in headers.items()})


@pytest.mark.parametrize(
    ("kind", "role", "group"),
    [
        ("pk", None, "guest"),
        ("pk", "user", "user"),
        ("pk", "moderator", "user"),
        ("pk", "admin", "admin"),
        ("pk", "guest", "guest"),
        ("sk", None, "admin"),
        ("sk", "user", "admin"),
    ],
)
def test_group_follows_key_and_role(env, kind, role, group):
    headers = {"x_api_key": env.pk if kind == "pk" else env.sk}
    if role:
        headers["authorization"] = f"Bearer {env.user_token('u1', role)}"
    caller = _resolve(env, **headers)
    assert caller.group == group and caller.uid == ("u1" if role else "")
    assert caller.secret_key is (kind == "sk")


def test_seed_headers_resolve_by_id_or_slug_and_alias(env):
    by_id = _resolve(env, x_project_id=env.project_id, x_environment="development")
    by_slug = _resolve(env, x_project_id="my-app")
    assert by_id.environment_id == by_slug.environment_id == env.environment_id
    assert by_id.group == "guest"


def test_seed_headers_with_secret_key_bearer_are_admin(env):
    caller = _resolve(env, x_project_id=env.project_id, authorization=f"Bearer {env.sk}")
    assert caller.group == "admin"


def test_token_from_another_environment_is_403(env):
    prod = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    foreign = tokens.issue_access_token(env.backend, project_id=env.project_id, environment_id=prod["id"], user_id="u1")
    with pytest.raises(BkendError) as caught:
        _resolve(env, x_api_key=env.pk, authorization=f"Bearer {foreign}")
    assert caught.value.code == "data/project-access-denied" and caught.value.status == 403


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (
            lambda env: jwt.encode(
                {
                    "sub": "u1",
                    "typ": "access",
                    "exp": 9999999999,
                    "aud": "bkend:app",
                    "pid": env.project_id,
                    "eid": env.environment_id,
                },
                "wrong-key-" * 4,
                algorithm="HS256",
            ),
            "auth/invalid-access-token",
        ),
        (
            lambda env: jwt.encode({"sub": "u1", "typ": "access", "exp": 9999999999}, None, algorithm="none"),
            "auth/invalid-access-token",
        ),
        (lambda env: env.user_token("u1", ttl=-30), "auth/access-token-expired"),
        (lambda env: "not.a.jwt", "auth/invalid-token-format"),
    ],
)
def test_bad_tokens_are_401_never_guest(env, make, code):
    with pytest.raises(BkendError) as caught:
        _resolve(env, x_api_key=env.pk, authorization=f"Bearer {make(env)}")
    assert caught.value.code == code and caught.value.status == 401


def test_refresh_token_type_is_not_an_access_token(env):
    token = env.user_token("u1", extra={"typ": "refresh"})
    with pytest.raises(BkendError) as caught:
        _resolve(env, x_api_key=env.pk, authorization=f"Bearer {token}")
    assert caught.value.code == "auth/invalid-access-token"


def test_no_credentials_is_400(env):
    with pytest.raises(BkendError) as caught:
        _resolve(env, authorization=f"Bearer {env.user_token('u1')}")
    assert caught.value.code == "data/invalid-header" and caught.value.status == 400


@pytest.mark.parametrize(
    "authorization", ["Bearer garbage", "Bearer a.b.c", "Basic xyz", "Bearer sk_" + "0" * 64, "Bearer"]
)
def test_key_caller_never_looks_at_a_user_token(env, authorization):
    """Public auth endpoints (compat C5)."""
    caller = resolve_key_caller(env.backend, {"x-api-key": env.pk, "authorization": authorization})
    assert caller.group == "guest" and caller.uid == ""


def test_key_caller_keeps_a_secret_key_bearer_of_the_seed_style(env):
    headers = {"x-project-id": env.project_id, "authorization": f"Bearer {env.sk}"}
    assert resolve_key_caller(env.backend, headers).group == "admin"


def test_optional_user_ignores_a_bad_token_but_not_a_bad_key(env):
    assert resolve_optional_user(env.backend, {"x-api-key": env.pk, "authorization": "Bearer x"}).uid == ""
    token = env.user_token("u1")
    assert resolve_optional_user(env.backend, {"x-api-key": env.pk, "authorization": f"Bearer {token}"}).uid == "u1"
    with pytest.raises(BkendError):
        resolve_optional_user(env.backend, {"x-api-key": "pk_" + "1" * 64, "authorization": f"Bearer {token}"})


def test_role_comes_from_the_user_record_and_the_session_is_named(env):
    token = env.user_token("u1", "admin")
    users.update(env.backend, env.environment_id, "u1", {"role": "user"})
    caller = _resolve(env, x_api_key=env.pk, authorization=f"Bearer {token}")
    assert caller.group == "user" and caller.role == "user" and caller.session_id
