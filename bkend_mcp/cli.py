"""`bkend-mcp`: serve the API, and look after keys from the shell."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bkend_mcp import __version__
from bkend_mcp.cli_outbox import add_outbox_parser
from bkend_mcp.cli_owner import add_owner_parser
from bkend_mcp.cli_storage import add_storage_parser
from bkend_mcp.cli_tokens import add_token_parser
from bkend_mcp.config import Config
from bkend_mcp.mcp.stdio import add_mcp_parser


def _config(args: argparse.Namespace) -> Config:
    return Config.from_env(
        data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _print_first_start(info: dict[str, Any], config: Config) -> None:
    print(
        "\nbkend-mcp: first start — created project 'my-app' with a 'dev' environment.\n"
        f"  Base URL:         {config.base_url}\n"
        f"  Publishable key:  {info['publishableKey']}\n"
        f"  Secret key:       {info['secretKey']}   (shown once; keep it server-side)\n"
        f"  Project id:       {info['project']['id']}\n",
        flush=True,
    )


def _print_setup_link(backend: Any) -> None:
    from bkend_mcp.domain.team.owner_setup import link_at_start

    link = link_at_start(backend)
    if link:
        print(f"bkend-mcp: set your console password (one-time link, valid 1 hour):\n  {link}\n", flush=True)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.bootstrap import first_start
    from bkend_mcp.rest.app import create_app
    from bkend_mcp.store.faults import StorageFault

    config = _config(args)
    try:
        backend = open_backend(config)
        info = first_start(backend)
        if info:
            _print_first_start(info, config)
        _print_setup_link(backend)
    except (StorageFault, OSError) as exc:
        where = "" if config.mongodb_uri else f" on the data dir {config.data_dir}"
        sys.exit(f"bkend-mcp: cannot start{where}: {exc}")
    if args.workers > 1:
        backend.close()
        os.environ["BKEND_DATA_DIR"] = str(config.data_dir)
        uvicorn.run(
            "bkend_mcp.cli:app_factory",
            factory=True,
            host=config.host,
            port=config.port,
            workers=args.workers,
            **_uvicorn_options(args),
        )
        return
    uvicorn.run(create_app(config, backend), host=config.host, port=config.port, **_uvicorn_options(args))


def _uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """uvloop and httptools when installed (the `auto` choices; both come with `uvicorn[standard]`), and no
    access log line per request unless asked for: it costs each request a log record and a write."""
    return {"log_level": args.log_level, "access_log": args.access_log, "loop": "auto", "http": "auto"}


def app_factory() -> Any:
    """For `--workers N`: each worker process opens its own backend on the shared data dir."""
    from bkend_mcp.rest.app import create_app

    return create_app(Config.from_env())


def keys_command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain import keys, tenancy
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.bootstrap import first_start

    backend = open_backend(_config(args))
    try:
        first_start(backend)
        project = tenancy.find_project(backend, args.project)
        env = project and tenancy.find_environment(backend, project["_id"], args.environment)
        if not env:
            sys.exit(f"bkend-mcp: no environment '{args.environment}' in project '{args.project}'")
        if args.action == "create":
            made = keys.create_key(
                backend,
                project_id=project["_id"],
                environment_id=env["_id"],
                organization_id=project["organizationId"],
                key_type=args.type,
                name=args.name,
                created_by=tenancy.LOCAL_OWNER_ID,
            )
            print(made["key"])
            return
        for key in keys.list_keys(backend, env["_id"]):
            state = "revoked" if key["revokedAt"] else "active"
            print(f"{key['id']}  {key['type']:<11}  {state:<7}  {key.get('key') or key['keyPreview']}  {key['name']}")
    finally:
        backend.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bkend-mcp", description="Self-hosted bkend: REST data API and MCP server.")
    parser.add_argument("--version", action="version", version=f"bkend-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="serve the REST API")
    run.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1, env BKEND_HOST)")
    run.add_argument("--port", type=int, default=None, help="port (default 8000, env BKEND_PORT)")
    run.add_argument("--data-dir", default=None, help="data directory (default ./.bkend, env BKEND_DATA_DIR)")
    run.add_argument("--workers", type=int, default=1, help="worker processes sharing the data dir")
    run.add_argument("--log-level", default="info")
    run.add_argument("--access-log", action="store_true", help="log one line per request (off by default)")
    run.set_defaults(func=serve)

    key = commands.add_parser("keys", help="list or create API keys of an environment")
    key.add_argument("action", choices=["list", "create"])
    key.add_argument("--project", default="my-app", help="project id or slug (default my-app)")
    key.add_argument("--environment", default="dev")
    key.add_argument("--type", choices=["publishable", "secret"], default="publishable")
    key.add_argument("--name", default="cli key")
    key.add_argument("--data-dir", default=None)
    key.set_defaults(func=keys_command)

    add_token_parser(commands)
    add_outbox_parser(commands)
    add_storage_parser(commands)
    add_owner_parser(commands)
    add_mcp_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)
