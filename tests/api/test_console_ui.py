"""The console's static UI at `/console`: deep links fall back to the app's `index.html`, files are served as
they are, nothing outside the UI directory leaks, and the pages carry their security headers."""

from __future__ import annotations

import pytest

from bkend_mcp.rest.console_ui import UI_ROOT


def test_console_redirects_to_the_app(client):
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/console/"


@pytest.mark.parametrize("path", ["/console/", "/console/setup?token=abc", "/console/projects/p1/tables"])
def test_app_routes_serve_index_html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.text == (UI_ROOT / "index.html").read_text()
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"


def test_bundled_files_are_served_as_files(client):
    response = client.get("/console/index.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/console/../pyproject.toml", "/console/%2e%2e/cli.py", "/console/.hidden"])
def test_nothing_outside_the_ui_is_served(client, path):
    response = client.get(path)
    assert "[project]" not in response.text and "argparse" not in response.text


def test_console_is_not_a_table_shorthand(client, env):
    assert client.get("/v1/console", headers={"x-api-key": env.pk}).status_code == 404
