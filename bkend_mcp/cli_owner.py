"""`bkend-mcp owner set-password|setup-link`: the local owner's console sign-in, from the shell.

`set-password` asks for the password twice (or reads one line from stdin with `--password-stdin`, for scripts);
`setup-link` prints a fresh one-time link to choose the e-mail and password in the browser (valid one hour).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from bkend_mcp.config import Config


def add_owner_parser(commands: Any) -> None:
    owner = commands.add_parser("owner", help="the local owner's console sign-in (password, setup link)")
    owner.add_argument("action", choices=["set-password", "setup-link"])
    owner.add_argument("--email", default=None, help="sign-in address (required the first time)")
    owner.add_argument("--name", default=None, help="display name")
    owner.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    owner.add_argument("--data-dir", default=None)
    owner.set_defaults(func=owner_command)


def owner_command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain import tenancy
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.errors import BkendError
    from bkend_mcp.domain.team import owner_setup, tenants

    backend = open_backend(Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None))
    try:
        owner = tenancy.ensure_local_owner(backend)
        if args.action == "setup-link":
            print(owner_setup.issue_link(backend))
            return
        email = args.email or owner.get("email")
        if not email:
            sys.exit("bkend-mcp: the first time, give the sign-in address: --email you@example.com")
        saved = tenants.set_owner_credentials(backend, email, _password(args.password_stdin), args.name)
        print(f"console password set for {saved['email']}; sign in at {backend.config.base_url}/console/")
    except BkendError as exc:
        sys.exit(f"bkend-mcp: {exc.message}")
    finally:
        backend.close()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New console password: ")
    if getpass.getpass("Repeat it: ") != first:
        sys.exit("bkend-mcp: the two passwords differ")
    return first
