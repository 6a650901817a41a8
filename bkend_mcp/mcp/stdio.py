"""`bkend-mcp mcp`: the MCP server over stdio, for an AI tool on the same machine (`claude mcp add bkend --
bkend-mcp mcp`). It acts as the local owner, or as the principal of `BKEND_MCP_TOKEN` when that is set
(spec/mcp-and-console.md §1.3.5). stdout carries the protocol only; every message for people goes to stderr.

Guardrails for the agent on the other end: `--read-only` (`BKEND_MCP_READ_ONLY=1`), `--project` / `--environment`
(`BKEND_MCP_PROJECT`, `BKEND_MCP_ENVIRONMENT`) to pin the connection, `--dynamic-toolsets`
(`BKEND_MCP_DYNAMIC_TOOLSETS=1`) to start with the session tools only.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bkend_mcp.config import Config

if TYPE_CHECKING:  # the CLI imports this module for its parser; the server's imports wait for `run`
    from bkend_mcp.domain.backend import Backend
    from bkend_mcp.domain.principal import ConnectionPolicy, Principal


def principal_source(backend: Backend, policy: ConnectionPolicy | None = None) -> Callable[[], Principal]:
    """`BKEND_MCP_TOKEN` (a personal access or OAuth token, re-checked on every call so revocation applies at
    once), else the local owner with every scope; either with the connection's `policy` (read-only mode, pins)."""
    from bkend_mcp.domain import mcp_access
    from bkend_mcp.domain.principal import ConnectionPolicy

    connection = policy or ConnectionPolicy()
    token = os.environ.get("BKEND_MCP_TOKEN", "").strip()
    if token:
        mcp_access.authenticate_bearer(backend, f"Bearer {token}")  # fail at start, not on the first call
        return lambda: mcp_access.authenticate_bearer(backend, f"Bearer {token}").with_policy(connection)
    owner = mcp_access.local_owner_principal(backend, client_id="stdio").with_policy(connection)
    return lambda: owner


def run(
    config: Config,
    toolsets: Iterable[str] | None = None,
    log_level: str = "warning",
    policy: ConnectionPolicy | None = None,
    dynamic_toolsets: bool | None = None,
) -> None:
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.bootstrap import first_start
    from bkend_mcp.domain.errors import BkendError
    from bkend_mcp.mcp.server import build_server

    logging.basicConfig(stream=sys.stderr, level=log_level.upper(), format="bkend-mcp: %(levelname)s %(message)s")
    backend = open_backend(config)
    try:
        created = first_start(backend)
        if created:
            print(
                f"bkend-mcp: first start in {config.data_dir}: project 'my-app' with a 'dev' environment "
                f"(publishable key {created['publishableKey']}). The secret key is not shown here; create one with "
                "`bkend-mcp keys create --type secret` or the manage_api_keys tool.",
                file=sys.stderr,
                flush=True,
            )
        try:
            principal_of = principal_source(backend, policy)
        except BkendError as exc:
            sys.exit(f"bkend-mcp: BKEND_MCP_TOKEN was refused: {exc.message}")
        build_server(backend, principal_of, toolsets=toolsets, dynamic_toolsets=dynamic_toolsets).run("stdio")
    finally:
        backend.close()


def add_mcp_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `mcp` subcommand of `bkend-mcp`."""
    mcp = commands.add_parser("mcp", help="serve MCP over stdio for a local AI tool (acts as the local owner)")
    mcp.add_argument("--data-dir", default=None, help="data directory (default ./.bkend, env BKEND_DATA_DIR)")
    mcp.add_argument("--toolsets", default=None, help="comma-separated: core, bkend, bkend-legacy (BKEND_MCP_TOOLSETS)")
    mcp.add_argument("--log-level", default="warning", help="level of the log lines written to stderr")
    mcp.add_argument("--read-only", action="store_true", help="list and run read-only tools only (BKEND_MCP_READ_ONLY)")
    mcp.add_argument("--project", default=None, help="pin to this project, id or slug (BKEND_MCP_PROJECT)")
    mcp.add_argument("--environment", default=None, help="pin to this environment, name or id (BKEND_MCP_ENVIRONMENT)")
    mcp.add_argument(
        "--dynamic-toolsets",
        action="store_true",
        help="start with the session tools; enable_toolset adds groups (BKEND_MCP_DYNAMIC_TOOLSETS)",
    )
    mcp.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain.errors import BkendError
    from bkend_mcp.mcp.connection import policy_from_env

    config = Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    try:
        policy = policy_from_env(os.environ).narrowed(
            read_only=args.read_only, project=args.project, environment=args.environment
        )
    except BkendError as exc:
        sys.exit(f"bkend-mcp: {exc.message}")
    run(
        config,
        toolsets=args.toolsets.split(",") if args.toolsets else None,
        log_level=args.log_level,
        policy=policy,
        dynamic_toolsets=True if args.dynamic_toolsets else None,
    )
