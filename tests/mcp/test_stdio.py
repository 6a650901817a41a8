"""`bkend-mcp mcp` as a real process: the SDK's stdio client talks to it, stdout carries only JSON-RPC, and the
first-start notice goes to stderr without the secret key."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.anyio


def server_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "bkend_mcp", "mcp", "--data-dir", str(data_dir)]


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BKEND_")}
    return {**env, "BKEND_MCP_TOOLSETS": "core", **extra}


async def test_stdio_client_lists_tools_reads_context_and_creates_a_table(tmp_path):
    params = StdioServerParameters(
        command=sys.executable, args=server_command(tmp_path / "data")[1:], env=server_env(), cwd=str(ROOT)
    )
    async with Client(params, mode="legacy") as client:
        assert client.server_info.name == "bkend" and "get_context" in (client.instructions or "")
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"get_context", "create_table", "search_docs", "manage_api_keys"} <= names
        context = await client.call_tool("get_context", {})
        assert not context.is_error and context.structured_content["projects"][0]["slug"] == "my-app"
        made = await client.call_tool(
            "create_table", {"table": "posts", "fields": [{"name": "title", "type": "string", "required": True}]}
        )
        assert not made.is_error and made.structured_content["schemaVersion"] == 1
        listed = await client.call_tool("list_tables", {})
        assert [t["tableName"] for t in listed.structured_content["items"]] == ["posts"]


def read_reply(process: subprocess.Popen[str], timeout: float = 30) -> dict:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "no reply from the server"
    return json.loads(process.stdout.readline())  # type: ignore[union-attr]


def test_stdout_carries_only_json_rpc_and_the_first_start_notice_goes_to_stderr(tmp_path):
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]  # fmt: skip
    process = subprocess.Popen(
        server_command(tmp_path / "data"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(),
        cwd=ROOT,
    )
    try:
        process.stdin.write("".join(json.dumps(m) + "\n" for m in messages))  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        replies = [read_reply(process), read_reply(process)]
        rest, stderr = process.communicate(timeout=30)  # closes stdin: EOF ends the server
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert [r["id"] for r in replies] == [1, 2] and all(r["jsonrpc"] == "2.0" for r in replies)
    assert replies[0]["result"]["protocolVersion"] == "2025-03-26" and replies[1]["result"]["tools"]
    assert rest == "" and process.returncode == 0
    assert "first start" in stderr and "pk_" in stderr and "sk_" not in stderr


def test_a_refused_token_stops_the_server_with_a_message(tmp_path):
    done = subprocess.run(
        server_command(tmp_path / "data"),
        input="",
        capture_output=True,
        text=True,
        env=server_env(BKEND_MCP_TOKEN="mcp_" + "0" * 64),
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode != 0 and "BKEND_MCP_TOKEN was refused" in done.stderr and done.stdout == ""
