"""The console's "Connect your AI tool" panel (spec/mcp-and-console.md §4.17), the personal access tokens a tenant
makes for tools that take a header instead of OAuth, and the AI tools connected through OAuth (§4.14)."""

from __future__ import annotations

import json
from typing import Any

from bkend_mcp.domain import addressing, dates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.deployment import mcp_url
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_auth import oauth_clients, oauth_tokens, pats
from bkend_mcp.domain.principal import Principal, scope_covers
from bkend_mcp.store.base import Cond, Query, SortKey, all_of

SERVER_NAME = "bkend"
TEST_PROMPT = "List my bkend projects and the tables of the dev environment."


def connect_info(backend: Backend) -> dict[str, Any]:
    """The MCP URL and ready-to-copy client configurations for this deployment."""
    url = mcp_url(backend.config)
    http_entry = {"type": "http", "url": url}
    add = f"claude mcp add --scope user --transport http {SERVER_NAME} {url}"
    return {
        "mcpUrl": url,
        "authMode": backend.config.mcp_auth,
        "snippets": {
            "claudeCode": add,
            "claudeCodeToken": f'{add} --header "Authorization: Bearer mcp_…"',
            "mcpJson": json.dumps({"mcpServers": {SERVER_NAME: http_entry}}, indent=2),
            "cursor": json.dumps({"mcpServers": {SERVER_NAME: {"url": url}}}, indent=2),
            "vscode": json.dumps({"servers": {SERVER_NAME: http_entry}}, indent=2),
            "stdio": json.dumps({"mcpServers": {SERVER_NAME: {"command": "bkend-mcp", "args": ["mcp"]}}}, indent=2),
            "mcpRemote": f"npx mcp-remote {url}",
        },
        "testPrompt": TEST_PROMPT,
    }


def _org_id(backend: Backend, principal: Principal, organization: str | None) -> str:
    return str(addressing.require_organization(backend, principal, organization or principal.organization_id)["id"])


def list_tokens(backend: Backend, principal: Principal, organization: str | None = None) -> dict[str, Any]:
    """The caller's own personal tokens for this organization (never another member's)."""
    org_id = _org_id(backend, principal, organization)
    return {"items": [t for t in pats.list_pats(backend, principal.tenant_id) if t["organizationId"] == org_id]}


def create_token(
    backend: Backend,
    principal: Principal,
    organization: str | None,
    *,
    name: Any = "console token",
    scopes: Any = None,
    expires_days: Any = None,
) -> dict[str, Any]:
    """A personal token with `scopes` (default: everything the caller may do here), never wider than the caller's
    own; the role still caps it at every use. The plaintext is in the answer only."""
    if scopes is not None and not (isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)):
        message = "'scopes' must be a list of MCP scopes, e.g. [\"*:read\"]"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": "scopes", "reason": "type", "message": message}]
        )
    wider = [s for s in scopes or [] if not scope_covers(principal.scopes, s)]
    if wider:
        raise BkendError("common/forbidden", f"You cannot hand out '{wider[0]}': it is wider than your own access")
    return pats.create_pat(
        backend,
        tenant_id=principal.tenant_id,
        organization_id=_org_id(backend, principal, organization),
        scopes=scopes or list(principal.scopes),
        name=name,
        expires_days=expires_days,
    )


def revoke_token(backend: Backend, principal: Principal, organization: str | None, token_id: str) -> dict[str, Any]:
    _org_id(backend, principal, organization)
    return pats.revoke_pat(backend, principal.tenant_id, token_id)


# --- connected AI tools (OAuth grants) ---------------------------------------------------------------------------


def _grants(backend: Backend, principal: Principal, org_id: str) -> list[dict[str, Any]]:
    where = all_of(
        [
            Cond("tenantId", "eq", principal.tenant_id, scalar=True),
            Cond("organizationId", "eq", org_id, scalar=True),
            Cond("revokedAt", "eq", None, scalar=True),
        ]
    )
    return backend.control(oauth_tokens.GRANTS).find(Query(where, sort=(SortKey("createdAt", -1, True),)))


def _tool_view(backend: Backend, grant: dict[str, Any]) -> dict[str, Any]:
    client = oauth_clients.get_client(backend, grant["clientId"]) or {}
    return {
        "id": grant["_id"],
        "clientId": grant["clientId"],
        "clientName": client.get("client_name") or grant["clientId"],
        "clientUri": client.get("client_uri"),
        "scopes": grant["scopes"],
        "createdAt": dates.iso(grant["createdAt"]),
    }


def list_connected_tools(backend: Backend, principal: Principal, organization: str | None = None) -> dict[str, Any]:
    """The AI tools the caller connected to this organization through OAuth (their live grants)."""
    org_id = _org_id(backend, principal, organization)
    return {"items": [_tool_view(backend, g) for g in _grants(backend, principal, org_id)]}


def disconnect_tool(backend: Backend, principal: Principal, organization: str | None, grant_id: str) -> dict[str, Any]:
    """Revoke a connection: its refresh and access tokens stop working at once."""
    org_id = _org_id(backend, principal, organization)
    if not any(g["_id"] == grant_id for g in _grants(backend, principal, org_id)):
        raise BkendError("common/not-found", f"Connected tool '{grant_id}' not found")
    oauth_tokens.revoke_grant(backend, grant_id)
    return {"revoked": True, "id": grant_id}
