"""First start: the local owner, and a first project with a `dev` environment and a key pair, so the server is
usable the moment it runs."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import keys, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.store.base import Query

FIRST_PROJECT_SLUG = "my-app"


def first_start(backend: Backend) -> dict[str, Any] | None:
    """Create what a fresh data dir needs. Returns the new project, environment and plaintext keys the first
    time (the secret key is never shown again), None when the data dir was already set up."""
    owner = tenancy.ensure_local_owner(backend)
    if backend.control("projects").find(Query(limit=1)):
        return None
    org = next(o for o in tenancy.list_organizations(backend, owner["id"]) if o["slug"] == "local")
    project = tenancy.create_project(
        backend,
        owner["id"],
        organization_id=org["id"],
        slug=FIRST_PROJECT_SLUG,
        name="My app",
        description="Created on first start",
    )
    env = tenancy.find_environment(backend, project["id"], "dev")
    assert env is not None
    made = {
        kind: keys.create_key(
            backend,
            project_id=project["id"],
            environment_id=env["_id"],
            organization_id=org["id"],
            key_type=kind,
            name=f"default {kind} key",
            created_by=owner["id"],
        )
        for kind in ("publishable", "secret")
    }
    return {
        "project": project,
        "environmentId": env["_id"],
        "environment": "dev",
        "publishableKey": made["publishable"]["key"],
        "secretKey": made["secret"]["key"],
    }
