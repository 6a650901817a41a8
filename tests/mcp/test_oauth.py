"""The MCP OAuth 2.1 authorization server against a real `bkend-mcp serve` (auto-approve on, loopback): the SDK's own
OAuth client through discovery, registration, consent, tokens, tools, refresh, revocation and the 401 after it;
the consent form with an owner token; every discovery URL; and the failure cases over raw HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from bkend_mcp.config import MCP_AUTH_MODES
from bkend_mcp.rest import oauth as oauth_routes
from tests.mcp.live_server import ROOT, LiveServer, live_server

LOOPBACK_CALLBACK = "http://127.0.0.1:47123/callback"
WEB_CALLBACK = "https://tool.example/callback"
TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("oauth") / "data", BKEND_MCP_AUTO_APPROVE="1") as running:
        yield running


class MemoryStorage:
    """The SDK's `TokenStorage`, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Browser:
    """Plays the user's browser: follows the authorization URL; if a consent form comes back, approves it with the
    owner token; hands the redirect's code to the SDK as its callback handler."""

    def __init__(self, owner_token: str | None = None) -> None:
        self.owner_token = owner_token
        self.location = ""
        self.saw_consent_form = False

    async def open(self, authorization_url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False) as http:
            response = await http.get(authorization_url)
            if response.status_code == 200:
                self.saw_consent_form = True
                request_id = re.search(r'name="request_id" value="([^"]+)"', response.text).group(1)  # type: ignore[union-attr]
                scopes = re.findall(r'name="scope" value="([^"]+)"', response.text)
                form = {"request_id": request_id, "decision": "approve", "scope": scopes}
                form["credential"] = self.owner_token
                action = str(response.url.join("/mcp/oauth/consent"))
                response = await http.post(action, data=form)
            assert response.status_code == 302, response.text
            self.location = response.headers["location"]

    async def callback(self) -> AuthorizationCodeResult:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.location).query).items()}
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))


def provider(server: LiveServer, browser: Browser, storage: MemoryStorage, redirect: str, **metadata: Any):
    client_metadata = OAuthClientMetadata(client_name="pytest tool", redirect_uris=[redirect], **metadata)
    return OAuthClientProvider(server.mcp, client_metadata, storage, browser.open, browser.callback)


