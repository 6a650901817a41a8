"""Core auth tools (spec/mcp-and-console.md §6.3 "Auth configuration and app users"): `manage_auth` and
`manage_users`.

Each takes one flat object: `action` plus the keys that action uses (others are a validation error). The action
table, its scopes and the work live in `domain/auth/manage.py`; the same functions back the REST management routes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain.auth import manage
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, Environment, Project

AuthAction = Literal[
    "get_config", "update_email_config", "set_oauth_provider", "delete_oauth_provider", "get_email_settings",
    "update_email_settings", "list_email_templates", "get_email_template", "update_email_template",
    "reset_email_template", "preview_email_template",
]  # fmt: skip
UserAction = Literal["list", "get", "create", "update", "delete", "set_role", "send_password_reset"]
Category = Literal["signup_confirmation", "password_reset", "magic_link", "email_verification", "invitation"]


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=DESTRUCTIVE)
    async def manage_auth(
        action: Annotated[AuthAction, Field(description="What to do; each action uses only the keys named below")],
        project: Project = None,
        environment: Environment = None,
        provider: Annotated[
            Literal["google", "github"] | None, Field(description="set/delete_oauth_provider: google or github")
        ] = None,
        clientId: Annotated[str | None, Field(description="set_oauth_provider (required the first time)")] = None,
        clientSecret: Annotated[
            str | None, Field(description="set_oauth_provider: write-only, stored encrypted, never shown again")
        ] = None,
        redirectUri: Annotated[
            str | None, Field(description="set_oauth_provider; default <server>/v1/auth/<provider>/callback")
        ] = None,
        scopes: Annotated[list[str] | None, Field(description="set_oauth_provider, e.g. openid email profile")] = None,
        enabled: Annotated[bool | None, Field(description="set_oauth_provider (default true)")] = None,
        additionalClientIds: Annotated[
            list[str] | None, Field(description="set_oauth_provider: more accepted ID-token audiences (mobile apps)")
        ] = None,
        endpoints: Annotated[
            dict[str, str] | None,
            Field(description="set_oauth_provider: override authorize/token/userinfo/emails/jwks/issuer URLs"),
        ] = None,
        passwordPolicy: Annotated[
            dict[str, Any] | None,
            Field(
                description="update_email_config: {minLength 6-128, requireUppercase, requireLowercase, "
                "requireNumbers, requireSpecialChars, expirationDays int|null}"
            ),
        ] = None,
        magicLinkEnabled: Annotated[bool | None, Field(description="update_email_config")] = None,
        magicLinkExpirationMinutes: Annotated[
            int | None, Field(ge=1, le=1440, description="update_email_config")
        ] = None,
        settings: Annotated[
            dict[str, Any] | None,
            Field(
                description="update_email_config: other settings, e.g. requireEmailVerification, "
                "allowedRedirectUrls, passwordResetUrl, invitationUrl, defaultRole, autoLinkVerifiedEmail, rateLimits"
            ),
        ] = None,
        senderEmail: Annotated[str | None, Field(description="update_email_settings")] = None,
        senderName: Annotated[str | None, Field(description="update_email_settings")] = None,
        logoUrl: Annotated[str | None, Field(description="update_email_settings")] = None,
        brandColor: Annotated[str | None, Field(description="update_email_settings: #RRGGBB")] = None,
        overrideDefaults: Annotated[
            bool | None, Field(description="update_email_settings: send the customised templates")
        ] = None,
        category: Annotated[Category | None, Field(description="the template (get/update/reset/preview)")] = None,
        locale: Annotated[str | None, Field(description="template locale, e.g. en, ko (default en)")] = None,
        subject: Annotated[str | None, Field(description="update_email_template")] = None,
        body: Annotated[str | None, Field(description="update_email_template: HTML with {{variables}}")] = None,
        sampleData: Annotated[
            dict[str, Any] | None, Field(description="preview_email_template: values for {{userName}} …")
        ] = None,
    ) -> dict[str, Any]:
        """Auth settings of an environment: get_config (email sign-in + Google/GitHub), update_email_config
        (password policy, magic links, other settings), set_oauth_provider / delete_oauth_provider, mail sender
        settings (get/update_email_settings), and the mail templates (list, get, update, reset, preview).
        Templates use {{userName}} {{userEmail}} {{resetLink}} {{verifyLink}} {{magicLink}} {{invitationLink}}
        {{inviterName}} {{resourceName}} {{projectName}} {{expiresInMinutes}} {{token}}."""
        arguments = _given({
            "provider": provider, "clientId": clientId, "clientSecret": clientSecret, "redirectUri": redirectUri,
            "scopes": scopes, "enabled": enabled, "additionalClientIds": additionalClientIds, "endpoints": endpoints,
            "passwordPolicy": passwordPolicy, "magicLinkEnabled": magicLinkEnabled,
            "magicLinkExpirationMinutes": magicLinkExpirationMinutes, "settings": settings,
            "senderEmail": senderEmail, "senderName": senderName, "logoUrl": logoUrl, "brandColor": brandColor,
            "overrideDefaults": overrideDefaults, "category": category, "locale": locale, "subject": subject,
            "body": body, "sampleData": sampleData,
        })  # fmt: skip
        where = {"project": project, "environment": environment}
        return await kit.call(
            manage.scope_of(manage.AUTH_ACTIONS, action),
            lambda b, p: manage.run(manage.AUTH_ACTIONS, b, p, action, arguments, **where),
        )

    @server.tool(annotations=DESTRUCTIVE)
    async def manage_users(
        action: Annotated[UserAction, Field(description="What to do; each action uses only the keys named below")],
        project: Project = None,
        environment: Environment = None,
        userId: Annotated[str | None, Field(description="get/update/set_role/delete/send_password_reset")] = None,
        email: Annotated[
            str | None, Field(description="create (required); get/send_password_reset instead of userId")
        ] = None,
        name: Annotated[str | None, Field(description="create (default: the address's local part)")] = None,
        nickname: Annotated[str | None, Field(description="create")] = None,
        password: Annotated[
            str | None, Field(description="create: checked against the policy; omit for magic-link/reset sign-in")
        ] = None,
        role: Annotated[str | None, Field(description="create/set_role: admin, user, guest or a custom role")] = None,
        emailVerified: Annotated[bool | None, Field(description="create (default false)")] = None,
        data: Annotated[
            dict[str, Any] | None,
            Field(
                description="update: {name, nickname, image, mobile, gender, bio, socialLinks, status: active|banned}"
            ),
        ] = None,
        search: Annotated[str | None, Field(description="list: case-insensitive text")] = None,
        searchType: Annotated[Literal["name", "nickname", "email"] | None, Field(description="list")] = None,
        page: Annotated[int | None, Field(ge=1, description="list")] = None,
        limit: Annotated[int | None, Field(ge=1, le=100, description="list (default 20)")] = None,
        sortBy: Annotated[
            Literal["createdAt", "updatedAt", "name", "email", "role"] | None, Field(description="list")
        ] = None,
        sortDirection: Annotated[Literal["asc", "desc"] | None, Field(description="list (default desc)")] = None,
        callbackUrl: Annotated[str | None, Field(description="send_password_reset: the app's reset page")] = None,
    ) -> dict[str, Any]:
        """App users of an environment: list (search, sort, page), get (by userId or email), create, update
        (profile fields; status banned signs them out everywhere), set_role (effective on their next request),
        delete (soft delete: frees the address, revokes sessions), send_password_reset (mails a reset link).
        Users never include password hashes or tokens."""
        arguments = _given({
            "userId": userId, "email": email, "name": name, "nickname": nickname, "password": password, "role": role,
            "emailVerified": emailVerified, "data": data, "search": search, "searchType": searchType, "page": page,
            "limit": limit, "sortBy": sortBy, "sortDirection": sortDirection, "callbackUrl": callbackUrl,
        })  # fmt: skip
        where = {"project": project, "environment": environment}
        return await kit.fenced().call(  # profiles are written by app users: fence them (mcp/fence.py)
            manage.scope_of(manage.USER_ACTIONS, action),
            lambda b, p: manage.run(manage.USER_ACTIONS, b, p, action, arguments, **where),
        )
