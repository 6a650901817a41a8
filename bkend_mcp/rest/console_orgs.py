"""Organization-level management routes: organizations, members, invitations, the console outbox, personal tokens,
the "Connect your AI tool" panel and the organization's projects (bkend_mcp/docs/management-api.md)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain import connect, projects
from bkend_mcp.domain.team import invitations, organizations
from bkend_mcp.rest.console_http import call, call_in_session, page_args, read_object, reply, shaped
from bkend_mcp.rest.http import int_param


def _org(request: Request) -> str:
    return str(request.path_params["org"])


async def list_organizations(request: Request) -> Response:
    return reply(await call(request, None, projects.list_organizations))


async def create_organization(request: Request) -> Response:
    body = await read_object(request)
    fields = {k: body.get(k) for k in ("name", "slug", "description")}
    shown = body.get("displayName")
    made = await call_in_session(
        request, lambda b, p: organizations.create_organization(b, p, display_name=shown, **fields)
    )
    return reply(made, 201)


async def get_organization(request: Request) -> Response:
    org = _org(request)
    return reply(
        await call(request, "organization:read", lambda b, p: projects.get_organization(b, p, org), organization=org)
    )


async def update_organization(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    work = lambda b, p: organizations.update_organization(b, p, org, body)  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def delete_organization(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    work = lambda b, p: organizations.delete_organization(b, p, org, body.get("confirm"))  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def transfer(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    work = lambda b, p: organizations.transfer_ownership(b, p, org, body.get("tenantId"), body.get("confirm"))  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def leave(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    return reply(
        await call_in_session(
            request, lambda b, p: organizations.leave(b, p, org, body.get("confirm")), organization=org
        )
    )


async def list_members(request: Request) -> Response:
    org = _org(request)
    work = lambda b, p: organizations.list_members(b, p, org)  # noqa: E731
    return reply(await call(request, "organization:read", work, organization=org))


async def set_member_role(request: Request) -> Response:
    org, member, body = _org(request), request.path_params["tenant"], await read_object(request)
    work = lambda b, p: organizations.set_member_role(b, p, org, member, body.get("role"))  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def remove_member(request: Request) -> Response:
    org, member = _org(request), request.path_params["tenant"]
    return reply(
        await call_in_session(request, lambda b, p: organizations.remove_member(b, p, org, member), organization=org)
    )


async def list_invitations(request: Request) -> Response:
    org = _org(request)
    return reply(await call_in_session(request, lambda b, p: invitations.list_invitations(b, p, org), organization=org))


async def invite(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    fields = {k: body[k] for k in ("email", "role", "name") if k in body}
    return reply(
        await call_in_session(request, lambda b, p: invitations.invite(b, p, org, **fields), organization=org), 201
    )


async def resend_invitation(request: Request) -> Response:
    org, invitation = _org(request), request.path_params["invitation"]
    return reply(
        await call_in_session(request, lambda b, p: invitations.resend(b, p, org, invitation), organization=org)
    )


async def cancel_invitation(request: Request) -> Response:
    org, invitation = _org(request), request.path_params["invitation"]
    return reply(
        await call_in_session(request, lambda b, p: invitations.cancel(b, p, org, invitation), organization=org)
    )


async def outbox(request: Request) -> Response:
    org, limit = _org(request), int_param(request, "limit", 20)
    work = lambda b, p: invitations.outbox(b, p, org, limit)  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def list_tokens(request: Request) -> Response:
    org = _org(request)
    return reply(await call_in_session(request, lambda b, p: connect.list_tokens(b, p, org), organization=org))


async def create_token(request: Request) -> Response:
    org, body = _org(request), await read_object(request)
    fields = {k: body.get(k) for k in ("name", "scopes") if k in body}
    days = body.get("expiresDays")
    work = lambda b, p: connect.create_token(b, p, org, expires_days=days, **fields)  # noqa: E731
    return reply(await call_in_session(request, work, organization=org), 201)


async def revoke_token(request: Request) -> Response:
    org, token = _org(request), request.path_params["token"]
    return reply(await call_in_session(request, lambda b, p: connect.revoke_token(b, p, org, token), organization=org))


async def connected_tools(request: Request) -> Response:
    org = _org(request)
    return reply(await call_in_session(request, lambda b, p: connect.list_connected_tools(b, p, org), organization=org))


async def disconnect_tool(request: Request) -> Response:
    org, grant = _org(request), request.path_params["grant"]
    work = lambda b, p: connect.disconnect_tool(b, p, org, grant)  # noqa: E731
    return reply(await call_in_session(request, work, organization=org))


async def connect_info(request: Request) -> Response:
    return reply(await call(request, None, lambda b, p: connect.connect_info(b)))


async def list_projects(request: Request) -> Response:
    org, (page, limit) = _org(request), page_args(request)
    work = lambda b, p: projects.list_projects(b, p, page, limit)  # noqa: E731
    return reply(await call(request, "project:read", work, organization=org))


async def create_project(request: Request) -> Response:
    org, body = _org(request), shaped(await read_object(request), {"environments": "strings"})
    fields: dict[str, Any] = {k: body.get(k) for k in ("name", "slug", "description", "environments")}
    work = lambda b, p: projects.create_project(b, p, organization=org, **fields)  # noqa: E731
    return reply(await call(request, "project:create", work, organization=org), 201)


ORG = "/v1/console/organizations/{org}"
ROUTES = {
    "/v1/console/organizations": {"GET": list_organizations, "POST": create_organization},
    ORG: {"GET": get_organization, "PATCH": update_organization, "DELETE": delete_organization},
    f"{ORG}/transfer": {"POST": transfer},
    f"{ORG}/leave": {"POST": leave},
    f"{ORG}/members": {"GET": list_members},
    f"{ORG}/members/{{tenant}}": {"PATCH": set_member_role, "DELETE": remove_member},
    f"{ORG}/invitations": {"GET": list_invitations, "POST": invite},
    f"{ORG}/invitations/{{invitation}}/resend": {"POST": resend_invitation},
    f"{ORG}/invitations/{{invitation}}": {"DELETE": cancel_invitation},
    f"{ORG}/outbox": {"GET": outbox},
    f"{ORG}/tokens": {"GET": list_tokens, "POST": create_token},
    f"{ORG}/tokens/{{token}}": {"DELETE": revoke_token},
    f"{ORG}/connected-tools": {"GET": connected_tools},
    f"{ORG}/connected-tools/{{grant}}": {"DELETE": disconnect_tool},
    f"{ORG}/projects": {"GET": list_projects, "POST": create_project},
    "/v1/console/connect": {"GET": connect_info},
}
