"""What the console's browser tests share: where Debian's Chromium is and how it is started, the check that it
and Playwright are there (skip on a workstation, fail in CI), the running console, and screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.mcp.live_server import LiveServer

CHROMIUM = Path(os.environ.get("BKEND_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
OWNER_EMAIL = "olive@example.com"
OWNER_PASSWORD = "plum orchard sunrise"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require_browser() -> None:
    """For fixtures: without the browser, fail in CI (each test, naming what is missing) and skip elsewhere."""
    missing = _missing()
    if missing is None:
        return
    if in_ci():
        pytest.fail(f"console browser tests cannot run: {missing}", pytrace=False)
    pytest.skip(missing)


def skip_module_without_browser() -> None:
    """For test modules, at import: skip them on a workstation without the browser. In CI nothing happens here, so
    the fixtures fail every test instead of one collection error stopping the whole run."""
    missing = _missing()
    if missing is not None and not in_ci():
        pytest.skip(missing, allow_module_level=True)


@dataclass
class Console:
    """The running server, the setup link it printed, and what the flow made along the way."""

    server: LiveServer
    setup_url: str
    made: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.server.base}{path}"


def shot(page: Any, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_selector("#app:not([aria-busy])", state="attached")
    page.wait_for_function("!document.querySelector('main .loading')")
    page.evaluate("document.getElementById('toasts')?.replaceChildren()")  # notices would hide the layout
    page.screenshot(path=str(path), full_page=True)
    return path
