"""The MCP OAuth authorization server's rules, on both engines: registration, authorization requests, consent,
codes, the token endpoint, refresh rotation, revocation, personal access tokens and bearer authentication."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from bkend_mcp.domain import dates, mcp_access, tenancy
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth, oauth_clients, oauth_tokens, pats
from bkend_mcp.domain.principal import scope_covers
from bkend_mcp.domain.secrets import sha256_hex

REDIRECT = "https://app.example/callback"
LOOPBACK = "http://127.0.0.1:33418/callback"
ISSUER = "http://127.0.0.1:8000/mcp"


@pytest.fixture
def org(backend: Backend) -> str:
    owner = tenancy.ensure_local_owner(backend)["id"]
    return next(o["id"] for o in tenancy.list_organizations(backend, owner) if o["slug"] == "local")


@pytest.fixture
def owner_pat(backend: Backend, org: str) -> str:
    return pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org)["token"]


def register(backend: Backend, **metadata) -> dict:
    body = {"client_name": "Test tool", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none", **metadata}
    return oauth_clients.register_client(backend, body, source="10.0.0.1")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(client: dict, challenge: str, **extra) -> dict[str, str]:
    params = {"response_type": "code", "client_id": client["client_id"], "code_challenge": challenge, "state": "st-1"}
    return {**params, "redirect_uri": client["redirect_uris"][0], **extra}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def consent(backend: Backend, screen: oauth.ConsentScreen, credential: str, scopes=None, decision="approve"):
    form = {"request_id": [screen.request_id], "decision": [decision], "credential": [credential]}
    form["scope"] = list(screen.scopes if scopes is None else scopes)
    return oauth.complete_consent(backend, form, None)


def issue_code(backend: Backend, client: dict, credential: str, **extra) -> tuple[str, str]:
    verifier, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(client, challenge, **extra), None)
    assert isinstance(screen, oauth.ConsentScreen)
    redirect = consent(backend, screen, credential)
    return query_of(redirect.location)["code"], verifier


def exchange(backend: Backend, client: dict, code: str, verifier: str, **extra) -> dict:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": REDIRECT}
    return oauth.exchange_token(backend, {**form, "client_id": client["client_id"], **extra}, None)


def refresh(backend: Backend, client: dict, token: str, **extra) -> dict:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client["client_id"], **extra}
    return oauth.exchange_token(backend, form, None)


def fails(code: str, fn, *args, **kwargs) -> BkendError:
    with pytest.raises(BkendError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- registration ------------------------------------------------------------------------------------------------


def test_public_client_registration_returns_a_dyn_id_and_no_secret(backend):
    client = register(backend)
    assert client["client_id"].startswith("dyn-") and len(client["client_id"]) == 20
    assert client["token_endpoint_auth_method"] == "none" and "client_secret" not in client
    assert client["grant_types"] == ["authorization_code", "refresh_token"] and client["response_types"] == ["code"]


def test_confidential_client_gets_a_secret_stored_only_as_a_hash(backend):
    client = register(backend, token_endpoint_auth_method="client_secret_post")
    assert len(client["client_secret"]) == 64 and client["client_secret_expires_at"] == 0
    stored = backend.control("oauth_clients").get(client["client_id"])
    assert stored["secretHash"] == sha256_hex(client["client_secret"]) and client["client_secret"] not in str(stored)


def test_registration_defaults_to_client_secret_basic(backend):
    client = oauth_clients.register_client(backend, {"redirect_uris": [REDIRECT]}, source="x")
    assert client["token_endpoint_auth_method"] == "client_secret_basic" and client["client_secret"]


@pytest.mark.parametrize(
    "uri, allowed",
    [
        ("https://app.example/cb", True),
        ("http://127.0.0.1:4000/cb", True),
        ("http://localhost/cb", True),
        ("http://[::1]:9/cb", True),
        ("cursor://anysphere.cursor-retrieval/oauth/callback", True),
        ("http://app.example/cb", False),
        ("javascript:alert(1)", False),
        ("https://app.example/cb#frag", False),
        ("/relative/cb", False),
        ("https:///no-host", False),
        ("data:text/html,hi", False),
    ],
)
def test_redirect_uri_rules(backend, uri, allowed):
    if allowed:
        assert register(backend, redirect_uris=[uri])["redirect_uris"] == [uri]
    else:
        fails("oauth/invalid-redirect-uri", register, backend, redirect_uris=[uri])


@pytest.mark.parametrize(
    "metadata",
    [
        {"grant_types": ["refresh_token"]},
        {"grant_types": ["authorization_code", "client_credentials"]},
        {"token_endpoint_auth_method": "private_key_jwt"},
        {"response_types": ["token"]},
        {"scope": "table:read bogus:thing"},
        {"client_name": 42},
    ],
    ids=["no-code-grant", "unknown-grant", "private-key-jwt", "implicit", "unknown-scope", "name-not-text"],
)
def test_registration_rejects_bad_metadata(backend, metadata):
    fails("oauth/invalid-client-metadata", register, backend, **metadata)


def test_registration_needs_a_redirect_uri(backend):
    fails("oauth/invalid-redirect-uri", register, backend, redirect_uris=[])


def test_registrations_are_limited_per_address(backend):
    for _ in range(oauth_clients.REGISTRATIONS_PER_HOUR):
        register(backend)
    fails("oauth/temporarily-unavailable", register, backend)
    assert oauth_clients.register_client(backend, {"redirect_uris": [REDIRECT]}, source="10.0.0.2")


def test_loopback_redirect_matches_on_any_port():
    assert oauth_clients.redirect_matches("http://127.0.0.1:1000/cb", "http://127.0.0.1:5555/cb")
    assert not oauth_clients.redirect_matches("http://127.0.0.1:1000/cb", "http://127.0.0.1:5555/other")
    assert not oauth_clients.redirect_matches("https://a.example/cb", "https://a.example:444/cb")


# --- authorization requests --------------------------------------------------------------------------------------


def test_unknown_client_or_redirect_is_refused_without_a_redirect(backend):
    client = register(backend)
    _, challenge = pkce()
    fails("oauth/invalid-client", oauth.begin_authorization, backend, {"client_id": "dyn-nope"}, None)
    params = authorize_params(client, challenge, redirect_uri="https://evil.example/cb")
    fails("oauth/invalid-redirect-uri", oauth.begin_authorization, backend, params, None)


def test_cross_origin_authorization_request_is_refused(backend):
    _, challenge = pkce()
    params = authorize_params(register(backend), challenge)
    fails("oauth/invalid-request", oauth.begin_authorization, backend, params, "https://evil.example")


@pytest.mark.parametrize(
    "change, error",
    [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "table:read nope:read"}, "invalid_scope"),
        ({"resource": "https://other.example/mcp"}, "invalid_target"),
    ],
    ids=["no-pkce", "plain-pkce", "implicit", "bad-scope", "foreign-resource"],
)
def test_other_authorization_errors_redirect_with_the_state(backend, change, error):
    _, challenge = pkce()
    outcome = oauth.begin_authorization(backend, authorize_params(register(backend), challenge, **change), None)
    assert isinstance(outcome, oauth.Redirect) and outcome.location.startswith(REDIRECT + "?")
    query = query_of(outcome.location)
    assert query["error"] == error and query["state"] == "st-1" and query["iss"] == ISSUER


def test_requested_scopes_cannot_exceed_the_registered_ones(backend):
    client = register(backend, scope="*:read")
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(client, challenge), None)
    assert isinstance(screen, oauth.ConsentScreen) and screen.scopes == ("*:read",)
    wider = oauth.begin_authorization(backend, authorize_params(client, challenge, scope="table:create"), None)
    assert isinstance(wider, oauth.Redirect) and query_of(wider.location)["error"] == "invalid_scope"


def test_default_scope_is_everything_and_the_screen_names_the_client(backend):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    assert screen.scopes == ("*:*",) and screen.client_name == "Test tool" and screen.redirect_host == "app.example"


# --- consent -----------------------------------------------------------------------------------------------------


def test_consent_with_an_owner_token_redirects_with_code_state_and_issuer(backend, owner_pat, org):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    query = query_of(consent(backend, screen, owner_pat).location)
    assert query["state"] == "st-1" and query["iss"] == ISSUER and len(query["code"]) >= 43
    stored = backend.control("oauth_codes").get(sha256_hex(query["code"]))
    assert stored["organizationId"] == org and stored["tenantId"] == tenancy.LOCAL_OWNER_ID
    assert query["code"] not in str(stored)


def test_consent_denied_redirects_with_access_denied(backend):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    query = query_of(consent(backend, screen, "", decision="deny").location)
    assert query["error"] == "access_denied" and query["state"] == "st-1"
    fails("oauth/invalid-request", consent, backend, screen, "")


def test_consent_needs_a_valid_owner_token(backend):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    fails("oauth/invalid-token", consent, backend, screen, "mcp_" + "0" * 64)
    fails("oauth/invalid-token", consent, backend, screen, "hunter2")


def test_consent_cannot_grant_more_than_the_approvers_token(backend, org):
    reader = pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org, scopes=["*:read"])
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    fails("oauth/access-denied", consent, backend, screen, reader["token"])
    fails("oauth/invalid-scope", consent, backend, screen, reader["token"], scopes=[])


def test_consent_may_untick_scopes(backend, owner_pat):
    _, challenge = pkce()
    params = authorize_params(register(backend), challenge, scope="table:read table:create")
    screen = oauth.begin_authorization(backend, params, None)
    code = query_of(consent(backend, screen, owner_pat, scopes=["table:read"]).location)["code"]
    assert backend.control("oauth_codes").get(sha256_hex(code))["scopes"] == ["table:read"]


def test_expired_authorization_request_cannot_be_approved(backend, owner_pat):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    past = dates.now() - timedelta(seconds=1)
    backend.control("oauth_requests").update(sha256_hex(screen.request_id), {"expiresAt": past})
    fails("oauth/invalid-request", consent, backend, screen, owner_pat)


def test_cross_site_consent_post_is_refused(backend, owner_pat):
    _, challenge = pkce()
    screen = oauth.begin_authorization(backend, authorize_params(register(backend), challenge), None)
    form = {"request_id": [screen.request_id], "decision": ["approve"], "credential": [owner_pat], "scope": ["*:*"]}
    fails("oauth/access-denied", oauth.complete_consent, backend, form, "https://evil.example")


def test_auto_approve_on_loopback_skips_consent_for_loopback_redirects_only(backend, org):
    auto = Backend(replace(backend.config, mcp_auto_approve=True), backend.store, backend.keyring)
    _, challenge = pkce()
    local = register(auto, redirect_uris=[LOOPBACK])
    outcome = oauth.begin_authorization(auto, authorize_params(local, challenge), None)
    assert isinstance(outcome, oauth.Redirect) and outcome.location.startswith(LOOPBACK + "?code=")
    code = query_of(outcome.location)["code"]
    assert backend.control("oauth_codes").get(sha256_hex(code))["organizationId"] == org
    remote = oauth.begin_authorization(auto, authorize_params(register(auto), challenge), None)
    assert isinstance(remote, oauth.ConsentScreen)
    exposed = Backend(replace(auto.config, host="0.0.0.0"), backend.store, backend.keyring)
    assert isinstance(oauth.begin_authorization(exposed, authorize_params(local, challenge), None), oauth.ConsentScreen)


# --- token endpoint ----------------------------------------------------------------------------------------------


def test_code_exchange_issues_a_bearer_jwt_and_a_refresh_token(backend, owner_pat, org):
    client = register(backend)
    code, verifier = issue_code(backend, client, owner_pat)
    tokens = exchange(backend, client, code, verifier)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600 and tokens["scope"] == "*:*"
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["iss"] == claims["aud"] == ISSUER and claims["sub"] == tenancy.LOCAL_OWNER_ID
    assert claims["org"] == org and claims["client_id"] == client["client_id"] and claims["scope"] == "*:*"
    assert claims["exp"] - claims["iat"] == 3600 and claims["jti"]
    assert jwt.get_unverified_header(tokens["access_token"])["alg"] == "HS256"
    principal = oauth_tokens.principal_of_access_token(backend, tokens["access_token"])
    assert (principal.tenant_id, principal.organization_id, principal.scopes) == (tenancy.LOCAL_OWNER_ID, org, ("*:*",))
    assert backend.control("oauth_refresh_tokens").get(sha256_hex(tokens["refresh_token"])) is not None


def test_client_without_the_refresh_grant_gets_no_refresh_token(backend, owner_pat):
    client = register(backend, grant_types=["authorization_code"])
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    assert tokens["access_token"] and "refresh_token" not in tokens
    fails("oauth/unauthorized-client", refresh, backend, client, "anything")


def test_code_reuse_fails_and_revokes_the_tokens_issued_from_it(backend, owner_pat):
    client = register(backend)
    code, verifier = issue_code(backend, client, owner_pat)
    tokens = exchange(backend, client, code, verifier)
    fails("oauth/invalid-grant", exchange, backend, client, code, verifier)
    fails("oauth/invalid-token", oauth_tokens.principal_of_access_token, backend, tokens["access_token"])
    fails("oauth/invalid-grant", refresh, backend, client, tokens["refresh_token"])


def test_pkce_mismatch_is_invalid_grant(backend, owner_pat):
    client = register(backend)
    code, _ = issue_code(backend, client, owner_pat)
    fails("oauth/invalid-grant", exchange, backend, client, code, secrets.token_urlsafe(48))


def test_redirect_uri_must_match_the_authorization_request(backend, owner_pat):
    client = register(backend, redirect_uris=[REDIRECT, "https://app.example/other"])
    code, verifier = issue_code(backend, client, owner_pat)
    fails("oauth/invalid-grant", exchange, backend, client, code, verifier, redirect_uri="https://app.example/other")


def test_expired_code_and_another_clients_code_are_invalid(backend, owner_pat):
    client, other = register(backend), register(backend)
    code, verifier = issue_code(backend, client, owner_pat)
    fails("oauth/invalid-grant", exchange, backend, other, code, verifier)
    past = dates.now() - timedelta(seconds=1)
    backend.control("oauth_codes").update(sha256_hex(code), {"expiresAt": past})
    fails("oauth/invalid-grant", exchange, backend, client, code, verifier)


def test_unknown_grant_type_and_unknown_client(backend):
    client = register(backend)
    form = {"grant_type": "password", "client_id": client["client_id"]}
    fails("oauth/unsupported-grant-type", oauth.exchange_token, backend, form, None)
    stranger = {**form, "grant_type": "refresh_token", "client_id": "dyn-0000000000000000"}
    fails("oauth/invalid-client", oauth.exchange_token, backend, stranger, None)


def test_confidential_client_must_prove_its_secret(backend, owner_pat):
    client = register(backend, token_endpoint_auth_method="client_secret_basic")
    code, verifier = issue_code(backend, client, owner_pat)
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": REDIRECT}
    fails("oauth/invalid-client", oauth.exchange_token, backend, {**form, "client_id": client["client_id"]}, None)
    bad = (client["client_id"], "0" * 64)
    fails("oauth/invalid-client", oauth.exchange_token, backend, form, bad)
    tokens = oauth.exchange_token(backend, form, (client["client_id"], client["client_secret"]))
    assert tokens["access_token"]


def test_refresh_rotates_and_reuse_revokes_the_whole_family(backend, owner_pat):
    client = register(backend)
    first = exchange(backend, client, *issue_code(backend, client, owner_pat))
    second = refresh(backend, client, first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert oauth_tokens.principal_of_access_token(backend, second["access_token"])
    fails("oauth/invalid-grant", refresh, backend, client, first["refresh_token"])
    fails("oauth/invalid-token", oauth_tokens.principal_of_access_token, backend, second["access_token"])
    fails("oauth/invalid-grant", refresh, backend, client, second["refresh_token"])


def test_refresh_can_narrow_scopes_but_never_widen_them(backend, owner_pat):
    client = register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat, scope="table:* table:data:read"))
    narrowed = refresh(backend, client, tokens["refresh_token"], scope="table:read")
    assert narrowed["scope"] == "table:read"
    assert oauth_tokens.principal_of_access_token(backend, narrowed["access_token"]).scopes == ("table:read",)
    wider = refresh(backend, client, narrowed["refresh_token"], scope="table:create table:data:read")
    assert wider["scope"] == "table:create table:data:read"
    fails("oauth/invalid-scope", refresh, backend, client, wider["refresh_token"], scope="table:data:create")
    fails("oauth/invalid-scope", refresh, backend, client, wider["refresh_token"], scope="not:a-scope")
    assert refresh(backend, client, wider["refresh_token"])["scope"] == "table:* table:data:read"  # not spent


def test_refresh_token_of_another_client_or_expired_is_invalid(backend, owner_pat):
    client, other = register(backend), register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    fails("oauth/invalid-grant", refresh, backend, other, tokens["refresh_token"])
    past = dates.now() - timedelta(seconds=1)
    backend.control("oauth_refresh_tokens").update(sha256_hex(tokens["refresh_token"]), {"expiresAt": past})
    fails("oauth/invalid-grant", refresh, backend, client, tokens["refresh_token"])


# --- revocation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["refresh_token", "access_token"])
def test_revoking_either_token_kills_the_pair(backend, owner_pat, which):
    client = register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    oauth.revoke_token(backend, {"token": tokens[which], "client_id": client["client_id"]}, None)
    fails("oauth/invalid-token", oauth_tokens.principal_of_access_token, backend, tokens["access_token"])
    fails("oauth/invalid-grant", refresh, backend, client, tokens["refresh_token"])


def test_revoking_unknown_or_foreign_tokens_is_silent(backend, owner_pat):
    client, other = register(backend), register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    oauth.revoke_token(backend, {"token": "nonsense", "client_id": client["client_id"]}, None)
    oauth.revoke_token(backend, {"token": tokens["refresh_token"], "client_id": other["client_id"]}, None)
    assert oauth_tokens.principal_of_access_token(backend, tokens["access_token"])


def test_access_token_signed_with_another_key_or_audience_is_rejected(backend, owner_pat):
    client = register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, b"x" * 32, algorithm="HS256", headers={"typ": "at+jwt"})
    fails("oauth/invalid-token", oauth_tokens.principal_of_access_token, backend, forged)
    other_aud = jwt.encode({**claims, "aud": "https://other/mcp"}, backend.keyring.mcp_signing_key(), "HS256")
    fails("oauth/invalid-token", oauth_tokens.principal_of_access_token, backend, other_aud)


# --- personal access tokens and bearer authentication ------------------------------------------------------------


def test_pat_is_mcp_plus_64_hex_stored_hashed_and_org_bound(backend, org):
    made = pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org, scopes=["project:*"])
    assert made["token"].startswith("mcp_") and len(made["token"]) == 68
    stored = backend.control("mcp_tokens").get(made["id"])
    assert stored["tokenHash"] == sha256_hex(made["token"]) and made["token"] not in str(stored)
    principal = pats.principal_of_pat(backend, made["token"])
    assert (principal.organization_id, principal.scopes) == (org, ("project:*",))
    assert principal.client_id == f"pat:{made['id']}"


def test_pat_rules(backend, org):
    owner = tenancy.LOCAL_OWNER_ID
    fails("common/invalid-parameters", pats.create_pat, backend, tenant_id=owner, organization_id=org, scopes=["x"])
    fails("common/invalid-parameters", pats.create_pat, backend, tenant_id=owner, organization_id=org, expires_days=0)
    fails("common/not-found", pats.create_pat, backend, tenant_id="tnt_stranger", organization_id=org)


def test_revoked_or_expired_pat_is_refused(backend, org):
    made = pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org, expires_days=1)
    backend.control("mcp_tokens").update(made["id"], {"expiresAt": dates.now() - timedelta(seconds=1)})
    assert "expired" in fails("oauth/invalid-token", pats.verify_pat, backend, made["token"]).message
    other = pats.create_pat(backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org)
    pats.revoke_pat(backend, tenancy.LOCAL_OWNER_ID, other["id"])
    assert "revoked" in fails("oauth/invalid-token", pats.verify_pat, backend, other["token"]).message


def test_bearer_authentication_by_mode(backend, owner_pat):
    client = register(backend)
    tokens = exchange(backend, client, *issue_code(backend, client, owner_pat))
    assert mcp_access.authenticate_bearer(backend, f"Bearer {tokens['access_token']}").client_id == client["client_id"]
    assert mcp_access.authenticate_bearer(backend, f"bearer {owner_pat}").client_id.startswith("pat:")
    fails("oauth/invalid-token", mcp_access.authenticate_bearer, backend, None)
    fails("oauth/invalid-token", mcp_access.authenticate_bearer, backend, "Basic abc")
    pats_only = Backend(replace(backend.config, mcp_auth="token"), backend.store, backend.keyring)
    fails("oauth/invalid-token", mcp_access.authenticate_bearer, pats_only, f"Bearer {tokens['access_token']}")
    assert mcp_access.authenticate_bearer(pats_only, f"Bearer {owner_pat}")


@pytest.mark.parametrize(
    "granted, requested, covered",
    [
        (("*:*",), "*:*", True),
        (("*:read",), "table:data:read", True),
        (("*:read",), "*:*", False),
        (("table:*",), "table:data:read", False),
        (("table:*", "table:data:*"), "table:data:*", True),
        (("project:read", "project:create", "project:update", "project:delete"), "project:*", True),
    ],
)
def test_scope_covers(granted, requested, covered):
    assert scope_covers(granted, requested) is covered
