"""The rest of the console's screens in headless Chromium against a real `bkend-mcp serve`, on the first-start
project `my-app`: browsing rows (search, filter, sort), editing a column that existing rows no longer fit, schema
history and rollback, indexes, environments, CORS, personal access tokens, app users, files and mail templates."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from tests.e2e.console.browser import Console, shot, skip_module_without_browser

skip_module_without_browser()
try:
    from playwright.sync_api import Page, expect
except ImportError:  # CI without Playwright: the fixtures fail each test and say why
    Page, expect = Any, None

PROJECT = "/console/projects/my-app/dev"
TABLE = "/v1/console/projects/my-app/environments/dev/tables"
BOOKS = [("Dune", 9.5), ("Emma", 4.0), ("Ulysses", 12.0)]


@pytest.fixture(scope="module")
def console(console_server: Console, owner_page: Page) -> Console:
    """A `books` table with three rows, made over the management API with the owner's personal access token."""
    headers = console_server.server.bearer()
    fields = [{"name": "title", "type": "string", "required": True}, {"name": "price", "type": "number"}]
    made = httpx.post(console_server.url(TABLE), json={"table": "books", "fields": fields}, headers=headers)
    assert made.status_code == 201, made.text
    rows = console_server.url(f"{TABLE}/books/rows")
    for title, price in BOOKS:
        row = httpx.post(rows, json={"title": title, "price": price}, headers=headers)
        assert row.status_code == 201, row.text
    return console_server


def dialog(page: Page) -> Any:
    return page.locator("dialog[open]")


def titles(page: Page) -> list[str]:
    return page.locator("table.grid tbody tr td:nth-child(2)").all_inner_texts()


