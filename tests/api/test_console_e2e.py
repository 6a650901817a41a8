"""End to end against a real `bkend-mcp serve`: the owner sets a password from the shell, signs in to the console
(cookie), creates a project and a table with constraints, sees a row refused with a field error, adds a valid
row, creates an API key, and an app reads the record through the public data API with that key."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.mcp.live_server import ROOT, live_server

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("console") / "data"
    command = [sys.executable, "-m", "bkend_mcp", "owner", "set-password", "--email", "owner@example.com"]
    done = subprocess.run(
        [*command, "--password-stdin", "--data-dir", str(data_dir)],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with live_server(data_dir) as running:
        yield running


def test_owner_builds_a_backend_from_the_console_and_an_app_reads_it(server):
    with httpx.Client(base_url=server.base, timeout=10) as browser:
        signed_in = browser.post("/v1/console/session", json={"email": "owner@example.com", "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        assert "bkend_console" in browser.cookies
        csrf = {"x-csrf-token": signed_in.json()["csrfToken"]}
        org = signed_in.json()["organizations"][0]["id"]

        project = browser.post(f"/v1/console/organizations/{org}/projects", json={"name": "Bookshop"}, headers=csrf)
        assert project.status_code == 201, project.text
        tables = f"/v1/console/projects/{project.json()['id']}/environments/dev/tables"
        definition = {
            "table": "books",
            "fields": [
                {"name": "title", "type": "string", "required": True, "minLength": 2},
                {"name": "price", "type": "number", "minimum": 0},
            ],
            "permissions": {"guest": {"read": True, "list": True}},
        }
        assert browser.post(tables, json=definition, headers=csrf).status_code == 201

        refused = browser.post(f"{tables}/books/rows", json={"title": "X", "price": -1}, headers=csrf)
        assert refused.status_code == 400
        assert sorted(d["field"] for d in refused.json()["error"]["details"]) == ["price", "title"]
        created = browser.post(f"{tables}/books/rows", json={"title": "Dune", "price": 9.5}, headers=csrf)
        assert created.status_code == 201, created.text

        keys = tables.replace("/tables", "/api-keys")
        key = browser.post(keys, json={"name": "web app", "type": "publishable"}, headers=csrf)
        assert key.status_code == 201, key.text

    app = httpx.get(f"{server.base}/v1/data/books", headers={"x-api-key": key.json()["key"]}, timeout=10)
    assert app.status_code == 200, app.text
    assert [(r["id"], r["title"]) for r in app.json()["items"]] == [(created.json()["id"], "Dune")]
