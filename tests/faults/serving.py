"""A real `bkend-mcp serve` process for the fault and concurrency tests: seeded data dir, chosen worker count,
extra environment and an optional `preexec_fn` (resource limits, dropped privileges), stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start
from tests.mcp.live_server import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHEAP_ARGON2 = {"BKEND_ARGON2_TIME_COST": "2", "BKEND_ARGON2_MEMORY_KIB": "19456", "BKEND_ARGON2_PARALLELISM": "1"}
"""OWASP's minimum, so a concurrency test can sign users up without eating the CPU."""
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Seeded:
    data_dir: Path
    sk: dict[str, str]
    pk: dict[str, str]


def seed(data_dir: Path) -> Seeded:
    """First start on `data_dir` through the domain, as `bkend-mcp serve` would; the keys it printed."""
    backend = open_backend(Config(data_dir=data_dir))
    try:
        info = first_start(backend)
    finally:
        backend.close()
    return Seeded(data_dir, {"x-api-key": info["secretKey"]}, {"x-api-key": info["publishableKey"]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(data_dir: Path, port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bkend_mcp",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def server_env(**extra: str) -> dict[str, str]:
    return {**os.environ, **CHEAP_ARGON2, "BKEND_STORAGE_SWEEP_SECONDS": "0", **extra}


@contextmanager
def serving(
    data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None, preexec_fn: Callable[[], None] | None = None
) -> Iterator[str]:
    """Start the server on an already seeded `data_dir`, poll `/health`, yield its base URL, stop it."""
    port = free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            serve_command(data_dir, port, workers),
            cwd=ROOT,
            env=server_env(**(env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, log_path, START_TIMEOUT)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=15)
