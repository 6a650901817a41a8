"""Who is asking: the tenant (console, MCP) or an app's requester (API key, optionally with a user JWT)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Group = Literal["admin", "user", "guest"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity every domain function receives.

    `group` is the data-permission group (spec/data.md §5.1). `uid` is the app user id ("" when none): it is what
    `createdBy` gets and what `self` permissions compare against. `scopes` None means unrestricted.
    """

    project_id: str
    environment_id: str
    group: Group
    uid: str = ""
    role: str | None = None
    scopes: tuple[str, ...] | None = None
    key_id: str | None = None
    secret_key: bool = False
    """True when the request carries an `sk_` key: the environment's server-side admin, who may manage tables."""
    tenant_id: str | None = None
    """Set when the tenant (console, MCP) acts on an environment: admin over its data."""
    session_id: str | None = None
    """The app user's session (the access token's `sid`), when a user token was sent."""

    @property
    def is_admin(self) -> bool:
        return self.group == "admin"

    @property
    def authenticated(self) -> bool:
        return bool(self.uid)
