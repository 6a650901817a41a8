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
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, Environment, Limit, Page, Project

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
        action: AuthAction,
        project: Project = None,
        environment: Environment = None,
        provider: Annotated[Literal["google", "github"] | None, Field(description="set/delete_oauth_provider")] = None,
        clientId: Annotated[str | None, Field(description="set_oauth_provider (required the first time)")] = None,
        clientSecret: Annotated[str | None, Field(description="set_oauth_provider; write-only")] = None,
        redirectUri: Annotated[str | None, Field(description="set_oauth_provider; default: this server's")] = None,
        scopes: Annotated[list[str] | None, Field(description="set_oauth_provider")] = None,
        enabled: Annotated[bool | None, Field(description="set_oauth_provider; default true")] = None,
        additionalClientIds: Annotated[
            list[str] | None, Field(description="set_oauth_provider: more ID-token audiences")
        ] = None,
        endpoints: Annotated[
            dict[str, str] | None, Field(description="set_oauth_provider: authorize/token/userinfo/jwks… URLs")
        ] = None,
        passwordPolicy: Annotated[
            dict[str, Any] | None,
            Field(
                description="update_email_config: {minLength 6-128, requireUppercase, requireLowercase, "
                "requireNumbers, requireSpecialChars, expirationDays}"
            ),
        ] = None,
        magicLinkEnabled: Annotated[bool | None, Field(description="update_email_config")] = None,
        magicLinkExpirationMinutes: Annotated[
            int | None, Field(ge=1, le=1440, description="update_email_config")
        ] = None,
        settings: Annotated[
            dict[str, Any] | None,
            Field(
                description="update_email_config: e.g. requireEmailVerification, allowedRedirectUrls, "
                "passwordResetUrl, defaultRole"
            ),
        ] = None,
        senderEmail: Annotated[str | None, Field(description="update_email_settings")] = None,
        senderName: Annotated[str | None, Field(description="update_email_settings")] = None,
        logoUrl: Annotated[str | None, Field(description="update_email_settings")] = None,
        brandColor: Annotated[str | None, Field(description="update_email_settings: #RRGGBB")] = None,
        overrideDefaults: Annotated[
            bool | None, Field(description="update_email_settings: use the customised templates")
        ] = None,
        category: Annotated[Category | None, Field(description="*_email_template")] = None,
        locale: Annotated[str | None, Field(description="*_email_template; default en")] = None,
        subject: Annotated[str | None, Field(description="update_email_template")] = None,
        body: Annotated[str | None, Field(description="update_email_template: HTML")] = None,
        sampleData: Annotated[dict[str, Any] | None, Field(description="preview_email_template")] = None,
    ) -> dict[str, Any]:
        """Auth settings of an environment: password policy, magic links, Google/GitHub OAuth, mail sender and
        templates; each action takes only its keys. Template {{variables}}: userName userEmail resetLink
        verifyLink magicLink invitationLink inviterName resourceName projectName expiresInMinutes token."""
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
        action: UserAction,
        project: Project = None,
        environment: Environment = None,
        userId: str | None = None,
        email: Annotated[str | None, Field(description="create (required); get, send_password_reset")] = None,
        name: Annotated[str | None, Field(description="Default: the address's local part")] = None,
        nickname: str | None = None,
        password: Annotated[str | None, Field(description="Omit for magic-link/reset sign-in")] = None,
        role: Annotated[str | None, Field(description="admin, user, guest or custom")] = None,
        emailVerified: bool | None = None,
        data: Annotated[
            dict[str, Any] | None,
            Field(description="{name, nickname, image, mobile, gender, bio, socialLinks, status: active|banned}"),
        ] = None,
        search: str | None = None,
        searchType: Literal["name", "nickname", "email"] | None = None,
        page: Page | None = None,
        limit: Limit | None = None,
        sortBy: Literal["createdAt", "updatedAt", "name", "email", "role"] | None = None,
        sortDirection: Literal["asc", "desc"] | None = None,
        callbackUrl: Annotated[str | None, Field(description="The app's reset page")] = None,
    ) -> dict[str, Any]:
        """App users of an environment; each action takes only its keys: list (search, sort, page); get, update
        (data), set_role (role), delete (soft), send_password_reset (callbackUrl) by userId (or email for get and
        reset); create (email, password…). status banned signs a user out."""
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
