"""`examples/python-client/client.py` against a live server set up by the todo-web `setup.py`: its printed insert,
validation error, duplicate error and paged query are what the REST contract says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.examples.conftest import EXAMPLES, TodoSite


def run_client(site: TodoSite, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "python-client" / "client.py"), *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ, **env})  # fmt: skip


def printed(output: str, label: str) -> tuple[int, dict]:
    line = next(line for line in output.splitlines() if line.startswith(f"{label}: "))
    status, body = line.removeprefix(f"{label}: ").split(" ", 1)
    return int(status), json.loads(body)


def test_client_prints_insert_errors_and_pages(todo_site: TodoSite) -> None:
    config = todo_site.config
    done = run_client(todo_site, "--base-url", config["baseUrl"], "--project", config["projectId"], "--key",
                      config["apiKey"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout

    status, record = printed(out, "insert")
    assert status == 201 and record["id"].startswith("data_") and record["done"] is False and record["createdBy"]

    status, invalid = printed(out, "validation error")
    assert status == 400 and invalid["error"]["code"] == "data/validation-error"
    assert {d["field"] for d in invalid["error"]["details"]} == {"title", "priority", "slug"}

    status, duplicate = printed(out, "duplicate error")
    assert status == 409 and duplicate["error"]["code"] == "data/duplicate-value"
    assert duplicate["error"]["details"][0]["field"] == "slug"

    pages = [line for line in out.splitlines() if line.startswith("page ")]
    assert pages == ["page 1/2 (total 4): Chore 2, Chore 4", "page 2/2 (total 4): Chore 5, Write the report"]


def test_client_takes_its_settings_from_the_environment(todo_site: TodoSite) -> None:
    config = todo_site.config
    done = run_client(todo_site, BKEND_URL=config["baseUrl"], BKEND_PROJECT_ID=config["projectId"],
                      BKEND_PUBLISHABLE_KEY=config["apiKey"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "page 2/2 (total 4)" in done.stdout  # a second user sees only their own todos (owner-only table)


def test_client_without_settings_explains_itself(todo_site: TodoSite) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BKEND_")}
    done = subprocess.run([sys.executable, str(EXAMPLES / "python-client" / "client.py")], capture_output=True,
                          text=True, timeout=60, env=env)  # fmt: skip
    assert done.returncode == 2 and "--project and --key are required" in done.stderr
