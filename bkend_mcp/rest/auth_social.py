"""Social sign-in and linked accounts over REST (spec/auth.md §2.2 #6-#8, §2.7 #26-#29).

The browser-redirect form of the callback (`GET /v1/auth/{provider}/callback` reached from the provider) carries
no API key: its environment comes from the server-issued `state`, and it answers with a 302 to the app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.auth import linking, social
from bkend_mcp.domain.identity import resolve_key_caller
from bkend_mcp.rest.auth import client_of, public, signed_in
from bkend_mcp.rest.http import as_caller, respond, run


def routes() -> list[BaseRoute]:
    table = [
        ("/v1/auth/{provider}/authorize", "GET", authorize),
        ("/v1/auth/{provider}/callback", "POST", callback),
        ("/v1/auth/{provider}/callback", "GET", redirect_callback),
        ("/v1/auth/accounts", "POST", link_account),
        ("/v1/auth/accounts", "GET", list_accounts),
        ("/v1/auth/accounts/check", "POST", check_account),
        ("/v1/auth/accounts/{provider}", "DELETE", unlink_account),
    ]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


async def authorize(request: Request) -> Response:
    provider, params = request.path_params["provider"], dict(request.query_params)
    result = await public(request, lambda b, c, _body, _client: social.authorize(b, c, provider, params))
    return respond(request, result)


async def callback(request: Request) -> Response:
    provider = request.path_params["provider"]
    return respond(request, await public(request, lambda b, c, body, cl: social.callback(b, c, provider, body, cl)))


async def redirect_callback(request: Request) -> Response:
    """From the provider: 302 to the app's `redirect` (tokens or `error` in the query), or JSON when the state
    names no app URL. Called by an app with its key and no server state: the fields of the POST form."""
    provider, query, client = request.path_params["provider"], dict(request.query_params), client_of(request)
    headers = request.headers
    key_caller = lambda b: resolve_key_caller(b, headers)  # noqa: E731
    result = await run(request, lambda b: social.redirect_callback(b, provider, query, client, key_caller))
    if "redirect" in result:
        return RedirectResponse(result["redirect"], status_code=302)
    return respond(request, result["body"])


async def link_account(request: Request) -> Response:
    return respond(request, await signed_in(request, linking.link), 201)


async def list_accounts(request: Request) -> Response:
    page, limit = request.query_params.get("page"), request.query_params.get("limit")
    return respond(request, await as_caller(request, lambda b, c: linking.list_accounts(b, c, page, limit)))


async def check_account(request: Request) -> Response:
    return respond(request, await public(request, linking.check))


async def unlink_account(request: Request) -> Response:
    provider = request.path_params["provider"]
    return respond(request, await as_caller(request, lambda b, c: linking.unlink(b, c, provider)))
