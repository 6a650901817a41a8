"""API keys as a tenant manages them (MCP `manage_api_keys`, the console): list, create and revoke per environment.

Publishable keys are always shown in full (app code needs them; spec/mcp-and-console.md §7 #9), secret keys only as
a masked preview, except in the answer to `create`, the one time the secret is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bkend_mcp.domain import addressing, dates, keys
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.domain.projects import open_environments

ACTION_SCOPES = {"list": "access-token:read", "create": "access-token:create", "revoke": "access-token:delete"}
"""`manage_api_keys` action → the scope it needs."""
WRITING_ACTIONS = ("create", "revoke")
MAX_NAME = 64


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("common/invalid-parameters", message, [{"field": field, "reason": "invalid", "message": message}])


def _view(key: dict[str, Any]) -> dict[str, Any]:
    """The listed form: `maskedKey` always; the full `key` only for publishable keys."""
    out = {**key, "maskedKey": key.get("keyPreview")}
    if key["type"] != "publishable":
        out.pop("key", None)
    return out


def list_api_keys(backend: Backend, principal: Principal, env: dict[str, Any], **_: Any) -> dict[str, Any]:
    items = [{**_view(k), "environment": env["environment"]} for k in keys.list_keys(backend, env["id"])]
    return {"items": items, "total": len(items)}


def create_api_key(
    backend: Backend,
    principal: Principal,
    env: dict[str, Any],
    *,
    key_type: str | None = None,
    name: str | None = None,
    scopes: list[str] | None = None,
    expires_at: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A new key; the answer carries the full `key` (a secret key is never shown again)."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise _invalid("name", f"'name' is required: 1-{MAX_NAME} characters, unique in the environment")
    active = [k for k in keys.list_keys(backend, env["id"]) if k.get("revokedAt") is None]
    if any(k["name"] == name for k in active):
        raise BkendError("common/conflict", f"An active key named '{name}' already exists in '{env['environment']}'")
    made = keys.create_key(
        backend,
        project_id=env["projectId"],
        environment_id=env["id"],
        organization_id=env["organizationId"],
        key_type=key_type or "publishable",
        name=name,
        created_by=principal.tenant_id,
        scopes=scopes,
        expires_at=_expiry(expires_at),
    )
    return {**made, "maskedKey": made["keyPreview"], "environment": env["environment"]}


def revoke_api_key(
    backend: Backend, principal: Principal, env: dict[str, Any], *, key_id: str | None = None, **_: Any
) -> dict[str, Any]:
    if not key_id:
        raise _invalid("keyId", "'keyId' is required to revoke a key (see action 'list')")
    revoked = keys.revoke_key(backend, env["id"], key_id)
    return {"revoked": True, "id": revoked["id"], "name": revoked["name"], "revokedAt": revoked["revokedAt"]}


def _expiry(value: str | None) -> Any:
    if value is None:
        return None
    parsed = dates.parse(value) if isinstance(value, str) else None
    if parsed is None or parsed <= dates.now():
        raise _invalid("expiresAt", "'expiresAt' must be a future ISO-8601 date-time, e.g. 2027-01-01T00:00:00Z")
    return parsed


ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "list": list_api_keys,
    "create": create_api_key,
    "revoke": revoke_api_key,
}


def manage_api_keys(
    backend: Backend,
    principal: Principal,
    action: str,
    *,
    project: str | None = None,
    environment: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """`list` / `create` (`key_type`, `name`, `scopes`, `expires_at`) / `revoke` (`key_id`) in one environment."""
    if action not in ACTIONS:
        raise _invalid("action", f"'action' must be one of: {', '.join(ACTIONS)}")
    resolve = addressing.writable_environment if action in WRITING_ACTIONS else addressing.resolve_environment
    env = resolve(backend, principal, project, environment)
    return ACTIONS[action](backend, principal, env, **options)


def all_api_keys(backend: Backend, principal: Principal) -> list[dict[str, Any]]:
    """Every key of every environment the principal sees, in the listed form (secret keys masked)."""
    return [
        {**_view(key), "environment": env["environment"]}
        for env in open_environments(backend, principal)
        for key in keys.list_keys(backend, env["id"])
    ]


def get_api_key(backend: Backend, principal: Principal, key_id: str) -> dict[str, Any]:
    found = next((k for k in all_api_keys(backend, principal) if k["id"] == key_id), None)
    if found is None:
        raise BkendError("common/not-found", f"API key '{key_id}' not found")
    return found
