"""The web console end to end, in headless Chromium against a real `bkend-mcp serve`: the owner sets a password
from the link printed at first start, signs out and back in, creates a project and a table with constraints, sees
a refused row's error next to its field, creates API keys, invites a member who joins from the link, changes a
permission — and an app sees that change through the REST API with the new key. Then the main screens are
checked (and photographed) on a phone.

The tests run in order and share one browser tab, as one person would use the console."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.console.browser import OWNER_EMAIL, OWNER_PASSWORD, PHONE, Console, shot, skip_module_without_browser

skip_module_without_browser()
try:
    from playwright.sync_api import Page, expect
except ImportError:  # CI without Playwright: the fixtures fail each test and say why
    Page, expect = Any, None

PASSWORD = OWNER_PASSWORD
PROJECT = "/console/projects/bookshop/dev"


def rest(console: Console, key: str, path: str = "/v1/data/books") -> httpx.Response:
    return httpx.get(console.url(path), headers={"x-api-key": key}, timeout=10)


def sidebar(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Project").get_by_role("link", name=name, exact=True).click()


def dialog(page: Page) -> Any:
    return page.locator("dialog[open]")


def test_owner_sets_up_the_console_from_the_link_printed_at_first_start(console_server: Console, page: Page):
    page.goto(console_server.setup_url)
    expect(page.get_by_role("heading", name="Set up the console")).to_be_visible()
    page.get_by_label("Your e-mail").fill(OWNER_EMAIL)
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Save and sign in").click()
    expect(page.locator('.field[data-field="repeat"] .field-error')).to_have_text("The two passwords differ.")

    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Save and sign in").click()
    expect(page).to_have_url(console_server.url("/console/orgs/local"))
    expect(page.get_by_role("heading", name="Local", exact=True)).to_be_visible()
    shot(page, "desktop-org-home")

    used = httpx.get(console_server.url("/v1/console/setup"), params={"token": console_server.setup_url.split("=")[1]})
    assert used.status_code == 401 and used.json()["error"]["code"] == "auth/invalid-token"


def test_owner_signs_out_and_back_in_with_the_keyboard(console_server: Console, page: Page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(console_server.url("/console/signin"))
    page.get_by_label("E-mail").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Invalid email or password")
    shot(page, "desktop-signin-refused")

    page.get_by_label("E-mail").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(console_server.url("/console/orgs/local"))


def test_owner_creates_a_project(console_server: Console, page: Page):
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Projects").click()
    page.get_by_role("button", name="New project").click()
    page.get_by_label("Project name").fill("Bookshop")
    expect(page.get_by_label("Project slug")).to_have_value("bookshop")
    page.get_by_role("button", name="Create project").click()
    expect(page).to_have_url(console_server.url(f"{PROJECT}/overview"))
    expect(page.get_by_role("heading", name="Bookshop", exact=True)).to_be_visible()
    dev_tab = page.get_by_role("navigation", name="Environment").get_by_role("link", name="dev")
    expect(dev_tab).to_have_attribute("aria-current", "page")
    shot(page, "desktop-project-overview")


def add_column(page: Page, name: str, kind: str, **options: Any) -> None:
    page.get_by_role("button", name="Add column").click()
    form = dialog(page)
    form.get_by_label("Column name").fill(name)
    form.get_by_label("Type", exact=True).select_option(kind)
    if options.pop("required", False):
        form.get_by_label("Required (not null)").check()
    for label, value in options.items():
        form.get_by_label(label, exact=True).fill(str(value))
    form.get_by_role("button", name="Add column").click()
    expect(dialog(page)).to_have_count(0)
    expect(page.locator(f'tr[data-row="{name}"]')).to_be_visible()


def test_owner_creates_a_table_with_constraints(console_server: Console, page: Page):
    sidebar(page, "Database")
    expect(page.get_by_text("No tables yet")).to_be_visible()
    page.get_by_role("button", name="New table").click()
    dialog(page).get_by_label("Table name").fill("books")
    dialog(page).get_by_role("button", name="Create table").click()
    expect(page).to_have_url(console_server.url(f"{PROJECT}/tables/books/schema"))

    add_column(page, "title", "string", required=True, **{"Minimum length": 2, "Maximum length": 120})
    add_column(page, "price", "number", Minimum=0)
    expect(page.locator('tr[data-row="title"]')).to_contain_text("required")
    expect(page.locator('tr[data-row="title"]')).to_contain_text("minLength: 2")
    shot(page, "desktop-table-schema")

    table = httpx.get(
        console_server.url("/v1/console/projects/bookshop/environments/dev/tables/books"),
        headers=console_server.server.bearer(),
        timeout=10,
    ).json()
    fields = {f["name"]: f for f in table["fields"]}
    assert fields["title"]["required"] is True and fields["title"]["minLength"] == 2
    assert fields["price"]["minimum"] == 0 and table["schemaVersion"] == 3


def test_a_refused_row_shows_each_error_next_to_its_field(console_server: Console, page: Page):
    page.get_by_role("link", name="Data", exact=True).click()
    expect(page.get_by_text("No rows yet")).to_be_visible()
    page.get_by_role("button", name="Add row").first.click()
    form = dialog(page)
    form.locator('.field[data-field="title"] input').fill("X")
    form.locator('.field[data-field="price"] input').fill("-1")
    form.get_by_role("button", name="Add row").click()

    title = form.locator('.field[data-field="title"]')
    expect(title.locator(".field-error")).to_contain_text("at least 2 characters")
    expect(title.locator("input")).to_have_attribute("aria-invalid", "true")
    expect(form.locator('.field[data-field="price"] .field-error')).to_contain_text(">= 0")
    expect(title.locator("input")).to_be_focused()
    shot(page, "desktop-row-refused")

    title.locator("input").fill("Dune")
    form.locator('.field[data-field="price"] input').fill("9.5")
    form.get_by_role("button", name="Add row").click()
    expect(dialog(page)).to_have_count(0)
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    expect(page.locator("table.grid")).to_contain_text("Dune")
    shot(page, "desktop-table-data")


def test_new_api_keys_are_shown_once_and_read_the_table(console_server: Console, page: Page):
    sidebar(page, "API keys")
    page.get_by_label("Key name").fill("web app")
    page.get_by_role("button", name="Create key").click()
    publishable = page.get_by_label("Your publishable key:").input_value()
    assert publishable.startswith("pk_")

    page.get_by_label("Key name").fill("server")
    page.get_by_label("Type", exact=True).select_option("secret")
    page.get_by_role("button", name="Create key").click()
    secret_box = page.get_by_label("Copy this secret key now.")
    secret = secret_box.input_value()
    assert secret.startswith("sk_")
    expect(page.locator(".fresh-key")).to_contain_text("shown only once")
    expect(page.locator(".fresh-key").get_by_role("button", name="Copy to the clipboard")).to_be_visible()
    shot(page, "desktop-api-keys")

    page.reload()
    expect(page.locator('tr[data-row="server"]')).to_be_visible()
    assert secret not in page.content() and publishable in page.content()
    console_server.made.update(publishable=publishable, secret=secret)

    read = rest(console_server, publishable)
    assert read.status_code == 200, read.text
    assert [r["title"] for r in read.json()["items"]] == ["Dune"]


def test_owner_invites_a_member_who_joins_from_the_link(console_server: Console, page: Page, chromium: Any):
    page.get_by_role("navigation", name="Project").get_by_role("link", name="← Local").click()
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Team").click()
    page.get_by_label("Name", exact=True).fill("Mia Member")
    page.get_by_label("E-mail").fill("mia@example.com")
    page.get_by_role("button", name="Send invitation").click()
    link = page.get_by_label("Invitation link").input_value()
    expect(page.locator('tr[data-row="mia@example.com"]')).to_contain_text("member")

    guest = chromium.new_context(viewport=PHONE)
    try:
        joining = guest.new_page()
        joining.goto(link)
        expect(joining.get_by_role("heading", name="Join Local")).to_be_visible()
        joining.get_by_label("Choose a password").fill("violet meadow river")
        joining.get_by_role("button", name="Join Local").click()
        expect(joining).to_have_url(console_server.url("/console/orgs/local"))
        expect(joining.get_by_role("heading", name="Local", exact=True)).to_be_visible()
        shot(joining, "phone-member-joined")
    finally:
        guest.close()

    page.reload()
    members = page.get_by_role("table", name="Members")
    expect(members).to_contain_text("mia@example.com")
    expect(page.get_by_text("No pending invitations")).to_be_visible()
    shot(page, "desktop-team")


def test_a_permission_change_is_seen_through_the_rest_api(console_server: Console, page: Page):
    page.goto(console_server.url(f"{PROJECT}/tables/books/permissions"))
    guest_list = page.get_by_label("Guest may list")
    guest_read = page.get_by_label("Guest may read")
    expect(guest_list).to_be_checked()
    expect(page.get_by_label("Admin may delete")).to_be_disabled()
    guest_list.uncheck()
    guest_read.uncheck()
    page.get_by_role("button", name="Save permissions").click()
    expect(page.locator("#toasts")).to_contain_text("Permissions saved")
    shot(page, "desktop-permissions")

    refused = rest(console_server, console_server.made["publishable"])
    assert refused.status_code == 403, refused.text
    assert rest(console_server, console_server.made["secret"]).status_code == 200

    page.reload()
    expect(page.get_by_label("Guest may list")).not_to_be_checked()


def test_api_docs_render_the_tables_openapi_with_the_key(console_server: Console, page: Page):
    page.get_by_role("link", name="API docs").click()
    expect(page.locator("article#listBooks")).to_contain_text("/v1/data/books")
    expect(page.locator("article#createBooks")).to_contain_text("title")
    expect(page.locator("article#listBooks pre")).to_contain_text("X-API-Key: pk_")
    shot(page, "desktop-api-docs")


def test_connect_panel_gives_the_commands_for_this_server(console_server: Console, page: Page):
    sidebar(page, "Connect your AI tool")
    panel = page.locator("section.connect")
    expect(panel).to_contain_text("claude mcp add bkend -- bkend-mcp mcp")
    expect(panel).to_contain_text(f"claude mcp add --transport http bkend {console_server.server.base}/mcp")
    expect(panel).to_contain_text("Cursor")
    expect(panel).to_contain_text("Claude Desktop")
    shot(page, "desktop-connect")


PHONE_SCREENS = {
    "overview": f"{PROJECT}/overview",
    "tables": f"{PROJECT}/tables",
    "table-data": f"{PROJECT}/tables/books/data",
    "table-schema": f"{PROJECT}/tables/books/schema",
    "api-keys": f"{PROJECT}/api-keys",
    "team": "/console/orgs/local/team",
}


def test_main_screens_fit_a_phone(console_server: Console, page: Page, chromium: Any):
    phone = chromium.new_context(viewport=PHONE, storage_state=page.context.storage_state())
    try:
        tab = phone.new_page()
        for name, path in PHONE_SCREENS.items():
            tab.goto(console_server.url(path))
            expect(tab.locator("main h1")).to_be_visible()
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
            shot(tab, f"phone-{name}")

        menu = tab.get_by_role("button", name="Menu")
        expect(tab.get_by_role("navigation", name="Organization")).not_to_be_in_viewport()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        shot(tab, "phone-menu-open")
        tab.get_by_role("link", name="Projects").click()
        expect(tab.get_by_role("heading", name="Projects")).to_be_visible()
    finally:
        phone.close()
