"""App-user authentication over REST: `/v1/auth/...` (spec/auth.md §2.1, §2.3-§2.5).

Public endpoints resolve the caller from the API key alone and never look at `Authorization` (compat C5);
J endpoints need a user access token; "optional" ones use a valid token and ignore a bad one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.auth import account, magic_link, password_auth, recovery, refresh, verification
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.identity import resolve_key_caller, resolve_optional_user
from bkend_mcp.rest.http import JSONResponse, as_caller, read_json, respond, run


def routes() -> list[BaseRoute]:
    """Mounted before the data API's `/v1/{table}` shorthand."""
    table = [
        ("/v1/auth/email/signup", "POST", email_signup),
        ("/v1/auth/email/signin", "POST", email_signin),
        ("/v1/auth/email/callback", "POST", magic_link_callback),
        ("/v1/auth/refresh", "POST", refresh_tokens),
        ("/v1/auth/me", "GET", me),
        ("/v1/auth/signout", "POST", sign_out),
        ("/v1/auth/sessions", "GET", list_sessions),
        ("/v1/auth/sessions/{session_id}", "DELETE", revoke_session),
        ("/v1/auth/password/reset/request", "POST", reset_request),
        ("/v1/auth/password/reset/confirm", "POST", reset_confirm),
        ("/v1/auth/password/change", "POST", change_password),
        ("/v1/auth/signup/email/resend", "POST", signup_email_resend),
        ("/v1/auth/signup/email/confirm", "GET", signup_email_confirm),
        ("/v1/auth/email/verify/send", "POST", email_verify_send),
        ("/v1/auth/email/verify/confirm", "POST", email_verify_confirm),
        ("/v1/auth/email/verify/resend", "POST", email_verify_send),
    ]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


Flow = Callable[[Backend, Caller, Any, Client], Any]


def client_of(request: Request) -> Client:
    return Client(ip=request.client.host if request.client else "", user_agent=request.headers.get("user-agent", ""))


async def public(request: Request, flow: Flow) -> Any:
    """Run a public flow with the body, as the key's environment, ignoring any user token."""
    body, client, headers = await read_json(request), client_of(request), request.headers
    return await run(request, lambda b: flow(b, resolve_key_caller(b, headers), body, client))


async def optionally_signed_in(request: Request, flow: Flow) -> Any:
    body, client, headers = await read_json(request), client_of(request), request.headers
    return await run(request, lambda b: flow(b, resolve_optional_user(b, headers), body, client))


async def signed_in(request: Request, flow: Flow) -> Any:
    """Run a flow with the body as the caller the headers name (a user token, when sent, must be valid)."""
    body, client = await read_json(request), client_of(request)
    return await as_caller(request, lambda b, c: flow(b, c, body, client))


async def email_signup(request: Request) -> Response:
    return respond(request, await public(request, password_auth.email_signup), 201)


async def email_signin(request: Request) -> Response:
    return respond(request, await public(request, password_auth.email_signin))


async def magic_link_callback(request: Request) -> Response:
    return respond(request, await public(request, magic_link.verify))


async def refresh_tokens(request: Request) -> Response:
    """Always bare, even in wrapped mode (compat C1, C2)."""
    return JSONResponse(await public(request, refresh.refresh))


async def me(request: Request) -> Response:
    return respond(request, await as_caller(request, account.me))


async def sign_out(request: Request) -> Response:
    authorization = request.headers.get("authorization")
    result = await public(request, lambda b, c, body, _client: account.sign_out(b, c, authorization, body))
    return respond(request, result)


async def list_sessions(request: Request) -> Response:
    page, limit = request.query_params.get("page"), request.query_params.get("limit")
    return respond(request, await as_caller(request, lambda b, c: account.list_sessions(b, c, page, limit)))


async def revoke_session(request: Request) -> Response:
    session_id = request.path_params["session_id"]
    return respond(request, await as_caller(request, lambda b, c: account.revoke_session(b, c, session_id)))


async def reset_request(request: Request) -> Response:
    return respond(request, await public(request, recovery.request_reset))


async def reset_confirm(request: Request) -> Response:
    return respond(request, await public(request, recovery.confirm_reset))


async def change_password(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: recovery.change_password(b, c, body)))


async def signup_email_resend(request: Request) -> Response:
    return respond(request, await public(request, verification.resend_signup_confirmation))


async def signup_email_confirm(request: Request) -> Response:
    """The link in the sign-up mail, opened by a browser without an API key: a redirect to the app's callback,
    or the documented wrapped body `{success: true, data: {verified, email}}`."""
    query = request.query_params
    token, email, callback = query.get("token"), query.get("email"), query.get("callbackUrl")
    result = await run(request, lambda b: verification.confirm_signup(b, token, email, callback))
    if result["redirect"]:
        return RedirectResponse(result["redirect"], status_code=302)
    return JSONResponse({"success": True, "data": {"verified": True, "email": result["email"]}})


async def email_verify_send(request: Request) -> Response:
    return respond(request, await optionally_signed_in(request, verification.send_email_verification))


async def email_verify_confirm(request: Request) -> Response:
    flow: Flow = lambda b, c, body, _client: verification.confirm_email_verification(b, c, body)  # noqa: E731
    return respond(request, await optionally_signed_in(request, flow))
