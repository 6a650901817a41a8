"""One populated deployment per engine, shared by every cell of the matrix: the first-start project's `dev`
environment with two tables and five app users who have passwords (owner, other, admin, bystander, guest-role), a
`staging` environment of the same project and a second project (each with its own keys and an `owner-1` user),
scoped, revoked and expired keys, a revoked session and forged tokens, and console accounts of each organization
role. Cells never depend on each other: each one makes a fresh target (`operations`) or takes one that a refused
request provably left untouched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt
from starlette.testclient import TestClient

from bkend_mcp.domain import dates, keys, tenancy
from bkend_mcp.domain.auth import passwords, sessions, settings, users
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.domain.team import tenants
from tests.api.console_helpers import PASSWORD as CONSOLE_PASSWORD
from tests.api.console_helpers import Browser, add_member, make_owner
from tests.conftest import TEST_ARGON2, Env

OWNER, OTHER, ADMIN, BYSTANDER, GUEST_ROLE = "owner-1", "other-1", "admin-1", "bystander-1", "guest-1"
PASSWORD = "Passw0rd!"
NOTES = "notes"  # users create; only the owner reads, lists, updates, deletes (spec/data.md §5.3 self rows)
ITEMS = "items"  # the documented defaults
NOTES_PERMISSIONS = {"user": {"create": True}, "self": {"read": True, "list": True, "update": True, "delete": True}}
CONSOLE_ROLES = ("admin", "member", "billing")


@dataclass
class Elsewhere:
    """Credentials of another environment (same project or another project): valid there, useless here."""

    env: Env
    secret: str = ""
    user_token: str = ""


@dataclass
class World:
    env: Env
    client: TestClient
    staging: Elsewhere
    other_project: Elsewhere
    keys: dict[str, str] = field(default_factory=dict)
    """Plaintext keys of `dev` by name (scoped, revoked, expired)."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Fixed user tokens of `dev` (revoked session, expired)."""
    consoles: dict[str, Browser] = field(default_factory=dict)
    """Signed-in console users by organization role, plus `outsider` (a tenant of no organization here)."""
    tenants: dict[str, str] = field(default_factory=dict)
    """Console tenant ids by organization role."""
    spare: dict[str, Any] = field(default_factory=dict)
    """Targets kept for the next cell: ones a refused request left untouched, or costly ones not yet consumed."""
    password_hashes: dict[str, str] = field(default_factory=dict)
    """The stored hash of `PASSWORD` per app user, put back after a cell changed a password."""

    @property
    def backend(self) -> Backend:
        return self.env.backend

    def bearer(self, uid: str, role: str = "user", key: str | None = None) -> dict[str, str]:
        """Headers of `uid` on a fresh session, so one cell's revocations never reach another."""
        return {"x-api-key": key or self.env.pk, "authorization": f"Bearer {self.env.user_token(uid, role)}"}

    def user(self, uid: str) -> dict[str, Any] | None:
        return users.get(self.backend, self.env.environment_id, uid)

    def restore_passwords(self) -> None:
        for uid, stored in self.password_hashes.items():
            users.update(self.backend, self.env.environment_id, uid, {"passwordHash": stored})

    def rename_owner(self) -> None:
        users.update(self.backend, self.env.environment_id, OWNER, {"name": OWNER})

    def reset_owner_preferences(self) -> None:
        users.update(self.backend, self.env.environment_id, OWNER, {}, unset=("preferences",))


def _elsewhere(backend: Backend, project_id: str, environment_id: str, organization_id: str) -> Elsewhere:
    made = Env(backend, project_id, environment_id, organization_id, "", "")
    made.pk, made.sk = made.new_key("publishable"), made.new_key("secret")
    return Elsewhere(made, made.sk, made.user_token(OWNER))


def build(backend: Backend, client: TestClient) -> World:
    info = first_start(backend)
    assert info is not None
    env = Env(
        backend,
        info["project"]["id"],
        info["environmentId"],
        info["project"]["organizationId"],
        info["publishableKey"],
        info["secretKey"],
    )
    tenant = tenancy.LOCAL_OWNER_ID
    staging_env = tenancy.create_environment(backend, tenant, project_id=env.project_id, name="staging")
    project = tenancy.create_project(backend, tenant, organization_id=env.organization_id, slug="shop", name="Shop")
    shop_env = tenancy.find_environment(backend, project["id"], "dev")
    assert shop_env is not None
    world = World(
        env,
        client,
        _elsewhere(backend, env.project_id, staging_env["id"], env.organization_id),
        _elsewhere(backend, project["id"], shop_env["_id"], env.organization_id),
    )
    env.create_table(NOTES, {"name": {"type": "string"}}, permissions=NOTES_PERMISSIONS)
    env.create_table(ITEMS, {"name": {"type": "string"}})
    settings.update(backend, env.environment_id, {"rateLimits": {"enabled": False}})  # cells sign in by the dozen
    stored = passwords.hash_password(TEST_ARGON2, PASSWORD)
    for uid, role in ((OWNER, "user"), (OTHER, "user"), (ADMIN, "admin"), (BYSTANDER, "user"), (GUEST_ROLE, "guest")):
        env.user_token(uid, role)
        users.update(backend, env.environment_id, uid, {"passwordHash": stored})
        world.password_hashes[uid] = stored
    _keys(world)
    _tokens(world)
    _consoles(world)
    return world


def _keys(world: World) -> None:
    env = world.env
    world.keys = {
        "secret *:read": env.new_key("secret", ["*:read"]),
        f"secret {NOTES}:*": env.new_key("secret", [f"{NOTES}:*"]),
        "secret []": env.new_key("secret", []),
        "publishable *:read": env.new_key("publishable", ["*:read"]),
        "expired secret": env.new_key("secret", expires_at=dates.now() - timedelta(minutes=1)),
    }
    revoked = env.make_key("secret")
    keys.revoke_key(env.backend, env.environment_id, revoked["id"])
    world.keys["revoked secret"] = revoked["key"]


def _tokens(world: World) -> None:
    env = world.env
    revoked = env.user_token(OWNER)
    claims = _claims(revoked)
    sessions.revoke(env.backend, env.environment_id, claims["sid"], "test")
    unsigned = jwt.encode(_claims(env.user_token(OWNER)), None, algorithm="none")
    world.tokens = {"revoked session": revoked, "expired": env.user_token(OWNER, ttl=-60), "alg none": unsigned}


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _consoles(world: World) -> None:
    backend, env = world.backend, world.env
    make_owner(backend)
    owner = Browser(world.client)
    owner.sign_in()
    world.consoles["owner"] = owner
    for role in CONSOLE_ROLES:
        world.tenants[role] = add_member(backend, env.organization_id, f"{role}@example.com", role)
        browser = Browser(world.client)
        browser.sign_in(f"{role}@example.com")
        world.consoles[role] = browser
    tenants.insert_account(backend, tenants.new_account(backend, "outsider@example.com", "Outsider", CONSOLE_PASSWORD))
    browser = Browser(world.client)
    browser.sign_in("outsider@example.com")
    world.consoles["outsider"] = browser
