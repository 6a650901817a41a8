"""From request credentials to a `Caller` (spec/data.md §3.1 steps 2-9 and §5.1; decision D4).

Two request styles are first-class: `X-API-Key` (+ optional `Authorization: Bearer <user JWT>`), and the seed's
`x-project-id` + `x-environment` (+ `Authorization: Bearer <user JWT or sk_ key>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bkend_mcp.domain import keys, tenancy, tokens
from bkend_mcp.domain.auth import access
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller, Group
from bkend_mcp.domain.errors import BkendError


def resolve_caller(backend: Backend, headers: Mapping[str, str]) -> Caller:
    """`headers` must answer lower-case names (Starlette's `Headers` does)."""
    api_key = headers.get("x-api-key")
    authorization = headers.get("authorization")
    if api_key:
        return _from_api_key(backend, api_key.strip(), authorization)
    project = headers.get("x-project-id")
    if project:
        return _from_project_headers(backend, project.strip(), headers.get("x-environment"), authorization)
    raise BkendError("data/invalid-header", "X-API-Key header is required (or x-project-id with x-environment)")


def _from_api_key(backend: Backend, plaintext: str, authorization: str | None) -> Caller:
    key = keys.verify_key(backend, plaintext)
    project_id, environment_id = _live_environment(backend, key["projectId"], key["environmentId"])
    claims = _user_claims(backend, authorization, project_id, environment_id)
    return _caller(project_id, environment_id, key, claims)


def _from_project_headers(
    backend: Backend, project_ref: str, env_name: str | None, authorization: str | None
) -> Caller:
    project = tenancy.find_project(backend, project_ref)
    if project is None:
        raise BkendError("data/project-not-found", f"Project '{project_ref}' not found")
    env = tenancy.find_environment(backend, project["_id"], (env_name or "dev").strip())
    if env is None:
        raise BkendError("data/environment-not-found", f"Environment '{env_name}' not found in this project")
    bearer = _bearer(authorization)
    if bearer is not None and keys.KEY_FORMAT.match(bearer):
        key = keys.verify_key(backend, bearer)
        if key["environmentId"] != env["_id"]:
            raise BkendError("data/project-access-denied", "API key belongs to another project or environment")
        return _caller(project["_id"], env["_id"], key, None)
    claims = _user_claims(backend, authorization, project["_id"], env["_id"])
    return _caller(project["_id"], env["_id"], None, claims)


def _live_environment(backend: Backend, project_id: str, environment_id: str) -> tuple[str, str]:
    """Both still exist (through the control cache: deleting either through this process clears it)."""
    project_live, env_live = backend.cache.get(
        ("live", project_id, environment_id),
        lambda: (
            backend.control("projects").get(project_id) is not None,
            backend.control("environments").get(environment_id) is not None,
        ),
    )
    if not project_live:
        raise BkendError("data/project-not-found")
    if not env_live:
        raise BkendError("data/environment-not-found")
    return project_id, environment_id


def _bearer(authorization: str | None) -> str | None:
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        raise BkendError("auth/invalid-token-format", "Authorization must be 'Bearer <access token>'")
    return token.strip()


def _user_claims(backend: Backend, authorization: str | None, project_id: str, environment_id: str) -> dict | None:
    """The claims of a valid user token whose session is alive, with `role` read fresh from the user record."""
    token = _bearer(authorization)
    if token is None:
        return None
    claims = tokens.verify_access_token(backend, token, project_id=project_id, environment_id=environment_id)
    user, session_id = access.authenticate(backend, environment_id, claims)
    return {**claims, "role": user.get("role", "user"), "sid": session_id}


def resolve_key_caller(backend: Backend, headers: Mapping[str, str]) -> Caller:
    """Who is asking on a public auth endpoint: the key (or project headers) only. A user token in
    `Authorization` is never looked at, even a stale or garbage one (compat C5); a `Bearer sk_…` of the seed's
    request style still counts, since it is a key."""
    authorization = headers.get("authorization") or ""
    key_bearer = not headers.get("x-api-key") and keys.KEY_FORMAT.match(authorization.partition(" ")[2].strip())
    names = ("x-api-key", "x-project-id", "x-environment")
    kept = {n: headers[n] for n in names if headers.get(n)}
    return resolve_caller(backend, {**kept, "authorization": authorization if key_bearer else ""})


def resolve_optional_user(backend: Backend, headers: Mapping[str, str]) -> Caller:
    """The user when a valid user token is sent, else the key alone: for endpoints where signing in is optional
    (spec/auth.md §2.0). A bad key is still an error."""
    key_caller = resolve_key_caller(backend, headers)
    try:
        return resolve_caller(backend, headers)
    except BkendError:
        return key_caller


def _caller(project_id: str, environment_id: str, key: dict[str, Any] | None, claims: dict | None) -> Caller:
    role = claims.get("role", "user") if claims else None
    if key is not None and key["type"] == "secret":
        group: Group = "admin"
    elif claims is None:
        group = "guest"
    else:
        group = {"admin": "admin", "guest": "guest"}.get(str(role), "user")  # type: ignore[assignment]
    scopes = key.get("scopes") if key is not None else None
    return Caller(
        project_id=project_id,
        environment_id=environment_id,
        group=group,
        uid=claims["sub"] if claims else "",
        role=role,
        session_id=claims["sid"] if claims else None,
        scopes=tuple(scopes) if scopes is not None else None,
        key_id=key["_id"] if key is not None else None,
        secret_key=key is not None and key["type"] == "secret",
    )
