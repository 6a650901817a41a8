"""The signed-in user's account over REST: MFA, organization switch, invitations, withdraw (spec/auth.md §2.3 #14,
§2.6 #23-#25, §2.8 #30-#35, §2.9 #36)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.auth import deletion, invitations, mfa_enrollment, organizations
from bkend_mcp.rest.auth import optionally_signed_in, public, signed_in
from bkend_mcp.rest.http import as_caller, respond


def routes() -> list[BaseRoute]:
    table = [
        ("/v1/auth/mfa/enable", "POST", mfa_enable),
        ("/v1/auth/mfa/confirm", "POST", mfa_confirm),
        ("/v1/auth/mfa/disable", "POST", mfa_disable),
        ("/v1/auth/switch-organization", "POST", switch_organization),
        ("/v1/auth/invitations", "POST", create_invitation),
        ("/v1/auth/invitations", "GET", list_invitations),
        ("/v1/auth/invitations/accept", "POST", accept_invitation),
        ("/v1/auth/invitations/reject", "POST", reject_invitation),
        ("/v1/auth/invitations/{invitation_id}", "GET", get_invitation),
        ("/v1/auth/invitations/{invitation_id}", "DELETE", revoke_invitation),
        ("/v1/auth/withdraw", "DELETE", withdraw),
    ]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


async def mfa_enable(request: Request) -> Response:
    return respond(request, await signed_in(request, lambda b, c, body, _: mfa_enrollment.enable(b, c, body)))


async def mfa_confirm(request: Request) -> Response:
    return respond(request, await signed_in(request, lambda b, c, body, _: mfa_enrollment.confirm(b, c, body)))


async def mfa_disable(request: Request) -> Response:
    return respond(request, await signed_in(request, lambda b, c, body, _: mfa_enrollment.disable(b, c, body)))


async def switch_organization(request: Request) -> Response:
    return respond(request, await signed_in(request, organizations.switch))


async def create_invitation(request: Request) -> Response:
    return respond(request, await signed_in(request, invitations.create), 201)


async def list_invitations(request: Request) -> Response:
    params = dict(request.query_params)
    return respond(request, await as_caller(request, lambda b, c: invitations.list_invitations(b, c, params)))


async def accept_invitation(request: Request) -> Response:
    return respond(request, await optionally_signed_in(request, invitations.accept))


async def reject_invitation(request: Request) -> Response:
    return respond(request, await public(request, invitations.reject))


async def get_invitation(request: Request) -> Response:
    invitation_id = request.path_params["invitation_id"]
    return respond(request, await as_caller(request, lambda b, c: invitations.get(b, c, invitation_id)))


async def revoke_invitation(request: Request) -> Response:
    invitation_id = request.path_params["invitation_id"]
    return respond(request, await as_caller(request, lambda b, c: invitations.revoke(b, c, invitation_id)))


async def withdraw(request: Request) -> Response:
    return respond(request, await as_caller(request, deletion.withdraw))
