"""API key tool: the publishable and secret keys of an environment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.domain import key_admin
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, Environment, Project

KeyScope = Annotated[str, Field(pattern=r"^(\*|[A-Za-z][A-Za-z0-9_-]{0,63}):(\*|create|read|list|update|delete)$")]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.tool(annotations=DESTRUCTIVE)
    async def manage_api_keys(
        action: Annotated[Literal["list", "create", "revoke"], Field(description="What to do")],
        type: Annotated[
            Literal["publishable", "secret"], Field(description="create: pk_ for apps, sk_ for servers only")
        ] = "publishable",
        name: Annotated[
            str | None, Field(description="create: unique in the environment", min_length=1, max_length=64)
        ] = None,
        scopes: Annotated[
            list[KeyScope] | None,
            Field(
                description="create: {table}:{op} with op create/read/list/update/delete, * allowed; "
                "default unrestricted"
            ),
        ] = None,
        expiresAt: Annotated[str | None, Field(description="create: ISO-8601 expiry (default never)")] = None,
        keyId: Annotated[str | None, Field(description="revoke: the key's id (from list)")] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """List, create or revoke API keys of one environment. Publishable keys (pk_) are shown in full and belong
        in app code; secret keys (sk_) are masked, shown in full only in the create answer, and must never reach
        browser or mobile code. Revoking breaks every app using the key."""
        return await kit.call(
            key_admin.ACTION_SCOPES[action],
            lambda b, p: key_admin.manage_api_keys(
                b,
                p,
                action,
                project=project,
                environment=environment,
                key_type=type,
                name=name,
                scopes=scopes,
                expires_at=expiresAt,
                key_id=keyId,
            ),
        )
