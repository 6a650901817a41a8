"""`bkend-mcp outbox`: the mails app users were sent while no SMTP server is configured (the dev mailbox).

Every link in them works: open a magic link, a reset link or a verification link straight from the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bkend_mcp.config import Config


def add_outbox_parser(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="show recent mails to app users (stored when SMTP is not set up)")
    outbox.add_argument("--project", default="my-app", help="project id or slug (default my-app)")
    outbox.add_argument("--environment", default="dev")
    outbox.add_argument("--to", default=None, help="only mails to this address")
    outbox.add_argument("--limit", type=int, default=10, help="how many of the newest mails (default 10)")
    outbox.add_argument("--data-dir", default=None)
    outbox.set_defaults(func=outbox_command)


def outbox_command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain import tenancy
    from bkend_mcp.domain.auth import mailer
    from bkend_mcp.domain.backend import open_backend

    backend = open_backend(Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None))
    try:
        project = tenancy.find_project(backend, args.project)
        env = project and tenancy.find_environment(backend, project["_id"], args.environment)
        if not env:
            sys.exit(f"bkend-mcp: no environment '{args.environment}' in project '{args.project}'")
        to = args.to.strip().lower() if args.to else None
        mails = mailer.recent(backend, env["_id"], limit=max(1, args.limit), to=to)
        if not mails:
            print("(no mails)" + ("" if backend.config.smtp is None else " — SMTP is configured; mails are sent"))
        for mail in mails:
            print(f"── {mail['createdAt']}  {mail['status']}  to {mail['to']}  [{mail['template']}]")
            print(f"   {mail['subject']}\n")
            print("   " + mail["text"].strip().replace("\n", "\n   ") + "\n")
    finally:
        backend.close()
