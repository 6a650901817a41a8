"""Every MCP client configuration in `examples/mcp-clients/` (and the root Claude Desktop example) starts a working
server: stdio entries are spawned exactly as written (data dir swapped for a temporary one) with the SDK's stdio
client; HTTP entries are pointed at a live `bkend-mcp serve` with a personal access token. Each lists the tools."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.examples.conftest import EXAMPLES
from tests.mcp.live_server import ROOT, LiveServer

CLIENTS = EXAMPLES / "mcp-clients"
PLACEHOLDER_DIRS = ("/absolute/path/to/your/project/.bkend", "${workspaceFolder}/.bkend")
PLACEHOLDER_URLS = ("http://127.0.0.1:8000", "https://bkend.example.com")
TOKEN_SLOTS = ("${env:BKEND_MCP_TOKEN}", "${input:bkend-token}", "$BKEND_MCP_TOKEN")
EXPECTED_TOOLS = {"get_context", "create_table", "insert_data", "query_data", "aggregate_data", "backend_table_create"}


def json_servers(name: str) -> dict[str, dict[str, Any]]:
    path = ROOT / name if name.startswith("claude_desktop") else CLIENTS / name
    config = json.loads(path.read_text())
    return config.get("mcpServers") or config["servers"]


def claude_lines(name: str) -> list[list[str]]:
    """`claude mcp add …` lines of the fenced bash blocks of a Markdown page, split like a shell would."""
    blocks = re.findall(r"```bash\n(.*?)```", (CLIENTS / name).read_text(), re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.startswith("claude mcp add")]


def stdio_entries() -> dict[str, dict[str, Any]]:
    entries = {}
    for file in ("cursor-mcp.json", "vscode-mcp.json", "claude_desktop_config.example.json"):
        for server, entry in json_servers(file).items():
            if "command" in entry:
                assert entry.get("type", "stdio") == "stdio"
                entries[f"{file}:{server}"] = entry
    for words in claude_lines("claude-code.md"):
        if "--" in words:
            command = words[words.index("--") + 1 :]
            entries[f"claude-code.md:{words[3]}"] = {"command": command[0], "args": command[1:]}
    return entries


def http_entries() -> dict[str, dict[str, Any]]:
    entries = {}
    for file in ("cursor-mcp.json", "vscode-mcp.json"):
        for server, entry in json_servers(file).items():
            if "url" in entry:
                entries[f"{file}:{server}"] = {"url": entry["url"], "headers": entry.get("headers", {})}
    for file in ("claude-code.md", "remote-http-oauth.md"):
        for words in claude_lines(file):
            if "--transport" in words:
                assert words[words.index("--transport") + 1] == "http"
                rest = [w for w in words[3:] if w not in ("--transport", "http")]
                headers = dict(h.split(": ", 1) for h in (rest[i + 1] for i, w in enumerate(rest) if w == "--header"))
                entries[f"{file}:{rest[0]}"] = {"url": rest[1], "headers": headers}
        for block in re.findall(r"```json\n(.*?)```", (CLIENTS / file).read_text(), re.S):
            for server, entry in json.loads(block)["mcpServers"].items():
                entries[f"{file}:json:{server}"] = {"url": entry["url"], "headers": entry.get("headers", {})}
    return entries


def executable(command: str) -> str:
    """The command as a client would find it on PATH, else next to this interpreter (a venv not on PATH)."""
    found = shutil.which(command) or shutil.which(command, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{command!r} from the config is not installed (pip install -e .)", pytrace=False)
    return found


def test_every_client_has_a_config() -> None:
    assert set(stdio_entries()) == {"cursor-mcp.json:bkend", "vscode-mcp.json:bkend",
                                    "claude_desktop_config.example.json:bkend", "claude-code.md:bkend"}  # fmt: skip
    assert set(http_entries()) == {"cursor-mcp.json:bkend-http", "vscode-mcp.json:bkend-http",
                                   "claude-code.md:bkend-http", "remote-http-oauth.md:bkend",
                                   "remote-http-oauth.md:json:bkend"}  # fmt: skip
    readme = (EXAMPLES / "mcp-clients" / "README.md").read_text()
    for file in ("claude-code.md", "cursor-mcp.json", "vscode-mcp.json", "claude_desktop_config.example.json",
                 "remote-http-oauth.md"):  # fmt: skip
        assert file in readme


@pytest.mark.parametrize("name", sorted(stdio_entries()))
def test_stdio_config_starts_a_server(name: str, tmp_path: Path) -> None:
    entry = stdio_entries()[name]
    data_dir = str(tmp_path / ".bkend")
    args = [data_dir if arg in PLACEHOLDER_DIRS else arg for arg in entry.get("args", [])]
    assert "--data-dir" not in entry.get("args", []) or data_dir in args, f"{name}: unknown data dir placeholder"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BKEND_")} | entry.get("env", {})
    params = StdioServerParameters(command=executable(entry["command"]), args=args, env=env, cwd=str(tmp_path))

    async def tool_names() -> set[str]:
        async with Client(params, mode="legacy") as client:
            return {tool.name for tool in (await client.list_tools()).tools}

    assert EXPECTED_TOOLS <= anyio.run(tool_names)
    assert (tmp_path / ".bkend").is_dir()  # the server used the configured data dir


def localized(entry: dict[str, Any], server: LiveServer) -> tuple[str, dict[str, str]]:
    url = entry["url"]
    for placeholder in PLACEHOLDER_URLS:
        url = url.replace(placeholder, server.base)
    assert url == server.mcp, f"unexpected URL {entry['url']}"
    headers = {}
    for key, value in entry["headers"].items():
        for slot in TOKEN_SLOTS:
            value = value.replace(slot, server.tokens["owner"])
        headers[key] = value
    return url, headers


@pytest.mark.parametrize("name", sorted(http_entries()))
def test_http_config_reaches_the_live_server(name: str, server: LiveServer) -> None:
    url, headers = localized(http_entries()[name], server)
    if not headers:  # an OAuth entry: the server must send the client to its OAuth metadata, then a token works
        challenge = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert challenge.status_code == 401
        assert "resource_metadata=" in challenge.headers["www-authenticate"]
        metadata = httpx.get(f"{server.base}/.well-known/oauth-protected-resource/mcp").json()
        assert metadata["authorization_servers"], metadata
        headers = server.bearer()
    else:
        assert headers["Authorization"] == f"Bearer {server.tokens['owner']}", "the token slot was not recognised"

    async def tool_names() -> set[str]:
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
                return {tool.name for tool in (await client.list_tools()).tools}

    assert EXPECTED_TOOLS <= anyio.run(tool_names)
