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
        action: Literal["list", "create", "revoke"],
        type: Annotated[
            Literal["publishable", "secret"], Field(description="create: pk_ for apps, sk_ for servers only")
        ] = "publishable",
        name: Annotated[str | None, Field(description="create: unique", min_length=1, max_length=64)] = None,
        scopes: Annotated[list[KeyScope] | None, Field(description="create; default unrestricted")] = None,
        expiresAt: Annotated[str | None, Field(description="create: ISO-8601; default never")] = None,
        keyId: Annotated[str | None, Field(description="revoke")] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """List, create or revoke an environment's API keys. Publishable keys (pk_) go in app code; secret keys
        (sk_) are shown only on create and must never reach browser or mobile code."""
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