def test_rows_can_be_searched_filtered_and_sorted(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/tables/books/data"))
    expect(page.locator("table.grid tbody tr")).to_have_count(3)

    page.get_by_role("button", name="price").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("price")
    assert titles(page) == ["Ulysses", "Dune", "Emma"]
    page.get_by_role("button", name="price").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("price")
    assert titles(page) == ["Emma", "Dune", "Ulysses"]

    page.locator("summary", has_text="Filters").click()
    page.get_by_role("button", name="+ Condition").click()
    page.get_by_label("Column", exact=True).select_option("price")
    page.get_by_label("Operator").select_option("$gte")
    page.get_by_label("Value", exact=True).fill("9")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.grid tbody tr")).to_have_count(2)

    page.get_by_label("Search", exact=True).fill("uly")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    assert titles(page) == ["Ulysses"]


def test_a_row_is_edited_and_deleted(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/tables/books/data"))
    row = page.locator("table.grid tbody tr", has_text="Emma")
    row.get_by_role("button", name="Edit").click()
    dialog(page).locator('.field[data-field="price"] input').fill("5")
    dialog(page).get_by_role("button", name="Save row").click()
    expect(page.locator("table.grid tbody tr", has_text="Emma")).to_contain_text("5")

    page.locator("table.grid tbody tr", has_text="Emma").get_by_role("button", name="Delete").click()
    dialog(page).get_by_role("button", name="Delete row").click()
    expect(page.locator("table.grid tbody tr")).to_have_count(2)


def test_requiring_a_column_warns_about_rows_without_it_and_history_rolls_it_back(console: Console, owner_page: Page):
    unpriced = {"title": "Beloved"}
    made = httpx.post(console.url(f"{TABLE}/books/rows"), json=unpriced, headers=console.server.bearer())
    assert made.status_code == 201, made.text
    page = owner_page
    page.goto(console.url(f"{PROJECT}/tables/books/schema"))
    page.get_by_role("button", name="Edit column price").click()
    dialog(page).get_by_label("Required (not null)").check()
    dialog(page).get_by_label("Minimum", exact=True).fill("1")
    dialog(page).get_by_role("button", name="Save column").click()
    warning = page.get_by_role("dialog", name="Existing rows do not fit")
    expect(warning).to_contain_text("1 existing record(s) have no 'price'")
    warning.get_by_role("button", name="Change anyway").click()
    expect(page.locator('tr[data-row="price"]')).to_contain_text("required")
    expect(page.locator('tr[data-row="price"]')).to_contain_text("minimum: 1")

    page.locator("summary", has_text="History").click()
    versions = page.get_by_role("table", name="Schema versions")
    expect(versions).to_contain_text("current")
    shot(page, "desktop-schema-history")
    versions.locator("tr", has_text="v1").get_by_role("button", name="Roll back…").click()
    dialog(page).get_by_role("button", name="Roll back").click()
    expect(page.locator('tr[data-row="price"]')).not_to_contain_text("required")
    expect(page.get_by_text("Schema version 3")).to_be_visible()


def test_a_unique_index_is_added(console: Console, owner_page: Page):
    page = owner_page
    page.get_by_role("link", name="Indexes").click()
    page.get_by_role("button", name="Add index").click()
    dialog(page).get_by_label("Index name").fill("by_title")
    dialog(page).get_by_label("Column 1").select_option("title")
    dialog(page).get_by_label("Unique").check()
    dialog(page).get_by_role("button", name="Create index").click()
    expect(page.locator('tr[data-row="by_title"]')).to_contain_text("unique")
    shot(page, "desktop-indexes")


def test_an_environment_is_created_with_the_tables_of_dev(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/environments"))
    page.get_by_role("button", name="New environment").click()
    dialog(page).get_by_label("Name").fill("staging")
    dialog(page).get_by_label("Copy table definitions from").select_option("dev")
    dialog(page).get_by_role("button", name="Create environment").click()
    expect(page).to_have_url(console.url("/console/projects/my-app/staging/environments"))
    tabs = page.get_by_role("navigation", name="Environment")
    expect(tabs.get_by_role("link", name="staging")).to_have_attribute("aria-current", "page")
    shot(page, "desktop-environments")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Database").click()
    expect(page.locator('tr[data-row="books"]')).to_contain_text("0")


def test_cors_origins_are_added_checked_and_removed(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/cors"))
    origin = page.get_by_label("Origin")
    origin.fill("app.example.com/path")
    page.get_by_role("button", name="Add origin").click()
    expect(page.locator('.field[data-field="origin"] .field-error')).to_contain_text("not a valid origin")
    origin.fill("https://app.example.com")
    page.get_by_role("button", name="Add origin").click()
    expect(page.locator(".origins")).to_contain_text("https://app.example.com")
    page.get_by_role("button", name="Remove https://app.example.com").click()
    expect(page.get_by_text("No origins yet")).to_be_visible()


def test_a_personal_access_token_is_shown_once_and_works(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url("/console/orgs/local/settings/security"))
    page.get_by_label("Token name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Copy this token now.").input_value()
    assert token.startswith("mcp_")
    expect(page.locator('tr[data-row="laptop"]')).to_be_visible()
    answer = httpx.get(console.url("/v1/console/organizations"), headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["items"][0]["slug"] == "local"


def test_an_app_user_is_created_banned_and_deleted(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/users"))
    expect(page.get_by_text("No users yet")).to_be_visible()
    page.get_by_role("button", name="New user").click()
    dialog(page).get_by_label("E-mail", exact=True).fill("reader@example.com")
    dialog(page).get_by_label("Name", exact=True).fill("Rita Reader")
    dialog(page).get_by_role("button", name="Create user").click()
    user = page.locator('tr[data-row="reader@example.com"]')
    expect(user).to_contain_text("active")

    user.get_by_role("button", name="Ban").click()
    dialog(page).get_by_role("button", name="Ban").click()
    expect(page.locator('tr[data-row="reader@example.com"]')).to_contain_text("banned")
    shot(page, "desktop-users")
    page.locator('tr[data-row="reader@example.com"]').get_by_role("button", name="Delete…").click()
    dialog(page).get_by_label("Type reader@example.com to confirm").fill("reader@example.com")
    dialog(page).get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No users yet")).to_be_visible()


def test_a_file_is_uploaded_previewed_and_deleted(console: Console, owner_page: Page, tmp_path):
    from PIL import Image

    picture = tmp_path / "cover.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (51, 70, 211)).save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())

    page = owner_page
    page.goto(console.url(f"{PROJECT}/files"))
    page.get_by_label("File to upload").set_input_files(str(picture))
    page.get_by_label("Visibility", exact=True).select_option("public")
    page.get_by_role("button", name="Upload file").click()
    row = page.locator('tr[data-row="cover.png"]')
    expect(row).to_contain_text("image/png")

    row.get_by_role("button", name="cover.png").click()
    preview = dialog(page).get_by_role("img", name="Preview of cover.png")
    expect(preview).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=preview.element_handle())
    shot(page, "desktop-file-preview")
    dialog(page).get_by_role("button", name="Close").click()

    row.get_by_label("Visibility of cover.png").select_option("private")
    expect(page.locator("#toasts")).to_contain_text("now private")
    row.get_by_role("button", name="Delete").click()
    dialog(page).get_by_role("button", name="Delete file").click()
    expect(page.get_by_text("No files")).to_be_visible()


def test_a_mail_template_is_previewed_and_saved(console: Console, owner_page: Page):
    page = owner_page
    page.goto(console.url(f"{PROJECT}/auth/templates"))
    page.get_by_role("button", name="Magic link").click()
    editor = page.get_by_role("form", name="Template Magic link")
    editor.get_by_label("Subject").fill("Sign in to {{projectName}} now")
    editor.get_by_role("button", name="Preview saved version").click()
    expect(editor.locator(".preview-box")).to_contain_text("save to preview your changes")
    editor.get_by_role("button", name="Save template").click()
    expect(page.locator("#toasts")).to_contain_text("Template saved")
    editor = page.get_by_role("form", name="Template Magic link")
    expect(editor).to_contain_text("customised")
    editor.get_by_role("button", name="Preview saved version").click()
    expect(editor.locator(".preview-box")).to_contain_text("Subject: Sign in to My app now")
    shot(page, "desktop-mail-template")
