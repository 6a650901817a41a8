"""Secrets never reach logs or responses (issue #8 item 6). A real `bkend-mcp serve`, with uvicorn at `trace` and
every Python logger at DEBUG, goes through sign-up, sign-in, refresh, password change and reset, magic link, MFA
enrollment, secret-key and personal-token creation, a social and an MCP OAuth token exchange, an MCP tool call and
file URL signing. Then no secret value may appear in the server's output, in the activity log, or in any response
but the one that hands it out.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pyotp
import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.auth import mailer
from bkend_mcp.domain.backend import CONTROL, Backend, open_backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.domain.console.console_sessions import COOKIE
from bkend_mcp.domain.team import tenants
from bkend_mcp.store.base import Query
from tests.mcp.live_server import live_server
from tests.oauth_provider import CLIENT_ID, CLIENT_SECRET, OAuthProvider

OWNER_EMAIL = "owner.leaks@example.com"
OWNER_PASSWORD = "Owner-console-pass-4471"
FIRST_PASSWORD = "First-app-pass-9123"
SECOND_PASSWORD = "Second-app-pass-5580"
THIRD_PASSWORD = "Third-app-pass-7702"
WRONG_PASSWORD = "Wrong-guess-pass-3316"
USER = "ada.leaks@example.com"
APP = "http://app.test/welcome"
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
LOOPBACK_CALLBACK = "http://127.0.0.1:47123/callback"
STORED_SECRET_FIELD = re.compile(r"(Enc|Hash|Hashes)$")
"""Stored fields that hold an encrypted secret or a secret's hash: never shown, anywhere."""
VERBOSE_LOGGING = "import logging\nlogging.basicConfig(level=logging.DEBUG)\n"
"""A `sitecustomize` for the server process: every logger (ours, the MCP SDK's, httpx…) at DEBUG."""


@dataclass
class Run:
    """What one pass through every secret-bearing flow left behind."""

    responses: list[tuple[str, str]] = field(default_factory=list)
    """(label, status line + headers + body) of every response."""
    handed_out: dict[str, set[str]] = field(default_factory=dict)
    """Secret value → the labels of the responses meant to return it."""
    never_shown: set[str] = field(default_factory=set)
    """Secrets no response may ever contain (passwords, mailed tokens, stored hashes, signing keys…)."""
    log: str = ""
    activity: str = ""

    def record(self, label: str, response: httpx.Response) -> httpx.Response:
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        self.responses.append((label, f"{response.status_code}\n{headers}\n{response.text}"))
        return response

    def hands_out(self, label: str, *values: str) -> None:
        for value in values:
            self.handed_out.setdefault(value, set()).add(label)


