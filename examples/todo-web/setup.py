"""Set up the todo-web example through the product's MCP stdio server, with the MCP Python SDK's client.

It creates (or reuses) the `todos` table with its constraints and owner-only permissions and a publishable key,
then writes `config.js` next to `index.html`:

    python examples/todo-web/setup.py --data-dir .bkend --base-url http://127.0.0.1:8000

`--data-dir` is the data directory of your `bkend-mcp serve`; `--base-url` is where that server answers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

HERE = Path(__file__).resolve().parent
KEY_NAME = "todo-web"
FIELDS = [
    {"name": "title", "type": "string", "required": True, "minLength": 1, "maxLength": 200},
    {"name": "done", "type": "boolean", "default": False},
    {"name": "priority", "type": "string", "enum": ["low", "normal", "high"], "default": "normal"},
    {"name": "attachment", "type": "object"},
    {"name": "slug", "type": "string", "unique": True, "pattern": "^[a-z0-9-]+$"},  # optional short handle
]
PERMISSIONS = {
    "user": {"create": True, "read": False, "list": False, "update": False, "delete": False},
    "guest": {"create": False, "read": False, "list": False, "update": False, "delete": False},
    "self": {"read": True, "list": True, "update": True, "delete": True},
}


def mcp_command(data_dir: str) -> StdioServerParameters:
    """`bkend-mcp mcp --data-dir …`, falling back to `python -m bkend_mcp` when the script is not on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BKEND_MCP_TOKEN")}
    args = ["mcp", "--data-dir", data_dir]
    if shutil.which("bkend-mcp"):
        return StdioServerParameters(command="bkend-mcp", args=args, env=env)
    return StdioServerParameters(command=sys.executable, args=["-m", "bkend_mcp", *args], env=env)


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    body = result.structured_content or {}
    if result.is_error:
        raise SystemExit(f"{tool} failed: {json.dumps(body.get('error', body))}")
    return body


async def set_up(data_dir: str, project: str | None) -> tuple[str, str]:
    """Return (project id, publishable key)."""
    async with Client(mcp_command(data_dir), mode="legacy") as client:
        context = await call(client, "get_context")
        projects = context["projects"]
        chosen = next((p for p in projects if project in (p.get("id"), p.get("slug"))), None) if project else None
        if chosen is None:
            if project:
                created = await call(client, "create_project", name=project, slug=project)
                chosen = created.get("project", created)
            else:
                chosen = projects[0]  # the first-start project `my-app`
        where = {"project": chosen["id"], "environment": "dev"}
        tables = await call(client, "list_tables", **where)
        if not any(t.get("name", t.get("tableName")) == "todos" for t in tables["items"]):
            await call(client, "create_table", table="todos", fields=FIELDS, permissions=PERMISSIONS,
                       indexes=[{"fields": {"done": 1, "createdAt": -1}}], **where)  # fmt: skip
        keys = await call(client, "manage_api_keys", action="list", type="publishable", **where)
        key = next((k for k in keys["items"] if k.get("name") == KEY_NAME and not k.get("revokedAt")), None)
        if key is None:
            key = await call(client, "manage_api_keys", action="create", type="publishable", name=KEY_NAME, **where)
        return chosen["id"], key["key"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BKEND_DATA_DIR", ".bkend"))
    parser.add_argument("--base-url", default=os.environ.get("BKEND_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--project", help="project slug or id (default: the first project, `my-app`)")
    args = parser.parse_args(argv)
    project_id, key = anyio.run(set_up, args.data_dir, args.project)
    config = {"baseUrl": args.base_url.rstrip("/"), "apiKey": key, "projectId": project_id}
    (HERE / "config.js").write_text(f"window.TODO_CONFIG = {json.dumps(config, indent=2)};\n")
    print(f"wrote {HERE / 'config.js'} (project {project_id})")
    print("open the app:")
    print(f"  python -m http.server 5173 --directory {HERE}")
    print("  then browse http://127.0.0.1:5173/  (keep `bkend-mcp serve` running)")


if __name__ == "__main__":
    main()
