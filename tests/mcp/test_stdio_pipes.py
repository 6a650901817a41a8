"""`mcp/stdio_pipes.py`: the stdio transport's pipes on the event loop. A process whose stdin and stdout are pipes
reads JSON-RPC messages and answers them without worker threads, a line that is not a message is handed on as the
error it is, a stray `print` goes to stderr instead of the wire, and fd 0 and 1 are back (and blocking) afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ECHO = """
import os, sys, threading, anyio
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCResponse
from bkend_mcp.mcp import stdio_pipes

async def main():
    assert stdio_pipes.usable()
    async with stdio_pipes.standard_pipes() as (messages, replies):
        async for item in messages:
            print("stray output", flush=True)
            if isinstance(item, Exception):
                result = {"refused": type(item).__name__}
            else:
                result = {"echo": item.message.params, "threads": threading.active_count()}
            await replies.send(SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=1, result=result)))
    os.write(1, f"after blocking={os.get_blocking(0) and os.get_blocking(1)}\\n".encode())

anyio.run(main)
"""


def run_echo(lines: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", ECHO], input=lines, capture_output=True, cwd=ROOT, timeout=60, check=True
    )


def request(params: dict) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "echo", "params": params}).encode() + b"\n"


def test_messages_are_answered_on_the_event_loop_and_stray_output_goes_to_stderr():
    done = run_echo(request({"a": 1}) + b'{"jsonrpc": "2.0", "id": 2, "method": "echo", "params": {"b": "\xc3\xa9"}}\n')
    *answers, after = done.stdout.decode().splitlines()
    assert [json.loads(line)["result"] for line in answers] == [
        {"echo": {"a": 1}, "threads": 1},
        {"echo": {"b": "é"}, "threads": 1},
    ]
    assert after == "after blocking=True"
    assert done.stderr.decode().count("stray output") == 2


def test_a_line_that_is_not_a_message_is_handed_on_as_its_error():
    done = run_echo(b"not json\n" + request({"after": True}))
    answers = [json.loads(line)["result"] for line in done.stdout.decode().splitlines()[:2]]
    assert answers == [{"refused": "ValidationError"}, {"echo": {"after": True}, "threads": 1}]


def test_a_large_message_crosses_the_pipe_whole():
    payload = "x" * 3_000_000
    done = run_echo(request({"payload": payload}))
    [echoed, after] = done.stdout.split(b"\n")[:2]
    assert json.loads(echoed)["result"]["echo"] == {"payload": payload} and after == b"after blocking=True"


def test_a_terminal_or_file_keeps_the_sdk_streams(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("")
    with source.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-c", "import anyio\nfrom bkend_mcp.mcp import stdio_pipes\n"
             "async def main(): print(stdio_pipes.usable())\nanyio.run(main)"],
            stdin=stdin, capture_output=True, cwd=ROOT, timeout=60, check=True,
        )  # fmt: skip
    assert done.stdout.decode().strip() == "False"