class Client:
    """An httpx client that files every response in the `Run` under a label."""

    def __init__(self, base: str, run: Run) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.run = run

    def __call__(self, label: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.run.record(label, self.http.request(method, url, **kwargs))
        assert response.status_code < 400, f"{label}: {response.status_code} {response.text}"
        return response

    def refused(self, label: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request that must fail: error bodies must not echo what was sent."""
        response = self.run.record(label, self.http.request(method, url, **kwargs))
        assert response.status_code >= 400, f"{label}: {response.status_code} {response.text}"
        return response


def _seed(data_dir: Path) -> dict[str, Any]:
    backend = open_backend(Config(data_dir=data_dir))
    try:
        info = first_start(backend)
        assert info is not None
        tenants.set_owner_credentials(backend, OWNER_EMAIL, OWNER_PASSWORD, "Olive Owner")
        return info
    finally:
        backend.close()


def _app_user_flows(call: Client, run: Run, pk: str, backend_of: Any) -> str:
    """Sign-up → sign-in → refresh → change → reset → magic link → MFA; returns a live access token."""
    key = {"x-api-key": pk}
    signup = call(
        "signup",
        "POST",
        "/v1/auth/email/signup",
        headers=key,
        json={"email": USER, "password": FIRST_PASSWORD, "name": "Ada"},
    ).json()
    run.hands_out("signup", signup["accessToken"], signup["refreshToken"])
    signin = call(
        "signin", "POST", "/v1/auth/email/signin", headers=key, json={"email": USER, "password": FIRST_PASSWORD}
    ).json()
    run.hands_out("signin", signin["accessToken"], signin["refreshToken"])
    refreshed = call(
        "refresh", "POST", "/v1/auth/refresh", headers=key, json={"refreshToken": signin["refreshToken"]}
    ).json()
    run.hands_out("refresh", refreshed["accessToken"], refreshed["refreshToken"])
    bearer = {**key, "authorization": f"Bearer {refreshed['accessToken']}"}
    changed = call(
        "password change",
        "POST",
        "/v1/auth/password/change",
        headers=bearer,
        json={"currentPassword": FIRST_PASSWORD, "newPassword": SECOND_PASSWORD},
    ).json()
    run.hands_out("password change", *_tokens_in(changed))

    call("reset request", "POST", "/v1/auth/password/reset/request", headers=key, json={"email": USER})
    reset_token = _mailed_token(backend_of)
    run.never_shown.add(reset_token)
    call(
        "reset confirm",
        "POST",
        "/v1/auth/password/reset/confirm",
        headers=key,
        json={"email": USER, "token": reset_token, "newPassword": THIRD_PASSWORD},
    )

    call(
        "magic link request",
        "POST",
        "/v1/auth/email/signin",
        headers=key,
        json={"method": "magiclink", "email": USER, "callbackUrl": APP},
    )
    link_token = _mailed_token(backend_of)
    run.never_shown.add(link_token)
    linked = call(
        "magic link callback", "POST", "/v1/auth/email/callback", headers=key, json={"token": link_token}
    ).json()
    run.hands_out("magic link callback", *_tokens_in(linked))

    bearer = {**key, "authorization": f"Bearer {linked['accessToken']}"}
    setup = call("mfa enable", "POST", "/v1/auth/mfa/enable", headers=bearer, json={"password": THIRD_PASSWORD}).json()
    run.hands_out("mfa enable", setup["secret"], *setup["backupCodes"])
    confirmed = call(
        "mfa confirm", "POST", "/v1/auth/mfa/confirm", headers=bearer, json={"code": pyotp.TOTP(setup["secret"]).now()}
    ).json()
    run.hands_out("mfa confirm", *confirmed.get("backupCodes", []))  # shown again on confirm, by design
    with_code = call(
        "signin with a backup code",
        "POST",
        "/v1/auth/email/signin",
        headers=key,
        json={"email": USER, "password": THIRD_PASSWORD, "mfaCode": setup["backupCodes"][0]},
    ).json()
    run.hands_out("signin with a backup code", *_tokens_in(with_code))
    call("me", "GET", "/v1/auth/me", headers={**key, "authorization": f"Bearer {with_code['accessToken']}"})
    _refusals(call, key, signup["accessToken"], signin["refreshToken"], reset_token, link_token)
    run.never_shown.update({FIRST_PASSWORD, SECOND_PASSWORD, THIRD_PASSWORD, WRONG_PASSWORD})
    return with_code["accessToken"]


def _refusals(call: Client, key: dict[str, str], old_access: str, used_refresh: str, reset: str, link: str) -> None:
    """Failures carrying secrets: a wrong password, a revoked token, reused one-time tokens."""
    call.refused("wrong password", "POST", "/v1/auth/email/signin", headers=key,
                 json={"email": USER, "password": WRONG_PASSWORD})  # fmt: skip
    call.refused("revoked access token", "GET", "/v1/auth/me", headers={**key, "authorization": f"Bearer {old_access}"})
    call.refused("reused refresh token", "POST", "/v1/auth/refresh", headers=key, json={"refreshToken": used_refresh})
    call.refused("reused reset token", "POST", "/v1/auth/password/reset/confirm", headers=key,
                 json={"email": USER, "token": reset, "newPassword": WRONG_PASSWORD})  # fmt: skip
    call.refused("reused magic link", "POST", "/v1/auth/email/callback", headers=key, json={"token": link})


def _tokens_in(body: dict[str, Any]) -> list[str]:
    return [body[k] for k in ("accessToken", "refreshToken") if isinstance(body.get(k), str)]


def _mailed_token(backend_of: Any) -> str:
    backend, environment_id = backend_of()
    text = mailer.recent(backend, environment_id, to=USER)[0]["text"]
    match = re.search(r"\b([0-9a-f]{64})\b", text)
    assert match, text
    return match.group(1)


def _console_flows(call: Client, run: Run, project_id: str, organization_id: str) -> None:
    """The owner signs in to the console, creates a secret key and a personal access token, lists both."""
    signed_in = call(
        "console sign-in", "POST", "/v1/console/session", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
    )
    session, csrf = signed_in.cookies[COOKIE], signed_in.json()["csrfToken"]
    run.hands_out("console sign-in", session, csrf)
    run.never_shown.add(OWNER_PASSWORD)
    headers = {"cookie": f"{COOKIE}={session}", "x-csrf-token": csrf}
    call.http.cookies.clear()
    env_url = f"/v1/console/projects/{project_id}/environments/dev/api-keys"
    made = call("create secret key", "POST", env_url, headers=headers, json={"name": "server", "type": "secret"}).json()
    run.hands_out("create secret key", made["key"])
    call("list keys", "GET", env_url, headers=headers)
    tokens_url = f"/v1/console/organizations/{organization_id}/tokens"
    pat = call("create PAT", "POST", tokens_url, headers=headers, json={"name": "cli", "scopes": ["*:*"]}).json()
    run.hands_out("create PAT", pat["token"])
    call("list PATs", "GET", tokens_url, headers=headers)
    invited = call("create invitation", "POST", f"/v1/console/organizations/{organization_id}/invitations",
                   headers=headers, json={"email": "bob.leaks@example.com", "role": "member"}).json()  # fmt: skip
    invitation = httpx.URL(invited["inviteUrl"]).params["token"]
    run.hands_out("create invitation", invitation)
    call("invitation page", "GET", "/console/invite", params={"token": invitation})  # what the invitee's browser does
    call("invitation lookup", "GET", "/v1/console/invitations/lookup", params={"token": invitation})
    call("activity", "GET", f"/v1/console/organizations/{organization_id}/activity?limit=100", headers=headers)


def _social_exchange(call: Client, run: Run, pk: str, sk: str, provider: OAuthProvider) -> None:
    """The provider's client secret goes in through the management API; a GitHub-style code comes back as tokens."""
    body = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "endpoints": provider.endpoints("github")}
    call("set oauth provider", "PUT", "/v1/auth/providers/oauth/github", headers={"x-api-key": sk}, json=body)
    call("get oauth provider", "GET", "/v1/auth/providers/oauth/github", headers={"x-api-key": sk})
    run.never_shown.add(CLIENT_SECRET)
    provider.sign_in_as(subject="31337", email="octo.leaks@example.com", login="octo")
    params = {"client_id": CLIENT_ID, "redirect_uri": APP, "response_type": "code", "state": "s"}
    at_provider = httpx.get(provider.endpoints("github")["authorize"], params=params, follow_redirects=False)
    code = httpx.URL(at_provider.headers["location"]).params["code"]
    signed_in = call(
        "social code exchange",
        "POST",
        "/v1/auth/github/callback",
        headers={"x-api-key": pk},
        json={"code": code, "redirectUri": APP},
    ).json()
    run.hands_out("social code exchange", *_tokens_in(signed_in))
    run.never_shown.add(provider.access_token())


def _mcp_oauth_exchange(call: Client, run: Run) -> None:
    registered = call(
        "mcp oauth register",
        "POST",
        "/mcp/oauth/register",
        json={"client_name": "leaks", "redirect_uris": [LOOPBACK_CALLBACK], "token_endpoint_auth_method": "none"},
    ).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": registered["client_id"],
        "redirect_uri": LOOPBACK_CALLBACK,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "s",
    }
    authorized = call("mcp oauth authorize", "GET", "/mcp/oauth/authorize", params=query)
    code = httpx.URL(authorized.headers["location"]).params["code"]
    run.hands_out("mcp oauth authorize", code)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": LOOPBACK_CALLBACK,
        "client_id": registered["client_id"],
    }
    tokens = call("mcp oauth token exchange", "POST", "/mcp/oauth/token", data=form).json()
    run.hands_out("mcp oauth token exchange", tokens["access_token"], tokens["refresh_token"])
    run.never_shown.add(verifier)
    refreshed = call(
        "mcp oauth refresh",
        "POST",
        "/mcp/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": registered["client_id"],
        },
    ).json()
    run.hands_out("mcp oauth refresh", refreshed["access_token"], refreshed["refresh_token"])


