"""Forged and stale credentials over HTTP (issue 8): a wrong audience, a tampered payload, `alg=none` with the right
claims, a stripped signature, a revoked key or a signed-out session are refused on the very next request, and
never downgraded to guest. The unit-level cases (wrong key, expiry, another environment) are in test_identity.py."""

from __future__ import annotations

import base64

import jwt
import orjson
import pytest

from bkend_mcp.domain import keys


@pytest.fixture
def posts(env):
    env.create_table("posts", {"title": {"type": "string"}})
    return env


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def tampered(token: str, **changes) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, _b64(orjson.dumps({**_claims(token), **changes})), signature])


FORGERIES = {
    "wrong audience": lambda env: env.user_token("u1", extra={"aud": "bkend:console"}),
    "payload tampered to admin": lambda env: tampered(env.user_token("u1"), role="admin"),
    "payload tampered to another user": lambda env: tampered(env.user_token("u1"), sub="u2"),
    "alg none with the right claims": lambda env: jwt.encode(_claims(env.user_token("u1")), None, algorithm="none"),
    "signature stripped": lambda env: env.user_token("u1").rsplit(".", 1)[0] + ".",
    "HS256 signed with the publishable key": lambda env: jwt.encode(
        _claims(env.user_token("u1")), env.pk, algorithm="HS256"
    ),
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_tokens_are_401_and_write_nothing(client, posts, forge):
    headers = {"x-api-key": posts.pk, "authorization": f"Bearer {forge(posts)}"}
    before = posts.count("posts")
    for response in (
        client.get("/v1/data/posts", headers=headers),
        client.post("/v1/data/posts", json={"title": "x"}, headers=headers),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"].startswith("auth/")
    assert posts.count("posts") == before


@pytest.mark.parametrize("key_type", ["publishable", "secret"])
def test_a_revoked_key_stops_working_on_the_next_request(client, posts, key_type):
    made = posts.make_key(key_type)
    headers = {"x-api-key": made["key"]}
    assert client.get("/v1/data/posts", headers=headers).status_code == 200
    keys.revoke_key(posts.backend, posts.environment_id, made["id"])
    response = client.get("/v1/data/posts", headers=headers)
    assert response.status_code == 401, response.text


def test_a_signed_out_session_stops_working_on_the_next_request(client, posts):
    headers = {"x-api-key": posts.pk, "authorization": f"Bearer {posts.user_token('u1')}"}
    assert client.post("/v1/data/posts", json={"title": "x"}, headers=headers).status_code == 201
    assert client.post("/v1/auth/signout", headers=headers).status_code in (200, 204)
    response = client.post("/v1/data/posts", json={"title": "y"}, headers=headers)
    assert response.status_code == 401, response.text
