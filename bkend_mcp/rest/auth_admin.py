"""Auth management over REST, for an `sk_` key (spec/auth.md §2.12 #56-#69): sign-in providers, mail settings and
mail templates. The same functions back MCP `manage_auth`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.auth import auth_admin, template_admin
from bkend_mcp.rest.http import as_caller, read_json, respond


def routes() -> list[BaseRoute]:
    table = [
        ("/v1/auth/providers", "GET", providers),
        ("/v1/auth/providers/email", "GET", email_provider),
        ("/v1/auth/providers/email", "PUT", update_email_provider),
        ("/v1/auth/providers/oauth", "GET", oauth_providers),
        ("/v1/auth/providers/oauth/{provider}", "GET", oauth_provider),
        ("/v1/auth/providers/oauth/{provider}", "PUT", set_oauth_provider),
        ("/v1/auth/providers/oauth/{provider}", "DELETE", delete_oauth_provider),
        ("/v1/auth/email-templates/config", "GET", email_settings),
        ("/v1/auth/email-templates/config", "PUT", update_email_settings),
        ("/v1/auth/email-templates", "GET", list_templates),
        ("/v1/auth/email-templates/preview/{template_id}", "GET", preview_template),
        ("/v1/auth/email-templates/{template_id}", "GET", get_template),
        ("/v1/auth/email-templates/{template_id}", "PUT", update_template),
        ("/v1/auth/email-templates/{template_id}", "DELETE", reset_template),
    ]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


async def providers(request: Request) -> Response:
    return respond(request, await as_caller(request, auth_admin.providers))


async def email_provider(request: Request) -> Response:
    return respond(request, await as_caller(request, auth_admin.email_provider))


async def update_email_provider(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: auth_admin.update_email_provider(b, c, body)))


async def oauth_providers(request: Request) -> Response:
    return respond(request, await as_caller(request, auth_admin.oauth_providers))


async def oauth_provider(request: Request) -> Response:
    provider = request.path_params["provider"]
    return respond(request, await as_caller(request, lambda b, c: auth_admin.oauth_provider(b, c, provider)))


async def set_oauth_provider(request: Request) -> Response:
    provider, body = request.path_params["provider"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: auth_admin.set_oauth_provider(b, c, provider, body)))


async def delete_oauth_provider(request: Request) -> Response:
    provider = request.path_params["provider"]
    return respond(request, await as_caller(request, lambda b, c: auth_admin.delete_oauth_provider(b, c, provider)))


async def email_settings(request: Request) -> Response:
    return respond(request, await as_caller(request, auth_admin.email_settings))


async def update_email_settings(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: auth_admin.update_email_settings(b, c, body)))


async def list_templates(request: Request) -> Response:
    locale = request.query_params.get("locale")
    return respond(request, await as_caller(request, lambda b, c: template_admin.list_templates(b, c, locale)))


async def get_template(request: Request) -> Response:
    template_id, locale = request.path_params["template_id"], request.query_params.get("locale")
    return respond(
        request, await as_caller(request, lambda b, c: template_admin.get_template(b, c, template_id, locale))
    )


async def update_template(request: Request) -> Response:
    template_id, body = request.path_params["template_id"], await read_json(request)
    result = await as_caller(request, lambda b, c: template_admin.update_template(b, c, template_id, body))
    return respond(request, result)


async def reset_template(request: Request) -> Response:
    template_id, locale = request.path_params["template_id"], request.query_params.get("locale")
    result = await as_caller(request, lambda b, c: template_admin.reset_template(b, c, template_id, locale))
    return respond(request, result)


async def preview_template(request: Request) -> Response:
    template_id, locale = request.path_params["template_id"], request.query_params.get("locale")
    return respond(request, await as_caller(request, lambda b, c: template_admin.preview(b, c, template_id, locale)))