@asynccontextmanager
async def oauth_session(auth: OAuthClientProvider, url: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(auth=auth) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
            yield client


async def list_and_call(client: Client) -> Any:
    names = [tool.name for tool in (await client.list_tools()).tools]
    name = next(n for n in ("get_context", "list_tables", "list_organizations") if n in names)
    return await client.call_tool(name, {})


def mcp_status(server: LiveServer, access_token: str) -> int:
    headers = {**JSON_RPC, "Authorization": f"Bearer {access_token}"}
    return httpx.post(server.mcp, json=TOOLS_LIST, headers=headers).status_code


def test_full_oauth_loop_with_the_sdk_client(server):
    storage, browser = MemoryStorage(), Browser()
    auth = provider(server, browser, storage, LOOPBACK_CALLBACK)

    async def connect_call_refresh_call() -> tuple[Any, OAuthToken, Any, OAuthToken]:
        async with oauth_session(auth, server.mcp) as client:
            first = await list_and_call(client)
            issued = storage.tokens
            auth.context.token_expiry_time = 1.0  # expired in 1970: the next request must refresh first
            second = await list_and_call(client)
            return first, issued, second, storage.tokens

    first, issued, second, refreshed = anyio.run(connect_call_refresh_call)
    assert not first.is_error and not second.is_error, (first.content, second.content)
    assert not browser.saw_consent_form and browser.location.startswith(LOOPBACK_CALLBACK)
    assert storage.client_info.client_id.startswith("dyn-") and storage.client_info.client_secret
    assert refreshed.access_token != issued.access_token and refreshed.refresh_token != issued.refresh_token
    assert mcp_status(server, issued.access_token) == 200  # an access token lives its hour unless revoked

    info = storage.client_info
    revoked = httpx.post(
        f"{server.base}/mcp/oauth/revoke",
        data={"token": refreshed.refresh_token},
        auth=(info.client_id, info.client_secret),
    )
    assert revoked.status_code == 200
    assert mcp_status(server, refreshed.access_token) == 401
    assert mcp_status(server, issued.access_token) == 401
    again = httpx.post(
        f"{server.base}/mcp/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refreshed.refresh_token},
        auth=(info.client_id, info.client_secret),
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_consent_form_with_an_owner_token_for_a_web_redirect(server):
    storage, browser = MemoryStorage(), Browser(server.tokens["owner"])
    auth = provider(server, browser, storage, WEB_CALLBACK, token_endpoint_auth_method="none")

    async def connect_and_call() -> Any:
        async with oauth_session(auth, f"{server.mcp}?toolsets=core") as client:
            return await list_and_call(client)

    result = anyio.run(connect_and_call)
    assert browser.saw_consent_form and not result.is_error, result.content
    assert storage.client_info.token_endpoint_auth_method == "none" and storage.client_info.client_secret is None


def test_every_discovery_url_serves_the_same_document(server):
    resource = [httpx.get(server.base + p).json() for p in PROTECTED_RESOURCE]
    assert resource[0] == resource[1]
    assert resource[0]["resource"] == server.mcp and resource[0]["authorization_servers"] == [server.mcp]
    assert "table:data:create" in resource[0]["scopes_supported"]
    documents = [httpx.get(server.base + p) for p in AUTHORIZATION_SERVER]
    assert all(d.status_code == 200 for d in documents) and len({d.text for d in documents}) == 1
    metadata = documents[0].json()
    assert metadata["issuer"] == server.mcp and metadata["code_challenge_methods_supported"] == ["S256"]
    for field, path in ENDPOINTS.items():
        assert metadata[field] == f"{server.mcp}/oauth/{path}"


PROTECTED_RESOURCE = ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")
AUTHORIZATION_SERVER = (
    "/.well-known/oauth-authorization-server",
    "/.well-known/oauth-authorization-server/mcp",
    "/.well-known/openid-configuration/mcp",
    "/mcp/.well-known/openid-configuration",
    "/.well-known/openid-configuration",
)
ENDPOINTS = {
    "authorization_endpoint": "authorize",
    "token_endpoint": "token",
    "registration_endpoint": "register",
    "revocation_endpoint": "revoke",
}


# --- the failure cases over raw HTTP -----------------------------------------------------------------------------


class RawClient:
    """A public client driven by hand: register, authorize (auto-approved on loopback), exchange, refresh."""

    def __init__(self, server: LiveServer, **metadata: Any) -> None:
        self.server = server
        body = {"client_name": "raw", "redirect_uris": [LOOPBACK_CALLBACK], "token_endpoint_auth_method": "none"}
        response = httpx.post(f"{server.base}/mcp/oauth/register", json={**body, **metadata})
        assert response.status_code == 201, response.text
        self.client_id = response.json()["client_id"]

    def authorize(self, **params: str) -> httpx.Response:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": LOOPBACK_CALLBACK, **params}
        return httpx.get(f"{self.server.base}/mcp/oauth/authorize", params=query)

    def code(self, **params: str) -> tuple[str, str]:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        response = self.authorize(code_challenge=challenge, code_challenge_method="S256", state="s", **params)
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)["code"][0], verifier

    def token(self, **form: str) -> httpx.Response:
        return httpx.post(f"{self.server.base}/mcp/oauth/token", data={"client_id": self.client_id, **form})

    def exchange(self, code: str, verifier: str, **form: str) -> httpx.Response:
        fields = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
        return self.token(**{**fields, "redirect_uri": LOOPBACK_CALLBACK, **form})

    def refresh(self, refresh_token: str, **form: str) -> httpx.Response:
        return self.token(grant_type="refresh_token", refresh_token=refresh_token, **form)


def oauth_error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["error"]


def test_token_response_is_no_store_bearer(server):
    raw = RawClient(server)
    response = raw.exchange(*raw.code())
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "*:*"


def test_code_reuse_is_refused_and_revokes_what_it_issued(server):
    raw = RawClient(server)
    code, verifier = raw.code()
    tokens = raw.exchange(code, verifier).json()
    assert mcp_status(server, tokens["access_token"]) == 200
    assert oauth_error(raw.exchange(code, verifier)) == "invalid_grant"
    assert mcp_status(server, tokens["access_token"]) == 401


def test_pkce_mismatch_and_redirect_mismatch_are_invalid_grant(server):
    raw = RawClient(server)
    code, _ = raw.code()
    assert oauth_error(raw.exchange(code, secrets.token_urlsafe(48))) == "invalid_grant"
    code, verifier = raw.code()
    assert oauth_error(raw.exchange(code, verifier, redirect_uri="http://127.0.0.1:47123/other")) == "invalid_grant"


def test_unregistered_redirect_gets_an_error_page_not_a_redirect(server):
    response = RawClient(server).authorize(code_challenge="x" * 43, redirect_uri="https://evil.example/cb")
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]
    assert response.headers["x-frame-options"] == "DENY" and "evil.example" not in response.headers.get("location", "")


def test_missing_pkce_redirects_back_with_the_error_and_state(server):
    response = RawClient(server).authorize(state="abc")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["abc"] and query["iss"] == [server.mcp]


