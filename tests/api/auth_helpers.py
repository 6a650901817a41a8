"""Helpers for the auth API tests: sign users up over HTTP, read the outbox, change environment settings."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from starlette.testclient import TestClient

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections, mailer, settings
from bkend_mcp.store.base import Query

PASSWORD = "Passw0rd!"
"""Valid under every reading of the password policy (spec/auth.md §4.1)."""
LINK = re.compile(r"https?://\S+")


def key(env: Any) -> dict[str, str]:
    return {"x-api-key": env.pk}


def bearer(env: Any, access_token: str) -> dict[str, str]:
    return {"x-api-key": env.pk, "authorization": f"Bearer {access_token}"}


def signup(client: TestClient, env: Any, email: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, "name": "Ada", **extra}
    response = client.post("/v1/auth/email/signup", json=body, headers=key(env))
    assert response.status_code == 201, response.text
    return response.json()


def signin(client: TestClient, env: Any, email: str = "ada@example.com", password: str = PASSWORD, **headers: str):
    body = {"email": email, "password": password}
    return client.post("/v1/auth/email/signin", json=body, headers={**key(env), **headers})


def configure(env: Any, **changes: Any) -> None:
    settings.update(env.backend, env.environment_id, changes)


def mails(env: Any, to: str) -> list[dict[str, Any]]:
    return mailer.recent(env.backend, env.environment_id, to=to)


def last_link(env: Any, to: str) -> str:
    """The first link in the newest mail to `to`."""
    found = LINK.findall(mails(env, to)[0]["text"])
    assert found, mails(env, to)[0]["text"]
    return found[0]


def mailed_token(env: Any, to: str) -> str:
    """The 64-hex token in the newest mail to `to` (from its link or its code line)."""
    match = re.search(r"\b([0-9a-f]{64})\b", mails(env, to)[0]["text"])
    assert match, mails(env, to)[0]["text"]
    return match.group(1)


def token_in(link: str) -> str:
    match = re.search(r"[?&]token=([0-9a-f]{64})", link)
    assert match, link
    return match.group(1)


def expire_mailed_tokens(env: Any) -> None:
    """Move every one-time token's expiry into the past (as if the link were old)."""
    tokens = env.backend.control(collections.TOKENS)
    for doc in tokens.find(Query()):
        tokens.update(doc["_id"], {"expiresAt": dates.now() - timedelta(seconds=1)})
