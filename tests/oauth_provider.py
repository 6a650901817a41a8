"""A small real OAuth provider of our own, on 127.0.0.1: Google-style (`/google/…`: authorization code with PKCE,
an RS256 ID token checked against its JWKS, user info) and GitHub-style (`/github/…`: code exchange that reports
errors with HTTP 200, `/user`, `/user/emails`). A Starlette app served by uvicorn in a thread on a socket bound
before the thread starts, so clients can connect at once.

`provider.person` is who "signs in" at the authorize endpoint next (consent is automatic); `deny_next` makes the
next authorization answer `error=access_denied`. Tests point an environment's provider `endpoints` at
`provider.endpoints("google")` and then run real round trips.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

GOOGLE_ISSUER = "https://accounts.google.com"
CLIENT_ID = "client-123.apps.test"
CLIENT_SECRET = "s3cret-of-the-client"


@dataclass(frozen=True)
class Person:
    subject: str = "10001"
    email: str = "grace@example.com"
    email_verified: bool = True
    name: str | None = "Grace Hopper"
    picture: str | None = "https://img.example.com/grace.png"
    login: str = "grace"
    github_emails: tuple[dict[str, Any], ...] | None = None
    """GitHub `/user/emails`; default: the address as primary and verified."""


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    person: Person
    style: str
    challenge: str | None = None
    used: bool = False


@dataclass
class OAuthProvider:
    base_url: str = ""
    person: Person = field(default_factory=Person)
    deny_next: bool = False
    clients: dict[str, str] = field(default_factory=lambda: {CLIENT_ID: CLIENT_SECRET})
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    kid: str = "test-key-1"

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    # -- what tests use ------------------------------------------------------------------------------------------

    def endpoints(self, style: str) -> dict[str, str]:
        names = ("authorize", "token", "userinfo", "jwks") if style == "google" else ("authorize", "token")
        found = {name: f"{self.base_url}/{style}/{name}" for name in names}
        if style == "github":
            found.update(userinfo=f"{self.base_url}/github/user", emails=f"{self.base_url}/github/user/emails")
        return found

    def id_token(self, person: Person | None = None, audience: str = CLIENT_ID, **claims: Any) -> str:
        person = person or self.person
        now = int(time.time())
        body = {
            "iss": GOOGLE_ISSUER, "aud": audience, "sub": person.subject, "email": person.email,
            "email_verified": person.email_verified, "name": person.name, "picture": person.picture,
            "iat": now, "exp": now + 3600, **claims,
        }  # fmt: skip
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})

    def access_token(self, person: Person | None = None) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = person or self.person
        return token

    def sign_in_as(self, **changes: Any) -> Person:
        self.person = replace(Person(), **changes)
        return self.person

    # -- the app -------------------------------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            Route("/{style}/authorize", self._authorize),
            Route("/{style}/token", self._token, methods=["POST"]),
            Route("/google/userinfo", self._google_userinfo),
            Route("/google/jwks", self._jwks),
            Route("/github/user", self._github_user),
            Route("/github/user/emails", self._github_emails),
        ]
        return Starlette(routes=routes)

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") not in self.clients or not q.get("redirect_uri") or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        back = {"state": q["state"]} if q.get("state") else {}
        if self.deny_next:
            self.deny_next = False
            query = urlencode({"error": "access_denied", "error_description": "The user said no", **back})
            return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)
        code = secrets.token_urlsafe(16)
        challenge = q.get("code_challenge") if q.get("code_challenge_method") == "S256" else None
        self.grants[code] = Grant(
            q["client_id"], q["redirect_uri"], self.person, request.path_params["style"], challenge
        )
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, **back})}", status_code=302)

    async def _token(self, request: Request) -> Response:
        style = request.path_params["style"]
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append({**form, "style": style})
        grant = self.grants.get(form.get("code", ""))
        problem = self._problem(grant, form, style)
        if problem:
            if style == "github":  # GitHub reports a bad code with HTTP 200
                return JSONResponse({"error": problem, "error_description": "The code passed is incorrect or expired."})
            return JSONResponse({"error": problem}, status_code=401 if problem == "invalid_client" else 400)
        assert grant is not None
        grant.used = True
        token = self.access_token(grant.person)
        if style == "github":
            return JSONResponse({"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})
        id_token = self.id_token(grant.person, audience=grant.client_id)
        return JSONResponse({"access_token": token, "id_token": id_token, "token_type": "Bearer", "expires_in": 3599})

    def _problem(self, grant: Grant | None, form: dict[str, str], style: str) -> str | None:
        if self.clients.get(form.get("client_id", "")) != form.get("client_secret"):
            return "invalid_client"
        bad_code = "bad_verification_code" if style == "github" else "invalid_grant"
        if grant is None or grant.used or grant.style != style or grant.client_id != form.get("client_id"):
            return bad_code
        if grant.redirect_uri != form.get("redirect_uri"):
            return "redirect_uri_mismatch" if style == "github" else "invalid_grant"
        if grant.challenge:
            verifier = form.get("code_verifier", "").encode()
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if expected != grant.challenge:
                return "invalid_grant"
        return None

    def _bearer(self, request: Request) -> Person | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return self.tokens.get(token) if scheme.lower() == "bearer" else None

    async def _google_userinfo(self, request: Request) -> Response:
        person = self._bearer(request)
        if person is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({
            "sub": person.subject, "email": person.email, "email_verified": person.email_verified,
            "name": person.name, "picture": person.picture,
        })  # fmt: skip

    async def _jwks(self, request: Request) -> Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})

    async def _github_user(self, request: Request) -> Response:
        person = self._bearer(request)
        if person is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse({
            "id": int(person.subject), "login": person.login, "name": person.name, "avatar_url": person.picture,
            "email": None,
        })  # fmt: skip

    async def _github_emails(self, request: Request) -> Response:
        person = self._bearer(request)
        if person is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        default = ({"email": person.email, "primary": True, "verified": person.email_verified, "visibility": None},)
        return JSONResponse(list(person.github_emails if person.github_emails is not None else default))


@dataclass
class Running:
    provider: OAuthProvider
    server: uvicorn.Server
    thread: threading.Thread


def start(provider: OAuthProvider | None = None) -> Running:
    """Serve a provider on a free 127.0.0.1 port; the socket listens before this returns."""
    provider = provider or OAuthProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    provider.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(provider.app(), log_level="warning", lifespan="off", ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    return Running(provider, server, thread)


def stop(running: Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=10)


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[OAuthProvider]:
    running = start()
    yield running.provider
    stop(running)


@pytest.fixture
def oauth_provider(oauth_server: OAuthProvider) -> OAuthProvider:
    """The session's provider, reset: default person, no pending denial."""
    oauth_server.person = Person()
    oauth_server.deny_next = False
    oauth_server.token_requests.clear()
    return oauth_server
