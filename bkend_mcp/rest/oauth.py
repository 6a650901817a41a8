"""The MCP OAuth 2.1 routes (spec/mcp-and-console.md §1.3.3): discovery documents, registration, authorization and
consent pages, token and revocation endpoints. Every rule is in `domain/mcp_auth/oauth*.py`; failures render as RFC 6749
error bodies (JSON endpoints) or an error page (browser endpoints)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.config import Config
from bkend_mcp.domain.console.console_sessions import COOKIE
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth, oauth_clients, oauth_console
from bkend_mcp.rest.http import JSONResponse, backend_of, read_json, run
from bkend_mcp.rest.oauth_pages import PAGE_HEADERS, consent_page, error_page

PROTECTED_RESOURCE_PATHS = ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")
AUTHORIZATION_SERVER_PATHS = (
    "/.well-known/oauth-authorization-server",
    "/.well-known/oauth-authorization-server/mcp",
    "/.well-known/openid-configuration/mcp",
    "/mcp/.well-known/openid-configuration",
    "/.well-known/openid-configuration",
)
CONSENT_PATH = "/mcp/oauth/consent"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
Handler = Callable[[Request], Awaitable[Response]]


def routes(config: Config) -> list[BaseRoute]:
    """The OAuth routes, only when `BKEND_MCP_AUTH=oauth`: other modes have no authorization server."""
    if config.mcp_auth != "oauth":
        return []
    return [
        *(Route(path, protected_resource) for path in PROTECTED_RESOURCE_PATHS),
        *(Route(path, authorization_server) for path in AUTHORIZATION_SERVER_PATHS),
        Route("/mcp/oauth/register", oauth_errors(register), methods=["POST"]),
        Route("/mcp/oauth/authorize", page_errors(authorize), methods=["GET"]),
        Route(CONSENT_PATH, page_errors(consent), methods=["POST"]),
        Route("/mcp/oauth/token", oauth_errors(token), methods=["POST"]),
        Route("/mcp/oauth/revoke", oauth_errors(revoke), methods=["POST"]),
    ]


def oauth_errors(handler: Handler) -> Handler:
    """Render a `BkendError` as `{"error", "error_description"}` with its status (RFC 6749 §5.2, RFC 7591)."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except BkendError as exc:
            body = {"error": oauth.oauth_error_name(exc.code), "error_description": exc.message}
            headers = dict(NO_STORE)
            if exc.code == "oauth/invalid-client" and "basic" in request.headers.get("authorization", "").lower():
                headers["WWW-Authenticate"] = 'Basic realm="bkend-mcp"'
            return JSONResponse(body, status_code=exc.status, headers=headers)

    return endpoint


def page_errors(handler: Handler) -> Handler:
    """Browser endpoints never redirect on a failure they cannot trust the client for: they show a page."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except BkendError as exc:
            return error_page(exc.message, 401 if exc.status == 401 else 400)

    return endpoint


async def protected_resource(request: Request) -> Response:
    return JSONResponse(oauth.protected_resource_metadata(backend_of(request).config))


async def authorization_server(request: Request) -> Response:
    return JSONResponse(oauth.authorization_server_metadata(backend_of(request).config))


async def register(request: Request) -> Response:
    metadata = await read_json(request)
    source = request.client.host if request.client else "unknown"
    client = await run(request, lambda b: oauth_clients.register_client(b, metadata, source=source))
    return JSONResponse(client, status_code=201, headers=NO_STORE)


async def authorize(request: Request) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    origin = request.headers.get("origin")
    outcome = await run(request, lambda b: oauth.begin_authorization(b, params, origin))
    if isinstance(outcome, oauth.Redirect):
        return RedirectResponse(outcome.location, status_code=302, headers=PAGE_HEADERS)
    session = request.cookies.get(COOKIE)
    viewer = await run(request, lambda b: oauth_console.signed_in(b, session))
    return consent_page(outcome, CONSENT_PATH, viewer, request.url.path + "?" + request.url.query)


async def consent(request: Request) -> Response:
    form = await request.form()
    answers = {key: [str(v) for v in form.getlist(key)] for key in form.keys()}
    origin = request.headers.get("origin")
    session = request.cookies.get(COOKIE)
    outcome = await run(request, lambda b: oauth.complete_consent(b, answers, origin, session))
    return RedirectResponse(outcome.location, status_code=302, headers=PAGE_HEADERS)


async def token(request: Request) -> Response:
    form, basic = await _form(request), _basic_credentials(request)
    body = await run(request, lambda b: oauth.exchange_token(b, form, basic))
    return JSONResponse(body, headers=NO_STORE)


async def revoke(request: Request) -> Response:
    form, basic = await _form(request), _basic_credentials(request)
    await run(request, lambda b: oauth.revoke_token(b, form, basic))
    return Response(status_code=200, headers=NO_STORE)


async def _form(request: Request) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise BkendError("oauth/invalid-request", "The body must be application/x-www-form-urlencoded")
    form = await request.form()
    return {key: str(form.getlist(key)[0]) for key in form.keys()}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """`Authorization: Basic` client credentials, form-url-decoded as RFC 6749 §2.3.1 says."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise BkendError("oauth/invalid-client", "Malformed Basic credentials") from None
    if not sep:
        raise BkendError("oauth/invalid-client", "Malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)
