"""OAuth consent through the console (spec/mcp-and-console.md §1.3.3): with a console session the consent page
lets the signed-in tenant pick an organization and approve, capped by their role there; without one it links to
the console sign-in and still takes an owner token."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bkend_mcp.domain import tenancy
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth_tokens, pats
from bkend_mcp.domain.principal import has_scope
from bkend_mcp.store.base import Query
from tests.api.console_helpers import Browser, add_member, make_owner

CALLBACK = "http://127.0.0.1:47123/callback"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def authorize_url(client) -> str:
    registered = client.post("/mcp/oauth/register", json={"client_name": "Claude Code", "redirect_uris": [CALLBACK]})
    assert registered.status_code == 201, registered.text
    _, challenge = _pkce()
    query = {"response_type": "code", "client_id": registered.json()["client_id"], "redirect_uri": CALLBACK,
             "code_challenge": challenge, "code_challenge_method": "S256", "state": "xyz"}  # fmt: skip
    return "/mcp/oauth/authorize?" + urlencode(query)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _consent(browser: Browser, page: str, **fields: str) -> object:
    form = {"request_id": _hidden(page, "request_id"), "decision": "approve", "scope": "*:*", **fields}
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if browser.cookie:
        headers["cookie"] = f"bkend_console={browser.cookie}"
    return browser.client.post("/mcp/oauth/consent", content=urlencode(form), headers=headers, follow_redirects=False)


def test_signed_out_consent_links_to_the_console_sign_in(client, env, authorize_url):
    page = Browser(client).get(authorize_url).text
    assert 'name="credential"' in page and 'name="organization"' not in page
    link = re.search(r'href="(/console/signin\?next=[^"]+)"', page)
    assert link and "%2Fmcp%2Foauth%2Fauthorize%3F" in link.group(1)


def test_signed_in_tenant_approves_in_a_chosen_organization(client, env, authorize_url):
    make_owner(env.backend)
    owner = Browser(client)
    owner.sign_in()
    page = owner.get(authorize_url).text
    assert "Signed in to the console as <strong>owner@example.com</strong>" in page
    assert f'<option value="{env.organization_id}">Local (owner)</option>' in page
    response = _consent(owner, page, organization=env.organization_id, csrf=owner.csrf)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["xyz"] and query["code"]


def test_consent_without_the_csrf_field_is_refused(client, env, authorize_url):
    make_owner(env.backend)
    owner = Browser(client)
    owner.sign_in()
    response = _consent(owner, owner.get(authorize_url).text, organization=env.organization_id)
    assert response.status_code == 400 and "X-CSRF-Token" in response.text


def test_approval_is_narrowed_to_what_the_role_allows(client, env, authorize_url):
    make_owner(env.backend)
    add_member(env.backend, env.organization_id, "mem@example.com", "member")
    member = Browser(client)
    member.sign_in("mem@example.com")
    approved = _consent(member, member.get(authorize_url).text, organization=env.organization_id, csrf=member.csrf)
    assert approved.status_code == 302, approved.text
    code = env.backend.control("oauth_codes").find(Query())[0]
    assert "table:create" in code["scopes"] and "project:create" not in code["scopes"]
    add_member(env.backend, env.organization_id, "bill@example.com", "billing")
    billing = Browser(client)
    billing.sign_in("bill@example.com")
    page = billing.get(authorize_url).text
    assert _consent(billing, page, organization=env.organization_id, csrf=billing.csrf).status_code == 302
    codes = env.backend.control("oauth_codes").find(Query())
    billing_code = next(c for c in codes if c["tenantId"] != code["tenantId"])
    assert billing_code["scopes"] == ["organization:read", "project:read", "environment:read"]


def test_the_owner_token_path_still_works(client, env, authorize_url):
    token = pats.create_pat(env.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id)["token"]
    visitor = Browser(client)
    response = _consent(visitor, visitor.get(authorize_url).text, credential=token)
    assert response.status_code == 302 and "code=" in response.headers["location"]


def test_tokens_of_a_demoted_member_lose_scopes_at_once(client, env):
    member_id = add_member(env.backend, env.organization_id, "mem@example.com", "admin")
    ids = {"grant_id": oauth_tokens.new_grant_id(), "client_id": "dyn-x", "tenant_id": member_id}
    grant = oauth_tokens.open_grant(env.backend, **ids, organization_id=env.organization_id, scopes=["*:*"])
    token = oauth_tokens.issue_access_token(env.backend, grant, ["*:*"])
    assert has_scope(oauth_tokens.principal_of_access_token(env.backend, token), "project:delete")
    org = env.backend.control("organizations").get(env.organization_id)
    members = [{**m, "role": "billing"} if m["tenantId"] == member_id else m for m in org["members"]]
    env.backend.control("organizations").update(env.organization_id, {"members": members})
    demoted = oauth_tokens.principal_of_access_token(env.backend, token)
    assert not has_scope(demoted, "table:read") and has_scope(demoted, "project:read")


def test_connected_tools_are_listed_and_revoked(client, env):
    make_owner(env.backend)
    owner = Browser(client)
    owner.sign_in()
    registered = client.post("/mcp/oauth/register", json={"client_name": "Cursor", "redirect_uris": [CALLBACK]})
    ids = {"grant_id": oauth_tokens.new_grant_id(), "client_id": registered.json()["client_id"]}
    grant = oauth_tokens.open_grant(
        env.backend, **ids, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=env.organization_id, scopes=["*:read"]
    )
    token = oauth_tokens.issue_access_token(env.backend, grant, ["*:read"])
    url = f"/v1/console/organizations/{env.organization_id}/connected-tools"
    listed = owner.get(url).json()["items"]
    assert [(t["id"], t["clientName"], t["scopes"]) for t in listed] == [(grant["_id"], "Cursor", ["*:read"])]
    assert owner.delete(f"{url}/{grant['_id']}").json() == {"revoked": True, "id": grant["_id"]}
    assert owner.get(url).json()["items"] == []
    with pytest.raises(BkendError):
        oauth_tokens.principal_of_access_token(env.backend, token)
    assert owner.delete(f"{url}/{grant['_id']}").status_code == 404