def _mcp_tool_calls(call: Client, run: Run, pat: str) -> None:
    """A key made through MCP is in that tool result only; its arguments and the activity log never hold it."""
    headers = {**JSON_RPC, "authorization": f"Bearer {pat}"}
    made = call(
        "mcp create key",
        "POST",
        "/mcp",
        headers=headers,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "manage_api_keys", "arguments": {"action": "create", "type": "secret", "name": "mcp"}},
        },
    )
    result = made.json()["result"]
    assert result["isError"] is False, result
    run.hands_out("mcp create key", result["structuredContent"]["key"])
    call(
        "mcp get_activity",
        "POST",
        "/mcp",
        headers=headers,
        json={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_activity", "arguments": {}}},
    )


def _file_signing(call: Client, run: Run, sk: str) -> None:
    """A signed URL is a credential until it expires: its signature is in the issuing response only."""
    issued = call("presign upload", "POST", "/v1/files/presigned-url", headers={"x-api-key": sk},
                  json={"filename": "a.txt", "contentType": "text/plain", "visibility": "private"}).json()  # fmt: skip
    run.hands_out("presign upload", httpx.URL(issued["url"]).params["sig"])
    run.record("upload", httpx.put(issued["url"], content=b"hello", headers={"Content-Type": "text/plain"}))
    listed = call("list files", "GET", "/v1/files", headers={"x-api-key": sk}).json()
    file_id = listed["items"][0]["id"]
    download = call("download url", "POST", f"/v1/files/{file_id}/download-url", headers={"x-api-key": sk}, json={})
    url = download.json()["url"]
    run.hands_out("download url", httpx.URL(url).params["sig"])
    assert run.record("download", httpx.get(url)).content == b"hello"


def _stored_secrets(backend: Backend, namespaces: list[str]) -> set[str]:
    """Every stored encrypted secret or secret hash, and the keyring's signing keys in the forms text takes."""
    found: set[str] = set()

    def walk(value: Any, name: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, name)
        elif isinstance(value, str) and STORED_SECRET_FIELD.search(name) and len(value) >= 16:
            found.add(value)

    for namespace in namespaces:
        for name in backend.store.collection_names(namespace):
            for doc in backend.store.collection(namespace, name).find(Query()):
                walk(doc)
    raw_keys = [backend.keyring.storage_signing_key(), backend.keyring.mcp_signing_key()]
    raw_keys += [backend.keyring.app_signing_key(n) for n in namespaces if n != CONTROL]
    for raw in raw_keys:
        found |= {raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return found


@pytest.fixture(scope="module")
def leaks(tmp_path_factory, oauth_server: OAuthProvider) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("leaks")
    data_dir = root / "data"
    info = _seed(data_dir)
    site = root / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(VERBOSE_LOGGING)
    run = Run()
    reader = open_backend(Config(data_dir=data_dir))  # the test's own view of the shared data dir (WAL)
    environment_id = info["environmentId"]
    try:
        with live_server(
            data_dir,
            log_level="trace",
            args=("--access-log",),
            PYTHONPATH=str(site),
            BKEND_RATE_LIMITS="off",
            BKEND_MCP_AUTO_APPROVE="1",
        ) as live:
            call = Client(live.base, run)
            pk, sk = info["publishableKey"], info["secretKey"]
            run.never_shown |= {sk, *live.tokens.values()}  # made before start: no response may show them
            _app_user_flows(call, run, pk, lambda: (reader, environment_id))
            _console_flows(call, run, live.project_id, live.organization_id)
            _social_exchange(call, run, pk, sk, oauth_server)
            _mcp_oauth_exchange(call, run)
            _mcp_tool_calls(call, run, live.tokens["owner"])
            _file_signing(call, run, sk)
            call.http.close()
        run.log = (root / "server.log").read_text(errors="replace")
        run.never_shown |= _stored_secrets(reader, [CONTROL, environment_id])
        activity = reader.control("activity").find(Query())
        run.activity = orjson.dumps(activity, default=str).decode()
    finally:
        reader.close()
    yield run


def _every_secret(run: Run) -> set[str]:
    return run.never_shown | set(run.handed_out)


def test_the_server_logged_verbosely_while_the_flows_ran(leaks):
    """Guards the other tests: an empty or quiet log would pass them for nothing."""
    assert "TRACE" in leaks.log or "ASGI" in leaks.log, leaks.log[:2000]
    assert "DEBUG" in leaks.log
    assert len(leaks.responses) > 25 and leaks.activity.count("manage_api_keys") >= 1


def test_no_secret_appears_in_the_server_output(leaks):
    shown = sorted({secret[:12] + "…" for secret in _every_secret(leaks) if secret in leaks.log})
    assert shown == [], "secrets in the server log: " + ", ".join(shown)


def test_no_secret_appears_in_the_activity_log(leaks):
    shown = sorted({secret[:12] + "…" for secret in _every_secret(leaks) if secret in leaks.activity})
    assert shown == [], "secrets in activity entries: " + ", ".join(shown)


def test_secrets_appear_only_in_the_response_that_hands_them_out(leaks):
    leaked = []
    for label, text in leaks.responses:
        for secret in _every_secret(leaks):
            if secret in text and label not in leaks.handed_out.get(secret, set()):
                leaked.append(f"{secret[:12]}… in '{label}'")
    assert leaked == []


def test_every_handed_out_secret_was_seen_where_it_was_handed_out(leaks):
    """The bookkeeping is right: each secret marked as handed out is in the response named for it."""
    for secret, labels in leaks.handed_out.items():
        assert any(label == seen and secret in text for seen, text in leaks.responses for label in labels), labels
