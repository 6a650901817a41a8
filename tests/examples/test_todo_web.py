"""The todo-web example end to end: `setup.py` prepares the server through MCP stdio, then headless Chromium (Debian's,
through Playwright) serves the page from another origin and walks its whole flow against a live server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.console.browser import CHROMIUM, CHROMIUM_ARGS, require_browser, skip_module_without_browser
from tests.examples.conftest import TodoSite, run_setup

skip_module_without_browser()

EMAIL = "tess@example.com"
PASSWORD = "lantern meadow 42"


@pytest.fixture(scope="module")
def page(todo_site: TodoSite) -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(15_000)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(todo_site.url)
        try:
            yield tab
        finally:
            browser.close()
        assert not errors, f"script errors in the todo page: {errors}"


def as_user(site: TodoSite, email: str, password: str, *, sign_up: bool = True) -> dict[str, str]:
    """Headers of a user signed up (or in) over REST with the example's publishable key."""
    key = {"X-API-Key": site.config["apiKey"]}
    body = {"email": email, "password": password} | ({"name": "Someone"} if sign_up else {})
    path = "signup" if sign_up else "signin"
    answer = httpx.post(f"{site.server.base}/v1/auth/email/{path}", headers=key, json=body)
    assert answer.is_success, answer.text
    return {**key, "Authorization": f"Bearer {answer.json()['accessToken']}"}


def test_setup_made_the_table_key_and_config(todo_site: TodoSite) -> None:
    config, base = todo_site.config, todo_site.server.base
    assert config["baseUrl"] == base and config["apiKey"].startswith("pk_")
    assert "python -m http.server" in todo_site.setup_output
    guest = httpx.get(f"{base}/v1/data/todos", headers={"X-API-Key": config["apiKey"]})
    assert guest.status_code in (401, 403), guest.text  # owner-only: guests list nothing
    user = as_user(todo_site, "probe@example.com", "probe pass 12345")
    spec = httpx.get(f"{base}/v1/data/todos/spec", headers=user).json()
    assert spec["permissions"]["self"] == {"read": True, "list": True, "update": True, "delete": True}
    assert spec["permissions"]["user"]["create"] is True and spec["permissions"]["user"]["list"] is False
    assert "title" in spec["schema"].get("required", []), spec["schema"]


def test_setup_is_repeatable(todo_site: TodoSite) -> None:
    again = run_setup(todo_site.server, todo_site.data_dir, todo_site.folder)
    assert again.returncode == 0, again.stderr
    assert todo_site.config["apiKey"] in (todo_site.folder / "config.js").read_text()  # the same key, reused


def test_whole_flow_in_the_browser(page: Any, todo_site: TodoSite) -> None:
    from playwright.sync_api import expect

    # sign up
    page.fill("#signup-form [name=name]", "Tess")
    page.fill("#signup-form [name=email]", EMAIL)
    page.fill("#signup-form [name=password]", PASSWORD)
    page.click("#signup-form button")
    expect(page.locator("#todo-view")).to_be_visible()
    expect(page.locator("#who")).to_have_text(EMAIL)
    expect(page.locator("#page-info")).to_contain_text("0 todos")

    # sign out, sign in again
    page.click("#signout")
    expect(page.locator("#auth-view")).to_be_visible()
    page.fill("#signin-form [name=email]", EMAIL)
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form button")
    expect(page.locator("#todo-view")).to_be_visible()

    # create seven todos: two pages of five
    for i in range(1, 8):
        page.fill("#new-todo [name=title]", f"Task {i}")
        page.select_option("#new-todo [name=priority]", "high" if i % 3 == 0 else "normal")
        page.click("#new-todo button")
        expect(page.locator("#page-info")).to_contain_text(f"{i} todos")
    titles = page.locator("#todos .title")
    expect(titles).to_have_text(["Task 7", "Task 6", "Task 5", "Task 4", "Task 3"])
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2 · 7 todos")
    expect(page.locator("#prev")).to_be_disabled()

    # paging
    page.click("#next")
    expect(titles).to_have_text(["Task 2", "Task 1"])
    expect(page.locator("#page-info")).to_have_text("Page 2 of 2 · 7 todos")
    page.click("#prev")
    expect(titles).to_have_text(["Task 7", "Task 6", "Task 5", "Task 4", "Task 3"])

    # complete two, then filter
    for title in ("Task 6", "Task 4"):
        page.locator(".todo", has_text=title).locator(".done").check()
        expect(page.locator(".todo.is-done", has_text=title)).to_have_count(1)
    page.select_option("#filter", "done")
    expect(titles).to_have_text(["Task 6", "Task 4"])
    page.select_option("#filter", "open")
    expect(titles).to_have_text(["Task 7", "Task 5", "Task 3", "Task 2", "Task 1"])
    expect(page.locator("#page-info")).to_have_text("Page 1 of 1 · 5 todos")
    page.fill("#search", "task 3")
    expect(titles).to_have_text(["Task 3"])
    page.fill("#search", "")
    page.select_option("#filter", "all")

    # delete
    page.locator(".todo", has_text="Task 7").locator(".delete").click()
    expect(page.locator("#status")).to_have_text("Deleted “Task 7”")
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2 · 6 todos")

    # attach a file through a presigned upload; the link serves the bytes
    page.locator(".todo", has_text="Task 5").locator(".file").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"remember the milk"}]
    )
    link = page.locator(".todo", has_text="Task 5").locator(".attachment")
    expect(link).to_have_text("notes.txt")
    href = link.get_attribute("href")
    assert href and href.startswith(todo_site.server.base)
    assert httpx.get(href).text == "remember the milk"

    # a stale access token: the next request gets 401, the app refreshes once and repeats it
    refreshes: list[int] = []
    page.on("response", lambda r: refreshes.append(r.status) if r.url.endswith("/v1/auth/refresh") else None)
    old_refresh = page.evaluate("localStorage.getItem('todo.refreshToken')")
    page.evaluate("localStorage.setItem('todo.accessToken', 'not-a-valid-token')")
    page.fill("#new-todo [name=title]", "After refresh")
    page.click("#new-todo button")
    expect(page.locator("#status")).to_have_text("Added “After refresh”")
    expect(titles.first).to_have_text("After refresh")
    assert refreshes == [200]
    assert page.evaluate("localStorage.getItem('todo.refreshToken')") != old_refresh
    assert page.evaluate("localStorage.getItem('todo.accessToken')") != "not-a-valid-token"


def test_todos_are_owner_only(todo_site: TodoSite) -> None:
    require_browser()  # it checks what the browser flow stored
    base = todo_site.server.base
    other = as_user(todo_site, "otto@example.com", "another long pass 7")
    listed = httpx.get(f"{base}/v1/data/todos", headers=other)
    assert listed.status_code == 200 and listed.json()["pagination"]["total"] == 0
    own = httpx.get(f"{base}/v1/data/todos", headers=as_user(todo_site, EMAIL, PASSWORD, sign_up=False)).json()
    assert own["pagination"]["total"] == 7
    assert all(re.fullmatch(r"Task \d|After refresh", item["title"]) for item in own["items"])
