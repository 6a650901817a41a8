"""Per-environment storage settings (decision D6): the visibility an upload gets when it asks for none.

One document (`_id: "settings"`) in the environment's `_storage_config`; absent → the defaults. Only admins (an
`sk_` key, an admin user, the tenant) read or change it.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import rules

COLLECTION = "_storage_config"
SETTINGS_ID = "settings"
DEFAULTS: dict[str, Any] = {"defaultVisibility": "public"}


def load(backend: Backend, environment_id: str) -> dict[str, Any]:
    stored = backend.data(environment_id, COLLECTION).get(SETTINGS_ID) or {}
    return {name: stored.get(name, value) for name, value in DEFAULTS.items()}


def default_visibility(backend: Backend, environment_id: str) -> str:
    return str(load(backend, environment_id)["defaultVisibility"])


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise BkendError("file/access-denied", "Storage settings need a secret key or an admin user")


def get_settings(backend: Backend, caller: Caller) -> dict[str, Any]:
    _require_admin(caller)
    return load(backend, caller.environment_id)


def update_settings(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    _require_admin(caller)
    changes = rules.body_object(body)
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise rules.invalid(unknown[0], "unknown", f"Unknown setting '{unknown[0]}'; known: {', '.join(DEFAULTS)}")
    if "defaultVisibility" in changes:
        rules.choice(changes["defaultVisibility"], "defaultVisibility", rules.VISIBILITIES, "public")
    collection = backend.data(caller.environment_id, COLLECTION)
    merged = {**load(backend, caller.environment_id), **changes, "updatedAt": dates.now()}
    if collection.update(SETTINGS_ID, merged) is None:
        collection.insert({"_id": SETTINGS_ID, **merged})
    return load(backend, caller.environment_id)
