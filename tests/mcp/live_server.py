"""A real `bkend-mcp serve` process on a free port, for the transport and OAuth tests (one per test module), and
what the tests need about it: the first-start project and MCP personal access tokens made before it starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bkend_mcp.config import Config
from bkend_mcp.domain import tenancy
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import FIRST_PROJECT_SLUG, first_start
from bkend_mcp.domain.mcp_auth import pats

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    base: str
    organization_id: str
    project_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    """Personal access tokens by name: `owner` (`*:*`), `reader` (`*:read`)."""

    @property
    def mcp(self) -> str:
        return f"{self.base}/mcp"

    def bearer(self, name: str = "owner") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(data_dir: Path) -> tuple[str, str, dict[str, str]]:
    backend = open_backend(Config(data_dir=data_dir))
    try:
        first_start(backend)
        project = tenancy.find_project(backend, FIRST_PROJECT_SLUG)
        assert project is not None
        org = project["organizationId"]
        tokens = {
            name: pats.create_pat(
                backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=org, scopes=scopes, name=name
            )["token"]
            for name, scopes in (("owner", None), ("reader", ["*:read"]))
        }
        return org, project["_id"], tokens
    finally:
        backend.close()


@contextmanager
def live_server(
    data_dir: Path, log_level: str = "warning", args: tuple[str, ...] = (), **env: str
) -> Iterator[LiveServer]:
    """Seed `data_dir` (first start, unless done already), start the server with extra `args` and environment
    `env`, poll `/health`, stop it afterwards. Its output goes to `server.log` beside `data_dir`."""
    org, project, tokens = _seed(data_dir)
    port = _free_port()
    log_path = data_dir.parent / "server.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "bkend_mcp", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    proc = subprocess.Popen(
        [*command, "--log-level", log_level, *args],
        cwd=ROOT,
        env={**os.environ, "BKEND_MCP_AUTO_APPROVE": "", "BKEND_MCP_HTTP_STATEFUL": "", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log_path)
        yield LiveServer(base, org, project, tokens)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def wait_healthy(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 30.0) -> None:
    """Poll `/health` until the server at `base` answers; if it exits or `timeout` passes, fail with its log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {log_path.read_text(errors='replace')}")
        time.sleep(0.05)  # polling for readiness, not waiting for a result
