"""Invitations and organization switching over HTTP (spec/auth.md §2.8 #30-#35, §2.3 #14)."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections
from tests.api.auth_helpers import bearer, key, mailed_token, mails, signup
from tests.api.scenario import Scenario, assert_error, run

INVITE_URL = "https://app.example.com/invitations"


def _sk(env):
    return {"x-api-key": env.sk}


def _invite(client, env, headers, email="new@example.com", kind="project", **extra):
    body = {"resourceType": kind, "resourceId": env.project_id if kind == "project" else "org-1",
            "resourceRole": "admin" if kind == "project" else "owner", "email": email, **extra}  # fmt: skip
    return client.post("/v1/auth/invitations", json=body, headers=headers)


def _accept(client, env, token, headers=None, **extra):
    return client.post("/v1/auth/invitations/accept", json={"token": token, **extra}, headers=headers or key(env))


def test_a_project_invitation_grants_the_role_to_an_existing_user(client, env):
    bob = signup(client, env, "bob@example.com")
    created = _invite(client, env, _sk(env), "Bob@Example.com", resourceName="Acme", callbackUrl=INVITE_URL)
    assert created.status_code == 201, created.text
    invitation = created.json()
    assert invitation["status"] == "pending" and invitation["email"] == "bob@example.com"
    assert invitation["resourceRole"] == "admin" and "tokenHash" not in invitation
    mail = mails(env, "bob@example.com")[0]
    assert mail["template"] == "invitation" and "Acme" in mail["subject"]
    assert f"{INVITE_URL}?token=" in mail["text"]
    accepted = _accept(client, env, mailed_token(env, "bob@example.com"))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["acceptedBy"] == bob["user"]["id"]
    me = client.get("/v1/auth/me", headers=bearer(env, bob["accessToken"])).json()
    assert me["role"] == "admin", "the role applies on the next request"


def test_an_invitation_accepted_before_sign_up_applies_at_sign_up(client, env):
    _invite(client, env, _sk(env), "later@example.com")
    assert _accept(client, env, mailed_token(env, "later@example.com")).json()["acceptedBy"] is None
    created = signup(client, env, "later@example.com")
    assert created["user"]["role"] == "admin"


def test_an_organization_invitation_and_switching_into_it(client, env):
    ada, bob = signup(client, env), signup(client, env, "bob@example.com")
    created = _invite(client, env, bearer(env, ada["accessToken"]), "bob@example.com", "organization")
    assert created.status_code == 201 and created.json()["invitedBy"] == ada["user"]["id"]
    assert created.json()["inviterName"] == "Ada"
    token = mailed_token(env, "bob@example.com")
    assert _accept(client, env, token, bearer(env, bob["accessToken"])).status_code == 200
    switched = client.post("/v1/auth/switch-organization", json={"organizationId": "org-1"},
                           headers=bearer(env, bob["accessToken"]))  # fmt: skip
    assert switched.status_code == 200, switched.text
    claims = jwt.decode(switched.json()["accessToken"], options={"verify_signature": False})
    assert claims["orgId"] == "org-1" and claims["orgRole"] == "owner"
    assert client.get("/v1/auth/me", headers=bearer(env, bob["accessToken"])).status_code == 401, "old session ended"
    denied = client.post("/v1/auth/switch-organization", json={"organizationId": "org-2"},
                         headers=bearer(env, switched.json()["accessToken"]))  # fmt: skip
    assert_error(denied.json(), 403, "auth/forbidden")


def test_switch_organization_needs_an_organization_id(client, env):
    token = signup(client, env)["accessToken"]
    response = client.post("/v1/auth/switch-organization", json={}, headers=bearer(env, token))
    assert_error(response.json(), 400, "auth/validation-error")


def test_accepting_someone_elses_invitation_is_forbidden(client, env):
    ada = signup(client, env)
    _invite(client, env, _sk(env), "bob@example.com")
    response = _accept(client, env, mailed_token(env, "bob@example.com"), bearer(env, ada["accessToken"]))
    assert_error(response.json(), 403, "auth/forbidden")


def test_answers_after_the_first_one(client, env):
    _invite(client, env, _sk(env), "bob@example.com")
    token = mailed_token(env, "bob@example.com")
    assert _accept(client, env, token).status_code == 200
    assert_error(_accept(client, env, token).json(), 400, "auth/invitation-already-accepted")
    rejected = client.post("/v1/auth/invitations/reject", json={"token": token, "email": "bob@example.com"},
                           headers=key(env))  # fmt: skip
    assert_error(rejected.json(), 400, "auth/invitation-already-accepted")


def test_reject_then_accept_is_not_pending(client, env):
    _invite(client, env, _sk(env), "bob@example.com")
    token = mailed_token(env, "bob@example.com")
    body = {"token": token, "email": "bob@example.com"}
    assert client.post("/v1/auth/invitations/reject", json=body, headers=key(env)).json() == {}
    assert_error(_accept(client, env, token).json(), 400, "auth/invitation-not-pending")


def test_an_expired_invitation_is_410(client, env):
    invitation = _invite(client, env, _sk(env), "bob@example.com").json()
    env.backend.data(env.environment_id, collections.INVITATIONS).update(
        invitation["id"], {"expiresAt": dates.now() - timedelta(seconds=1)}
    )
    assert_error(_accept(client, env, mailed_token(env, "bob@example.com")).json(), 410, "auth/invitation-expired")
    listed = client.get("/v1/auth/invitations?status=expired", headers=_sk(env)).json()
    assert [i["id"] for i in listed["items"]] == [invitation["id"]] and listed["items"][0]["status"] == "expired"


def test_revoke_by_the_inviter_only(client, env):
    ada, bob = signup(client, env), signup(client, env, "bob@example.com")
    invitation = _invite(client, env, bearer(env, ada["accessToken"]), "bob@example.com", "organization").json()
    url = f"/v1/auth/invitations/{invitation['id']}"
    assert_error(client.delete(url, headers=bearer(env, bob["accessToken"])).json(), 403, "auth/forbidden")
    assert client.delete(url, headers=bearer(env, ada["accessToken"])).json()["message"]
    assert client.get(url, headers=bearer(env, ada["accessToken"])).json()["status"] == "revoked"
    assert_error(client.delete(url, headers=bearer(env, ada["accessToken"])).json(), 400, "auth/invitation-not-pending")
    assert_error(_accept(client, env, mailed_token(env, "bob@example.com")).json(), 400, "auth/invitation-not-pending")


def test_who_sees_which_invitations(client, env):
    ada, bob, eve = (signup(client, env, f"{n}@example.com")["accessToken"] for n in ("ada", "bob", "eve"))
    sent = _invite(client, env, bearer(env, ada), "bob@example.com", "organization").json()
    _invite(client, env, _sk(env), "carol@example.com")

    def ids(token, query=""):
        return [i["id"] for i in client.get(f"/v1/auth/invitations{query}", headers=bearer(env, token)).json()["items"]]

    assert ids(ada) == [sent["id"]] and ids(bob) == [sent["id"]] and ids(eve) == []
    assert ids(ada, "?resourceType=user") == [] and ids(bob, "?resourceType=user") == [sent["id"]]
    assert len(client.get("/v1/auth/invitations", headers=_sk(env)).json()["items"]) == 2
    assert client.get(f"/v1/auth/invitations/{sent['id']}", headers=bearer(env, bob)).status_code == 200
    hidden = client.get(f"/v1/auth/invitations/{sent['id']}", headers=bearer(env, eve))
    assert_error(hidden.json(), 404, "auth/invitation-not-found")


INVITE_ERRORS = [
    Scenario("no user token", "POST", "/v1/auth/invitations", key,
             {"resourceType": "organization", "resourceId": "o", "resourceRole": "member", "email": "a@b.co"},
             status=401, error_code="auth/unauthorized"),
    Scenario("user inviting to the project", "POST", "/v1/auth/invitations",
             lambda env: bearer(env, env.user_token("u1")),
             {"resourceType": "project", "resourceId": "p", "resourceRole": "admin", "email": "a@b.co"},
             status=403, error_code="auth/forbidden"),
    Scenario("another project", "POST", "/v1/auth/invitations", _sk,
             {"resourceType": "project", "resourceId": "prj_other", "resourceRole": "admin", "email": "a@b.co"},
             status=400, error_code="auth/validation-error", detail_fields=("resourceId",)),
    Scenario("unknown resource type", "POST", "/v1/auth/invitations", _sk,
             {"resourceType": "team", "resourceId": "t", "resourceRole": "admin", "email": "a@b.co"},
             status=400, error_code="auth/validation-error", detail_fields=("resourceType",)),
    Scenario("bad role", "POST", "/v1/auth/invitations", _sk,
             {"resourceType": "organization", "resourceId": "o", "resourceRole": "9 lives", "email": "a@b.co"},
             status=400, error_code="auth/validation-error", detail_fields=("resourceRole",)),
    Scenario("bad email", "POST", "/v1/auth/invitations", _sk,
             {"resourceType": "organization", "resourceId": "o", "resourceRole": "member", "email": "nope"},
             status=400, error_code="auth/invalid-email"),
    Scenario("unknown token", "POST", "/v1/auth/invitations/accept", key, {"token": "ab" * 32},
             status=401, error_code="auth/invalid-token"),
    Scenario("accept without token", "POST", "/v1/auth/invitations/accept", key, {}, status=400,
             error_code="auth/validation-error"),
    Scenario("reject without email", "POST", "/v1/auth/invitations/reject", key, {"token": "ab" * 32},
             status=400, error_code="auth/validation-error"),
    Scenario("list without token", "GET", "/v1/auth/invitations", key, status=401, error_code="auth/unauthorized"),
    Scenario("bad status filter", "GET", "/v1/auth/invitations?status=lost", _sk, status=400,
             error_code="auth/validation-error"),
    Scenario("unknown id", "GET", "/v1/auth/invitations/nope", _sk, status=404, error_code="auth/invitation-not-found"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", INVITE_ERRORS, ids=lambda s: s.name)
def test_invitation_errors(client, env, scenario):
    run(client, env, scenario)


def test_a_duplicate_pending_invitation_is_409(client, env):
    assert _invite(client, env, _sk(env)).status_code == 201
    assert_error(_invite(client, env, _sk(env), "NEW@example.com").json(), 409, "auth/invitation-already-pending")


def test_the_token_must_match_a_given_email(client, env):
    _invite(client, env, _sk(env), "bob@example.com")
    wrong = _accept(client, env, mailed_token(env, "bob@example.com"), email="eve@example.com")
    assert_error(wrong.json(), 401, "auth/invalid-token")
