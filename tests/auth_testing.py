"""Real app users for tests: a user record and a live session behind every token, made through domain calls."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import tokens
from bkend_mcp.domain.auth import sessions, settings, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend


def ensure_user(backend: Backend, environment_id: str, uid: str, role: str = "user") -> dict[str, Any]:
    """The user `uid` with `role`, created (address `<uid>@users.test`) or re-roled as needed."""
    user = users.get(backend, environment_id, uid)
    if user is None:
        return users.create_user(
            backend, environment_id, email=f"{uid.lower()}@users.test", name=uid, role=role, user_id=uid
        )
    if user.get("role") != role:
        return users.update(backend, environment_id, uid, {"role": role})
    return user


def user_token(backend: Backend, project_id: str, environment_id: str, uid: str, role: str = "user", **kw: Any) -> str:
    """An access token for `uid` on a fresh session (`kw`: `ttl`, `extra` as for `tokens.issue_access_token`)."""
    ensure_user(backend, environment_id, uid, role)
    current = settings.load(backend, environment_id)
    session = sessions.create(backend, environment_id, uid, method="password", client=Client(), settings=current)
    return tokens.issue_access_token(
        backend,
        project_id=project_id,
        environment_id=environment_id,
        user_id=uid,
        role=role,
        session_id=session["_id"],
        **kw,
    )
