"""Fixtures of the console's browser tests: Debian's Chromium driven by Playwright (never a downloaded browser), a
live `bkend-mcp serve` on a fresh data dir, and the one-time setup link it printed at its first start.

Without Chromium or Playwright the tests skip on a workstation and fail in CI (`CI=true`), so a CI machine that
lost the browser cannot pass silently. `.ci/run` installs both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.console.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    SCREENSHOTS,
    Console,
    require_browser,
)
from tests.mcp.live_server import live_server


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    require_browser()
    data_dir = tmp_path_factory.mktemp("console-ui") / "data"
    with live_server(data_dir, BKEND_RATE_LIMITS="off") as running:
        printed = (data_dir.parent / "server.log").read_text()
        found = re.search(r"(http://\S+/console/setup\?token=\S+)", printed)
        assert found, f"serve printed no setup link:\n{printed}"
        yield Console(running, found.group(1))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(chromium: Any) -> Iterator[Any]:
    """One desktop tab for the whole module; it fails the module on any uncaught script error."""
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"script errors in the console: {errors}"


@pytest.fixture(scope="module")
def owner_page(console_server: Console, page: Any) -> Any:
    """The tab, signed in as the owner, who chose the password through the setup link (over HTTP, not the form)."""
    token = console_server.setup_url.split("token=")[1]
    body = {"token": token, "email": OWNER_EMAIL, "password": OWNER_PASSWORD, "name": "Olive Owner"}
    answer = page.context.request.post(console_server.url("/v1/console/setup"), data=body)
    assert answer.ok, answer.text()
    return page
