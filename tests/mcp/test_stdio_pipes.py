"""`mcp/stdio_pipes.py`: the stdio transport's pipes on the event loop. A process whose stdin and stdout are pipes
reads and answers lines without worker threads, a stray `print` goes to stderr instead of the wire, and fd 0 and 1
are back (and blocking) afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ECHO = """
import os, sys, threading, anyio
from bkend_mcp.mcp import stdio_pipes

async def main():
    assert stdio_pipes.usable()
    async with stdio_pipes.standard_pipes() as (stdin, stdout):
        async for line in stdin:
            print("stray output", flush=True)
            await stdout.write(f"echo {line.strip()} threads={threading.active_count()}\\n")
            await stdout.flush()
    os.write(1, f"after blocking={os.get_blocking(0) and os.get_blocking(1)}\\n".encode())

anyio.run(main)
"""


def run_echo(lines: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", ECHO], input=lines, capture_output=True, cwd=ROOT, timeout=60, check=True
    )


def test_lines_are_answered_on_the_event_loop_and_stray_output_goes_to_stderr():
    done = run_echo(b'{"a": 1}\n{"b": "\xc3\xa9"}\n')
    assert done.stdout.decode().splitlines() == [
        'echo {"a": 1} threads=1',
        'echo {"b": "é"} threads=1',
        "after blocking=True",
    ]
    assert done.stderr.decode().count("stray output") == 2


def test_a_large_message_crosses_the_pipe_whole():
    payload = b"x" * 3_000_000
    done = run_echo(payload + b"\n")
    [echoed, after] = done.stdout.split(b"\n")[:2]
    assert echoed == b"echo " + payload + b" threads=1" and after == b"after blocking=True"


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
