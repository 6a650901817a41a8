"""Context footprint: how much of the model's context `tools/list` takes for each toolset.

    python tests/bench/tool_footprint.py [--out tests/bench/results/footprint.json]

Lists the tools through the SDK's own in-memory client (so the guardrails' compact listing is what is measured)
and counts the bytes of the `tools/list` result as the server sends it (compact JSON, UTF-8), and tokens at
4 bytes per token. Rows: each toolset alone, the default (`core,bkend`), the default in read-only mode, and a
dynamic-toolsets session before any `enable_toolset`. Prints a Markdown table (for the README) and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import ListToolsResult

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bkend_mcp.config import Config  # noqa: E402
from bkend_mcp.domain.backend import open_backend  # noqa: E402
from bkend_mcp.domain.bootstrap import first_start  # noqa: E402
from bkend_mcp.domain.mcp_access import local_owner_principal  # noqa: E402
from bkend_mcp.domain.principal import ConnectionPolicy  # noqa: E402
from bkend_mcp.mcp.server import build_server  # noqa: E402

BYTES_PER_TOKEN = 4
TARGET_TOKENS = 10_000
ROWS: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("core", ("core",), {}),
    ("bkend", ("bkend",), {}),
    ("bkend-legacy", ("bkend-legacy",), {}),
    ("default (core,bkend)", ("core", "bkend"), {}),
    ("default, read-only", ("core", "bkend"), {"read_only": True}),
    ("dynamic (core,bkend), at start", ("core", "bkend"), {"dynamic": True}),
]


async def measure(backend: Any, toolsets: tuple[str, ...], read_only: bool = False, dynamic: bool = False) -> dict:
    owner = local_owner_principal(backend, client_id="bench").with_policy(ConnectionPolicy(read_only=read_only))
    server = build_server(backend, lambda: owner, toolsets=toolsets, dynamic_toolsets=dynamic)
    async with Client(server, mode="legacy") as client:
        listed = await client.list_tools()
    wire = ListToolsResult(tools=listed.tools).model_dump_json(by_alias=True, exclude_none=True).encode()
    biggest = max(listed.tools, key=lambda t: len(t.model_dump_json(by_alias=True, exclude_none=True)))
    return {
        "tools": len(listed.tools),
        "bytes": len(wire),
        "tokens": len(wire) // BYTES_PER_TOKEN,
        "largestTool": biggest.name,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| Toolset | Tools | Bytes | Tokens (≈ bytes / 4) |", "|---|---:|---:|---:|"]
    lines += [f"| {r['toolset']} | {r['tools']} | {r['bytes']:,} | {r['tokens']:,} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "tests/bench/results/footprint.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backend = open_backend(Config(data_dir=Path(tmp) / "data"))
        try:
            first_start(backend)
            rows = []
            for name, toolsets, options in ROWS:
                rows.append({"toolset": name, **anyio.run(lambda: measure(backend, toolsets, **options))})
        finally:
            backend.close()
    default = next(r for r in rows if r["toolset"] == "default (core,bkend)")
    report = {
        "bytesPerToken": BYTES_PER_TOKEN,
        "targetTokensDefault": TARGET_TOKENS,
        "defaultUnderTarget": default["tokens"] < TARGET_TOKENS,
        "python": platform.python_version(),
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