def test_cross_origin_authorization_request_is_refused(server):
    raw = RawClient(server)
    query = {"response_type": "code", "client_id": raw.client_id, "code_challenge": "x" * 43}
    response = httpx.get(f"{server.base}/mcp/oauth/authorize", params=query, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400 and "location" not in response.headers


def test_refresh_reuse_revokes_the_whole_family(server):
    raw = RawClient(server)
    first = raw.exchange(*raw.code()).json()
    second = raw.refresh(first["refresh_token"]).json()
    assert mcp_status(server, second["access_token"]) == 200
    assert oauth_error(raw.refresh(first["refresh_token"])) == "invalid_grant"
    assert mcp_status(server, second["access_token"]) == 401
    assert oauth_error(raw.refresh(second["refresh_token"])) == "invalid_grant"


def test_scope_narrowing_and_bad_scopes(server):
    raw = RawClient(server)
    tokens = raw.exchange(*raw.code(scope="table:* table:data:*")).json()
    assert tokens["scope"] == "table:* table:data:*"
    narrowed = raw.refresh(tokens["refresh_token"], scope="table:read table:data:read")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "table:read table:data:read"
    assert oauth_error(raw.refresh(narrowed.json()["refresh_token"], scope="*:read")) == "invalid_scope"
    assert oauth_error(raw.refresh(narrowed.json()["refresh_token"], scope="nonsense")) == "invalid_scope"
    assert raw.refresh(narrowed.json()["refresh_token"]).json()["scope"] == "table:* table:data:*"
    refused = raw.authorize(code_challenge="x" * 43, scope="table:read bogus:read")
    assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_scope"]


def test_read_only_oauth_token_gets_forbidden_on_write_tools(server):
    raw = RawClient(server)
    token = raw.exchange(*raw.code(scope="*:read")).json()["access_token"]
    headers = {**JSON_RPC, "Authorization": f"Bearer {token}"}
    names = [t["name"] for t in httpx.post(server.mcp, json=TOOLS_LIST, headers=headers).json()["result"]["tools"]]
    if "create_table" not in names:
        pytest.skip("create_table is not registered yet")
    call = {"name": "create_table", "arguments": {"table": "nope", "fields": [{"name": "t", "type": "string"}]}}
    body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call}
    result = httpx.post(server.mcp, json=body, headers=headers).json()["result"]
    assert result["isError"] and result["structuredContent"]["error"]["code"] == "FORBIDDEN"
    read = {**body, "params": {"name": "list_tables", "arguments": {}}}
    assert httpx.post(server.mcp, json=read, headers=headers).json()["result"]["isError"] is False


def test_revocation_is_always_200_for_unknown_tokens(server):
    raw = RawClient(server)
    response = httpx.post(f"{server.base}/mcp/oauth/revoke", data={"token": "nope", "client_id": raw.client_id})
    assert response.status_code == 200


def test_registration_errors_are_rfc_7591_bodies(server):
    register = f"{server.base}/mcp/oauth/register"
    bad_uri = httpx.post(register, json={"redirect_uris": ["http://app.example/cb"]})
    assert oauth_error(bad_uri) == "invalid_redirect_uri"
    bad_grant = httpx.post(register, json={"redirect_uris": [WEB_CALLBACK], "grant_types": ["implicit"]})
    assert oauth_error(bad_grant) == "invalid_client_metadata"


def test_token_endpoint_errors(server):
    raw = RawClient(server)
    assert oauth_error(raw.token(grant_type="password")) == "unsupported_grant_type"
    stranger = httpx.post(f"{server.base}/mcp/oauth/token", data={"grant_type": "refresh_token", "client_id": "dyn-x"})
    assert oauth_error(stranger, 401) == "invalid_client"
    as_json = httpx.post(f"{server.base}/mcp/oauth/token", json={"grant_type": "refresh_token"})
    assert oauth_error(as_json) == "invalid_request"


def test_the_auth_doc_names_every_discovery_url_mode_and_setting():
    doc = (ROOT / "bkend_mcp" / "docs" / "mcp-auth.md").read_text()
    for name in (*oauth_routes.PROTECTED_RESOURCE_PATHS, *oauth_routes.AUTHORIZATION_SERVER_PATHS, *MCP_AUTH_MODES):
        assert f"`{name}`" in doc or f"{name}`" in doc, name
    for setting in ("BKEND_MCP_AUTH", "BKEND_MCP_AUTO_APPROVE", "BKEND_MCP_HTTP_STATEFUL", "BKEND_MCP_ALLOWED_HOSTS"):
        assert setting in doc, setting
