"""Organizations and their team over the management API: create and edit organizations, invitations from the mail
to the new member's first sign-in, role changes, removal, ownership transfer, and the role gates of spec §4.3 /
§7 #14 (Member works in projects but cannot create or delete them; Billing cannot manage tables)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.console.console_collections import INVITATIONS, OUTBOX
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.domain.principal import has_scope
from bkend_mcp.store.base import Query
from tests.api.console_helpers import PASSWORD, Browser, add_member, error, make_owner, ok


@pytest.fixture
def owner(client, env) -> Browser:
    make_owner(env.backend)
    browser = Browser(client)
    browser.sign_in()
    return browser


def org_url(env, suffix: str = "") -> str:
    return f"/v1/console/organizations/{env.organization_id}{suffix}"


def as_member(client, env, role: str, email: str | None = None) -> Browser:
    address = email or f"{role}@example.com"
    add_member(env.backend, env.organization_id, address, role)
    browser = Browser(client)
    browser.sign_in(address)
    return browser


# --- organizations -------------------------------------------------------------------------------------------------


def test_create_list_update_and_delete_an_organization(owner):
    made = ok(owner.post("/v1/console/organizations", {"name": "Acme Labs", "displayName": "ACME"}), 201)
    assert made["slug"] == "acme-labs" and made["role"] == "owner" and made["displayName"] == "ACME"
    assert "members" not in made
    again = ok(owner.post("/v1/console/organizations", {"name": "Acme Labs"}), 201)
    assert again["slug"] == "acme-labs-2"
    error(owner.post("/v1/console/organizations", {"name": "X", "slug": "acme-labs"}), 409, "common/conflict")
    listed = ok(owner.get("/v1/console/organizations"))
    assert [o["slug"] for o in listed["items"]] == ["local", "acme-labs", "acme-labs-2"]
    url = f"/v1/console/organizations/{made['id']}"
    assert ok(owner.patch(url, {"description": "Rockets"}))["description"] == "Rockets"
    error(owner.patch(url, {"slug": "other"}), 400, "common/invalid-parameters")
    error(owner.delete(url, {"confirm": "acme"}), 400, "common/confirmation-required")
    assert ok(owner.delete(url, {"confirm": "Acme Labs"}))["deleted"] is True
    error(owner.get(url), 404, "common/not-found")


def test_deleting_an_organization_drops_its_projects(owner, env):
    ok(owner.delete(org_url(env), {"confirm": "Local"}))
    assert tenancy.find_project(env.backend, env.project_id) is None
    assert env.backend.store.collection_names(env.environment_id) == []


def test_organization_slug_and_name_are_checked(owner):
    error(owner.post("/v1/console/organizations", {"name": ""}), 400, "common/invalid-parameters")
    error(owner.post("/v1/console/organizations", {"name": "A", "slug": "Bad Slug"}), 400, "common/invalid-parameters")
    error(owner.post("/v1/console/organizations", ["not", "an", "object"]), 400, "common/invalid-parameters")


# --- invitations ---------------------------------------------------------------------------------------------------


def test_invitation_from_mail_to_first_sign_in(owner, client, env):
    sent = ok(
        owner.post(org_url(env, "/invitations"), {"email": "Ada@Example.com", "role": "admin", "name": "Ada"}), 201
    )
    invitation = sent["invitation"]
    assert invitation["email"] == "ada@example.com" and invitation["role"] == "admin"
    assert invitation["status"] == "pending"
    assert sent["inviteUrl"].startswith("http://127.0.0.1:8000/console/invite?token=")
    mail = ok(owner.get(org_url(env, "/outbox")))["items"][0]
    assert mail["to"] == "ada@example.com" and sent["inviteUrl"] in mail["text"]
    token = sent["inviteUrl"].split("token=")[1]
    newcomer = Browser(client)
    preview = ok(newcomer.get(f"/v1/console/invitations/lookup?token={token}"))
    assert preview["organization"]["slug"] == "local" and preview["accountExists"] is False
    assert preview["invitedBy"]["name"] == "Olive Owner"
    view = newcomer.adopt(newcomer.post("/v1/console/invitations/accept", {"token": token, "password": PASSWORD}))
    assert view["tenant"]["name"] == "Ada" and view["organizations"] == [
        {"id": env.organization_id, "name": "Local", "slug": "local", "role": "admin"}
    ]
    error(
        newcomer.post("/v1/console/invitations/accept", {"token": token, "password": PASSWORD}),
        401,
        "auth/invalid-token",
    )
    members = ok(owner.get(org_url(env, "/members")))["items"]
    assert [(m["email"], m["role"]) for m in members] == [("owner@example.com", "owner"), ("ada@example.com", "admin")]
    Browser(client).sign_in("ada@example.com")
    assert ok(owner.get(org_url(env, "/invitations")))["items"] == []


def test_an_existing_account_accepts_with_its_own_password(owner, client, env):
    other = ok(owner.post("/v1/console/organizations", {"name": "Other"}), 201)
    add_member(env.backend, other["id"], "bob@example.com", "member")
    sent = ok(owner.post(org_url(env, "/invitations"), {"email": "bob@example.com"}), 201)
    token = sent["inviteUrl"].split("token=")[1]
    bob = Browser(client)
    assert ok(bob.get(f"/v1/console/invitations/lookup?token={token}"))["accountExists"] is True
    wrong = {"token": token, "password": "not my password"}
    error(bob.post("/v1/console/invitations/accept", wrong), 401, "auth/invalid-credentials")
    view = bob.adopt(bob.post("/v1/console/invitations/accept", {"token": token, "password": PASSWORD}))
    assert sorted(o["role"] for o in view["organizations"]) == ["member", "member"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "owner@example.com"}, 409, "common/conflict"),
        ({"email": "x@example.com", "role": "owner"}, 400, "common/invalid-parameters"),
        ({"email": "not an address"}, 400, "auth/invalid-email"),
        ({}, 400, "auth/validation-error"),
    ],
    ids=["already a member", "owner is not invitable", "bad address", "no address"],
)
def test_invitation_input_is_checked(owner, env, body, status, code):
    error(owner.post(org_url(env, "/invitations"), body), status, code)
    assert env.backend.control(INVITATIONS).count() == 0
    assert env.backend.control(OUTBOX).count() == 0


def test_resend_replaces_the_link_and_cancel_kills_it(owner, client, env):
    first = ok(owner.post(org_url(env, "/invitations"), {"email": "cy@example.com"}), 201)
    error(owner.post(org_url(env, "/invitations"), {"email": "cy@example.com"}), 409, "common/conflict")
    invitation_id = first["invitation"]["id"]
    second = ok(owner.post(org_url(env, f"/invitations/{invitation_id}/resend")))
    visitor = Browser(client)
    old, new = (sent["inviteUrl"].split("token=")[1] for sent in (first, second))
    error(visitor.get(f"/v1/console/invitations/lookup?token={old}"), 401, "auth/invalid-token")
    ok(visitor.get(f"/v1/console/invitations/lookup?token={new}"))
    assert ok(owner.delete(org_url(env, f"/invitations/{invitation_id}"))) == {"cancelled": True, "id": invitation_id}
    error(visitor.get(f"/v1/console/invitations/lookup?token={new}"), 401, "auth/invalid-token")
    error(owner.delete(org_url(env, f"/invitations/{invitation_id}")), 404, "common/not-found")
    assert len(ok(owner.get(org_url(env, "/outbox")))["items"]) == 2


# --- members ---------------------------------------------------------------------------------------------------------


def test_role_change_and_removal_take_effect_at_once(owner, client, env):
    member = as_member(client, env, "member")
    member_id = ok(member.get("/v1/console/session"))["tenant"]["id"]
    error(member.post(org_url(env, "/projects"), {"name": "Nope"}), 403, "common/forbidden")
    changed = ok(owner.patch(org_url(env, f"/members/{member_id}"), {"role": "admin"}))
    assert changed["role"] == "admin"
    ok(member.post(org_url(env, "/projects"), {"name": "Now allowed"}), 201)
    assert ok(owner.delete(org_url(env, f"/members/{member_id}"))) == {"removed": True, "tenantId": member_id}
    error(member.get(f"/v1/console/projects/{env.project_id}"), 404, "common/not-found")
    assert ok(member.get("/v1/console/session"))["organizations"] == []


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [("owner", 400, "common/invalid-parameters"), ("superuser", 400, "common/invalid-parameters")],
    ids=["owner only by transfer", "unknown role"],
)
def test_role_values_are_checked(owner, client, env, role, status, code):
    member_id = add_member(env.backend, env.organization_id, "m@example.com", "member")
    error(owner.patch(org_url(env, f"/members/{member_id}"), {"role": role}), status, code)


def test_the_owner_cannot_be_demoted_removed_or_leave(owner, client, env):
    admin = as_member(client, env, "admin")
    owner_id = tenancy.LOCAL_OWNER_ID
    error(admin.patch(org_url(env, f"/members/{owner_id}"), {"role": "member"}), 403, "common/forbidden")
    error(admin.delete(org_url(env, f"/members/{owner_id}")), 403, "common/forbidden")
    error(owner.post(org_url(env, "/leave"), {"confirm": "leave"}), 403, "common/forbidden")
    error(owner.delete(org_url(env, f"/members/{owner_id}")), 403, "common/forbidden")


def test_a_member_leaves_with_confirmation(client, env, owner):
    member = as_member(client, env, "member")
    error(member.post(org_url(env, "/leave"), {}), 400, "common/confirmation-required")
    assert ok(member.post(org_url(env, "/leave"), {"confirm": "leave"}))["left"] is True
    error(member.get(org_url(env)), 404, "common/not-found")


def test_transfer_ownership(owner, client, env):
    admin = as_member(client, env, "admin")
    admin_id = ok(admin.get("/v1/console/session"))["tenant"]["id"]
    error(admin.post(org_url(env, "/transfer"), {"tenantId": admin_id, "confirm": "transfer"}), 403, "common/forbidden")
    error(owner.post(org_url(env, "/transfer"), {"tenantId": admin_id}), 400, "common/confirmation-required")
    error(
        owner.post(org_url(env, "/transfer"), {"tenantId": "tnt_nobody", "confirm": "transfer"}),
        404,
        "common/not-found",
    )
    assert ok(owner.post(org_url(env, "/transfer"), {"tenantId": admin_id, "confirm": "transfer"}))["role"] == "admin"
    roles = {m["tenantId"]: m["role"] for m in ok(owner.get(org_url(env, "/members")))["items"]}
    assert roles == {tenancy.LOCAL_OWNER_ID: "admin", admin_id: "owner"}
    error(owner.delete(org_url(env), {"confirm": "Local"}), 403, "common/forbidden")


# --- the role gates --------------------------------------------------------------------------------------------------

TABLES = "/v1/console/projects/{p}/environments/dev/tables"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", {"invite", "create project", "delete project", "create table", "read project", "edit org"}),
        ("member", {"create table", "read project"}),
        ("billing", {"read project"}),
    ],
    ids=["admin", "member", "billing"],
)
def test_role_gates(client, env, owner, role, allowed):
    actor = as_member(client, env, role)
    spare = ok(owner.post(org_url(env, "/projects"), {"name": "Spare"}), 201)
    attempts = {
        "invite": lambda: actor.post(org_url(env, "/invitations"), {"email": "new@example.com"}),
        "create project": lambda: actor.post(org_url(env, "/projects"), {"name": "Mine"}),
        "delete project": lambda: actor.delete(f"/v1/console/projects/{spare['id']}", {"confirm": "spare"}),
        "create table": lambda: actor.post(TABLES.format(p=env.project_id), {"table": "notes"}),
        "read project": lambda: actor.get(f"/v1/console/projects/{env.project_id}"),
        "edit org": lambda: actor.patch(org_url(env), {"description": "x"}),
    }
    for name, attempt in attempts.items():
        response = attempt()
        if name in allowed:
            assert response.status_code < 300, (name, response.text)
        else:
            body = error(response, 403, "common/forbidden")
            assert name in ("invite", "edit org") or f"'{role}'" in body["error"]["message"], body


def test_billing_cannot_manage_tables_through_mcp_either(client, env, owner):
    billing_id = add_member(env.backend, env.organization_id, "bill@example.com", "billing")
    token = pats.create_pat(env.backend, tenant_id=billing_id, organization_id=env.organization_id)["token"]
    principal = pats.principal_of_pat(env.backend, token)
    assert has_scope(principal, "project:read")
    assert not has_scope(principal, "table:create") and not has_scope(principal, "table:read")
    member_id = add_member(env.backend, env.organization_id, "mem@example.com", "member")
    member_token = pats.create_pat(env.backend, tenant_id=member_id, organization_id=env.organization_id)["token"]
    member = pats.principal_of_pat(env.backend, member_token)
    assert has_scope(member, "table:create") and not has_scope(member, "project:create")


def test_a_member_token_cannot_hand_out_more_than_the_member_has(client, env, owner):
    member = as_member(client, env, "member")
    made = ok(member.post(org_url(env, "/tokens"), {"name": "cli", "scopes": ["*:read"]}), 201)
    assert made["token"].startswith("mcp_") and made["scopes"] == ["*:read"]
    error(member.post(org_url(env, "/tokens"), {"name": "all", "scopes": ["*:*"]}), 403, "common/forbidden")
    listed = ok(member.get(org_url(env, "/tokens")))["items"]
    assert [t["id"] for t in listed] == [made["id"]] and "token" not in listed[0]
    assert ok(owner.get(org_url(env, "/tokens")))["items"] == []
    revoked = ok(member.delete(org_url(env, f"/tokens/{made['id']}")))
    assert revoked["revokedAt"]


def test_connect_panel(owner):
    info = ok(owner.get("/v1/console/connect"))
    assert info["mcpUrl"] == "http://127.0.0.1:8000/mcp"
    assert info["snippets"]["claudeCode"].endswith("--transport http bkend http://127.0.0.1:8000/mcp")
    assert '"url": "http://127.0.0.1:8000/mcp"' in info["snippets"]["mcpJson"]


def test_stores_no_invitation_token(owner, env):
    sent = ok(owner.post(org_url(env, "/invitations"), {"email": "z@example.com"}), 201)
    token = sent["inviteUrl"].split("token=")[1]
    assert all(token not in str(doc) for doc in env.backend.control(INVITATIONS).find(Query()))


def test_team_and_tokens_need_a_console_session(client, env):
    token = pats.create_pat(env.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id)["token"]
    script = Browser(client, extra={"authorization": f"Bearer {token}"})
    assert [m["role"] for m in ok(script.get(org_url(env, "/members")))["items"]] == ["owner"]
    for response in (
        script.post(org_url(env, "/invitations"), {"email": "x@example.com"}),
        script.post(org_url(env, "/tokens"), {"name": "more"}),
        script.patch(org_url(env), {"description": "x"}),
        script.post("/v1/console/organizations", {"name": "Mine"}),
    ):
        error(response, 403, "common/forbidden")
    assert env.backend.control(INVITATIONS).count() == 0
