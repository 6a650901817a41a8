"""Console sign-in routes: setup link, sign-in/out, the current session, invitations, the tenant's own account
(bkend_mcp/docs/management-api.md "Sign-in, setup, invitations, account")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain.console import console_auth
from bkend_mcp.rest.console_http import (
    client_of,
    credentials,
    guarded,
    read_object,
    reply,
    with_session,
    without_session,
)


async def setup_status(request: Request) -> Response:
    token = request.query_params.get("token")
    return reply(await guarded(request, lambda b: console_auth.setup_status(b, token)))


async def complete_setup(request: Request) -> Response:
    found, body, client = credentials(request), await read_object(request), client_of(request)
    return with_session(request, await guarded(request, lambda b: console_auth.complete_setup(b, found, body, client)))


async def sign_in(request: Request) -> Response:
    found, body, client = credentials(request), await read_object(request), client_of(request)
    return with_session(request, await guarded(request, lambda b: console_auth.sign_in(b, found, body, client)))


async def current(request: Request) -> Response:
    found = credentials(request)
    return reply(await guarded(request, lambda b: console_auth.current(b, found)))


async def sign_out(request: Request) -> Response:
    found = credentials(request)
    return without_session(request, await guarded(request, lambda b: console_auth.sign_out(b, found)))


async def invitation(request: Request) -> Response:
    token = request.query_params.get("token")
    return reply(await guarded(request, lambda b: console_auth.invitation(b, token)))


async def accept_invitation(request: Request) -> Response:
    found, body, client = credentials(request), await read_object(request), client_of(request)
    opened = await guarded(request, lambda b: console_auth.accept_invitation(b, found, body, client))
    return with_session(request, opened)


async def rename(request: Request) -> Response:
    found, body = credentials(request), await read_object(request)
    return reply(await guarded(request, lambda b: console_auth.rename(b, found, body)))


async def change_password(request: Request) -> Response:
    found, body = credentials(request), await read_object(request)
    return reply(await guarded(request, lambda b: console_auth.change_password(b, found, body)))


ROUTES = {
    "/v1/console/setup": {"GET": setup_status, "POST": complete_setup},
    "/v1/console/session": {"GET": current, "POST": sign_in, "DELETE": sign_out},
    "/v1/console/invitations/lookup": {"GET": invitation},
    "/v1/console/invitations/accept": {"POST": accept_invitation},
    "/v1/console/account": {"PATCH": rename},
    "/v1/console/account/password": {"POST": change_password},
}
