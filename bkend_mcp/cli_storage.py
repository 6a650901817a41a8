"""`bkend-mcp storage sweep`: one pass of the storage sweep now (the server also runs it every
`BKEND_STORAGE_SWEEP_SECONDS`): register completed uploads, clean up abandoned ones, retry failed deletes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bkend_mcp.config import Config


def add_storage_parser(commands: Any) -> None:
    storage = commands.add_parser("storage", help="file storage maintenance")
    storage.add_argument("action", choices=["sweep"])
    storage.add_argument("--data-dir", default=None)
    storage.set_defaults(func=storage_command)


def storage_command(args: argparse.Namespace) -> None:
    from bkend_mcp.domain.backend import open_backend
    from bkend_mcp.domain.files import cleanup

    backend = open_backend(Config.from_env(data_dir=Path(args.data_dir) if args.data_dir else None))
    try:
        report = cleanup.sweep(backend)
        print(", ".join(f"{name}: {count}" for name, count in sorted(report.items()) if count) or "nothing to do")
    finally:
        backend.close()
