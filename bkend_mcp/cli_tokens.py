"""`bkend-mcp token create|list|revoke`: MCP personal access tokens of the local owner, from the shell.

A token is printed once, on its own line, so scripts can capture it, e.g. `TOKEN=$(bkend-mcp token create)` then
`claude mcp add --transport http bkend http://127.0.0.1:8000/mcp --header "Authorization: Bearer $TOKEN"`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bkend_mcp.config import Config


def add_token_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="create, list or revoke MCP personal access tokens (mcp_…)")
    token.add_argument("action", choices=["create", "list", "revoke"])
    token.add_argument("token_id", nargs="?", help="the token id to revoke (pat_…)")
    token.add_argument(
        "--scope",
        action="append",
        default=None,
        help="MCP scope, repeatable or space/comma separated (default *:*), e.g. --scope '*:read'",
    )
    token.add_argument("--expires-days", type=int, default=None, help="days until the token expires (default never)")
    token.add_argument("--name", default="cli token")
    token.add_argument("--organization", default=None, help="organization id or slug (default: local)")
    token.add_argument("--data-dir", default=None)
    token.set_defaults(func=token_command)


def token_command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain import tenancy
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.errors import BkendError
    from bkend_mcp.domain.mcp_auth import pats

    config = Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    backend = open_backend(config)
    try:
        owner = tenancy.ensure_local_owner(backend)["id"]
        if args.action == "create":
            print(_create(backend, owner, args)["token"])
        elif args.action == "revoke":
            if not args.token_id:
                sys.exit("bkend-mcp: token revoke needs the token id (see: bkend-mcp token list)")
            pats.revoke_pat(backend, owner, args.token_id)
            print(f"revoked {args.token_id}")
        else:
            for pat in pats.list_pats(backend, owner):
                state = "revoked" if pat["revokedAt"] else "active"
                expiry = pat["expiresAt"] or "never"
                print(f"{pat['id']}  {state:<7}  {pat['tokenPreview']}  expires {expiry}  {' '.join(pat['scopes'])}")
    except BkendError as exc:
        sys.exit(f"bkend-mcp: {exc.message}")
    finally:
        backend.close()


def _create(backend: Any, owner: str, args: argparse.Namespace) -> dict[str, Any]:
    from bkend_mcp.domain import tenancy
    from bkend_mcp.domain.errors import BkendError
    from bkend_mcp.domain.mcp_auth import pats

    wanted = args.organization or "local"
    orgs = tenancy.list_organizations(backend, owner)
    org = next((o for o in orgs if wanted in (o["id"], o["slug"])), None)
    if org is None:
        raise BkendError("common/not-found", f"no organization '{wanted}' of the local owner")
    scopes = [s for raw in args.scope or [] for s in raw.replace(",", " ").split()]
    return pats.create_pat(
        backend,
        tenant_id=owner,
        organization_id=org["id"],
        scopes=scopes or None,
        name=args.name,
        expires_days=args.expires_days,
    )
