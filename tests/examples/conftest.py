"""Fixtures of the example tests: one live `bkend-mcp serve`, and the todo-web example copied to a temporary folder,
set up by its own `setup.py` (through the MCP stdio server) and served by a static file server on another origin."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mcp.live_server import ROOT, LiveServer, live_server

EXAMPLES = ROOT / "examples"


@dataclass
class TodoSite:
    server: LiveServer
    data_dir: Path
    folder: Path
    url: str
    config: dict[str, str]
    setup_output: str


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("examples") / "data"


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[LiveServer]:
    with live_server(data_dir, BKEND_RATE_LIMITS="off") as running:
        yield running


def run_setup(server: LiveServer, data_dir: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """`setup.py` as a developer runs it, beside the running server (both use the data dir)."""
    command = [sys.executable, str(folder / "setup.py"), "--data-dir", str(data_dir), "--base-url", server.base]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def todo_site(server: LiveServer, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TodoSite]:
    folder = tmp_path_factory.mktemp("todo-web") / "todo-web"
    shutil.copytree(EXAMPLES / "todo-web", folder, ignore=shutil.ignore_patterns("config.js", "__pycache__"))
    done = run_setup(server, data_dir, folder)
    assert done.returncode == 0, done.stderr
    config = json.loads((folder / "config.js").read_text().split("=", 1)[1].strip().rstrip(";"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield TodoSite(server, data_dir, folder, f"http://127.0.0.1:{httpd.server_address[1]}/", config, done.stdout)
    finally:
        httpd.shutdown()
        httpd.server_close()
