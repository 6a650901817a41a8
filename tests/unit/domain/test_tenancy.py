"""Organizations, projects and environments; the local owner; environments never share data."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.domain.errors import BkendError

OWNER = tenancy.LOCAL_OWNER_ID


def test_first_start_creates_owner_project_dev_environment_and_keys_once(backend):
    info = first_start(backend)
    assert info["publishableKey"].startswith("pk_") and info["secretKey"].startswith("sk_")
    assert [e["environment"] for e in tenancy.list_environments(backend, OWNER, info["project"]["id"])] == ["dev"]
    assert first_start(backend) is None
    assert len(tenancy.list_organizations(backend, OWNER)) == 1


def test_project_creation_provisions_dev(env):
    org = env.organization_id
    project = tenancy.create_project(env.backend, OWNER, organization_id=org, slug="shop", name="Shop")
    assert project["environmentCount"] == 1
    assert tenancy.find_environment(env.backend, project["id"], "development")["environment"] == "dev"


@pytest.mark.parametrize(
    ("slug", "ok"),
    [("ab", False), ("my-shop", True), ("My-Shop", False), ("-shop", False), ("a" * 50, True), ("a" * 51, False)],
)
def test_project_slug_rules(env, slug, ok):
    def create():
        return tenancy.create_project(
            env.backend,
            OWNER,
            organization_id=env.organization_id,
            slug=slug,  # noqa
            name="x",
        )

    if ok:
        assert create()["slug"] == slug
    else:
        with pytest.raises(BkendError) as caught:
            create()
        assert caught.value.details[0]["field"] == "slug"


def test_project_slug_is_unique_per_organization_and_immutable(env):
    with pytest.raises(BkendError) as caught:
        tenancy.create_project(env.backend, OWNER, organization_id=env.organization_id, slug="my-app", name="again")
    assert caught.value.code == "common/conflict"
    with pytest.raises(BkendError):
        tenancy.update_project(env.backend, OWNER, env.project_id, {"slug": "renamed"})
    renamed = tenancy.update_project(env.backend, OWNER, env.project_id, {"name": "Renamed", "slug": "my-app"})
    assert renamed["name"] == "Renamed"


@pytest.mark.parametrize(
    ("name", "kind", "ok"),
    [
        ("staging", None, True),
        ("prod", "prod", True),
        ("qa-1", "custom", True),
        ("QA", None, False),
        ("x", None, False),
        ("staging", "weird", False),
    ],
)
def test_environment_names_and_types(env, name, kind, ok):
    def create():
        return tenancy.create_environment(
            env.backend,
            OWNER,
            project_id=env.project_id,
            name=name,  # noqa
            environment_type=kind,
        )

    if ok:
        assert create()["environment"] == name
    else:
        with pytest.raises(BkendError):
            create()


def test_duplicate_environment_is_a_conflict(env):
    with pytest.raises(BkendError) as caught:
        tenancy.create_environment(env.backend, OWNER, project_id=env.project_id, name="dev")
    assert caught.value.code == "common/conflict"


def test_other_tenants_see_nothing(env):
    with pytest.raises(BkendError) as caught:
        tenancy.get_project(env.backend, "tnt_stranger", env.project_id)
    assert caught.value.code == "common/not-found"
    assert tenancy.list_organizations(env.backend, "tnt_stranger") == []


def test_environments_are_isolated(client, env):
    prod = tenancy.create_environment(env.backend, OWNER, project_id=env.project_id, name="prod")
    from bkend_mcp.domain import keys, tables

    tables.create_table(
        env.backend, project_id=env.project_id, environment_id=prod["id"], table_name="posts", created_by="t"
    )
    env.create_table("posts", {"title": {"type": "string"}})
    prod_sk = keys.create_key(
        env.backend,
        project_id=env.project_id,
        environment_id=prod["id"],
        organization_id=env.organization_id,
        key_type="secret",
        name="p",
        created_by="t",
    )["key"]
    client.post("/v1/data/posts", json={"title": "dev only"}, headers={"x-api-key": env.sk})
    assert client.get("/v1/data/posts", headers={"x-api-key": prod_sk}).json()["pagination"]["total"] == 0
    assert client.get("/v1/data/posts", headers={"x-api-key": env.sk}).json()["pagination"]["total"] == 1
    tenancy.delete_environment(env.backend, OWNER, prod["id"])
    assert client.get("/v1/data/posts", headers={"x-api-key": prod_sk}).status_code == 401
    assert client.get("/v1/data/posts", headers={"x-api-key": env.sk}).json()["pagination"]["total"] == 1
